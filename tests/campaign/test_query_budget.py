"""The SQL queries of every public page type, uncached (Django's cache cleared before the
request: no menu, setting or site root from an earlier visitor), with little content and
with a lot: the count must not grow with the content (issue 14). The second request of a
visitor shows what the per-process caches save."""

import json

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import Navigation
from gestures.factories import GestureCategoryFactory, GestureIndexPageFactory
from kits.factories import KitIndexPageFactory, KitPageFactory
from kits.models import KitPage
from stories.factories import (
    PortraitFactory,
    StoryIndexPageFactory,
    StoryPageFactory,
    StoryThemeFactory,
)
from stories.models import StoryGesture, StoryPage
from tests.gestures.conftest import add_gestures
from volunteers.factories import VolunteerSignupPageFactory

# The goal of issue 14: no public page above it, uncached ("menus, footer, settings,
# translations and renditions fetched once per request or from the cache").
BUDGET = 12

# Queries per page rendered (the page cache is off in the test settings), once the site-wide
# data are in Django's cache (campaign/datacache.py: the site and its home page, the site
# settings, whether any page is private, each page's children by slug, the language links;
# the menus, Wagtail's site root paths; the listings of the home and the story index and the
# story page's head and body, the gestures catalogue's cards (their live counts read in one
# query) as rendered HTML, {% datacache %}). Every one is the same with 3
# or 40 stories, 10 or 100 gestures, 2 or 8 kits, 3 or 12 menu links. "/en/" is the English
# home without English sections. Both homes also read the hours given to neighbours (one sum,
# never kept in the site-data cache: a request marked done must show at once).
WARM = {
    "/": 2,
    "/en/": 3,
    "/histoires/": 3,
    "/histoires/?page=2": 3,
    "STORY": 3,
    "/gestes/": 3,
    # The gesture's counter; its category, neighbours, stories and sign-up link are site data.
    "GESTURE": 4,
    "/heure-civique/": 2,
    "/kits/": 3,
    "KIT": 4,
    "/a-propos/": 2,
    "/recherche/?q=voisins": 11,
}

# The same with Django's cache cleared before the request (the first visitor after a
# publication or a restart): bounded too, and not growing with the content.
UNCACHED = {
    # The hours given to neighbours: one query on each home.
    "/": 20,
    "/en/": 16,
    "/histoires/": 20,
    "/histoires/?page=2": 20,
    "STORY": 24,
    # The catalogue's categories (the key of its kept cards) and its live counts are each one
    # query of their own: two more than when the cards were rendered with their counts.
    "/gestes/": 16,
    # The category and the counter are read apart (the counter alone is live): one more.
    "GESTURE": 19,
    "/heure-civique/": 14,
    "/kits/": 14,
    "KIT": 16,
    "/a-propos/": 13,
    "/recherche/?q=voisins": 18,
}

# Search results are made specific with one query per page type among those shown: the count
# follows which types match (one fewer on PostgreSQL), never the number of results.
SEARCH = "/recherche/?q=voisins"


def _count(client, path, *, clear=True, status=200):
    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == status, path
    return len(ctx.captured_queries)


def _navigation(home_page, pages, n):
    links = [
        {"type": "link", "value": {"label": "", "page": pages[i % len(pages)].pk, "link_url": ""}}
        for i in range(n)
    ]
    nav, _created = Navigation.objects.get_or_create(locale=home_page.locale)
    nav.header_links = json.dumps(links[:7])
    nav.footer_links = json.dumps(links)
    nav.save()


def _grow(site, *, stories, gestures, kits, links):
    """Add content up to the given sizes. Every story is whole, as in the demo: a portrait,
    a commune, two themes (so that each has related stories, with their portraits and
    themes) and two gestures it illustrates."""
    have = site["gestures"]
    site["gestures"] = have + add_gestures(
        site["catalogue"], site["categories"], range(len(have) + 1, gestures + 1)
    )
    index = site["story_index"]
    for n in range(StoryPage.objects.child_of(index).count(), stories):
        story = StoryPageFactory(parent=index, themes=site["themes"])
        for gesture in (site["gestures"][n % 10], site["gestures"][(n + 1) % 10]):
            StoryGesture.objects.create(story=story, gesture=gesture, locale=story.locale)
    for n in range(len(site["kits"]), kits):
        site["kits"].append(KitPageFactory(parent=site["kit_index"], slug=f"kit-{n}"))
    _navigation(site["home"], site["content"], links)


@pytest.fixture
def site(home_page):
    categories = [
        GestureCategoryFactory(name=f"Catégorie {n}", slug=f"categorie-{n}") for n in range(3)
    ]
    content = [
        ContentPageFactory(parent=home_page, title=f"Page {n}", slug=f"page-{n}") for n in range(3)
    ]
    content.append(ContentPageFactory(parent=home_page, title="À propos", slug="a-propos"))
    site = {
        "home": home_page,
        "content": content,
        "categories": categories,
        "story_index": StoryIndexPageFactory(parent=home_page),
        "catalogue": GestureIndexPageFactory(parent=home_page),
        "kit_index": KitIndexPageFactory(parent=home_page, slug="kits"),
        "signup": VolunteerSignupPageFactory(parent=home_page),
        "gestures": [],
        "kits": [],
        "themes": [StoryThemeFactory(locale=home_page.locale) for _ in range(2)],
    }
    _grow(site, stories=3, gestures=10, kits=2, links=3)
    return site


def _paths(site):
    story = StoryPage.objects.live().child_of(site["story_index"]).first()
    return {
        path: {
            "STORY": story.url,
            "GESTURE": site["gestures"][0].url,
            "KIT": site["kits"][0].url,
        }.get(path, path)
        for path in UNCACHED
    }


def _measure(client, site, *, warm=False):
    figures = {}
    for name, path in _paths(site).items():
        client.get(path)  # the first visitor makes the renditions and the settings rows
        if warm:
            client.get(path)  # the next one fills the cache (making a row started a new one)
        figures[name] = _count(client, path, clear=not warm)
    return figures


def _compare(small, large, expected):
    assert small.pop(SEARCH) <= expected[SEARCH] and large.pop(SEARCH) <= expected[SEARCH]
    expected = {name: n for name, n in expected.items() if name != SEARCH}
    assert small == large == expected


@pytest.mark.django_db
def test_every_public_page_is_within_the_budget_once_the_site_data_are_cached(
    client, site, settings
):
    # The pages are rendered, not served from the page cache.
    assert settings.PAGE_CACHE_ENABLED is False
    assert max(WARM.values()) <= BUDGET
    small = _measure(client, site, warm=True)
    _grow(site, stories=40, gestures=100, kits=8, links=12)
    large = _measure(client, site, warm=True)
    _compare(small, large, WARM)


@pytest.mark.django_db
def test_every_public_page_runs_as_many_queries_with_little_or_much_content(client, site):
    small = _measure(client, site)
    _grow(site, stories=40, gestures=100, kits=8, links=12)
    large = _measure(client, site)
    _compare(small, large, UNCACHED)


@pytest.mark.django_db
def test_a_second_visit_reads_the_menus_and_site_roots_from_the_cache(client, site):
    _grow(site, stories=3, gestures=10, kits=2, links=12)
    for name, path in _paths(site).items():
        client.get(path)  # the first visitor makes the renditions and the settings row
        uncached = _count(client, path)
        # At least the navigation (2 queries) and Wagtail's site root paths (2) come from
        # the cache.
        assert _count(client, path, clear=False) <= uncached - 4, name


@pytest.mark.django_db
def test_404_runs_a_bounded_number_of_queries(client, site):
    client.get("/nexiste-pas/")  # the first visitor creates the settings row
    small = _count(client, "/nexiste-pas/", status=404)
    _grow(site, stories=40, gestures=100, kits=8, links=12)
    assert _count(client, "/nexiste-pas/", status=404) == small <= BUDGET


@pytest.mark.django_db
def test_the_cached_menu_shows_a_change_on_the_next_page_view(client, site):
    _navigation(site["home"], site["content"], 3)
    html = client.get("/").content.decode()
    assert ">Page 1</a>" in html
    client.get("/")  # now served from the cache
    nav = Navigation.objects.get(locale=site["home"].locale)
    links = [
        {"type": "link", "value": {"label": "Nous rejoindre", "page": None, "link_url": "/x/"}}
    ]
    nav.header_links = json.dumps(links)
    nav.save()
    html = client.get("/").content.decode()
    assert ">Nous rejoindre</a>" in html
    # A linked page renamed and published: its new title shows at once.
    page = site["content"][1]
    _navigation(site["home"], [page], 1)
    client.get("/")
    page.title = "Page renommée"
    page.save_revision().publish()
    assert ">Page renommée</a>" in client.get("/").content.decode()


@pytest.mark.django_db
def test_listings_leave_out_private_sections_in_their_one_query(client, site):
    # campaign.visibility.public_only replaced Wagtail's .public() (a query of its own each
    # time): a story under a restricted section must still never be listed.
    private = StoryPageFactory(parent=site["story_index"], title="Histoire privée")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    html = client.get("/").content.decode()
    assert "Histoire privée" not in html
    html = client.get("/histoires/").content.decode()
    assert "Histoire privée" not in html
    public = StoryPage.objects.live().child_of(site["story_index"]).exclude(pk=private.pk)
    html = client.get(public.first().url).content.decode()
    assert "Histoire privée" not in html


@pytest.mark.django_db
def test_kit_covers_in_three_formats_cost_as_many_queries_for_2_or_8_kits(client, site):
    def with_covers():
        for kit in site["kits"]:
            KitPage.objects.filter(pk=kit.pk).update(cover_image=PortraitFactory())

    with_covers()
    client.get("/kits/")  # the first visitor makes the renditions
    html = client.get("/kits/").content.decode()
    for media_type in ("image/avif", "image/webp"):
        assert html.count(f'type="{media_type}"') == 2
    small = _count(client, "/kits/")
    _grow(site, stories=3, gestures=10, kits=8, links=3)
    with_covers()
    client.get("/kits/")
    # The covers' renditions of every format and size: one query for all the kits.
    assert _count(client, "/kits/") == small == UNCACHED["/kits/"] + 1
