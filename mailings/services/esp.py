"""The ESP as the sending sees it: how many recipients one call may carry, how it writes a
merge field, which header is its idempotency key; and the retry and lease timings built on
it."""

from dataclasses import dataclass

from django.conf import settings


class MailingError(Exception):
    """A request staff can fix: the message says how, in their language."""


@dataclass(frozen=True)
class EspProfile:
    name: str
    batch_size: int
    # How the ESP writes a merge field in a batch send's body, `{name}` being the field's
    # name. None: the ESP (or Django's own backends) cannot merge, so each recipient gets a
    # message built here, all of a batch sent over one connection.
    merge_field: str | None = None
    # The request header the ESP reads as an idempotency key, if it has one.
    idempotency_header: str | None = None


# Per-call limits from each ESP's API reference.
ESP_PROFILES = {
    # https://developers.brevo.com/reference/sendtransacemail: 1,000 messageVersions a call;
    # `headers.idempotencyKey` is remembered for 30 minutes.
    "anymail.backends.brevo.EmailBackend": EspProfile(
        "brevo", 1000, "{{{{ params.{name} }}}}", "idempotencyKey"
    ),
    "anymail.backends.postmark.EmailBackend": EspProfile("postmark", 500),
    "anymail.backends.amazon_ses.EmailBackend": EspProfile("amazon_ses", 50),
    "anymail.backends.mailgun.EmailBackend": EspProfile("mailgun", 1000, "%recipient.{name}%"),
    "anymail.backends.mailjet.EmailBackend": EspProfile("mailjet", 50),
    "anymail.backends.sendgrid.EmailBackend": EspProfile("sendgrid", 1000, ":{name}"),
}


def esp_profile() -> EspProfile:
    """The profile of the configured email backend; MAILING_BATCH_SIZE and
    MAILING_MERGE_FIELD override it (for an ESP not listed above)."""
    profile = ESP_PROFILES.get(settings.EMAIL_BACKEND, EspProfile("django", 100))
    size = getattr(settings, "MAILING_BATCH_SIZE", None)
    merge = getattr(settings, "MAILING_MERGE_FIELD", None)
    if size or merge:
        profile = EspProfile(
            profile.name,
            int(size or profile.batch_size),
            merge or profile.merge_field,
            profile.idempotency_header,
        )
    return profile


def _setting(name, default):
    return getattr(settings, name, default)


MAX_ATTEMPTS = 6  # 30 s, 1, 2, 4, 8 min between tries: 15 min, within Brevo's 30-min key.


def retry_delay(attempts: int) -> float:
    """Seconds before the next try of a batch that failed `attempts` times."""
    return _setting("MAILING_RETRY_BASE_SECONDS", 30) * 2 ** (attempts - 1)


def lease_seconds() -> float:
    """How long a worker may hold a batch before another takes it over. Longer than one
    ESP call can last (Anymail's time-out), so a live worker is never overtaken."""
    return _setting("MAILING_LEASE_SECONDS", 300)
