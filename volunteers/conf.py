"""The app's tunable settings. Each one is read from Django's settings, then from the
environment (so a benchmark can lower the anti-abuse limits of a production server without a
settings file), then falls back to the default here.

| name | default | meaning |
| --- | --- | --- |
| VOLUNTEERS_MIN_FILL_SECONDS | 3 | a sign-up form sent sooner after display is refused |
| VOLUNTEERS_RATE_LIMIT_PER_IP | 20/3600 | sign-up posts per client address per window (s) |
| VOLUNTEERS_RATE_LIMIT_PER_EMAIL | 5/3600 | sign-up posts per email address per window (s) |
| VOLUNTEERS_CLIENT_IP_HEADER | (empty) | e.g. HTTP_X_FORWARDED_FOR behind a trusted proxy |
"""

import os

from django.conf import settings

DEFAULTS = {
    "VOLUNTEERS_MIN_FILL_SECONDS": "3",
    "VOLUNTEERS_RATE_LIMIT_PER_IP": "20/3600",
    "VOLUNTEERS_RATE_LIMIT_PER_EMAIL": "5/3600",
    "VOLUNTEERS_CLIENT_IP_HEADER": "",
}

# Fixed by the issue and the CNIL's guidance, not tunable.
CONFIRMATION_LINK_MAX_AGE = 7 * 24 * 3600
PREFERENCES_LINK_MAX_AGE = 400 * 24 * 3600
EMAIL_RESEND_INTERVAL_HOURS = 24
UNCONFIRMED_RETENTION_DAYS = 30
INACTIVE_RETENTION_DAYS = 3 * 365
FORM_MAX_AGE = 24 * 3600


def _raw(name):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, DEFAULTS[name])
    return value


def min_fill_seconds() -> float:
    return float(_raw("VOLUNTEERS_MIN_FILL_SECONDS"))


def _rate(name) -> tuple[int, int]:
    value = _raw(name)
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    count, _, window = str(value).partition("/")
    return int(count), int(window or 3600)


def rate_limit_per_ip() -> tuple[int, int]:
    return _rate("VOLUNTEERS_RATE_LIMIT_PER_IP")


def rate_limit_per_email() -> tuple[int, int]:
    return _rate("VOLUNTEERS_RATE_LIMIT_PER_EMAIL")


def client_ip_header() -> str:
    return str(_raw("VOLUNTEERS_CLIENT_IP_HEADER") or "")
