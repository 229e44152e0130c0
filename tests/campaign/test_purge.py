"""Publishing, unpublishing, moving or deleting a page purges it and every listing that shows
it, in both languages, from the proxy or CDN (through Wagtail's frontend cache) and from the
application's own page cache (campaign/purge.py, campaign/cache.py)."""

from wagtail.contrib.frontend_cache.backends import BaseBackend

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import Navigation
from gestures.factories import GestureCategoryFactory, GestureIndexPageFactory, GesturePageFactory
from stories.factories import StoryIndexPageFactory, StoryPageFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


class RecordingBackend(BaseBackend):
    """Stands for nginx or a CDN: records the URLs it is asked to purge."""

    purged: list[str] = []

    def purge(self, url):
        RecordingBackend.purged.append(url)


@pytest.fixture(autouse=True)
def _caches(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.WAGTAILFRONTENDCACHE = {
        "app": {"BACKEND": "campaign.cache.AppCacheBackend"},
        "proxy": {"BACKEND": "tests.campaign.test_purge.RecordingBackend"},
    }
    RecordingBackend.purged = []


@pytest.fixture
def indexes(home_page, english_home, locales):
    french = StoryIndexPageFactory(parent=home_page, locale=home_page.locale)
    english = french.copy_for_translation(locales["en"])
    english.slug = "stories"
    english.save_revision().publish()
    return french, english


LISTINGS = [
    "/",
    "/en/",
    "/histoires/",
    "/en/stories/",
    "/histoires/flux/",
    "/en/stories/feed/",
    "/sitemap.xml",
]


def _fill(client, urls):
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert client.get(url)["X-Page-Cache"] == "hit", url


def _fresh(client, urls):
    return {url: client.get(url) for url in urls}


def test_publishing_a_story_purges_home_index_feed_and_sitemap_in_both_languages(
    client, indexes, django_capture_on_commit_callbacks
):
    french_index, _english_index = indexes
    story = StoryPageFactory(parent=french_index, title="Madeleine, la voisine du 3e", live=False)
    _fill(client, LISTINGS)
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    for url in LISTINGS:
        assert BASE + url in RecordingBackend.purged, url
    assert BASE + story.url in RecordingBackend.purged
    after = _fresh(client, LISTINGS)
    for url, response in after.items():
        assert response["X-Page-Cache"] == "miss", url  # the stored copy is gone
    for url in ("/", "/histoires/", "/histoires/flux/"):
        assert "Madeleine, la voisine du 3e" in after[url].content.decode(), url
    assert story.url in after["/sitemap.xml"].content.decode()


def test_unpublishing_a_story_purges_the_same_listings(
    client, indexes, django_capture_on_commit_callbacks
):
    french_index, _english_index = indexes
    story = StoryPageFactory(parent=french_index, title="Madeleine, la voisine du 3e")
    story.save_revision().publish()
    _fill(client, LISTINGS)
    assert "Madeleine" in client.get("/histoires/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
    for url in LISTINGS:
        assert BASE + url in RecordingBackend.purged, url
    after = _fresh(client, LISTINGS)
    for url in ("/", "/histoires/", "/histoires/flux/"):
        assert after[url]["X-Page-Cache"] == "miss", url
        assert "Madeleine" not in after[url].content.decode(), url


def test_deleting_a_story_purges_the_same_listings(
    client, indexes, django_capture_on_commit_callbacks
):
    french_index, _english_index = indexes
    story = StoryPageFactory(parent=french_index, title="Madeleine, la voisine du 3e")
    story.save_revision().publish()
    story_url = story.url
    _fill(client, [*LISTINGS, story_url])
    with django_capture_on_commit_callbacks(execute=True):
        story.delete()
    for url in [*LISTINGS, story_url]:
        assert BASE + url in RecordingBackend.purged, url
    assert client.get(story_url).status_code == 404
    assert "Madeleine" not in client.get("/histoires/").content.decode()


def test_moving_a_page_purges_its_old_and_new_addresses(
    client, home_page, english_home, django_capture_on_commit_callbacks
):
    about = ContentPageFactory(parent=home_page, title="À propos", slug="a-propos")
    about.save_revision().publish()
    help_page = ContentPageFactory(parent=home_page, title="Aide", slug="aide")
    help_page.save_revision().publish()
    _fill(client, ["/a-propos/", "/sitemap.xml"])
    with django_capture_on_commit_callbacks(execute=True):
        about.move(help_page, pos="last-child")
    purged = set(RecordingBackend.purged)
    assert {BASE + "/a-propos/", BASE + "/aide/a-propos/", BASE + "/sitemap.xml"} <= purged
    old = client.get("/a-propos/")  # not the stored copy: Wagtail's redirect to the new one
    assert old.status_code == 301 and old["Location"] == "/aide/a-propos/"
    sitemap = client.get("/sitemap.xml")
    assert sitemap["X-Page-Cache"] == "miss"
    assert "/aide/a-propos/" in sitemap.content.decode()


def test_saving_the_navigation_purges_every_page(
    client, indexes, django_capture_on_commit_callbacks, locales
):
    _fill(client, LISTINGS)
    navigation = Navigation.objects.create(locale=locales["fr"], footer_text="<p>Ancien</p>")
    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        navigation.footer_text = "<p>Pied de page tout neuf</p>"
        navigation.save()
    # The application's cache: a new generation, every page rendered again.
    for url in LISTINGS:
        assert client.get(url)["X-Page-Cache"] == "miss", url
    assert "Pied de page tout neuf" in client.get("/").content.decode()
    # The proxy: every live page's URLs (and feeds) in one batch.
    for url in LISTINGS:
        assert BASE + url in RecordingBackend.purged, url


def test_a_failing_purge_does_not_break_publishing(
    client, indexes, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    french_index, _english_index = indexes
    story = StoryPageFactory(parent=french_index, live=False)

    def broken(self, url):
        raise OSError("proxy down")

    monkeypatch.setattr(RecordingBackend, "purge", broken)
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    story.refresh_from_db()
    assert story.live


def test_publishing_a_gesture_purges_its_catalogue_stylesheet_and_home(
    client, home_page, english_home, locales, django_capture_on_commit_callbacks
):
    # Replaces gestures' own catalogue purge: GesturePage.get_listing_pages() says where
    # a gesture is shown.
    catalogue = GestureIndexPageFactory(parent=home_page)
    english = catalogue.copy_for_translation(locales["en"])
    english.slug = "gestures"
    english.save_revision().publish()
    category = GestureCategoryFactory(slug="aines")
    gesture = GesturePageFactory(
        parent=catalogue, category=category, number=7, slug="geste-7", live=False
    )
    _fill(client, ["/gestes/", "/"])
    with django_capture_on_commit_callbacks(execute=True):
        gesture.save_revision().publish()
    purged = set(RecordingBackend.purged)
    for url in ("/gestes/", "/en/gestures/", "/", "/en/", "/gestes/geste-7/"):
        assert BASE + url in purged, url
    catalogue_page = client.get("/gestes/")
    assert catalogue_page["X-Page-Cache"] == "miss"
    assert "geste 7" in catalogue_page.content.decode()


def test_the_proxys_purge_is_a_task_on_the_purge_queue(
    indexes, django_capture_on_commit_callbacks, monkeypatch
):
    """Never behind a mailing's batches on the default queue: the purge worker of
    deploy/systemd takes it (a publish must show through the proxy within seconds)."""
    from django_tasks.backends.immediate import ImmediateBackend

    queues = []
    enqueue = ImmediateBackend.enqueue

    def recording(self, task, args, kwargs):
        queues.append((task.name, task.queue_name))
        return enqueue(self, task, args, kwargs)

    monkeypatch.setattr(ImmediateBackend, "enqueue", recording)
    french_index, _english_index = indexes
    story = StoryPageFactory(parent=french_index, title="Lucien, le facteur à vélo", live=False)
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    assert ("purge_urls_from_cache_task", "cache") in queues, queues
    assert BASE + "/histoires/" in RecordingBackend.purged
