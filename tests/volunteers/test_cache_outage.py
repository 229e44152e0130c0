"""A cache outage (Redis down) degrades: pages are rendered uncached, rate limits let requests
through, each says so in one warning without the URL, and nothing answers 500."""

import logging

from django.http import HttpResponse
from django.test import Client, RequestFactory

import pytest

from campaign import cache as page_cache
from campaign import ratelimit
from campaign.cache import PageCacheMiddleware, mark_cacheable
from campaign.factories import ContentPageFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once.
DOWN = "redis://127.0.0.1:1/0"


def _redis(settings, backend):
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": DOWN,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def redis_down(settings):
    _redis(settings, "campaign.cache.FailSoftRedisCache")
    settings.PAGE_CACHE_ENABLED = True
    page_cache.FailSoftRedisCache._last_warning = 0.0
    yield
    page_cache.FailSoftRedisCache._last_warning = 0.0


def _warnings(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING]


def test_pages_are_served_uncached_with_one_warning(home_page, redis_down, caplog):
    # The fixture built the site before Redis went down; the page is created now.
    ContentPageFactory(parent=home_page, title="À propos", slug="a-propos-secret-42")
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        response = Client().get("/a-propos-secret-42/")
        assert response.status_code == 200
        assert "À propos" in response.content.decode()
    warnings = _warnings(caplog)
    assert len(warnings) == 1  # once a minute per process, not once per request
    assert "cache unavailable (ConnectionError)" in warnings[0].getMessage()
    assert all("a-propos-secret-42" not in r.getMessage() for r in warnings)


def test_sign_up_works_and_the_limiter_fails_open_with_its_line(
    redis_down, signup_page, signup_data, geography, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.WARNING)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            signup_page.url, signup_data(), headers={"Sec-Fetch-Site": "same-origin"}
        )
    assert response.status_code == 302
    assert Volunteer.objects.count() == 1
    messages = [r.getMessage() for r in _warnings(caplog)]
    assert any(
        m.startswith("rate limiter: cache unavailable for scope signup") and "allowed" in m
        for m in messages
    ), messages
    assert all("camille@example.org" not in m for m in messages)


def test_the_limiter_fails_open_on_djangos_own_redis_cache(settings, caplog):
    # Django's RedisCache raises redis-py's ConnectionError (not an OSError): the limiter
    # must still let the request through.
    _redis(settings, "django.core.cache.backends.redis.RedisCache")
    caplog.set_level(logging.WARNING)
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
    assert ratelimit.consume(request, "signup").allowed
    assert ratelimit.peek(request, "signup").allowed
    messages = [r.getMessage() for r in _warnings(caplog)]
    assert messages[0] == (
        "rate limiter: cache unavailable for scope signup (ConnectionError); request allowed"
    )


def test_the_page_cache_degrades_on_djangos_own_redis_cache(settings, caplog):
    _redis(settings, "django.core.cache.backends.redis.RedisCache")
    settings.PAGE_CACHE_ENABLED = True
    caplog.set_level(logging.WARNING)
    middleware = PageCacheMiddleware(lambda request: mark_cacheable(HttpResponse("page")))
    response = middleware(RequestFactory().get("/benevoles/x/"))
    assert response.status_code == 200 and response.content == b"page"
    messages = [r.getMessage() for r in _warnings(caplog)]
    assert messages == [
        "page cache: cache unavailable during lookup (ConnectionError); page served uncached"
    ]


def test_the_redis_cache_keeps_one_client_per_pool_and_still_works():
    """campaign.cache.ReusingRedisCacheClient: one redis.Redis per connection pool, reused
    by every call (Django makes one per call), and the cache reads back what it wrote. Needs
    the Redis of the test machine (127.0.0.1:6379, as CI's)."""
    import uuid

    backend = page_cache.FailSoftRedisCache(
        "redis://127.0.0.1:6379/14", {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    )
    client = backend._cache.get_client(write=True)
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client(write=False) is client  # one server: one pool
    backend.set("clé", {"valeur": 1}, 30)
    assert backend.get("clé") == {"valeur": 1}
    assert backend.get_many(["clé", "autre"]) == {"clé": {"valeur": 1}}
    backend.delete("clé")
    assert backend.get("clé") is None
