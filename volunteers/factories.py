from django.utils import timezone

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from volunteers.models import (
    ConsentRecord,
    EmailTemplate,
    MairieAccess,
    Volunteer,
    VolunteerSignupPage,
    email_hash,
)


class VolunteerSignupPageFactory(wagtail_factories.PageFactory):
    title = "Je donne une heure par mois"
    slug = "heure-civique"
    introduction = "<p>Une heure par mois, près de chez vous.</p>"
    thank_you_title = "Merci, vérifiez vos e-mails"
    thank_you_text = "<p>Ouvrez le lien que nous venons de vous envoyer.</p>"
    privacy_notice = "<p>Vos données servent seulement à la campagne.</p>"

    class Meta:
        model = VolunteerSignupPage


class VolunteerFactory(DjangoModelFactory):
    email = factory.Sequence(lambda n: f"benevole{n}@example.org")
    email_hash = factory.LazyAttribute(lambda o: email_hash(o.email))
    first_name = factory.Faker("first_name", locale="fr_FR")
    commune = None
    last_name = factory.Faker("last_name", locale="fr_FR")
    postcode = factory.LazyAttribute(
        lambda o: (
            o.commune.postcodes.values_list("code", flat=True).first() or "" if o.commune else ""
        )
    )
    status = Volunteer.Status.CONFIRMED
    consent_emails = True
    confirmed_at = factory.LazyFunction(timezone.now)
    language = "fr"

    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    @factory.post_generation
    def interests(self, create, extracted, **kwargs):
        if create and extracted:
            for slug in extracted:
                self.interests.create(slug=slug)


class ConsentRecordFactory(DjangoModelFactory):
    volunteer = factory.SubFactory(VolunteerFactory)
    purpose = ConsentRecord.Purpose.EMAILS
    granted = True
    wording_version = "test"
    wording = "J'accepte de recevoir les e-mails."
    language = "fr"
    source = ConsentRecord.Source.SIGNUP

    class Meta:
        model = ConsentRecord


class EmailTemplateFactory(DjangoModelFactory):
    kind = EmailTemplate.Kind.CONFIRMATION
    subject = "Confirmez, {prenom}"
    body = "Bonjour {prenom},\n\nConfirmez ici : {lien}"

    class Meta:
        model = EmailTemplate


class MairieAccessFactory(DjangoModelFactory):
    class Meta:
        model = MairieAccess
