"""Factories of the stories app, for tests and the demo content."""

import datetime
import io
import json

import factory
import wagtail_factories
from PIL import Image as PILImage

from campaign.geography.models import Commune, Department, Region, search_key

from .models import Nomination, StoryIndexPage, StoryPage, StoryTheme


def png_bytes(size=(64, 48), colour=(200, 120, 80)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


class RegionFactory(factory.django.DjangoModelFactory):
    code = factory.Sequence(lambda n: f"{100 + n % 900}")
    name = factory.Sequence(lambda n: f"Région {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")

    class Meta:
        model = Region
        django_get_or_create = ("code",)


class DepartmentFactory(factory.django.DjangoModelFactory):
    code = factory.Sequence(lambda n: f"{100 + n % 900}")
    name = factory.Sequence(lambda n: f"Département {n}")
    slug = factory.Sequence(lambda n: f"departement-{n}")
    region = factory.SubFactory(RegionFactory)

    class Meta:
        model = Department
        django_get_or_create = ("code",)


class CommuneFactory(factory.django.DjangoModelFactory):
    insee_code = factory.Sequence(lambda n: f"{10000 + n % 89999}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.LazyAttribute(lambda o: f"commune-{o.insee_code.lower()}")
    search_name = factory.LazyAttribute(lambda o: search_key(o.name))
    department = factory.SubFactory(DepartmentFactory)
    region = factory.LazyAttribute(lambda o: o.department.region)

    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)


class StoryThemeFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")

    class Meta:
        model = StoryTheme


class PortraitFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Portrait {n}")
    file = factory.django.ImageField(width=96, height=96, color="orange")


class StoryIndexPageFactory(wagtail_factories.PageFactory):
    title = "Histoires"
    slug = "histoires"
    introduction = "Des voisins qui s'entraident, partout en France."

    class Meta:
        model = StoryIndexPage


class StoryPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Une voisine en or n°{n}")
    hero_first_name = "Josiane"
    hero_initial = "M"
    portrait = factory.SubFactory(PortraitFactory)
    portrait_alt = "Illustration : un buste stylisé sur fond orangé."
    commune = factory.SubFactory(CommuneFactory)
    summary = "Depuis dix ans, elle porte les courses de ses voisins du cinquième étage."
    body = factory.LazyFunction(
        lambda: json.dumps([{"type": "paragraph", "value": "<p>Tout a commencé un mardi.</p>"}])
    )
    pull_quote = "On se croisait dans l'escalier. Maintenant, on s'appelle."
    publication_date = factory.Sequence(
        lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
    )
    credit = "Texte : équipe de la campagne."
    consent_given = True

    class Meta:
        model = StoryPage
        skip_postgeneration_save = True

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)
            self.save()


class NominationFactory(factory.django.DjangoModelFactory):
    proposer_name = "Odile Bernard"
    proposer_email = factory.Sequence(lambda n: f"odile{n}@example.org")
    hero_first_name = "Karim"
    commune = factory.SubFactory(CommuneFactory)
    what_they_did = "Il répare les vélos des enfants du quartier le samedi matin."
    hero_agreed = True

    class Meta:
        model = Nomination
