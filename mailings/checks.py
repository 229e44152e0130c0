"""System checks of the sending's timings (`manage.py check`, and every start-up).

Exactly once with Brevo rests on the idempotency key while Brevo remembers it (30 minutes):
a batch whose outcome is unknown is sent again with its key within that time, and
reconciled against Brevo's record after it (mailings/services/esp.py). These checks refuse
settings under which the ordinary case (an ESP error or a killed worker, then the retries)
could not run its course with the key, or under which a live worker could be overtaken.
"""

from django.core.checks import Error, register

from .services.esp import (
    KEY_ATTEMPTS,
    esp_profile,
    key_window,
    lease_seconds,
    outage_seconds,
    requests_timeout,
    retry_delay,
)


@register("mailings")
def check_mailing_timings(app_configs=None, **kwargs):
    errors = []
    profile = esp_profile()
    lease = lease_seconds()
    call = requests_timeout()
    if lease <= call:
        errors.append(
            Error(
                f"MAILING_LEASE_SECONDS ({lease:g} s) must be longer than one ESP call can "
                f"last (ANYMAIL REQUESTS_TIMEOUT, {call:g} s): another worker would take "
                "over a batch whose call is still running.",
                hint="Raise MAILING_LEASE_SECONDS or lower REQUESTS_TIMEOUT.",
                id="mailings.E002",
            )
        )
    window = key_window(profile)
    if window is not None:
        delays = sum(retry_delay(n) for n in range(1, KEY_ATTEMPTS))
        needed = lease + delays + KEY_ATTEMPTS * call
        if needed > window:
            errors.append(
                Error(
                    f"{KEY_ATTEMPTS} tries of a batch take up to {needed:g} s (a lease of "
                    f"{lease:g} s, retry delays of {delays:g} s from "
                    f"MAILING_RETRY_BASE_SECONDS/MAILING_RETRY_MAX_SECONDS, {KEY_ATTEMPTS} "
                    f"calls of {call:g} s): more than the {window:g} s during which "
                    f"{profile.name} still knows the batch's idempotency key.",
                    hint=(
                        "Lower MAILING_RETRY_BASE_SECONDS, MAILING_RETRY_MAX_SECONDS or "
                        "MAILING_LEASE_SECONDS (docs/OPERATIONS.md)."
                    ),
                    id="mailings.E001",
                )
            )
    if outage_seconds() < 3600:
        errors.append(
            Error(
                "MAILING_OUTAGE_HOURS is under one hour: an ESP outage of an hour would fail "
                "recipients for good.",
                hint="Keep it in hours (48 by default).",
                id="mailings.E003",
            )
        )
    return errors
