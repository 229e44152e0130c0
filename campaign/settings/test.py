import os
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
SUPPRESSION_HASH_KEY = "test-only-not-secret-suppression"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "cache"],
    }
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Many tests change content without publishing it and read the page again: they would read
# the stored copy. The headers are still set; tests/campaign/test_page_cache.py and
# test_purge.py turn the cache on.
PAGE_CACHE_ENABLED = False
# TEST_MEDIA_ROOT: another folder (two runs at once, e.g. SQLite and PostgreSQL in .ci/run).
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT") or BASE_DIR / "var" / "test-media")  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"

# Static files come from the finders here; WhiteNoise serves the collected files in production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
ANYMAIL = {**ANYMAIL, "WEBHOOK_SECRET": "hook:test-secret"}  # noqa: F405
