import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import Navigation
from stories.factories import StoryIndexPageFactory, StoryPageFactory

# The home page's queries once the site-wide data are in the cache (campaign/datacache.py:
# site, home page, settings, view restrictions, language links, the menus, and the sections
# as rendered HTML, {% datacache %}): the button's page, and the hours given to neighbours
# (helprequests.selectors.public_hours: one sum, read at each render so that a request marked
# done shows at once). A fixed number whatever the content (see the test below);
# tests/campaign/test_query_budget.py has the cold counts, the sections' queries included, and
# asserts that they do not grow with the content either.
HOME_PAGE_QUERIES = 2


@pytest.mark.django_db
def test_home_page_renders_in_french(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Tous voisins, tous solidaires" in html
    assert "Aller au contenu" in html
    # Sections show their empty state until stories, gestures and kits exist.
    assert "Le geste du mois" in html


@pytest.mark.django_db
def test_home_page_renders_in_english(client, english_home):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "All neighbours, all in it together" in html
    assert "Skip to content" in html
    assert "Gesture of the month" in html


@pytest.mark.django_db
def test_home_page_has_landmarks_and_meta(client, home_page):
    html = client.get("/").content.decode()
    for fragment in (
        '<main id="contenu"',
        '<header class="site-header"',
        '<footer class="site-footer"',
        'href="#contenu"',
        '<link rel="canonical" href="http://testserver/">',
        '<meta property="og:title"',
        '<link rel="alternate" hreflang="en" href="http://testserver/en/">',
        '<link rel="alternate" hreflang="fr" href="http://testserver/">',
    ):
        assert fragment in html, fragment
    # No third-party resources: every script, stylesheet and font is ours.
    assert "https://" not in html.split("<body")[0].replace("https://testserver", "")


def _home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_home_page_runs_a_fixed_number_of_queries(client, home_page):
    client.get("/")  # the first visitor makes the settings rows (a new cache generation)
    client.get("/")  # the next fills the cache (campaign/datacache.py)
    assert _home_queries(client) == HOME_PAGE_QUERIES
    # More pages on the site, and in the navigation and footer, add no query.
    pages = [ContentPageFactory(parent=home_page, title=f"Page {n}") for n in range(8)]
    links = [{"type": "link", "value": {"label": "", "page": p.pk, "link_url": ""}} for p in pages]
    Navigation.objects.create(
        locale=home_page.locale,
        header_links=json.dumps(links[:2]),
        footer_links=json.dumps(links[:2]),
    )
    # One story in the stories section, then five (three shown), each with its portrait.
    story_index = StoryIndexPageFactory(parent=home_page)
    StoryPageFactory(parent=story_index)
    client.get("/")  # make the portrait's renditions, as the first visitor would
    client.get("/")  # fill the cache again (publishing started a new generation)
    first = _home_queries(client)
    nav = Navigation.objects.get()
    nav.header_links = json.dumps(links[:7])
    nav.footer_links = json.dumps(links)
    nav.save()
    for _ in range(4):
        StoryPageFactory(parent=story_index)
    client.get("/")
    html = client.get("/").content.decode()
    assert html.count('class="card story-card"') == 3
    assert _home_queries(client) == first == HOME_PAGE_QUERIES
