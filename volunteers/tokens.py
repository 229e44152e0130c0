"""Signed links. The token sits in the URL path, which is acceptable for a signed link, but
it is a key to someone's data: never log a URL that carries one (LOGGING keeps the request
lines of django.server at WARNING, gunicorn's access log is off)."""

from django.core import signing

from . import conf
from .models import Volunteer

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
    if volunteer is None or not volunteer.email_hash.startswith(fingerprint):
        raise InvalidLink
    return volunteer
