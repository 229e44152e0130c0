"""Signed links. The token sits in the URL path, which is acceptable for a signed link, but
it is a key to someone's data: never log a URL that carries one. LOGGING's filter
(campaign/logging.py) blanks tokens in django.request and django.server records, and
gunicorn.conf.py's logger does the same in the access log."""

from django.core import signing

from . import conf
from .models import Volunteer
from .models.volunteers import email_hash_legacy

CONFIRM = "volunteers.confirm"
PREFERENCES = "volunteers.preferences"
UNSUBSCRIBE = "volunteers.unsubscribe"


class InvalidLink(Exception):
    """Tampered, expired, or pointing at someone who no longer exists."""


def token_make(*, volunteer: Volunteer, purpose: str) -> str:
    # The address's fingerprint binds the link to the address it was sent to.
    return signing.dumps({"v": volunteer.pk, "h": volunteer.email_hash[:16]}, salt=purpose)


def token_volunteer(*, token: str, purpose: str) -> Volunteer:
    """The volunteer a token points at, or InvalidLink."""
    max_age = {CONFIRM: conf.CONFIRMATION_LINK_MAX_AGE, PREFERENCES: conf.PREFERENCES_LINK_MAX_AGE}
    try:
        # An unsubscribe link never expires: leaving must always work.
        data = signing.loads(token, salt=purpose, max_age=max_age.get(purpose))
        pk, fingerprint = int(data["v"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidLink from exc
    volunteer = Volunteer.objects.select_related("commune").filter(pk=pk).first()
    if volunteer is None or not fingerprint:
        raise InvalidLink
    if volunteer.email_hash.startswith(fingerprint):
        return volunteer
    # Links sent before the fingerprint was keyed (issue 13) carry the unkeyed one; it is
    # recomputed from the address, which only a person not yet erased still has.
    if volunteer.email and email_hash_legacy(volunteer.email).startswith(fingerprint):
        return volunteer
    raise InvalidLink
