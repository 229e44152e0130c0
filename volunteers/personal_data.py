"""What the volunteers app keeps about a person, for the registry in campaign/personal_data.py:
the sign-up itself, its interests and the proof of its consents.

Erasure: the volunteer's own row is emptied by `services.volunteer_erase` (which calls the
registry); here, what hangs off it. Interests are deleted. Consent records are kept as the
proof that a consent was given and then withdrawn (purpose, granted, date, wording version and
text, language, origin): none of those identifies anyone, and the row they belong to keeps only
the address's keyed fingerprint (see `email_hash`). An assisted sign-up's row keeps, as part of
that proof, how the consent was given and by which agent; the paper form's reference (which
leads to a sheet bearing the person's name) and the letter code's fingerprint are emptied."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campaign.personal_data import Person, Section, iso

from .interests import interest_labels
from .models import (
    AVAILABILITY_CHOICES,
    AssistedSignup,
    ConsentRecord,
    Volunteer,
    VolunteerInterest,
)


def _volunteer(person: Person):
    if person.volunteer_id is None:
        return None
    return (
        Volunteer.objects.select_related("commune", "source_page", "assisted_signup")
        .filter(pk=person.volunteer_id)
        .first()
    )


def export(person: Person) -> list[Section]:
    volunteer = _volunteer(person)
    if volunteer is None:
        return []
    commune = volunteer.commune
    profile = Section(
        key="volunteer",
        title=_("Votre inscription à l'heure civique"),
        columns={
            "email": _("Adresse e-mail"),
            "first_name": _("Prénom"),
            "last_name": _("Nom"),
            "phone": _("Téléphone"),
            "postcode": _("Code postal"),
            "commune": _("Commune"),
            "availability": _("Disponibilités"),
            "hours_per_month": _("Heures par mois"),
            "language": _("Langue"),
            "status": _("Statut"),
            "consent_emails": _("Accepte les e-mails"),
            "consent_mairie": _("Accepte le partage avec sa mairie"),
            "consent_help_requests": _("Accepte d'être sollicité pour des coups de main"),
            "help_paused": _("Propositions de coups de main en pause"),
            "signed_up": _("Inscrit le"),
            "confirmed": _("Confirmé le"),
            "unsubscribed": _("Désinscrit le"),
            "last_activity": _("Dernière activité"),
            "source_page": _("Page d'inscription"),
            "utm": _("Campagne d'origine"),
        },
        rows=[
            {
                "email": volunteer.email,
                "first_name": volunteer.first_name,
                "last_name": volunteer.last_name,
                "phone": volunteer.phone,
                "postcode": volunteer.postcode,
                "commune": (
                    {"insee_code": commune.insee_code, "name": commune.name} if commune else None
                ),
                "availability": list(volunteer.availability),
                "hours_per_month": volunteer.hours_per_month,
                "language": volunteer.language,
                "status": volunteer.status,
                "consent_emails": volunteer.consent_emails,
                "consent_mairie": volunteer.consent_mairie,
                "consent_help_requests": volunteer.consent_help_requests,
                "help_paused": volunteer.help_paused,
                "signed_up": iso(volunteer.created_at),
                "confirmed": iso(volunteer.confirmed_at),
                "unsubscribed": iso(volunteer.unsubscribed_at),
                "last_activity": iso(volunteer.last_activity_at),
                "source_page": volunteer.source_page.url if volunteer.source_page_id else None,
                "utm": {
                    k: getattr(volunteer, k)
                    for k in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
                    if getattr(volunteer, k)
                },
            }
        ],
        choices={
            "status": dict(Volunteer.Status.choices),
            "language": dict(settings.LANGUAGES),
            "availability": dict(AVAILABILITY_CHOICES),
        },
    )
    interests = Section(
        key="interests",
        title=_("Vos centres d'intérêt"),
        columns={"slug": _("Centre d'intérêt")},
        rows=[{"slug": slug} for slug in volunteer.interest_slugs],
        choices={"slug": interest_labels()},
    )
    consents = Section(
        key="consents",
        title=_("Vos accords (preuves de consentement)"),
        columns={
            "date": _("Date"),
            "purpose": _("Finalité"),
            "granted": _("Accordé"),
            "wording": _("Texte montré"),
            "wording_version": _("Version du texte"),
            "language": _("Langue"),
            "source": _("Origine"),
        },
        rows=[
            {
                "date": iso(c.created_at),
                "purpose": c.purpose,
                "granted": c.granted,
                "wording": c.wording,
                "wording_version": c.wording_version,
                "language": c.language,
                "source": c.source,
            }
            for c in volunteer.consents.all()
        ],
        choices={
            "purpose": dict(ConsentRecord.Purpose.choices),
            "source": dict(ConsentRecord.Source.choices),
            "language": dict(settings.LANGUAGES),
        },
    )
    sections = [profile, interests, consents]
    assisted = getattr(volunteer, "assisted_signup", None)  # one query, with the volunteer
    if assisted is not None:
        sections.append(
            Section(
                key="assisted_signup",
                title=_("Votre inscription accompagnée"),
                columns={
                    "date": _("Date"),
                    "method": _("Recueil du consentement"),
                    "paper_reference": _("Référence du formulaire papier"),
                    "channel": _("Confirmation"),
                },
                rows=[
                    {
                        "date": iso(assisted.created_at),
                        "method": assisted.method,
                        "paper_reference": assisted.paper_reference,
                        "channel": assisted.channel,
                    }
                ],
                choices={
                    "method": dict(AssistedSignup.Method.choices),
                    "channel": dict(AssistedSignup.Channel.choices),
                },
            )
        )
    return sections


def erase(person: Person) -> None:
    if person.volunteer_id is None:
        return
    # Consent records stay as proof (see the module's docstring): nothing in them names the
    # person; a wording is the label a box showed, the same for everyone.
    VolunteerInterest.objects.filter(volunteer_id=person.volunteer_id).delete()
    AssistedSignup.objects.filter(volunteer_id=person.volunteer_id).update(
        paper_reference="", letter_code_hash=""
    )
