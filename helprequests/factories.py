"""Factories of the help requests (tests and the demo)."""

import datetime

from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from volunteers.factories import VolunteerFactory

from .models import HelpProposal, HelpRequest, Referent


class ProposableVolunteerFactory(VolunteerFactory):
    """A confirmed volunteer who agreed to be proposed help requests."""

    consent_help_requests = True
    help_paused = False
    availability = factory.LazyFunction(lambda: ["weekday", "evening", "weekend"])


class ReferentFactory(DjangoModelFactory):
    organisation = ""

    class Meta:
        model = Referent


class HelpRequestFactory(DjangoModelFactory):
    category = "courses-services"
    first_name = "Simone"
    phone = "06 00 00 00 01"
    email = factory.Sequence(lambda n: f"demande{n}@exemple.fr")
    availability = factory.LazyFunction(lambda: ["weekday"])
    when_details = "Le jeudi matin"
    details = "Porter les courses au 4e étage, sans ascenseur."
    consent_wording = "J'accepte que le ou la référent·e de ma commune me contacte."
    consent_at = factory.LazyFunction(timezone.now)
    language = "fr"

    class Meta:
        model = HelpRequest


class HelpProposalFactory(DjangoModelFactory):
    request = factory.SubFactory(HelpRequestFactory)
    volunteer = factory.SubFactory(ProposableVolunteerFactory)
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=48))

    class Meta:
        model = HelpProposal
