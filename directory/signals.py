"""The directory's public pages (search, actor, commune) are cached for anonymous visitors
(campaign/cache.py): a change to an actor that may show on them purges the caches once the
transaction commits (campaign/purge.py). An actor shows on many pages (every commune of its
department, every search that reaches it), so everything is purged, as for the models shown on
every page. A new proposal (not yet public) purges nothing; the admin saves an actor and its
communes in one transaction, so the purge sees both. A help point shows on its communes' pages and
printable sheets, the iCalendar feed and the map, and likewise purges everything; its dates
are saved with it (one admin form, modelcluster commits them in the point's save), and a
date changed on its own (the demo, a shell) purges too: the point and each of its dates send a
signal, and campaign/purge.py keeps it to one purge per transaction. Nothing else happens here."""

from campaign import purge


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
    purge.purge_everything_on_commit()


def help_point_deleted(sender, instance, **kwargs):
    if instance.published:
        purge.purge_everything_on_commit()


def help_point_date_changed(sender, instance, **kwargs):
    """A date saved or deleted: its point's pages change if the point is published (read
    from the parent the admin's save has in hand, else one query)."""
    from .models import HelpPoint, HelpPointDate

    if HelpPointDate.help_point.is_cached(instance):
        published = instance.help_point.published
    else:
        published = HelpPoint.objects.filter(pk=instance.help_point_id, published=True).exists()
    if published:
        purge.purge_everything_on_commit()


def engagement_changed(sender, instance, **kwargs):
    """An engaged commune (kits') edited or deleted in the admin while listed: the map shows
    it. Its approval and withdrawal are UPDATEs, which send no signal: kits.services purges
    for them."""
    if instance.is_public:
        purge.purge_everything_on_commit()
