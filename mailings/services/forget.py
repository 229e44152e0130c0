"""Asking the ESP to forget an erased person (the right to erasure reaches our processor).

Brevo keeps a contact (if one was ever created) and the transactional logs of every email sent
to an address. Its API deletes both:

- ``DELETE /v3/contacts/{identifier}``, the identifier being the address, URL-encoded
  (https://developers.brevo.com/reference/delete-contact): 204 when deleted, 404
  ``document_not_found`` when there is no such contact;
- ``DELETE /v3/smtp/log/{identifier}``, the identifier being a message id or the address
  (https://developers.brevo.com/reference/delete-an-smtp-transactional-log): 204. Brevo's guide
  says the deletion is a job that takes 24 to 48 hours
  (https://developers.brevo.com/docs/deleting-transactional-logs-based-on-recipient-address-to).

A 404 means "already forgotten" (nothing to delete). 429 and 5xx, or no answer at all, mean
"try again later" (`ForgetLater`); any other refusal is permanent (`ForgetRefused`): retrying
would get the same answer. Both calls are idempotent, so a retry repeats both.

Other ESPs: not asked (their deletion APIs differ, and Anymail has none); `esp_forget_supported`
says so, and the caller logs it without the address.

The address is in the request's path: urllib3 logs paths at DEBUG, and LOGGING keeps its
connection pool's logger at INFO whatever LOG_LEVEL says (campaign/settings/base.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

import requests

from .esp import brevo_api

logger = logging.getLogger(__name__)

BREVO_BACKEND = "anymail.backends.brevo.EmailBackend"


class ForgetLater(Exception):
    """The ESP could not answer now (429, 5xx, no answer): try again later."""

    def __init__(self, reason: str, retry_after: int | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class ForgetRefused(Exception):
    """The ESP refused the call for good (a 4xx other than 404 and 429)."""


@dataclass(frozen=True)
class ForgetResult:
    contact: str  # "deleted" or "absent"
    logs: str


def esp_forget_supported() -> bool:
    return settings.EMAIL_BACKEND == BREVO_BACKEND


def _retry_after(response) -> int | None:
    # Brevo documents x-sib-ratelimit-reset (seconds until the window resets); a
    # Retry-After is honoured too.
    for header in ("Retry-After", "x-sib-ratelimit-reset"):
        value = response.headers.get(header, "")
        if value.strip().isdigit():
            return int(value.strip())
    return None


def _delete(session, url, headers, timeout, what) -> str:
    try:
        response = session.delete(url, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise ForgetLater(f"{what}: {exc.__class__.__name__}") from None
    status = response.status_code
    if status in (200, 202, 204):
        return "deleted"
    if status == 404:
        return "absent"
    if status == 429 or status >= 500:
        raise ForgetLater(f"{what}: HTTP {status}", _retry_after(response))
    try:
        code = response.json().get("code", "")
    except ValueError:
        code = ""
    # The answer's code only: its message may repeat the address.
    raise ForgetRefused(f"{what}: HTTP {status} {code}".strip())


def brevo_forget(*, email: str, session=None) -> ForgetResult:
    """Delete Brevo's contact and transactional logs of `email`. Raises ForgetLater or
    ForgetRefused; never logs the address."""
    base, headers, timeout = brevo_api()
    identifier = quote(email, safe="")
    session = session or requests.Session()
    contact = _delete(session, f"{base}contacts/{identifier}", headers, timeout, "contact")
    logs = _delete(session, f"{base}smtp/log/{identifier}", headers, timeout, "transactional logs")
    return ForgetResult(contact=contact, logs=logs)


# The first call waits a little: the erasure notice, sent through the same ESP, must be in its
# logs before they are deleted. Then back off, up to a day between tries; after MAX_ATTEMPTS
# (about a week) the request is dropped with an error line (no address) for staff to act.
FIRST_DELAY_SECONDS = 10 * 60
MAX_DELAY_SECONDS = 24 * 3600
MAX_ATTEMPTS = 15


def _enqueue(request_id: int, delay: int) -> bool:
    """Enqueue the forget task after `delay` seconds; False when the task backend cannot
    defer (the immediate backend of the tests). Production's database queue always can; with
    a backend that cannot, a request that failed stays in its row, untried, and the error
    line of `esp_forget_process` says so."""
    from django.utils import timezone

    from ..tasks import forget_contact

    if not forget_contact.get_backend().supports_defer:
        return False
    forget_contact.using(run_after=timezone.now() + timezone.timedelta(seconds=delay)).enqueue(
        request_id=request_id
    )
    return True


def esp_forget_enqueue(*, request_id: int) -> None:
    """After an erasure's commit: the first try, deferred by FIRST_DELAY_SECONDS where the
    task backend can defer, at once otherwise."""
    from ..tasks import forget_contact

    if not _enqueue(request_id, FIRST_DELAY_SECONDS):
        forget_contact.enqueue(request_id=request_id)


def esp_forget_process(*, request_id: int) -> str:
    """One try at an `EspForgetRequest`: on success (or a permanent refusal) the row, and with
    it the address, is deleted; on ForgetLater it is kept and tried again later. Returns what
    happened ("forgotten", "refused", "later", "gone"), never the address."""
    from ..models import EspForgetRequest

    request = EspForgetRequest.objects.filter(pk=request_id).first()
    if request is None:
        return "gone"
    try:
        result = brevo_forget(email=request.email)
    except ForgetLater as exc:
        request.attempts += 1
        if request.attempts >= MAX_ATTEMPTS:
            logger.error(
                "mailings: the ESP never answered the request to forget an erased address "
                "(request %s, %s tries, last: %s); ask Brevo's support to delete it",
                request.pk,
                request.attempts,
                exc,
            )
            request.delete()
            return "refused"
        request.save(update_fields=["attempts"])
        delay = exc.retry_after or min(MAX_DELAY_SECONDS, 60 * 2**request.attempts)
        deferred = _enqueue(request.pk, max(delay, 1))
        logger.warning(
            "mailings: ESP forget request %s: %s, %s",
            request.pk,
            exc,
            "tried again later" if deferred else "left untried (this task backend cannot defer)",
        )
        return "later"
    except ForgetRefused as exc:
        logger.error(
            "mailings: the ESP refused to forget an erased address (request %s): %s",
            request.pk,
            exc,
        )
        request.delete()
        return "refused"
    logger.info(
        "mailings: ESP forget request %s done (contact %s, logs %s)",
        request.pk,
        result.contact,
        result.logs,
    )
    request.delete()
    return "forgotten"
