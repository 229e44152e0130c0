"""The stories' RSS feed: each item dated by the story itself."""

import datetime
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest

from stories.factories import StoryPageFactory


def _items(client, url):
    channel = ET.fromstring(client.get(url).content).find("channel")  # noqa: S314 - our feed
    return channel, channel.findall("item")


@pytest.mark.django_db
def test_feed_items_carry_the_story_date_not_the_time_it_was_put_online(
    client, story_index, geography
):
    # Imported on one day, the stories keep the dates they were written for.
    StoryPageFactory(
        parent=story_index,
        slug="karim",
        title="Karim",
        commune=geography["brest"],
        publication_date=datetime.date(2025, 11, 3),
    )
    StoryPageFactory(
        parent=story_index,
        slug="josiane",
        title="Josiane",
        commune=geography["melun"],
        publication_date=datetime.date(2024, 6, 21),
    )
    channel, items = _items(client, "/histoires/flux/")
    dates = {i.findtext("title"): parsedate_to_datetime(i.findtext("pubDate")) for i in items}
    assert {title: date.date() for title, date in dates.items()} == {
        "Karim": datetime.date(2025, 11, 3),
        "Josiane": datetime.date(2024, 6, 21),
    }
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")).date() == datetime.date(
        2025, 11, 3
    )
