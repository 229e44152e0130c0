"""The page cache's hits answered before Django's handler (campaign.cache.PageCacheHits, the
application of campaign/wsgi.py): the same answer as Django's own hit, and every request the
middleware would not serve from the cache goes to Django."""

import re
import time

from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client, RequestFactory

import pytest

from campaign import cache as page_cache
from volunteers.factories import VolunteerSignupPageFactory

pytestmark = pytest.mark.django_db

HOST = "testserver"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 3600


@pytest.fixture
def app():
    """campaign/wsgi.py's stack around Django's real WSGI handler. Django's handler closes
    the database connection at the end of a request; the test's transaction needs it kept
    (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield page_cache.PageCacheHits(WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def __getitem__(self, name):
        return self.headers[name.lower()]

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)


def call(app, path="/", method="GET", **extra):
    """One request through the WSGI application, as gunicorn makes it."""
    path, _, query = path.partition("?")
    environ = RequestFactory().generic(method, path).environ
    environ.update({"HTTP_HOST": HOST, "QUERY_STRING": query, **extra})
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    headers = {name.lower(): value for name, value in started["headers"]}
    assert len(headers) == len(started["headers"]), "a header sent twice"
    return Answer(int(started["status"].split()[0]), headers, body)


def client_headers(response):
    return {name.lower(): value for name, value in response.items()}


def test_campaign_wsgi_answers_hits_before_django():
    from campaign.wsgi import application

    assert isinstance(application, page_cache.PageCacheHits)


def test_only_django_s_security_middleware_is_outside_the_page_cache():
    """PageCacheHits adds the headers of the middlewares outside PageCacheMiddleware by
    running SecurityMiddleware's own process_response; another one there would be skipped."""
    assert django_settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "campaign.cache.PageCacheMiddleware",
    ]


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_a_hit_is_the_same_answer_as_django_s_hit(app, home_page, settings, monkeypatch, secure):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    proto = {"HTTP_X_FORWARDED_PROTO": "https"} if secure else {}
    first = call(app, "/en/", **proto)
    assert first.status == 200 and first["X-Page-Cache"] == "miss"

    # Django's own hit, through the middleware (the fast path is not in the test client).
    django_hit = Client(HTTP_HOST=HOST, **proto).get("/en/")
    assert django_hit["X-Page-Cache"] == "hit"

    # The fast path answers without Django: no request is built.
    def no_django(self, environ, start_response):
        raise AssertionError("Django's handler was called for a hit")

    monkeypatch.setattr(WSGIHandler, "__call__", no_django)
    hit = call(app, "/en/", **proto)
    assert hit.status == 200
    assert hit["X-Page-Cache"] == "hit"
    assert hit.body == first.body == django_hit.content
    assert hit.headers == client_headers(django_hit)
    assert hit["Content-Length"] == str(len(hit.body))
    assert hit["Cache-Control"] == "public, max-age=0, s-maxage=3600"
    assert hit["Content-Security-Policy"] and hit["X-Content-Type-Options"] == "nosniff"
    assert ("strict-transport-security" in hit.headers) is secure
    assert "set-cookie" not in hit.headers and "vary" not in hit.headers


def test_head_gets_the_headers_and_no_body(app, home_page, monkeypatch):
    page = call(app, "/")
    monkeypatch.setattr(WSGIHandler, "__call__", None)  # a hit never reaches Django
    head = call(app, "/", method="HEAD")
    assert head.status == 200 and head["X-Page-Cache"] == "hit"
    assert head.body == b""
    assert head["Content-Length"] == str(len(page.body))


def test_query_strings_are_normalised_as_by_the_middleware(app, home_page):
    assert call(app, "/?b=2&a=1")["X-Page-Cache"] == "miss"
    assert call(app, "/?a=1&b=2")["X-Page-Cache"] == "hit"
    assert Client(HTTP_HOST=HOST).get("/?b=2&a=1")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "csrftoken=x; messages=abc"},
        {"HTTP_COOKIE": "gestes_faits=1"},
    ],
    ids=["session", "messages", "personal"],
)
def test_visitors_with_a_personal_cookie_go_to_django(app, home_page, extra):
    assert call(app, "/")["X-Page-Cache"] == "miss"
    assert call(app, "/")["X-Page-Cache"] == "hit"
    answer = call(app, "/", **extra)
    assert answer.status == 200
    assert "x-page-cache" not in answer.headers
    assert "public" not in answer["Cache-Control"]


def test_an_unrelated_cookie_still_gets_the_stored_page(app, home_page):
    call(app, "/")
    assert call(app, "/", HTTP_COOKIE="csrftoken=abc; lang=fr")["X-Page-Cache"] == "hit"


def test_a_host_outside_allowed_hosts_is_refused_by_django(app, home_page):
    call(app, "/")
    answer = call(app, "/", HTTP_HOST="attacker.example")
    assert answer.status == 400
    assert "x-page-cache" not in answer.headers


def test_a_forwarded_host_is_left_to_django(app, home_page, settings):
    settings.USE_X_FORWARDED_HOST = True
    call(app, "/")
    answer = call(app, "/", HTTP_X_FORWARDED_HOST="attacker.example")
    assert answer.status == 400


def test_a_plain_request_is_redirected_to_https_by_django(app, home_page, settings):
    call(app, "/")
    settings.SECURE_SSL_REDIRECT = True
    app.application = WSGIHandler()  # Django's middlewares read it when they are built
    answer = call(app, "/")
    assert answer.status == 301
    assert answer["Location"] == f"https://{HOST}/"


def test_a_post_and_a_long_query_go_to_django(app, home_page, monkeypatch):
    calls = []
    original = page_cache.lookup
    monkeypatch.setattr(page_cache, "lookup", lambda *a: calls.append(a) or original(*a))
    call(app, "/", method="POST")
    long_query = "q=" + "x" * page_cache.MAX_QUERY_LENGTH
    assert "x-page-cache" not in call(app, "/?" + long_query).headers
    assert calls == []


def test_the_admin_is_never_looked_up(app, home_page, monkeypatch):
    monkeypatch.setattr(page_cache, "lookup", None)  # would raise if called
    assert call(app, "/admin/login/").status == 200


def test_a_miss_asks_the_cache_once(app, home_page, monkeypatch):
    """The fast path's lookup (key and tokens) is handed to the middleware in the environ:
    a miss costs one round trip, as before, and the page is stored under those tokens."""
    calls = []
    original = page_cache.cache.get_many

    def spy(keys, *args, **kwargs):
        calls.append(keys)
        return original(keys, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "get_many", spy)
    assert call(app, "/")["X-Page-Cache"] == "miss"
    assert len(calls) == 1
    assert call(app, "/")["X-Page-Cache"] == "hit"
    assert len(calls) == 2


def test_a_purge_is_seen_by_the_fast_path(app, home_page):
    call(app, "/")
    assert call(app, "/")["X-Page-Cache"] == "hit"
    page_cache.purge_paths(HOST, ["/"])
    assert call(app, "/")["X-Page-Cache"] == "miss"
    assert call(app, "/")["X-Page-Cache"] == "hit"
    page_cache.purge_all()
    assert call(app, "/")["X-Page-Cache"] == "miss"


def test_a_cache_outage_renders_the_page_and_asks_once(app, home_page, monkeypatch, caplog):
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(page_cache.cache, "get_many", down)
    answer = call(app, "/")
    assert answer.status == 200
    assert b"<main" in answer.body
    assert "x-page-cache" in answer.headers  # rendered, marked storable, not stored
    assert len(calls) == 1
    assert "cache unavailable during lookup (ConnectionError)" in caplog.text


def test_a_cached_sign_up_form_gets_this_visitors_display_time(app, home_page, monkeypatch):
    from django.core import signing

    from volunteers.forms import FORM_TIMESTAMP_SALT

    page = VolunteerSignupPageFactory(parent=home_page, slug="je-m-inscris", title="Je m'inscris")

    def started(answer):
        value = re.search(rb'name="started" value="([^"]+)"', answer.body)[1].decode()
        return float(signing.loads(value, salt=FORM_TIMESTAMP_SALT))

    first = call(app, page.url)
    assert first["X-Page-Cache"] == "miss"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    second = call(app, page.url)
    assert second["X-Page-Cache"] == "hit"
    assert started(second) == later > started(first)
    assert second["Content-Length"] == str(len(second.body))
