"""The RSS feed's links are on the site's public address."""

import xml.etree.ElementTree as ET

import pytest

from stories.factories import StoryPageFactory

PUBLIC = "https://tousvoisins.example"


@pytest.mark.django_db
def test_feed_links_use_the_public_address(settings, client, story_index, geography):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC
    StoryPageFactory(parent=story_index, slug="karim", title="Karim", commune=geography["brest"])
    content = client.get("/histoires/flux/", HTTP_HOST="127.0.0.1").content
    channel = ET.fromstring(content).find("channel")  # noqa: S314 - our own feed
    assert channel.findtext("link") == f"{PUBLIC}/histoires/"
    assert [i.findtext("link") for i in channel.findall("item")] == [f"{PUBLIC}/histoires/karim/"]
    links = [e.get("href") for e in channel.iter() if e.get("href")]
    assert links and all(link.startswith(f"{PUBLIC}/") for link in links), links
    assert b"localhost" not in content and b"http://127.0.0.1" not in content
