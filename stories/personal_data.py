"""What the stories app keeps about a person, for the registry in campaign/personal_data.py:
the hero nominations they made with their address.

Erasure anonymises them: the proposer's name and address are replaced by placeholders that
name nobody (the model requires both), the hero's story (first name, commune, what they did,
photo) is kept, since it is about the hero, not the proposer, and staff may have turned it
into a published story."""

from django.utils.translation import gettext_lazy as _

from campaign.personal_data import ERASED_EMAIL, Person, Section, iso

from .models import Nomination

# What an erased proposer's name becomes (the address becomes ERASED_EMAIL).
ERASED_NAME = "-"


def _nominations(person: Person):
    if not person.email:
        return Nomination.objects.none()
    return Nomination.objects.filter(proposer_email__iexact=person.email)


def export(person: Person) -> list[Section]:
    rows = [
        {
            "date": iso(n.created_at),
            "proposer_name": n.proposer_name,
            "proposer_email": n.proposer_email,
            "hero_first_name": n.hero_first_name,
            "commune": n.commune.name,
            "what_they_did": n.what_they_did,
            "photo": bool(n.photo),
            "hero_agreed": n.hero_agreed,
            "status": n.status,
        }
        for n in _nominations(person).select_related("commune").order_by("created_at", "pk")
    ]
    return [
        Section(
            key="nominations",
            title=_("Les héros que vous avez proposés"),
            columns={
                "date": _("Date"),
                "proposer_name": _("Votre nom"),
                "proposer_email": _("Votre adresse"),
                "hero_first_name": _("Prénom du héros"),
                "commune": _("Commune"),
                "what_they_did": _("Ce que cette personne a fait"),
                "photo": _("Photo jointe"),
                "hero_agreed": _("Le héros est d'accord"),
                "status": _("Statut"),
            },
            rows=rows,
            choices={"status": dict(Nomination.Status.choices)},
        )
    ]


def erase(person: Person) -> None:
    _nominations(person).update(proposer_name=ERASED_NAME, proposer_email=ERASED_EMAIL)
