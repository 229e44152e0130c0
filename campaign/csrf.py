"""Cross-origin protection for the public forms that live on cached pages.

A page stored in a shared cache (campaign/cache.py, nginx) is the same HTML for every visitor,
so it cannot carry a per-visitor CSRF token. The anonymous forms on such pages (sign-up,
"J'ai fait ce geste", "Proposer un héros", a commune's engagement, the personalised poster)
are protected instead by checking where the POST comes from, the Fetch-metadata approach:

1. `Sec-Fetch-Site: same-origin` or `none` (typed or bookmarked by the user): accepted;
   any other value (`cross-site`, `same-site`) is refused. Every current browser sends it.
2. Without it (older browsers, curl): an `Origin` header must match the request's own
   origin (scheme and host) or one of CSRF_TRUSTED_ORIGINS; `Origin: null` (sandboxed
   frames, privacy-redirected posts) is refused.
3. Without either, a `Referer` must be of the same origin.
4. With none of the three: accepted, as Go does. Browsers send `Origin` with every POST
   (the Fetch standard, in every engine since 2019-2020), so a request without it was not
   sent by a browser on behalf of a visitor; such a client gains nothing from a forgery
   and meets the honeypot and the rate limits like any other.

References: OWASP CSRF Prevention Cheat Sheet, "Fetch Metadata headers" and "Verifying
origin with standard headers"; Go 1.25's net/http `CrossOriginProtection`, which applies the
same order (Sec-Fetch-Site, then Origin against the Host, trusted origins allowed).

These forms still keep their honeypots, anti-bot timestamps and rate limits. Forms that act
for one person (preferences, erasure, confirmations behind a signed link) and the admin keep
Django's CSRF token: their pages are never cached.

`cross_origin_protect` marks a view (or a routable page's sub-route) and checks the request
itself; `CrossOriginMiddleware`, just before Django's own CsrfViewMiddleware, lets those views
through without a token. For Wagtail pages the view Django sees is `wagtail.views.serve`: the
middleware asks Wagtail's router (its result is kept on the request, so the page is not looked
up twice) which sub-route will answer; every other view keeps Django's token check.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _origin(value: str) -> str | None:
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins(request) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}".lower()}
    for trusted in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        if "*" not in trusted:
            origins.add(trusted.rstrip("/").lower())
    return origins


def cross_origin_allowed(request) -> bool:
    """Whether an unsafe request comes from one of this site's own pages (see above)."""
    if request.method in SAFE_METHODS:
        return True
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        return _origin(origin) in _own_origins(request)
    referer = request.headers.get("Referer")
    if referer:
        return _origin(referer) in _own_origins(request)
    return True


def cross_origin_refused(request):
    """The 403 page, in the visitor's language; nothing was saved."""
    response = render(request, "403.html", {"reason": "cross_origin"}, status=403)
    add_never_cache_headers(response)
    return response


def cross_origin_protect(view):
    """Accept unsafe requests to `view` only from this site's own pages, instead of a CSRF
    token. Works on plain views and on methods (a routable page's sub-route)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        request = next(a for a in args if isinstance(a, HttpRequest))
        if not cross_origin_allowed(request):
            return cross_origin_refused(request)
        return view(*args, **kwargs)

    wrapped.cross_origin_protected = True
    return wrapped


def _routed_view(request, path):
    """The sub-route (or page.serve) Wagtail will call for this request, or None."""
    from wagtail.models import Page

    try:
        route = Page.route_for_request(request, path)
    except Exception:  # noqa: BLE001 - Http404 and the like: Django's check applies
        return None
    if route is None:
        return None
    page, args, _kwargs = route
    if args and callable(args[0]):
        return args[0]  # RoutablePageMixin: (view, args, kwargs)
    return page.serve


class CrossOriginMiddleware:
    """Placed just before Django's CsrfViewMiddleware (which stays, unchanged): for the views
    marked `cross_origin_protect`, and only those, tells it not to ask for a token, the
    flag Django's own test client sets; the view checks the origin itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        from wagtail import views as wagtail_views

        protected = getattr(callback, "cross_origin_protected", False)
        if not protected and request.method not in SAFE_METHODS and callback is wagtail_views.serve:
            path = callback_kwargs.get("path", callback_args[0] if callback_args else "")
            protected = getattr(_routed_view(request, path), "cross_origin_protected", False)
        if protected:
            request._dont_enforce_csrf_checks = True
        return None
