import factory

from .models import Actor


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
