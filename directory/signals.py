"""The directory's public pages (search, actor, commune) are cached for anonymous visitors
(campaign/cache.py): a change to an actor that may show on them purges the caches once the
transaction commits (campaign/purge.py). An actor shows on many pages (every commune of its
department, every search that reaches it), so everything is purged, as for the models shown on
every page. A new proposal (not yet public) purges nothing; the admin saves an actor and its
communes in one transaction, so the purge sees both. Nothing else happens here."""

from campaign import purge


def actor_saved(sender, instance, created, **kwargs):
    if created and not instance.is_public:
        return  # A proposal waiting for its email or for moderation: nothing public changed.
    purge.purge_everything_on_commit()


def actor_deleted(sender, instance, **kwargs):
    if instance.is_public:
        purge.purge_everything_on_commit()
