"""Volunteers of l'heure civique, their consents, the sign-up page, the transactional email
templates and the mairies' access to their communes' volunteers."""

from .access import MairieAccess
from .assisted import AssistedSignup
from .emails import EmailTemplate
from .pages import VolunteerSignupPage
from .volunteers import (
    AVAILABILITY_CHOICES,
    ConsentRecord,
    Volunteer,
    VolunteerInterest,
    VolunteerQuerySet,
    email_hash,
    normalize_email,
)

__all__ = [
    "AVAILABILITY_CHOICES",
    "AssistedSignup",
    "ConsentRecord",
    "EmailTemplate",
    "MairieAccess",
    "Volunteer",
    "VolunteerInterest",
    "VolunteerQuerySet",
    "VolunteerSignupPage",
    "email_hash",
    "normalize_email",
]
