"""The RSS feed of the stories of one language (one per story index)."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _

from campaign.site_address import page_public_url

FEED_ITEMS = 20


class StoryFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, *, index):
        super().__init__()
        self.index = index

    def title(self):
        return _("Héros du civisme ordinaire – Tous Voisins – Tous Solidaires")

    def link(self):
        return page_public_url(self.index)

    def feed_url(self):
        return page_public_url(self.index) + self.index.reverse_subpage("feed_route")

    def description(self):
        return self.index.introduction or _(
            "Les histoires de voisins qui s'entraident, partout en France."
        )

    def items(self):
        return list(self.index.stories().newest_first().select_related("commune")[:FEED_ITEMS])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return page_public_url(item)

    def item_pubdate(self, item):
        # The story's own date (what the page shows and the list is sorted by), not when it
        # was put online: an imported or republished story keeps its date.
        return timezone.make_aware(
            datetime.datetime.combine(item.publication_date, datetime.time())
        )

    def item_author_name(self, item):
        return item.credit or None
