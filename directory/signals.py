"""The directory's public pages (search, actor, commune) are cached for anonymous visitors
(campaign/cache.py): a change to an actor that may show on them purges the caches once the
transaction commits (campaign/purge.py). An actor shows on many pages (every commune of its
department, every search that reaches it), so everything is purged, as for the models shown on
every page. A new proposal (not yet public) purges nothing; the admin saves an actor and its
communes in one transaction, so the purge sees both. A help point shows on its communes' pages and
printable sheets, the iCalendar feed and the map, and likewise purges everything; its dates
are saved with it (one admin form, modelcluster commits them in the point's save), and a
date changed on its own (the demo, a shell) purges too: the point and each of its dates send a
signal, and `_purge_once` keeps it to one purge per transaction. Nothing else happens here."""

from django.db import transaction

from campaign import purge


class _PurgeBatch:
    """The changes of one transaction: the first of its callbacks to run purges, the others
    have nothing left to do."""

    done = False

    def run(self):
        if not self.done:
            self.done = True
            purge.purge_everything_on_commit()  # outside any transaction now: at once


def _purge_once():
    """Everything purged once the transaction commits, once however many rows of a help
    point change in it (its save, then each date's): the purge of a proxy or CDN is a task
    that purges every live page, not to be queued once per date. Each change registers its
    own callback (a rolled-back one drops only its own); they share a batch until one of
    them has run."""
    connection = transaction.get_connection()
    batch = getattr(connection, "_directory_purge_batch", None)
    if batch is None or batch.done or not connection.in_atomic_block:
        batch = connection._directory_purge_batch = _PurgeBatch()
    transaction.on_commit(batch.run)


def actor_saved(sender, instance, created, **kwargs):
    if created and not instance.is_public:
        return  # A proposal waiting for its email or for moderation: nothing public changed.
    purge.purge_everything_on_commit()


def actor_deleted(sender, instance, **kwargs):
    if instance.is_public:
        purge.purge_everything_on_commit()


def help_point_saved(sender, instance, created, **kwargs):
    if created and not instance.published:
        return  # A draft point: nothing public changed.
    _purge_once()


def help_point_deleted(sender, instance, **kwargs):
    if instance.published:
        _purge_once()


def help_point_date_changed(sender, instance, **kwargs):
    """A date saved or deleted: its point's pages change if the point is published (read
    from the parent the admin's save has in hand, else one query)."""
    from .models import HelpPoint, HelpPointDate

    if HelpPointDate.help_point.is_cached(instance):
        published = instance.help_point.published
    else:
        published = HelpPoint.objects.filter(pk=instance.help_point_id, published=True).exists()
    if published:
        _purge_once()


def engagement_changed(sender, instance, **kwargs):
    """An engaged commune (kits') edited or deleted in the admin while listed: the map shows
    it. Its approval and withdrawal are UPDATEs, which send no signal: kits.services purges
    for them."""
    if instance.is_public:
        purge.purge_everything_on_commit()
