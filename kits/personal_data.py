"""What the kits app keeps about a person, for the registry in campaign/personal_data.py:
the engaged-commune declarations made with their address (the contact's name, role and
address). Personalised posters keep no visitor data (their contact line is the mairie's
public contact, printed on the poster), so they are not part of it.

Erasure anonymises the declarations: name and role emptied, the address replaced by one that
names nobody (the model requires one), the confirmation token renewed so that an old link
opens nothing. The commune's engagement itself (which commune, when, its status) stays: it is
the mairie's, not the person's."""

from django.utils.translation import gettext_lazy as _

from campaign.personal_data import ERASED_EMAIL, Person, Section, iso

from .models import EngagedCommune
from .models.communes import new_token


def _declarations(person: Person):
    if not person.email:
        return EngagedCommune.objects.none()
    return EngagedCommune.objects.filter(email__iexact=person.email)


def export(person: Person) -> list[Section]:
    rows = [
        {
            "date": iso(e.created_at),
            "commune": e.commune.name,
            "contact_name": e.contact_name,
            "role": e.role,
            "email": e.email,
            "confirmed": iso(e.confirmed_at),
            "status": e.status,
        }
        for e in _declarations(person).select_related("commune").order_by("created_at", "pk")
    ]
    return [
        Section(
            key="engaged_communes",
            title=_("Les communes que vous avez déclarées engagées"),
            columns={
                "date": _("Date"),
                "commune": _("Commune"),
                "contact_name": _("Votre nom"),
                "role": _("Fonction"),
                "email": _("Votre adresse"),
                "confirmed": _("Adresse confirmée le"),
                "status": _("Statut"),
            },
            rows=rows,
            choices={"status": dict(EngagedCommune.Status.choices)},
        )
    ]


def erase(person: Person) -> None:
    for declaration in _declarations(person).only("pk"):
        EngagedCommune.objects.filter(pk=declaration.pk).update(
            contact_name="", role="", email=ERASED_EMAIL, token=new_token()
        )
