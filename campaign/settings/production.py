"""Production: every secret comes from the environment, and a missing one stops start-up."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def required(name):
    value = env.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
# The keyed fingerprint of erased and suppressed addresses; never SECRET_KEY (its rotation
# would forget every unsubscribe).
SUPPRESSION_HASH_KEY = required("SUPPRESSION_HASH_KEY")
ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS").split(",") if h.strip()]
required("DATABASE_URL")
# Rate limits and the page cache must be shared by every worker: no per-process fallback.
required("REDIS_URL")
WAGTAILADMIN_BASE_URL = required("WAGTAILADMIN_BASE_URL")

EMAIL_BACKEND = env.get("EMAIL_BACKEND", "anymail.backends.brevo.EmailBackend")
if EMAIL_BACKEND == "anymail.backends.brevo.EmailBackend":
    ANYMAIL["BREVO_API_KEY"] = required("BREVO_API_KEY")  # noqa: F405
# Required whatever EMAIL_BACKEND is: the tracking webhooks are routed in every case, and
# without a secret they would believe anyone (volunteers/webhooks.py also fails closed).
ANYMAIL["WEBHOOK_SECRET"] = required("ANYMAIL_WEBHOOK_SECRET")  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_HSTS_SECONDS = int(env.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
