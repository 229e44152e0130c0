"""The site's one rate limiter, and the client address it keys on.

Every anonymous POST (sign-up, nomination, engagement, poster, "J'ai fait ce geste"), the site
search and the admin's login and password reset count their hits here:

    verdict = ratelimit.consume(request, "signup")                  # per client address
    verdict = ratelimit.consume(request, "signup_email", key=email) # per any other key
    if not verdict.allowed:
        return ratelimit.too_many_requests(request, verdict)

Settings:

- ``RATE_LIMITS``: scope -> ``"count/seconds"`` (e.g. ``"5/3600"``: five hits an hour); each
  is overridable by the environment variable ``RATE_LIMIT_<SCOPE>`` (``RATE_LIMIT_SIGNUP=
  1000/3600``), read by ``campaign/settings/base.py``.
- ``TRUSTED_PROXY_COUNT``: how many reverse proxies (load balancer, CDN, nginx) append to
  ``X-Forwarded-For`` in front of the application server. 0 (the default): the client is
  ``REMOTE_ADDR``.

Windows are fixed: a hit at time t counts in the window ``t // seconds``; ``now()`` is the one
time source, so tests move time by monkeypatching it. Counters live in Django's default cache
(Redis in production, shared by every process); their keys are HMAC digests of the key, so
neither an email nor an address is ever written in clear. When the cache is down the limiter
fails open: the request is allowed and one warning (the scope and the error's class, nothing
about the visitor) is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit"


def now() -> float:
    """The limiter's clock (seconds since the epoch); tests monkeypatch it."""
    return time.time()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the current window ends (0 when allowed and not known)


# --- client address ---------------------------------------------------------------------------


def trusted_proxy_count() -> int:
    try:
        return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))
    except (TypeError, ValueError):
        return 0


def _parse_address(value: str) -> str | None:
    """A normalised IP address from one header entry, or None when it is not one.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``, ``[2001:db8::1]:443``; an
    IPv4-mapped IPv6 address becomes its IPv4 address."""
    value = (value or "").strip()
    if not value or len(value) > 64:
        return None
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_address(request) -> str:
    """The visitor's address as the site's own infrastructure saw it.

    With ``TRUSTED_PROXY_COUNT = 0``: ``REMOTE_ADDR``. Behind N trusted proxies, each appends
    the address it received the request from to ``X-Forwarded-For``; the N-th entry from the
    right is the one written by the outermost trusted proxy, so the client cannot choose it
    (everything left of it is the client's own writing). A missing header, too few entries or
    an entry that is not an IP address gives ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    fallback = _parse_address(remote) or remote
    proxies = trusted_proxy_count()
    if proxies <= 0:
        return fallback
    header = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    entries = header.split(",")
    if not header.strip() or len(entries) < proxies:
        return fallback
    return _parse_address(entries[-proxies]) or fallback


def address_bucket(address: str) -> str:
    """What a per-address limit counts on: the address, or its /64 for IPv6 (one subscriber
    line gets a whole /64, so counting single IPv6 addresses would let one visitor rotate)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


# --- limits -----------------------------------------------------------------------------------


def parse_rate(value) -> tuple[int, int]:
    """``"5/3600"`` (or ``(5, 3600)``) -> ``(5, 3600)``."""
    if isinstance(value, (tuple, list)):
        count, seconds = value
    else:
        count, _, seconds = str(value).partition("/")
    try:
        count, seconds = int(count), int(seconds or 3600)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"rate limit {value!r} is not 'count/seconds'") from None
    if count < 0 or seconds <= 0:
        raise ImproperlyConfigured(f"rate limit {value!r} is not 'count/seconds'")
    return count, seconds


def rate(scope: str) -> tuple[int, int]:
    limits = getattr(settings, "RATE_LIMITS", {}) or {}
    if scope not in limits:
        raise ImproperlyConfigured(f"RATE_LIMITS has no scope {scope!r}")
    return parse_rate(limits[scope])


def _digest(scope: str, key: str) -> str:
    secret = f"campaign.ratelimit:{settings.SECRET_KEY}".encode()
    message = f"{scope}\x00{key}".encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:40]


def _window(scope: str, key: str | None, request) -> tuple[str, int, int, int]:
    count, seconds = rate(scope)
    if key is None:
        key = "addr:" + address_bucket(client_address(request))
    else:
        key = "key:" + str(key)
    at = now()
    index = int(at // seconds)
    retry_after = max(1, math.ceil((index + 1) * seconds - at))
    cache_key = f"{KEY_PREFIX}:{scope}:{index}:{_digest(scope, key)}"
    return cache_key, count, seconds, retry_after


def _cache_failed(scope: str, exc: Exception) -> Verdict:
    logger.warning(
        "rate limiter: cache unavailable for scope %s (%s); request allowed",
        scope,
        type(exc).__name__,
    )
    return Verdict(allowed=True, retry_after=0)


def consume(request, scope: str, *, key: str | None = None) -> Verdict:
    """Count one hit for ``(scope, key)`` (``key`` defaults to the client's address) and say
    whether it is within ``RATE_LIMITS[scope]``: the first ``count`` hits of a window are
    allowed, the next are refused until the window ends (``retry_after`` seconds)."""
    cache_key, count, seconds, retry_after = _window(scope, key, request)
    try:
        # The counter outlives its window a little, so clock skew between processes never
        # restarts a window early; the window index in the key ends it.
        cache.add(cache_key, 0, timeout=seconds + 60)
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=seconds + 60)
            hits = 1
    except Exception as exc:  # noqa: BLE001 - any cache failure fails open
        return _cache_failed(scope, exc)
    if hits > count:
        return Verdict(allowed=False, retry_after=retry_after)
    return Verdict(allowed=True, retry_after=0)


def peek(request, scope: str, *, key: str | None = None) -> Verdict:
    """Whether one more hit would be allowed now, without counting one."""
    cache_key, count, _seconds, retry_after = _window(scope, key, request)
    try:
        hits = cache.get(cache_key, 0) or 0
    except Exception as exc:  # noqa: BLE001
        return _cache_failed(scope, exc)
    if hits >= count:
        return Verdict(allowed=False, retry_after=retry_after)
    return Verdict(allowed=True, retry_after=0)


# --- the refusal page -------------------------------------------------------------------------


def retry_delay_text(seconds: int) -> str:
    """ "dans 5 minutes", in the active language."""
    seconds = max(1, int(seconds))
    if seconds <= 60:
        return ngettext("dans %(count)d minute", "dans %(count)d minutes", 1) % {"count": 1}
    if seconds < 2 * 3600:
        minutes = math.ceil(seconds / 60)
        return ngettext("dans %(count)d minute", "dans %(count)d minutes", minutes) % {
            "count": minutes
        }
    hours = math.ceil(seconds / 3600)
    return ngettext("dans %(count)d heure", "dans %(count)d heures", hours) % {"count": hours}


def too_many_requests(request, verdict: Verdict):
    """The 429 page, in the visitor's language, with ``Retry-After``; never cached."""
    retry_after = max(1, int(verdict.retry_after or 1))
    response = render(
        request,
        "429.html",
        {"retry_after": retry_after, "retry_delay": retry_delay_text(retry_after)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
    return response
