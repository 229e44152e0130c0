"""The ESP as the sending sees it: how many recipients one call may carry, how it writes a
merge field, which header is its idempotency key and how long the ESP remembers it, whether
we can ask it which recipients it took; and the retry, lease and outage timings built on it.

What exactly once rests on, per ESP (docs/OPERATIONS.md says it for the operator):

- Brevo: each batch carries an idempotency key (a UUID, ``headers.idempotencyKey``) and a
  tag naming the batch. Within the key's lifetime (30 minutes, less `TTL_MARGIN`) a batch
  whose outcome is unknown is sent again with its key: Brevo refuses a key it has seen with
  ``400 duplicate_parameter`` and processes nothing, which we read as "already accepted".
  Past that time a batch is never sent again blindly: Brevo's own record (its transactional
  events for the batch's tag, `esp_accepted`) says which recipients it took; only the others
  are sent, as a new batch with a new key.
- Any other ESP: no idempotency key and no reconciliation here, so a batch whose answer was
  lost is sent again: at least once, a recipient may get it twice. The mailing admin says so.
"""

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

import requests


class MailingError(Exception):
    """A request staff can fix: the message says how, in their language."""


class EspUnreachable(Exception):
    """The ESP's record could not be read: nothing may be concluded from it."""


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
    # Seconds the ESP remembers an idempotency key.
    idempotency_ttl: float | None = None
    # Whether `esp_accepted` can read, from the ESP, which recipients of a batch it took.
    reconciles: bool = False

    @property
    def exactly_once(self) -> bool:
        return bool(self.idempotency_header and self.idempotency_ttl and self.reconciles)


# Per-call limits from each ESP's API reference.
ESP_PROFILES = {
    # https://developers.brevo.com/reference/sendtransacemail: 1,000 messageVersions a call.
    # https://developers.brevo.com/docs/heterogenous-versions-batch-emails: a repeated
    # `headers.idempotencyKey` is not processed within its 30-minute TTL.
    # https://developers.brevo.com/reference/get-email-event-report: the events by tag.
    "anymail.backends.brevo.EmailBackend": EspProfile(
        "brevo", 1000, "{{{{ params.{name} }}}}", "idempotencyKey", 30 * 60, True
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
        profile = dataclasses.replace(
            profile,
            batch_size=int(size or profile.batch_size),
            merge_field=merge or profile.merge_field,
        )
    return profile


def _setting(name, default):
    return getattr(settings, name, default)


# A batch is sent again with its key only until TTL_MARGIN seconds before the ESP may forget
# the key: our clock and the ESP's differ, and the ESP starts counting when the call reaches
# it, after we noted the time.
TTL_MARGIN = 5 * 60
# The tries with the same key that the timings must fit inside the key's lifetime (the
# system check mailings.E001): an outage shorter than that costs no reconciliation.
KEY_ATTEMPTS = 6


def retry_delay(attempts: int) -> float:
    """Seconds before the next try of a batch that failed `attempts` times: doubling from
    MAILING_RETRY_BASE_SECONDS, at most MAILING_RETRY_MAX_SECONDS."""
    base = _setting("MAILING_RETRY_BASE_SECONDS", 30) * 2 ** (max(attempts, 1) - 1)
    return min(base, _setting("MAILING_RETRY_MAX_SECONDS", 15 * 60))


def lease_seconds() -> float:
    """How long a worker may hold a batch before another takes it over. Longer than one
    ESP call can last (Anymail's time-out), so a live worker is never overtaken."""
    return _setting("MAILING_LEASE_SECONDS", 300)


def outage_seconds() -> float:
    """How long after its start a mailing keeps waiting for an ESP that is down
    (MAILING_OUTAGE_HOURS, 48 by default). Past it, what the ESP did not take is failed."""
    return float(_setting("MAILING_OUTAGE_HOURS", 48)) * 3600


def key_window(profile: EspProfile) -> float | None:
    """Seconds after a batch's first call during which it may be sent again with its key;
    None for an ESP without idempotency keys."""
    if not (profile.idempotency_header and profile.idempotency_ttl):
        return None
    return profile.idempotency_ttl - TTL_MARGIN


def requests_timeout() -> float:
    """Anymail's time-out for one ESP call (ANYMAIL["REQUESTS_TIMEOUT"]), as one number: the
    longest a call can last."""
    from anymail.utils import get_anymail_setting

    timeout = get_anymail_setting("requests_timeout", default=30)
    if isinstance(timeout, list | tuple):
        return float(sum(timeout))
    return float(timeout)


def brevo_api() -> tuple[str, dict[str, str], object]:
    """(base address ending in "/", headers, time-out) of Brevo's API as Anymail is
    configured to call it (ANYMAIL's BREVO_API_KEY, BREVO_API_URL, REQUESTS_TIMEOUT): the
    calls Anymail does not make (events, contact deletion) go where its own calls go."""
    from anymail.utils import get_anymail_setting

    api_key = get_anymail_setting("api_key", esp_name="Brevo", allow_bare=True, default="")
    api_url = get_anymail_setting("api_url", esp_name="Brevo", default=BREVO_API_URL)
    timeout = get_anymail_setting("requests_timeout", default=30)
    headers = {"api-key": api_key, "accept": "application/json"}
    return api_url.rstrip("/") + "/", headers, timeout


# Brevo's API, where ANYMAIL["BREVO_API_URL"] does not say otherwise (Anymail's default).
BREVO_API_URL = "https://api.brevo.com/v3/"


def batch_tag(key) -> str:
    """The tag a batch is sent with: the ESP's record of the batch is found by it."""
    return f"lot-{key}"


# Brevo's events route gives at most this many events per page (its default `limit`).
EVENTS_PAGE = 2500


def esp_accepted(*, profile: EspProfile, key, since: datetime) -> dict[str, str]:
    """Lower-cased address -> message id of each recipient the ESP took in the batch `key`
    (sent with the tag `batch_tag(key)` since `since`), from the ESP's own record. Raises
    EspUnreachable when the ESP cannot say; never guesses."""
    if not profile.reconciles:
        raise EspUnreachable(f"{profile.name} cannot be asked what it took")
    base, headers, timeout = brevo_api()
    # "Number of days in the past including today", on Brevo's clock: one more for ours.
    days = min(90, (timezone.now() - since).days + 2)
    taken: dict[str, str] = {}
    offset = 0
    while True:
        try:
            response = requests.get(
                f"{base}smtp/statistics/events",
                params={
                    "tags": json.dumps([batch_tag(key)]),
                    "event": "requests",
                    "days": days,
                    "limit": EVENTS_PAGE,
                    "offset": offset,
                    "sort": "asc",
                },
                headers=headers,
                timeout=timeout,
            )
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as error:
            raise EspUnreachable(type(error).__name__) from error
        # Nothing found: `{}` or `{"events": null}`, as the reference's schema allows.
        events = (body.get("events") or []) if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise EspUnreachable("unexpected answer")
        for event in events:
            if isinstance(event, dict) and isinstance(event.get("email"), str):
                taken.setdefault(event["email"].strip().lower(), str(event.get("messageId") or ""))
        if len(events) < EVENTS_PAGE:
            return taken
        offset += EVENTS_PAGE
