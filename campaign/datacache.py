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

import pickle
import threading
import time
import uuid
from collections import OrderedDict

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port

from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

DATA_CACHE_SECONDS = 3600
GENERATION_KEY = "campaign:data:generation"
# Entries kept in each process besides the shared cache (see _ProcessCopies): the site, two
# settings, routing and language links of ~150 pages, fragments of two languages.
PROCESS_COPIES = 2048
PROCESS_COPY_SECONDS = 300
_MISSING = object()


def generation():
    """The current generation: the part of every key that a change replaces. None when the
    cache cannot tell (Redis down: FailSoftRedisCache answers None): nothing is then read or
    kept under a generation, neither in the cache nor in this process."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        value = cache.get(GENERATION_KEY)
    return value


class _ProcessCopies:
    """The entries this process has read or built, pickled, by key (generation included),
    the least recently used dropped beyond `size`. An entry never changes under its key:
    a change starts a new generation, so new keys. Reading one here instead of from Redis
    saves a round trip per entry (about ten per page); the generation itself is still read
    from the shared cache once per request, so every process follows a change at once.
    Pickled, so that no two requests share an object (a setting keeps its request). A copy
    is kept `seconds` at most, so that what a change made outside Django leaves is bounded
    here too (DATA_CACHE_SECONDS, plus these seconds)."""

    def __init__(self, size, seconds):
        self.size = size
        self.seconds = seconds
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return _MISSING
            expires, blob = entry
            if expires < time.monotonic():
                del self.entries[key]
                return _MISSING
            self.entries.move_to_end(key)
        return pickle.loads(blob)  # noqa: S301 - our own values, pickled just below

    def put(self, key, value):
        try:
            blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable value is only not kept here
            return
        with self.lock:
            self.entries[key] = (time.monotonic() + self.seconds, blob)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


_copies = _ProcessCopies(PROCESS_COPIES, PROCESS_COPY_SECONDS)


def remember(name, build, request=None):
    """`build()`'s value, from the cache when it holds one for this generation. With a
    request, the generation is read once per request. When the cache fails, the value is
    built (the queries come back, never a 500: tests/volunteers/test_cache_outage.py)."""
    value = _MISSING
    try:
        current = getattr(request, "_campaign_data_generation", None) if request else None
        if current is None:
            current = generation()
            if current is not None and request is not None:
                request._campaign_data_generation = current
        if current is not None:
            key = f"campaign:data:{current}:{name}"
            value = _copies.get(key)
            if value is not _MISSING:
                return value
            value = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001 - FailSoftRedisCache logs the outage
        current = None
    if current is None:
        return build()
    if value is _MISSING:
        value = build()
        try:
            cache.set(key, value, DATA_CACHE_SECONDS)
        except Exception:  # noqa: BLE001, S110
            pass
    _copies.put(key, value)
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
