"""Settings shared by every tier. Everything that differs between machines comes from the
environment; the README lists every variable."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

env = os.environ

SECRET_KEY = env.get("SECRET_KEY", "")
# Keys the fingerprint an erased or suppressed address leaves behind (volunteers.models
# email_hash). Its own secret, not SECRET_KEY: rotating SECRET_KEY must not forget who left.
SUPPRESSION_HASH_KEY = env.get("SUPPRESSION_HASH_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "campaign",
    "campaign.geography",
    "home",
    "stories",
    "gestures",
    "kits",
    "directory",
    "volunteers",
    "mailings",
    "network",
    "helprequests",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales, adds "sync from" to locales
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Anonymous pages from the cache; Cache-Control for shared caches (campaign/cache.py).
    # Outside the others, so that a hit skips them and a miss stores their final headers.
    "campaign.cache.PageCacheMiddleware",
    # Content-Security-Policy (nonces) and Permissions-Policy (campaign/middleware.py).
    "campaign.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The request's Wagtail site and home page from the cache (campaign/datacache.py).
    "campaign.datacache.CachedSiteMiddleware",
    # Unreadable form bodies: 400/413 in the visitor's language, before CSRF reads them.
    "campaign.middleware.MalformedRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The public forms of cached pages check their origin instead of a token (campaign/csrf.py);
    # every other view keeps Django's CSRF check.
    "campaign.csrf.CrossOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "campaign.urls"
WSGI_APPLICATION = "campaign.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while the worker writes; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (required in production), local memory otherwise (the
# embedded default). CACHE_KEY_PREFIX separates sites or runs sharing one Redis.
CACHE_KEY_PREFIX = env.get("CACHE_KEY_PREFIX", "tv")
if env.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Django's RedisCache, answering "nothing cached" when Redis is down, so that an
            # outage costs the cache and not the site (campaign/cache.py).
            "BACKEND": "campaign.cache.FailSoftRedisCache",
            "LOCATION": env["REDIS_URL"],
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # An outage must cost a page its cache, not a worker its timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# How long a shared cache (nginx, a CDN) and the page cache keep a public page; publishing
# purges them, so a long time is safe (campaign/cache.py).
PAGE_CACHE_SECONDS = int(env.get("PAGE_CACHE_SECONDS", "3600"))
PAGE_CACHE_ENABLED = env.get("PAGE_CACHE_ENABLED", "true").lower() == "true"
# Cookies that change a page for their holder: such requests bypass the page cache (the
# gestures a visitor said they did, gestures/selectors.py DONE_COOKIE).
PAGE_CACHE_PERSONAL_COOKIES = ["gestes_faits"]
# Hidden fields made again for each visitor when a page comes from the application's cache
# (campaign/cache.py): the sign-up form's signed display time, which its "sent too fast"
# check reads. nginx's copies keep the stored value (docs/SECURITY.md).
PAGE_CACHE_FRESH_FIELDS = {"started": "volunteers.forms.form_timestamp_make"}
# Shown on every page: saving one purges every page (campaign/purge.py).
PAGE_CACHE_PURGE_ALL_MODELS = [
    "campaign.Navigation",
    "campaign.CampaignSettings",
    "gestures.GestureCategory",
    "gestures.GestureSettings",
    "stories.StoryTheme",
    # The network's region pages list the referents (a sub-route of its home for each of the
    # regions): a referent is rarely saved, and every region page then goes.
    "network.Referent",
]

# Tasks: django-tasks with its database queue; `manage.py db_worker` runs them.
# Two queues: "default" (emails, mailings, posters, indexing) and "cache" (the proxy's or
# CDN's purges, campaign/purge.py), so that a publish is purged within seconds even while a
# mailing keeps the default queue's workers busy; deploy/systemd runs a worker for each.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "cache"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: French first, English translated with wagtail-localize.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env.get("MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env.get("SERVE_MEDIA", "true").lower() == "true"
# Behind the nginx of deploy/: files a view has checked the permission for (nomination
# photos) are sent by nginx from an internal location (X-Accel-Redirect), not by a worker.
MEDIA_ACCEL_REDIRECT = env.get("MEDIA_ACCEL_REDIRECT", "false").lower() == "true"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.get("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible media storage (needs the `s3` extra: django-storages[s3]).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": env.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env.get("AWS_S3_REGION_NAME") or None,
        },
    }
    SERVE_MEDIA = False
    MEDIA_ACCEL_REDIRECT = False  # nginx does not hold the files

# Uploads: refuse big bodies before they reach a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Email: the console in development; an ESP through Anymail in production.
EMAIL_BACKEND = env.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if env.get("EMAIL_FILE_PATH"):
    # With the file backend: one file per connection (the e2e suite reads its outbox there).
    EMAIL_FILE_PATH = env["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env.get(
    "DEFAULT_FROM_EMAIL", "Tous Voisins – Tous Solidaires <bonjour@tousvoisins.example>"
)
SERVER_EMAIL = env.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ANYMAIL = {
    "BREVO_API_KEY": env.get("BREVO_API_KEY", ""),
    # Tracking webhooks authenticate with HTTP basic auth: "user:password".
    "WEBHOOK_SECRET": env.get("ANYMAIL_WEBHOOK_SECRET", ""),
    # Seconds to connect and to wait for the ESP's answer; a mailing batch that times out
    # is retried with the same idempotency key (volunteers/services/mailings.py).
    "REQUESTS_TIMEOUT": (5, float(env.get("ANYMAIL_REQUESTS_TIMEOUT", "30"))),
}
if env.get("BREVO_API_URL"):
    ANYMAIL["BREVO_API_URL"] = env["BREVO_API_URL"]

# Mailings (volunteers/services/mailings.py). The batch size and merge syntax come from the
# ESP's profile; these override them for an ESP the code does not know.
if env.get("MAILING_BATCH_SIZE"):
    MAILING_BATCH_SIZE = int(env["MAILING_BATCH_SIZE"])
if env.get("MAILING_MERGE_FIELD"):
    MAILING_MERGE_FIELD = env["MAILING_MERGE_FIELD"]
# Dispatch tasks started per mailing: as many as workers you want sending it at once.
MAILING_PARALLEL_TASKS = int(env.get("MAILING_PARALLEL_TASKS", "1"))
MAILING_RETRY_BASE_SECONDS = float(env.get("MAILING_RETRY_BASE_SECONDS", "30"))
MAILING_LEASE_SECONDS = float(env.get("MAILING_LEASE_SECONDS", "300"))
MAILING_RETRY_MAX_SECONDS = float(env.get("MAILING_RETRY_MAX_SECONDS", "900"))
MAILING_OUTAGE_HOURS = float(env.get("MAILING_OUTAGE_HOURS", "48"))
# How long one dispatch task sends before handing over to a fresh one.
MAILING_TASK_SECONDS = float(env.get("MAILING_TASK_SECONDS", "120"))

# Rate limits (campaign/ratelimit.py): scope -> "count/seconds", each overridable by the
# environment variable RATE_LIMIT_<SCOPE> (e.g. RATE_LIMIT_SIGNUP=1000/3600). Scopes without
# "_email"/"_account" count per client address, the others per typed email or account.
# Reverse proxies in front of the application that append to X-Forwarded-For (load balancer,
# CDN, nginx): the client address is the entry the outermost of them wrote. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(env.get("TRUSTED_PROXY_COUNT", "0"))
RATE_LIMITS = {
    "signup": "20/3600",
    "signup_email": "5/3600",
    "nomination": "5/3600",
    "nomination_email": "3/3600",
    "engagement": "5/3600",
    "engagement_email": "3/86400",
    # The directory's proposal form (directory/views.py), per client address and per address.
    "actor_proposal": "5/3600",
    "actor_proposal_email": "3/86400",
    "poster": "30/3600",
    "gesture_done": "30/3600",
    # "J'ai fait ce geste": one count per gesture per client address per day.
    "gesture_done_once": "1/86400",
    "search": "120/60",
    "admin_login": "30/900",
    "admin_login_account": "10/900",
    "password_reset": "5/3600",
    "password_reset_email": "3/3600",
    # Failed shared passwords of restricted pages and documents, per client address.
    "page_password": "20/900",
    # A meeting's registration form (network/), per client address and per address typed.
    "network_registration": "10/3600",
    "network_registration_email": "3/86400",
    # "Demander un coup de main" (helprequests/views.py): per client address, and per
    # person's contact (the address in lower case, or the phone's digits).
    "help_request": "5/3600",
    "help_request_contact": "3/86400",
}
RATE_LIMITS.update(
    {
        scope: env[f"RATE_LIMIT_{scope.upper()}"]
        for scope in RATE_LIMITS
        if env.get(f"RATE_LIMIT_{scope.upper()}")
    }
)

# Wagtail
WAGTAIL_SITE_NAME = "Tous Voisins – Tous Solidaires"
WAGTAILADMIN_BASE_URL = env.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The admin's sign-in and password reset, throttled (campaign/accounts.py).
WAGTAILADMIN_USER_LOGIN_FORM = "campaign.accounts.LoginForm"
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "campaign.accounts.PasswordResetForm"  # noqa: S105
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents: an allow-list (never html, htm, svg, xml, js), served only by Wagtail's view
# (collection privacy applies; /media/documents/ is not served, campaign/media.py), always
# as an attachment with nosniff, and at most 50 MB (checked by Wagtail's document form,
# every upload path: add, multiple upload, chooser, edit).
WAGTAILDOCS_EXTENSIONS = ["pdf", "zip", "png", "jpg", "jpeg", "odt", "docx", "txt", "csv", "xlsx"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The password forms of restricted pages and documents in the site's own layout.
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "password_required.html"  # noqa: S105 - a template
WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE = "document_password_required.html"  # noqa: S105
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
# Images: no SVG; size and pixel limits checked by Wagtail before decoding.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from gravatar.com: a third party would learn a hash of each staff address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {"features": ["bold", "italic", "link", "ol", "ul"]},
    }
}

# Frontend caches, purged on publish, unpublish, move and delete (campaign/purge.py): always
# the application's page cache, plus the proxy or CDN FRONTEND_CACHE names. "nginx" (or
# FRONTEND_CACHE_PURGE_URL alone, its older spelling): `PURGE <path>` with the page's Host to
# that address (deploy/'s nginx answers with its purge module); "cloudflare" and "cloudfront":
# Wagtail's backends, their credentials from the environment.
WAGTAILFRONTENDCACHE = {"app": {"BACKEND": "campaign.cache.AppCacheBackend"}}
FRONTEND_CACHE = env.get("FRONTEND_CACHE", "").strip().lower()
if not FRONTEND_CACHE and env.get("FRONTEND_CACHE_PURGE_URL"):
    FRONTEND_CACHE = "nginx"
if FRONTEND_CACHE in ("nginx", "http"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env.get("FRONTEND_CACHE_PURGE_URL", "http://127.0.0.1:80"),
    }
elif FRONTEND_CACHE == "cloudflare":
    WAGTAILFRONTENDCACHE["cdn"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": env.get("CLOUDFLARE_BEARER_TOKEN", ""),
        "ZONEID": env.get("CLOUDFLARE_ZONE_ID", ""),
    }
elif FRONTEND_CACHE == "cloudfront":
    WAGTAILFRONTENDCACHE["cdn"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": env.get("CLOUDFRONT_DISTRIBUTION_ID", ""),
    }
# Our French addresses have no prefix and the English ones translated slugs: the purge lists
# both languages' real URLs itself; Wagtail's "/fr/ -> /en/" rewriting would only add wrong ones.
WAGTAILFRONTENDCACHE_LANGUAGES = []

# Demo content: each app adds its own loader here; `load_demo` calls them in order, so that
# campaign/ never imports an app.
DEMO_LOADERS = [
    "campaign.demo.load",
    "home.demo.load",
    "campaign.demo.load_pages",
    "gestures.demo.load",
    "stories.demo.load",
    "volunteers.demo.load",
    # Before mailings': its past mailing counts every demo volunteer, the help requests' too.
    "helprequests.demo.load",
    "mailings.demo.load",
    "kits.demo.load",
    "directory.demo.load",
    "network.demo.load",
    "campaign.demo.load_navigation",
]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN.
SECURE_CONTENT_TYPE_NOSNIFF = True
# Same-origin: pages whose URL carries a signed token never send it to another site, and
# the browser still sends the Referer CSRF needs (no-referrer would break it in Chromium).
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4, campaign/middleware.py). No 'unsafe-inline' for
# scripts anywhere; inline blocks the site needs carry `nonce="{{ request.csp_nonce }}"`.
_media_origins = []
for _url in (MEDIA_URL, env.get("AWS_S3_ENDPOINT_URL", "")):
    if _url.startswith(("https://", "http://")):
        _media_origins.append("/".join(_url.split("/")[:3]))
if env.get("AWS_STORAGE_BUCKET_NAME") and not _media_origins:
    _media_origins.append(f"https://{env['AWS_STORAGE_BUCKET_NAME']}.s3.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "script-src-attr": ["'none'"],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:", "blob:", *_media_origins],
        "media-src": ["'self'", *_media_origins],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # Wagtail's preview shows the page in an iframe of the admin: same origin only.
        "frame-ancestors": ["'self'"],
    }
}
# The admin only (/admin/), styles only: Wagtail 8's editor and wagtail-localize's write
# style attributes and create <style> elements from their scripts (campaign/middleware.py
# says which, and lists the admin's own inline scripts that get the nonce).
CSP_ADMIN_REPLACE = {
    "style-src-attr": ["'unsafe-inline'"],
    "style-src-elem": ["'self'", "'unsafe-inline'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The volunteers' signed links carry a token in their path: a 4xx on one of them makes
    # django.request log "Bad Request: /benevoles/preferences/<token>/". The filter blanks the
    # token in the message and its arguments (campaign/logging.py); gunicorn's access log does
    # the same (gunicorn.conf.py).
    "filters": {"redact_tokens": {"()": "campaign.logging.RedactTokensFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_tokens"]},
        "django.security.csrf": {"filters": ["redact_tokens"]},
        # urllib3 writes every request's path at DEBUG: the ESP's deletion calls carry the
        # erased address in theirs (mailings/services/forget.py). Never below INFO.
        "urllib3.connectionpool": {"level": "INFO"},
        # Request lines carry URLs with signed tokens; never log them in full.
        "django.server": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
    },
}
