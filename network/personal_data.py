"""What the network app keeps about a person, for the registry in campaign/personal_data.py:
their registrations to the network's meetings (name, address, commune, role, consent).

Erasure deletes the registrations: a seat is of no use to anyone once its holder is
forgotten. Referents and the contacts printed on practice sheets are professional contacts
published with their agreement, edited by staff; they are not looked up by address here."""

from django.utils.translation import gettext_lazy as _

from campaign.personal_data import Person, Section, iso

from .models import MeetingRegistration


def _registrations(person: Person):
    if not person.email:
        return MeetingRegistration.objects.none()
    return MeetingRegistration.objects.filter(email__iexact=person.email)


def export(person: Person) -> list[Section]:
    rows = [
        {
            "date": iso(r.created_at),
            "meeting": r.meeting.title,
            "meeting_start": iso(r.meeting.start),
            "name": r.name,
            "email": r.email,
            "commune": r.commune,
            "role": r.role,
            "consent": r.consent_wording,
            "consent_at": iso(r.consent_at),
            "confirmed": iso(r.confirmed_at),
            "reminded": iso(r.reminded_at),
        }
        for r in _registrations(person).select_related("meeting").order_by("created_at", "pk")
    ]
    return [
        Section(
            key="meeting_registrations",
            title=_("Vos inscriptions aux rencontres du réseau des élus"),
            columns={
                "date": _("Date"),
                "meeting": _("Rencontre"),
                "meeting_start": _("Début de la rencontre"),
                "name": _("Votre nom"),
                "email": _("Votre adresse"),
                "commune": _("Commune ou collectivité"),
                "role": _("Fonction"),
                "consent": _("Votre accord"),
                "consent_at": _("Accord donné le"),
                "confirmed": _("Confirmée le"),
                "reminded": _("Rappel envoyé le"),
            },
            rows=rows,
        )
    ]


def erase(person: Person) -> None:
    _registrations(person).delete()
