"""The stories index's sub-pages (feed, nomination form) in the page's language; the French
routes on the English index are sent on to the English ones."""

from django.utils import translation

import pytest

from tests.stories.test_nominations import _data

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_index(story_index, english_home, locales):
    english = story_index.copy_for_translation(locales["en"])
    english.slug = "stories"
    english.save_revision().publish()
    return english


def test_sub_routes_are_in_the_page_language_whatever_language_is_active(
    story_index, english_index
):
    for active in ("fr", "en"):
        with translation.override(active):
            assert story_index.reverse_subpage("feed_route") == "flux/"
            assert english_index.reverse_subpage("feed_route") == "feed/"
            assert english_index.reverse_subpage("nominate_route") == "nominate-a-hero/"
            assert (
                english_index.reverse_subpage("nominate_thanks_route")
                == "nominate-a-hero/thank-you/"
            )


@pytest.mark.parametrize(
    ("url", "status", "content_type"),
    [
        ("/en/stories/feed/", 200, "application/rss+xml"),
        ("/en/stories/nominate-a-hero/", 200, "text/html"),
        ("/en/stories/nominate-a-hero/thank-you/", 200, "text/html"),
        ("/histoires/flux/", 200, "application/rss+xml"),
        ("/histoires/proposer-un-heros/", 200, "text/html"),
        # English routes are the English page's only.
        ("/histoires/feed/", 404, "text/html"),
    ],
)
def test_each_route_answers_on_its_page(client, english_index, url, status, content_type):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith(content_type)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/en/stories/flux/", "/en/stories/feed/"),
        ("/en/stories/proposer-un-heros/", "/en/stories/nominate-a-hero/"),
        ("/en/stories/proposer-un-heros/merci/", "/en/stories/nominate-a-hero/thank-you/"),
    ],
)
def test_french_routes_on_the_english_index_are_sent_on(client, english_index, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_english_index_links_to_its_english_sub_pages(client, english_index):
    html = client.get("/en/stories/").content.decode()
    assert 'href="/en/stories/feed/"' in html
    assert 'href="/en/stories/nominate-a-hero/"' in html
    assert "/flux/" not in html and "proposer-un-heros" not in html


def test_a_nomination_posted_to_the_old_french_route_is_not_lost(
    client, english_index, geography, django_capture_on_commit_callbacks
):
    from stories.models import Nomination

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/stories/proposer-un-heros/", _data())
    assert response["Location"] == "/en/stories/nominate-a-hero/thank-you/"
    assert Nomination.objects.get().language == "en"
