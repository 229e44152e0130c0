import factory
import wagtail_factories

from campaign.geography.models import (
    Commune,
    Department,
    Postcode,
    Region,
    commune_slug,
    search_key,
)

from .models import KitFile, KitIndexPage, KitPage, PosterTemplate


class KitIndexPageFactory(wagtail_factories.PageFactory):
    title = "Kits et affiches"
    slug = "kits"
    introduction = "Affiches, flyers et visuels gratuits pour les mairies."

    class Meta:
        model = KitIndexPage


class KitPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Kit solidaire {n}")
    description = "Une affiche et un flyer pour inviter vos habitants à donner une heure par mois."
    usage_terms = "Libre d'utilisation par les mairies et les associations."

    class Meta:
        model = KitPage


class KitFileFactory(factory.django.DjangoModelFactory):
    page = factory.SubFactory(KitPageFactory)
    document = factory.SubFactory(wagtail_factories.DocumentFactory)
    format = KitFile.Format.POSTER_A3
    language = "fr"
    locale = factory.LazyAttribute(lambda o: o.page.locale)

    class Meta:
        model = KitFile


class PosterTemplateFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Modèle {n}")
    # A4 at 300 dpi: the smallest artwork the template validation accepts.
    artwork = factory.SubFactory(
        wagtail_factories.ImageFactory,
        file__width=2480,
        file__height=3508,
        file__color="#f6efe2",
    )

    class Meta:
        model = PosterTemplate


class RegionFactory(factory.django.DjangoModelFactory):
    code = "44"
    name = "Grand Est"
    slug = "grand-est"

    class Meta:
        model = Region
        django_get_or_create = ["code"]


class DepartmentFactory(factory.django.DjangoModelFactory):
    code = "51"
    name = "Marne"
    slug = "marne"
    region = factory.SubFactory(RegionFactory)

    class Meta:
        model = Department
        django_get_or_create = ["code"]


class CommuneFactory(factory.django.DjangoModelFactory):
    # Five characters however many communes a test session creates (51000, 51001 … 51999,
    # then 52000 …): the column is a varchar(5), which PostgreSQL enforces.
    insee_code = factory.Sequence(lambda n: f"{51 + n // 1000}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.LazyAttribute(lambda o: commune_slug(o.name, o.insee_code))
    search_name = factory.LazyAttribute(lambda o: search_key(o.name))
    department = factory.SubFactory(DepartmentFactory)
    region = factory.LazyAttribute(lambda o: o.department.region)

    class Meta:
        model = Commune
        django_get_or_create = ["insee_code"]
        skip_postgeneration_save = True

    @factory.post_generation
    def postcode(obj, create, extracted, **kwargs):
        if create and extracted:
            Postcode.objects.get_or_create(code=extracted, commune=obj)
