"""What every public page reads and only staff change: the site of a host name with its
home page, the site settings, which pages are private, where a page's children are, the
language links of a page. Kept in Django's cache (Redis in production) under one
generation, which any change to these replaces: publishing, unpublishing, moving, renaming or
deleting a page, saving a site, a site setting, a locale or a privacy restriction.

Issue 14 asks for every public page at 12 SQL queries or fewer, "menus, footer, settings,
translations and renditions fetched once per request or from the cache". Wagtail reads each
of these from the database on every request: this module is the "from the cache". The
uncached counts (the cache just cleared) are bounded too, and do not grow with the content
(tests/campaign/test_query_budget.py).

A stale entry cannot outlive the hour of ``DATA_CACHE_SECONDS``, which bounds what a change
made outside Django (a raw SQL update, a shell) could leave; the page cache and nginx keep
pages longer than that anyway, and are purged by the same events (campaign/purge.py).
"""

import uuid

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port

from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

DATA_CACHE_SECONDS = 3600
GENERATION_KEY = "campaign:data:generation"
_MISSING = object()


def generation():
    """The current generation: the part of every key that a change replaces."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        value = cache.get(GENERATION_KEY) or "none"
    return value


def remember(name, build, request=None):
    """`build()`'s value, from the cache when it holds one for this generation. With a
    request, the generation is read once per request. When the cache fails, the value is
    built (the queries come back, never a 500: tests/volunteers/test_cache_outage.py)."""
    try:
        current = getattr(request, "_campaign_data_generation", None) if request else None
        if current is None:
            current = generation()
            if request is not None:
                request._campaign_data_generation = current
        key = f"campaign:data:{current}:{name}"
        value = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001 - FailSoftRedisCache logs the outage
        return build()
    if value is _MISSING:
        value = build()
        try:
            cache.set(key, value, DATA_CACHE_SECONDS)
        except Exception:  # noqa: BLE001, S110
            pass
    return value


def forget(**kwargs):
    """Start a new generation: every entry of the old one is left to expire. A change saved
    while the cache is down cannot start one: entries of before the outage may then be
    served until they expire (DATA_CACHE_SECONDS), as the page cache's are."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001, S110
        pass


class CachedSiteMiddleware:
    """Sets the request's Wagtail site (what ``Site.find_for_request`` would find) from the
    cache, with its home page in its specific class: Wagtail's routing then starts from it
    without the two queries of the site and of the home page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not hasattr(request, "_wagtail_site"):
            try:
                # Only a host of ALLOWED_HOSTS gets an entry: a forged Host header is
                # refused by Django (400), never a new key in the cache.
                hostname, _port = split_domain_port(request.get_host())
            except DisallowedHost:
                return self.get_response(request)
            name = f"site:{hostname}:{request.get_port()}"
            request._wagtail_site = remember(name, lambda: _find_site(request), request)
        return self.get_response(request)


def _find_site(request):
    site = Site._find_for_request(request)
    if site is not None:
        # Wagtail's routing reads site.root_page.localized.specific: with the home page in
        # its own class, the French home needs no query and the English one a single query
        # (its translation, read in the home page's class).
        site.root_page = site.root_page.specific
    return site


class CachedSiteSettingMixin:
    """A site setting read from the cache (one query saved per page view); saving it starts a
    new generation (see the receivers below)."""

    @classmethod
    def for_site(cls, site):
        if site is None:
            return super().for_site(site)
        return remember(
            f"setting:{cls._meta.label_lower}:{site.pk}",
            lambda: super(CachedSiteSettingMixin, cls).for_site(site),
        )


def any_view_restriction():
    """Whether any page is private: when none is, no page needs its restrictions read."""
    return remember("view-restrictions", PageViewRestriction.objects.exists)


def children_by_slug(page, request=None):
    """{slug: (page id, content type id)} of a page's children, for routing in one query
    of the child's own class instead of two (the page, then its specific row)."""
    return remember(
        f"children:{page.pk}",
        lambda: {
            slug: (pk, content_type_id)
            for slug, pk, content_type_id in page.get_children().values_list(
                "slug", "pk", "content_type_id"
            )
        },
        request,
    )


for _signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
    _signal.connect(forget, dispatch_uid=f"campaign-data-{id(_signal)}")


_WATCHED = []


def watch(*models):
    """Models whose rows are kept here by the apps (story themes): saving or deleting one
    starts a new generation."""
    _WATCHED.extend(models)


def _saved_or_deleted(sender, instance, **kwargs):
    if _WATCHED and isinstance(instance, tuple(_WATCHED)):
        forget()
        return
    # Any page saved, draft or not: a page's live fields can be saved without publishing (a
    # script, a test, wagtail-localize's sync of an alias), and the cached home page and
    # children's slugs must follow. An editor's save costs the next visitor a few queries.
    if isinstance(instance, Site | Locale | PageViewRestriction | Page | CachedSiteSettingMixin):
        forget()


post_save.connect(_saved_or_deleted, dispatch_uid="campaign-data-saved")
post_delete.connect(_saved_or_deleted, dispatch_uid="campaign-data-deleted")

__all__ = [
    "CachedSiteMiddleware",
    "CachedSiteSettingMixin",
    "any_view_restriction",
    "children_by_slug",
    "forget",
    "remember",
    "watch",
]
