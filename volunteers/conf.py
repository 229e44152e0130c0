"""The app's tunable settings. Each one is read from Django's settings, then from the
environment (so a benchmark can lower the anti-abuse limits of a production server without a
settings file), then falls back to the default here.

| name | default | meaning |
| --- | --- | --- |
| VOLUNTEERS_MIN_FILL_SECONDS | 3 | a sign-up form sent sooner after display is refused |

The sign-up's rate limits are the scopes "signup" (per client address) and "signup_email" (per
typed email address) of the site's one limiter, campaign/ratelimit.py: settings RATE_LIMITS,
environment RATE_LIMIT_SIGNUP and RATE_LIMIT_SIGNUP_EMAIL; the client address behind proxies
comes from TRUSTED_PROXY_COUNT.
"""

import os

from django.conf import settings

DEFAULTS = {
    "VOLUNTEERS_MIN_FILL_SECONDS": "3",
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
