"""The application's page cache for anonymous visitors, the headers shared caches read, and
the frontend-cache backend that purges it.

`PageCacheMiddleware` serves anonymous GET/HEAD requests of public pages from Django's
default cache (Redis in production, local memory on the embedded default). It is opt-in: a
response is stored only when

- its view marked it cacheable: Wagtail's pages served to anonymous visitors (the
  `on_serve_page` hook in campaign/wagtail_hooks.py) and the views decorated with
  `@cacheable` (the stories feed, sitemap.xml, robots.txt, the categories' stylesheet);
- the request is a GET or HEAD outside /admin/ and /documents/, carries no `sessionid`
  (staff, mairie users, visitors who unlocked a restricted page) and no `messages` cookie,
  and its query string is at most MAX_QUERY_LENGTH characters (the site search is never
  marked: its queries are unbounded and each one counts a hit);
- the answer is a 200, not streamed, set no cookie, wrote nothing to the session, read the
  CSRF token (`get_token` sets `request.META["CSRF_COOKIE_NEEDS_UPDATE"]`: a form's token must
  never reach two people) or the CSP nonce (a replayed nonce is no nonce), queued no
  message, and says nothing private about itself (`private`/`no-store`).

The key is the host (without port), the path and the query string with its parameters
sorted. Each entry records two version tokens, read with it in one round trip (`get_many`):
the site-wide generation (a new token purges everything: menu, footer, settings,
categories) and the path's own (a new token purges every query-string variant of that path:
`?page=2`, `?theme=…`); an entry whose tokens are not the current ones is a miss. The tokens
are those read before the render, so a purge during a render makes its entry a miss too.
Tokens outlive the entries they version (PAGE_CACHE_SECONDS + 60 s), so an expired token
never brings an older entry back. No Vary-based variants: the language is in
the path (`/` French, `/en/` English).

Headers contract (the nginx of deploy/ relies on it): a response stored here carries
`Cache-Control: public, max-age=0, s-maxage=<PAGE_CACHE_SECONDS>` and
`X-Accel-Expires: <PAGE_CACHE_SECONDS>`, and no `Vary: Cookie` or `Vary: Accept-Language`;
every other response gets `Cache-Control: private, no-cache`, or `no-store` in the admin and
for visitors with a session, unless its view already said something stricter or marked a
static file public (the favicon). `X-Page-Cache: hit|miss` says which path answered.

Hits are answered before Django's handler: `PageCacheHits`, the WSGI
application of campaign/wsgi.py, serves a stored page to a request that the middleware would
serve it to, with the same headers, without building a request or walking the middleware
chain (a miss goes on to Django with the lookup already made). The middleware still answers
hits where Django is called without campaign/wsgi.py (the test client).

When the cache fails (Redis down), the page is rendered uncached and one warning says so
(the error's class, never the URL: some paths carry signed tokens); never a 500.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.security import SecurityMiddleware
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.module_loading import import_string

from wagtail.contrib.frontend_cache.backends import BaseBackend

logger = logging.getLogger(__name__)

try:  # redis-py's errors: a refused connection, a time-out, a server gone mid-answer
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    CACHE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover - redis is installed wherever REDIS_URL is set
    CACHE_ERRORS = (OSError,)

KEY_PREFIX = "pagecache"
MAX_QUERY_LENGTH = 256
EXCLUDED_PREFIXES = ("/admin/", "/documents/", "/_util/")
# Stored with the page; everything else (Set-Cookie, Date, Vary) is left out or rebuilt.
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Last-Modified",
    "Content-Disposition",
)


def page_cache_enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE_ENABLED", True))


def page_cache_seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 3600))


def personal_cookies():
    """Cookies that change what a page shows (PAGE_CACHE_PERSONAL_COOKIES: the gestures a
    visitor said they did): a request carrying one is neither served from nor stored in the
    cache."""
    return getattr(settings, "PAGE_CACHE_PERSONAL_COOKIES", ())


def mark_cacheable(response):
    """Say that `response` may be stored for every anonymous visitor (the middleware still
    checks the request and what the view did)."""
    response.page_cacheable = True
    return response


def cacheable(view):
    """A view whose anonymous answers are the same for everyone (feed, sitemap, robots.txt)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        return mark_cacheable(response)

    return wrapped


# --- keys -------------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def normalised_query(query_string: str) -> str:
    return urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))


def _host(host: str) -> str:
    domain, _port = split_domain_port(host)
    return (domain or host).lower()


GENERATION_KEY = f"{KEY_PREFIX}:generation"


def _path_key(host: str, path: str) -> str:
    return f"{KEY_PREFIX}:path:{_digest(host + path)}"


def _entry_key(host, path, query) -> str:
    return f"{KEY_PREFIX}:page:{_digest(f'{host}{path}?{query}')}"


def _token() -> str:
    return secrets.token_hex(8)


def _cache_failed(what: str, exc: Exception) -> None:
    logger.warning(
        "page cache: cache unavailable during %s (%s); page served uncached",
        what,
        type(exc).__name__,
    )


def purge_all() -> None:
    """A new generation: every stored page is forgotten (menu, footer, settings saved)."""
    try:
        cache.set(GENERATION_KEY, _token(), timeout=None)
    except Exception as exc:  # noqa: BLE001
        _cache_failed("purge", exc)


def purge_paths(host: str, paths) -> None:
    """Forget every stored variant (query strings included) of `paths` on `host`."""
    timeout = page_cache_seconds() + 60
    try:
        cache.set_many({_path_key(_host(host), p): _token() for p in paths}, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        _cache_failed("purge", exc)


def purge_hosts(url_host: str) -> set[str]:
    """The hosts a page of `url_host` may have been stored under: itself and every concrete
    name of ALLOWED_HOSTS (one site answers on several names: the public one, 127.0.0.1
    behind the proxy)."""
    hosts = {_host(url_host)} if url_host else set()
    for allowed in settings.ALLOWED_HOSTS:
        if allowed and allowed != "*" and not allowed.startswith("."):
            hosts.add(_host(allowed))
    return hosts


class AppCacheBackend(BaseBackend):
    """Wagtail frontend-cache backend that purges this page cache (WAGTAILFRONTENDCACHE
    always has it, beside the proxy's or CDN's backend)."""

    def purge(self, url) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls) -> None:
        by_host: dict[str, set[str]] = {}
        for url in urls:
            parts = urlsplit(url)
            for host in purge_hosts(parts.hostname or ""):
                by_host.setdefault(host, set()).add(parts.path or "/")
        for host, paths in by_host.items():
            purge_paths(host, paths)


# --- Redis that fails soft -------------------------------------------------------------------


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one `redis.Redis` per connection pool: Django makes a
    new one for every cache call, and redis-py's constructor builds its table of ~80 response
    callbacks each time (a tenth of a millisecond, ~20 times per page view; profiled with
    cProfile on the story index, 2026-12-06). A `redis.Redis` is safe to share between
    threads: each command takes a connection from the pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache, except that reads and writes answer "nothing there" when Redis
    cannot be reached, so that the site (Wagtail's site root paths, the menus, the page cache)
    keeps serving from the database instead of answering 500. One warning per minute per
    process says so. `incr`/`decr` still raise: the rate limiter (campaign/ratelimit.py)
    catches the error, lets the request through and logs its own line."""

    warn_every = 60.0
    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _failed(self, exc):
        now = time.monotonic()
        if now - FailSoftRedisCache._last_warning >= self.warn_every:
            FailSoftRedisCache._last_warning = now
            logger.warning(
                "cache unavailable (%s): pages are served uncached and rate limits are open",
                type(exc).__name__,
            )

    def _soft(name, default):  # noqa: N805 - builds the methods below
        def method(self, *args, **kwargs):
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except CACHE_ERRORS as exc:
                self._failed(exc)
                return default() if callable(default) else default

        method.__name__ = name
        return method

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except CACHE_ERRORS as exc:
            self._failed(exc)
            return default

    get_many = _soft("get_many", dict)
    set = _soft("set", None)
    set_many = _soft("set_many", list)
    add = _soft("add", False)
    touch = _soft("touch", False)
    delete = _soft("delete", False)
    delete_many = _soft("delete_many", None)
    has_key = _soft("has_key", False)
    del _soft


# --- the middleware ---------------------------------------------------------------------------


def _candidate(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(EXCLUDED_PREFIXES):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES:
        return False
    if any(name in request.COOKIES for name in personal_cookies()):
        return False
    return len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH


def _personal(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES or request.path_info.startswith(
        "/admin/"
    )


def _session_used(request) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    if getattr(session, "modified", False):
        return True
    # Read without a cookie, a session is empty: nothing personal was shown.
    return bool(getattr(session, "accessed", False) and not session.is_empty())


def _messages_used(request) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(
        getattr(storage, "_queued_messages", None) or getattr(storage, "_loaded_data", None)
    )


def personal(request, response) -> bool:
    """Whether the answer holds something of this visitor's: a cookie it sets, the form's
    CSRF token, a CSP nonce, the session or messages."""
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or isinstance(getattr(request, "_csp_nonce", None), str)
        or _session_used(request)
        or _messages_used(request)
    )


def storable(request, response) -> bool:
    """Whether `response` may be served to every anonymous visitor of this URL."""
    if not getattr(response, "page_cacheable", False):
        return False
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if personal(request, response):
        return False
    control = response.get("Cache-Control", "")
    return "private" not in control and "no-store" not in control


def _strip_vary(response) -> None:
    if not response.has_header("Vary"):
        return
    kept = [
        v.strip()
        for v in response["Vary"].split(",")
        if v.strip() and v.strip().lower() not in ("cookie", "accept-language")
    ]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


def public_headers(response) -> None:
    seconds = page_cache_seconds()
    response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    response["X-Accel-Expires"] = str(seconds)
    if "Expires" in response:
        del response["Expires"]
    _strip_vary(response)


def private_headers(request, response) -> None:
    """Headers of a response the page cache does not store: nginx and CDNs must not either,
    unless its view made it public and it holds nothing personal (the favicon, the
    booklet's PDF)."""
    if "X-Accel-Expires" in response:
        del response["X-Accel-Expires"]
    if _personal(request) or response.cookies:
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return
    control = response.get("Cache-Control", "")
    if control and "public" in control and personal(request, response):
        del response["Cache-Control"]
        control = ""
    if not control:
        patch_cache_control(response, private=True, no_cache=True)


@functools.cache
def _fresh_field_makers():
    return [
        (re.compile(rf'(name="{re.escape(name)}" value=")[^"<>]*(")'.encode()), import_string(path))
        for name, path in getattr(settings, "PAGE_CACHE_FRESH_FIELDS", {}).items()
    ]


def fresh_fields(content: bytes) -> bytes:
    """A stored page with its per-visitor hidden fields made again (PAGE_CACHE_FRESH_FIELDS:
    the sign-up form's signed "started" time, whose anti-bot check needs the time this
    visitor was shown the form, not the time the copy was stored)."""
    for pattern, make in _fresh_field_makers():
        if pattern.search(content):
            value = make().encode()
            content = pattern.sub(lambda m, v=value: m[1] + v + m[2], content)
    return content


def lookup(host: str, path: str, query: str):
    """The stored answer for this URL, or None, and what a miss needs to store one: its key
    and the version tokens read with it. One round trip (`get_many`): the two tokens and
    the entry, which records the tokens it was stored under; a purge since then makes it a
    miss. Raises when the cache cannot be reached."""
    key = _entry_key(host, path, query)
    path_key = _path_key(host, path)
    found = cache.get_many([GENERATION_KEY, path_key, key])
    versions = (found.get(GENERATION_KEY, "0"), found.get(path_key, "0"))
    stored = found.get(key)
    if stored is not None and stored[0] != versions:
        stored = None
    return stored, key, versions


def hit_headers(stored, content_length: int) -> list[tuple[str, str]]:
    """The headers of a stored answer served again: those it was stored with, the shared
    caches' headers, its length (a hit skips CommonMiddleware, which sets it on a miss:
    without it gunicorn sends the page in chunks) and `X-Page-Cache: hit`."""
    seconds = page_cache_seconds()
    return [
        *stored[2],
        ("Cache-Control", f"public, max-age=0, s-maxage={seconds}"),
        ("X-Accel-Expires", str(seconds)),
        ("Content-Length", str(content_length)),
        ("X-Page-Cache", "hit"),
    ]


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _candidate(request):
            response = self.get_response(request)
            private_headers(request, response)
            return response
        if not page_cache_enabled():
            response = self.get_response(request)
            if storable(request, response):
                public_headers(response)
            else:
                private_headers(request, response)
            return response
        host = _host(request.get_host())
        path = request.path
        query = normalised_query(request.META.get("QUERY_STRING", ""))
        # The WSGI hit path (PageCacheHits, below) already asked the cache for this URL and
        # found nothing: its key and tokens are reused, not asked for again.
        looked_up = request.META.get(ENVIRON_KEY)
        if looked_up is not None and looked_up[0] in (None, _entry_key(host, path, query)):
            stored = None
            key, versions = looked_up
        else:
            try:
                stored, key, versions = lookup(host, path, query)
            except Exception as exc:  # noqa: BLE001 - a cache outage never answers 500
                _cache_failed("lookup", exc)
                stored, key, versions = None, None, None
        if stored is not None:
            return self._rebuild(stored)
        response = self.get_response(request)
        if not storable(request, response):
            private_headers(request, response)
            return response
        public_headers(response)
        response["X-Page-Cache"] = "miss"
        if key is not None:
            headers = [(h, response[h]) for h in STORED_HEADERS if h in response]
            try:
                cache.set(key, (versions, response.content, headers), timeout=page_cache_seconds())
            except Exception as exc:  # noqa: BLE001
                _cache_failed("store", exc)
        return response

    def _rebuild(self, stored):
        content = fresh_fields(stored[1])
        response = HttpResponse(content)
        for name, value in hit_headers(stored, len(content)):
            response[name] = value
        response.page_cacheable = True
        return response


# --- hits before Django -------------------------------------------------------------------------

ENVIRON_KEY = "campaign.page_cache.lookup"


class _SecureFlag:
    """What SecurityMiddleware.process_response asks of a request."""

    def __init__(self, secure: bool):
        self._secure = secure

    def is_secure(self) -> bool:
        return self._secure


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers Django's SecurityMiddleware (the one middleware outside the page cache's)
    adds to an answer of a secure or plain request: HSTS, nosniff, Referrer-Policy, COOP."""
    response = HttpResponse()
    before = set(response.headers)
    SecurityMiddleware(lambda request: response).process_response(_SecureFlag(secure), response)
    return [(name, value) for name, value in response.items() if name not in before]


def _is_secure(environ) -> bool:
    """HttpRequest.is_secure, read off the WSGI environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _allowed_host(environ) -> str | None:
    """HttpRequest.get_host for the plain case (a Host header, no X-Forwarded-Host believed),
    or None: Django decides every other case."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return None
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed):
        return None
    return domain.lower()


class PageCacheHits:
    """WSGI middleware (campaign/wsgi.py) that answers the page cache's hits before Django's
    handler: no request object, no middleware, no signals, the same answer.

    Measured on 2026-12-07 (docs/PERFORMANCE.md, "Issue 14 — serving"): in-process, a hit
    of the home took 280 µs through Django's handler and 222 µs here, of which the Redis
    round trip is about 150 µs; through gunicorn's two sync workers, 3,359 req/s against
    4,147. Here a request is answered
    only when it is, on every point PageCacheMiddleware checks, a candidate: GET or HEAD,
    a Host of ALLOWED_HOSTS (Django's own `validate_host`), outside the excluded prefixes,
    no session, messages or personal cookie (Django's own cookie parser), a short query
    string, and not a plain request that SECURE_SSL_REDIRECT would send to https. The
    answer carries the stored headers, the shared caches' headers (`hit_headers`, shared
    with the middleware) and those Django's SecurityMiddleware adds, computed by that
    middleware itself. Anything else, a miss or a cache error goes to Django; a miss
    hands its key and tokens over in the environ, so that Django does not ask again.
    tests/campaign/test_page_cache_wsgi.py checks that both paths give the same answer."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        answer = self._hit(environ)
        if answer is None:
            return self.application(environ, start_response)
        headers, content = answer
        start_response("200 OK", headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [content]

    def _hit(self, environ):
        if not page_cache_enabled() or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        secure = _is_secure(environ)
        if settings.SECURE_SSL_REDIRECT and not secure:
            return None
        host = _allowed_host(environ)
        if host is None:
            return None
        path_info = get_path_info(environ) or "/"
        if path_info.startswith(EXCLUDED_PREFIXES):
            return None
        query_string = environ.get("QUERY_STRING", "")
        if len(query_string) > MAX_QUERY_LENGTH:
            return None
        if "HTTP_COOKIE" in environ:
            cookies = parse_cookie(environ["HTTP_COOKIE"])
            excluded = (
                settings.SESSION_COOKIE_NAME,
                getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
                *personal_cookies(),
            )
            if any(name in cookies for name in excluded):
                return None
        path = "{}/{}".format(get_script_name(environ).rstrip("/"), path_info.replace("/", "", 1))
        query = normalised_query(query_string)
        try:
            stored, key, versions = lookup(host, path, query)
        except Exception as exc:  # noqa: BLE001 - Django renders it uncached, never a 500
            _cache_failed("lookup", exc)
            environ[ENVIRON_KEY] = (None, None)
            return None
        if stored is None:
            environ[ENVIRON_KEY] = (key, versions)
            return None
        content = fresh_fields(stored[1])
        headers = hit_headers(stored, len(content))
        present = {name.lower() for name, _value in headers}
        headers += [h for h in _security_headers(secure) if h[0].lower() not in present]
        return headers, content
