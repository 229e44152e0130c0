"""Publishing or unpublishing a gesture changes its language's booklet and its catalogue:
enqueue the booklet's redraw and the catalogue's purge once the transaction commits. Nothing
else happens here."""

from functools import partial

from django.db import transaction


def gesture_publication_enqueue(sender, instance, **kwargs):
    from .tasks import booklet_refresh, catalogue_purge

    transaction.on_commit(partial(booklet_refresh.enqueue, locale_id=instance.locale_id))
    transaction.on_commit(partial(catalogue_purge.enqueue, gesture_id=instance.pk))
