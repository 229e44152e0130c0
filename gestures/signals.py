"""Publishing or unpublishing a gesture changes its language's booklet: enqueue its redraw
once the transaction commits. The caches (the catalogue, home, the page itself) are purged by
campaign/purge.py from GesturePage.get_listing_pages(). Nothing else happens here."""

from functools import partial

from django.db import transaction


def gesture_publication_enqueue(sender, instance, **kwargs):
    from .tasks import booklet_refresh

    transaction.on_commit(partial(booklet_refresh.enqueue, locale_id=instance.locale_id))
