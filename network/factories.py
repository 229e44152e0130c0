"""Factories of the network app, for tests."""

import datetime

from django.utils import timezone

import factory
import wagtail_factories

from .models import (
    DossierPage,
    MeetingPage,
    MeetingRegistration,
    NetworkIndexPage,
    PracticeSheetPage,
    Referent,
)


class NetworkIndexPageFactory(wagtail_factories.PageFactory):
    title = "Réseau des élus solidaires"
    slug = "reseau-des-elus"
    introduction = "Fiches pratiques, dossiers, référents et rencontres."

    class Meta:
        model = NetworkIndexPage


class PracticeSheetPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Fiche pratique {n}")
    summary = "Un forum pour savoir qui fait quoi sur le territoire."
    problem = "Les acteurs ne se connaissaient pas."
    actions = "Une journée de rencontre."
    contact_name = "Claire Martin"
    contact_role = "Adjointe aux solidarités"
    contact_email = "solidarites@melun.example"

    class Meta:
        model = PracticeSheetPage


class DossierPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Dossier {n}")
    introduction = "Des fiches, des histoires et des kits."

    class Meta:
        model = DossierPage


class MeetingPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Rencontre {n}")
    summary = "Une après-midi pour partager ce qui marche."
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=3))
    place = "Salle des fêtes, Melun"
    agenda = "Accueil\nAteliers"

    class Meta:
        model = MeetingPage


class ReferentFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Référent {n}")
    role = "Adjointe aux solidarités"
    kind = Referent.Kind.REFERENT
    expertise = "Forums d'acteurs locaux."

    class Meta:
        model = Referent


class MeetingRegistrationFactory(factory.django.DjangoModelFactory):
    name = "Camille Durand"
    email = factory.Sequence(lambda n: f"elu{n}@exemple.org")
    consent_at = factory.LazyFunction(timezone.now)
    consent_wording = "J'accepte."

    class Meta:
        model = MeetingRegistration
