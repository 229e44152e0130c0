from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env.get("SECRET_KEY", "dev-only-not-secret-3f9c2b7e1d8a4c6f0e5b9a2d7c1e4f8b")
SUPPRESSION_HASH_KEY = env.get("SUPPRESSION_HASH_KEY", "dev-only-not-secret-suppression")
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Emails are written as files you can open, one per message.
if "EMAIL_BACKEND" not in env:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "emails"  # noqa: F405

# Static files come from the finders here; WhiteNoise serves the collected files in production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
