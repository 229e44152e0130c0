"""What to purge from the caches when content changes, through Wagtail's frontend cache
(WAGTAILFRONTENDCACHE: the application's page cache, plus nginx or a CDN).

- A page published, unpublished, moved or deleted: the page and its sub-routes
  (`get_cached_paths`, e.g. the stories feed), every page that lists it
  (`get_listing_pages()`, declared by each page class: home, its index, the gestures a
  story illustrates...), each of them in every language (their translations), and
  sitemap.xml. A page the navigation links to (its title is in every menu) purges all.
- A model shown on every page saved or deleted (PAGE_CACHE_PURGE_ALL_MODELS: navigation and
  footer, site settings, gesture categories): a new page-cache generation at once, and for
  the proxy or CDN a task, enqueued on commit, purges every live page's URLs.

Each change's URLs are collected into one `PurgeBatch`, purged once the transaction commits
(a rolled-back publish purges nothing; Wagtail's purge task runs on the worker). campaign/ knows
no app: page classes say what lists them, and the purge-all models are named in settings.
"""

from __future__ import annotations

import functools
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
from wagtail.contrib.frontend_cache.utils import get_backends
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from django_tasks import task

from . import cache as page_cache
from .site_address import public_url, rebase

logger = logging.getLogger(__name__)

APP_BACKEND = "app"
# The task queue of the proxy's or CDN's purges (settings.TASKS' QUEUES).
PURGE_QUEUE = "cache"


def _translations(page):
    return list(Page.objects.filter(translation_key=page.translation_key).specific())


def page_urls(page) -> set[str]:
    """The public URLs of `page` and of its sub-routes that a cache may hold."""
    page = page.specific_deferred if hasattr(page, "specific_deferred") else page
    url = page.get_full_url()
    if not url:
        return set()
    return {rebase(url + path.lstrip("/")) for path in page.get_cached_paths()}


def urls_for_page(page) -> tuple[set[str], bool]:
    """Every URL to purge when `page` changes, and whether everything must go (the page
    appears in the navigation)."""
    page = page.specific
    pages = {page.pk: page}
    listing = getattr(page, "get_listing_pages", None)
    for listed_on in listing() if listing else []:
        if listed_on is not None:
            pages.setdefault(listed_on.pk, listed_on)
    urls = {public_url("/sitemap.xml")}
    for shown in list(pages.values()):
        for translation in _translations(shown):
            urls |= page_urls(translation)
    urls |= page_urls(page)  # a moved page's old address is its current object's URL
    return urls, _in_navigation(page)


def _purge_all_models():
    for label in getattr(settings, "PAGE_CACHE_PURGE_ALL_MODELS", ()):
        try:
            yield apps.get_model(label)
        except LookupError:
            continue


def _in_navigation(page) -> bool:
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import ReferenceIndex

    content_types = [ContentType.objects.get_for_model(m) for m in _purge_all_models()]
    return ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(Page),
        to_object_id=str(page.pk),
        base_content_type__in=content_types,
    ).exists()


# --- one batch per change, purged on commit ------------------------------------------------


def _flush(urls, everything):
    try:
        if everything:
            purge_everything()
        if urls:
            backends = get_backends()
            if APP_BACKEND in backends:
                # At once, in this process: the editor sees the change on the next request,
                # whether or not a worker is running the task queue.
                backends[APP_BACKEND].purge_batch(urls)
            others = [name for name in backends if name != APP_BACKEND]
            if others:
                # A task on the purge queue: a worker of its own sends it (deploy/systemd's
                # tousvoisins-worker-cache), never behind a mailing's batches.
                purge_urls_from_cache_task.using(queue_name=PURGE_QUEUE).enqueue(
                    sorted(urls), None, others
                )
    except Exception:  # the content is saved: a failed purge must not answer 500
        logger.exception("cache purge failed; cached copies expire after PAGE_CACHE_SECONDS")


def _on_commit(urls, *, everything=False):
    # Each change its own callback: a rolled-back transaction drops its callbacks, and
    # nothing pending may outlive it.
    transaction.on_commit(functools.partial(_flush, frozenset(urls), everything))


def purge_page(page) -> None:
    urls, everything = urls_for_page(page)
    _on_commit(urls, everything=everything)


class _EverythingBatch:
    """The "everything" purges asked for in one transaction: the first of their callbacks
    to run purges, the others have nothing left to do."""

    done = False

    def run(self):
        if not self.done:
            self.done = True
            _flush(frozenset(), True)


def purge_everything_on_commit() -> None:
    """Everything purged once the transaction commits (nothing if it rolls back): for a
    change shown on more pages than it is worth listing (a directory actor, a help point and
    each of its dates). Once per transaction however many changes ask for it: the proxy's
    or CDN's purge is a task that purges every live page, not to be queued once per row.
    Each change still registers its own callback (a rolled-back savepoint drops only its
    own); they share a batch until one of them has run."""
    connection = transaction.get_connection()
    batch = getattr(connection, "_purge_everything_batch", None)
    if batch is None or batch.done or not connection.in_atomic_block:
        batch = connection._purge_everything_batch = _EverythingBatch()
    transaction.on_commit(batch.run)


def purge_everything() -> None:
    """A new page-cache generation now; the proxy's or CDN's copies through a task."""
    page_cache.purge_all()
    if [name for name in get_backends() if name != APP_BACKEND]:
        purge_live_pages.using(queue_name=PURGE_QUEUE).enqueue()


def live_page_urls() -> set[str]:
    urls = {public_url("/sitemap.xml"), public_url("/robots.txt")}
    for page in Page.objects.live().exclude(depth=1).specific(defer=True).iterator():
        urls |= page_urls(page)
    return urls


@task()
def purge_live_pages():
    """Purge every live page (and its feeds), the sitemap and robots.txt from the proxy or
    CDN, in one batch; the application's cache already has a new generation."""
    urls = sorted(live_page_urls())
    backends = [name for name in get_backends() if name != APP_BACKEND]
    if backends:
        logger.info("purging %d URLs from %s", len(urls), ", ".join(backends))
        purge_urls_from_cache_task.call(urls, None, backends)


# --- signal handlers --------------------------------------------------------------------------


def _page_changed(sender, instance, **kwargs):
    purge_page(instance)


def _page_moving(sender, instance, **kwargs):
    # Before the move: the old address and the old listings.
    purge_page(instance)


def _page_deleting(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live and instance.depth > 1:
        purge_page(instance)


def _shown_everywhere_saved(sender, instance, **kwargs):
    _on_commit(set(), everything=True)


def connect():
    page_published.connect(_page_changed, dispatch_uid="campaign.purge.published")
    page_unpublished.connect(_page_changed, dispatch_uid="campaign.purge.unpublished")
    pre_page_move.connect(_page_moving, dispatch_uid="campaign.purge.pre_move")
    post_page_move.connect(_page_changed, dispatch_uid="campaign.purge.post_move")
    pre_delete.connect(_page_deleting, dispatch_uid="campaign.purge.delete")
    for model in _purge_all_models():
        post_save.connect(_shown_everywhere_saved, sender=model, dispatch_uid=f"purge.{model}")
        post_delete.connect(_shown_everywhere_saved, sender=model, dispatch_uid=f"purge-{model}")
