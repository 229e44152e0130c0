"""What the directory keeps about a person, for the registry in campaign/personal_data.py:
the address of whoever proposed an actor's entry (Actor.proposer_email), kept for the
confirmation email and the yearly update request, never shown publicly.

Erasure empties that address and renews the confirmation token (an old link opens nothing).
The entry itself (the actor's public description and contact) stays: it is the
organisation's, not the person's. The address is also emptied when the entry is rejected
(services.actor_reject, and the admin's form), and goes with the row when it is deleted."""

from django.utils.translation import gettext_lazy as _

from campaign.personal_data import Person, Section, iso

from .models import Actor, new_token


def _proposals(person: Person):
    if not person.email:
        return Actor.objects.none()
    return Actor.objects.filter(proposer_email__iexact=person.email)


def export(person: Person) -> list[Section]:
    rows = [
        {
            "date": iso(actor.created_at),
            "actor": actor.name,
            "email": actor.proposer_email,
            "status": actor.status,
        }
        for actor in _proposals(person).order_by("created_at", "pk")
    ]
    return [
        Section(
            key="directory_actors",
            title=_("Les acteurs que vous avez proposés dans l'annuaire"),
            columns={
                "date": _("Date"),
                "actor": _("Acteur"),
                "email": _("Votre adresse"),
                "status": _("Statut"),
            },
            rows=rows,
            choices={"status": dict(Actor.Status.choices)},
        )
    ]


def erase(person: Person) -> None:
    for actor in _proposals(person).only("pk"):
        Actor.objects.filter(pk=actor.pk).update(proposer_email="", token=new_token())
