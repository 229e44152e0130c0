"""The one rate limiter (campaign/ratelimit.py): the client address behind 0, 1 and 2 trusted
proxies whatever the client writes, fixed windows, digested keys, failing open, the 429 page."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import translation

import pytest

from campaign import ratelimit

rf = RequestFactory()

PROJECT = Path(__file__).resolve().parents[2]
T0 = 3600.0 * 500_000  # a window boundary for every window used here


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.post("/", **extra)


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, set to T0 and moved by assigning clock.now."""

    class Clock:
        now = T0

    c = Clock()
    monkeypatch.setattr(ratelimit, "now", lambda: c.now)
    return c


@pytest.fixture
def limits(settings):
    def set_limits(**scopes):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **scopes}

    return set_limits


# --- client address -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No proxy: REMOTE_ADDR, whatever the client writes in the header.
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        (0, "203.0.113.7", "1.2.3.4, evil", "203.0.113.7"),
        # One proxy: the right-most entry, the one our proxy appended.
        (1, "10.0.0.1", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.1", "1.2.3.4, evil, 203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.1", "1.2.3.4,203.0.113.7", "203.0.113.7"),
        # Two proxies: the CDN appended the client, the load balancer appended the CDN.
        (2, "10.0.0.1", "203.0.113.7, 198.51.100.2", "203.0.113.7"),
        (2, "10.0.0.1", "1.2.3.4, 203.0.113.7, 198.51.100.2", "203.0.113.7"),
        (2, "10.0.0.1", "evil, 1.2.3.4, 203.0.113.7, 198.51.100.2", "203.0.113.7"),
        # Missing header, too few entries, garbage where the address should be: REMOTE_ADDR.
        (1, "10.0.0.1", None, "10.0.0.1"),
        (1, "10.0.0.1", "", "10.0.0.1"),
        (1, "10.0.0.1", "   ", "10.0.0.1"),
        (2, "10.0.0.1", "203.0.113.7", "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4, evil", "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4, ", "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4, 999.1.1.1", "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4, <script>", "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4, " + "9" * 5000, "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4, 203.0.113.7\x00", "10.0.0.1"),
        (2, "10.0.0.1", "garbage, 198.51.100.2", "10.0.0.1"),
        # Ports, IPv6 (bracketed or not), IPv4-mapped IPv6, upper case: normalised.
        (1, "10.0.0.1", "203.0.113.7:51234", "203.0.113.7"),
        (1, "10.0.0.1", "1.2.3.4, 2001:DB8::1", "2001:db8::1"),
        (1, "10.0.0.1", "[2001:db8::1]:443", "2001:db8::1"),
        (1, "10.0.0.1", "::ffff:203.0.113.7", "203.0.113.7"),
        (0, "2001:db8:0:0::1", None, "2001:db8::1"),
        (1, "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert ratelimit.client_address(request(remote, forwarded)) == expected


def test_client_address_without_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    req = rf.post("/")
    del req.META["REMOTE_ADDR"]
    assert ratelimit.client_address(req) == ""


@pytest.mark.parametrize(
    ("proxies", "remote", "appended"),
    [
        (0, "203.0.113.7", []),  # the client talks to us directly
        (1, "10.0.0.1", ["203.0.113.7"]),  # our load balancer appended the client
        (2, "10.0.0.1", ["203.0.113.7", "198.51.100.2"]),  # the CDN, then the load balancer
    ],
)
def test_a_client_rewriting_the_header_keeps_its_counter(
    settings, limits, clock, proxies, remote, appended
):
    """Each post writes new fake addresses in front; the count still reaches the limit."""
    settings.TRUSTED_PROXY_COUNT = proxies
    limits(signup="3/3600")
    verdicts = []
    for n in range(5):
        forwarded = ", ".join([f"1.2.3.{n}", f"evil{n}", *appended])
        verdicts.append(ratelimit.consume(request(remote, forwarded), "signup").allowed)
    assert verdicts == [True, True, True, False, False]


def test_two_clients_behind_one_proxy_have_two_counters(settings, limits, clock):
    settings.TRUSTED_PROXY_COUNT = 1
    limits(signup="1/3600")
    assert ratelimit.consume(request("10.0.0.1", "203.0.113.7"), "signup").allowed
    assert not ratelimit.consume(request("10.0.0.1", "203.0.113.7"), "signup").allowed
    assert ratelimit.consume(request("10.0.0.1", "203.0.113.8"), "signup").allowed


def test_ipv6_counts_per_64(limits, clock):
    limits(signup="1/3600")
    assert ratelimit.consume(request("2001:db8:1:2::1"), "signup").allowed
    # The same subscriber line (same /64), another address: the same counter.
    assert not ratelimit.consume(request("2001:db8:1:2::ffff"), "signup").allowed
    assert ratelimit.consume(request("2001:db8:1:3::1"), "signup").allowed


# --- windows ----------------------------------------------------------------------------------


def test_fixed_window_with_retry_after(limits, clock):
    limits(nomination="3/3600")
    req = request("203.0.113.7")
    assert [ratelimit.consume(req, "nomination").allowed for _ in range(3)] == [True] * 3
    clock.now = T0 + 600
    refused = ratelimit.consume(req, "nomination")
    assert refused == ratelimit.Verdict(allowed=False, retry_after=3000)
    clock.now = T0 + 3599.5
    assert ratelimit.consume(req, "nomination").retry_after == 1
    # The next window starts afresh.
    clock.now = T0 + 3600
    assert ratelimit.consume(req, "nomination").allowed


def test_peek_does_not_count(limits, clock):
    limits(admin_login_account="2/900")
    req = request()
    for _ in range(5):
        assert ratelimit.peek(req, "admin_login_account", key="redaction").allowed
    ratelimit.consume(req, "admin_login_account", key="redaction")
    assert ratelimit.peek(req, "admin_login_account", key="redaction").allowed
    ratelimit.consume(req, "admin_login_account", key="redaction")
    # At the limit: the next hit would be refused, and peek says so with the wait.
    clock.now = T0 + 100
    assert ratelimit.peek(req, "admin_login_account", key="redaction") == ratelimit.Verdict(
        allowed=False, retry_after=800
    )
    clock.now = T0 + 900
    assert ratelimit.peek(req, "admin_login_account", key="redaction").allowed


def test_scopes_and_keys_are_separate(limits, clock):
    limits(signup="1/3600", signup_email="1/3600")
    req = request("203.0.113.7")
    assert ratelimit.consume(req, "signup").allowed
    assert ratelimit.consume(req, "signup_email", key="a@example.org").allowed
    assert ratelimit.consume(req, "signup_email", key="b@example.org").allowed
    assert not ratelimit.consume(req, "signup_email", key="a@example.org").allowed
    assert not ratelimit.consume(req, "signup").allowed
    # An explicit key never shares the address's counter, even if it looks like one.
    assert ratelimit.consume(req, "signup_email", key="203.0.113.7").allowed


def test_a_zero_limit_refuses_everything(limits, clock):
    limits(search="0/60")
    assert not ratelimit.consume(request(), "search").allowed


@pytest.mark.parametrize("value", ["abc", "5", "5/0", "-1/60", "5/x", ""])
def test_bad_configuration_is_said(limits, value):
    if value == "5":  # a bare count means per hour
        limits(search=value)
        assert ratelimit.rate("search") == (5, 3600)
        return
    limits(search=value)
    with pytest.raises(ImproperlyConfigured):
        ratelimit.consume(request(), "search")


def test_unknown_scope_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        ratelimit.consume(request(), "no-such-scope")


def test_every_scope_of_the_api_is_configured(settings):
    for scope in (
        "signup",
        "signup_email",
        "nomination",
        "nomination_email",
        "engagement",
        "engagement_email",
        "poster",
        "gesture_done",
        "search",
        "admin_login",
        "admin_login_account",
        "password_reset",
        "password_reset_email",
    ):
        count, seconds = ratelimit.rate(scope)
        assert count > 0 and seconds > 0, scope


def test_each_scope_is_overridable_by_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaign.settings.test",
        "RATE_LIMIT_SIGNUP": "1000/60",
        "RATE_LIMIT_PASSWORD_RESET_EMAIL": "7/120",
        "TRUSTED_PROXY_COUNT": "2",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.RATE_LIMITS['signup'], s.RATE_LIMITS['password_reset_email'],"
        " s.RATE_LIMITS['nomination'], s.TRUSTED_PROXY_COUNT)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, cwd=PROJECT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1000/60", "7/120", "5/3600", "2"]


# --- what is stored ---------------------------------------------------------------------------


def test_keys_are_digested(limits, clock):
    limits(signup="5/3600", signup_email="5/3600")
    req = request("203.0.113.77")
    ratelimit.consume(req, "signup")
    ratelimit.consume(req, "signup_email", key="camille.durand@example.org")
    keys = [k for k in cache._cache if "ratelimit" in k]  # LocMemCache's own store
    assert len(keys) == 2
    stored = " ".join(keys) + " ".join(str(cache._cache[k]) for k in keys)
    for secret in ("203.0.113.77", "camille", "example.org", "durand"):
        assert secret not in stored
    # The digest depends on SECRET_KEY: a table of addresses' hashes cannot reverse it.
    digest = ratelimit._digest("signup", "addr:203.0.113.77")
    assert any(digest in k for k in keys)


def test_counters_expire_after_their_window(limits, clock):
    limits(search="120/60")
    ratelimit.consume(request(), "search")
    expiries = [cache._expire_info[k] for k in cache._cache if "ratelimit" in k]
    assert expiries and all(e is not None for e in expiries)


# --- the cache down ---------------------------------------------------------------------------


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("redis://10.9.8.7:6379 refused connection")

        return fail


def test_fails_open_with_one_anonymous_log_line(monkeypatch, limits, caplog):
    limits(signup_email="0/3600")  # would refuse everything if the cache answered
    monkeypatch.setattr(ratelimit, "cache", BrokenCache())
    req = request("203.0.113.77")
    with caplog.at_level(logging.WARNING, logger="campaign.ratelimit"):
        verdict = ratelimit.consume(req, "signup_email", key="camille@example.org")
        peeked = ratelimit.peek(req, "signup_email", key="camille@example.org")
    assert verdict.allowed and peeked.allowed
    records = [r for r in caplog.records if r.name == "campaign.ratelimit"]
    assert len(records) == 2 and all(r.levelno == logging.WARNING for r in records)
    text = " ".join(r.getMessage() for r in records)
    assert "signup_email" in text and "ConnectionError" in text
    for secret in ("203.0.113.77", "camille", "example.org", "10.9.8.7"):
        assert secret not in text


def test_fails_open_with_a_real_unreachable_redis(settings, limits, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    limits(signup="0/3600")
    with caplog.at_level(logging.WARNING, logger="campaign.ratelimit"):
        assert ratelimit.consume(request(), "signup").allowed
    assert any(r.name == "campaign.ratelimit" for r in caplog.records)


# --- the 429 page -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "path", "texts"),
    [
        ("fr", "/", ["Trop de demandes", "Merci de réessayer dans 50 minutes.", 'lang="fr"']),
        ("en", "/en/", ["Too many requests", "Please try again in 50 minutes.", 'lang="en"']),
    ],
)
def test_the_429_page(home_page, language, path, texts):
    req = rf.post(path)
    with translation.override(language):
        req.LANGUAGE_CODE = language
        response = ratelimit.too_many_requests(
            req, ratelimit.Verdict(allowed=False, retry_after=3000)
        )
    assert response.status_code == 429
    assert response["Retry-After"] == "3000"
    cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= cache_control
    html = response.content.decode()
    for text in texts:
        assert text in html
    assert f'href="{path}"' in html  # a way home
    assert 'name="robots" content="noindex"' in html


@pytest.mark.parametrize(
    ("seconds", "fr", "en"),
    [
        (1, "dans 1 minute", "in 1 minute"),
        (60, "dans 1 minute", "in 1 minute"),
        (61, "dans 2 minutes", "in 2 minutes"),
        (3600, "dans 60 minutes", "in 60 minutes"),
        (7200, "dans 2 heures", "in 2 hours"),
        (86000, "dans 24 heures", "in 24 hours"),
    ],
)
def test_retry_delay_text(seconds, fr, en):
    with translation.override("fr"):
        assert ratelimit.retry_delay_text(seconds) == fr
    with translation.override("en"):
        assert ratelimit.retry_delay_text(seconds) == en
