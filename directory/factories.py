import datetime

from django.utils import timezone

import factory

from .models import Actor, HelpPoint, HelpPointDate


class ActorFactory(factory.django.DjangoModelFactory):
    """A published actor; pass `communes=[…]`, `intercommunalities=[…]`, `departments=[…]`,
    `categories=[…]` to set its area and needs."""

    name = factory.Sequence(lambda n: f"Association solidaire {n}")
    slug = factory.Sequence(lambda n: f"association-solidaire-{n}")
    kind = Actor.Kind.ASSOCIATION
    description = "Nous aidons les habitants du quartier : courses, visites, démarches."
    status = Actor.Status.PUBLISHED
    address = "1 rue de l'Exemple"
    postcode = "77000"

    class Meta:
        model = Actor
        skip_postgeneration_save = True

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.communes.set(extracted)

    @factory.post_generation
    def intercommunalities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.intercommunalities.set(extracted)

    @factory.post_generation
    def departments(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.departments.set(extracted)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)


class HelpPointFactory(factory.django.DjangoModelFactory):
    """A published fixed help point; pass `commune=`."""

    name = factory.Sequence(lambda n: f"Permanence numérique {n}")
    slug = factory.Sequence(lambda n: f"permanence-numerique-{n}")
    kind = HelpPoint.Kind.FIXED
    place = "Médiathèque, espace multimédia"
    address = "6 allée de la Lecture"
    digital_mediation = True
    published = True

    class Meta:
        model = HelpPoint


class HelpPointDateFactory(factory.django.DjangoModelFactory):
    """A date a week from today, 14 h to 17 h; pass `help_point=` (and `repeat_until=` for
    a weekly one)."""

    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    starts_at = datetime.time(14)
    ends_at = datetime.time(17)

    class Meta:
        model = HelpPointDate
