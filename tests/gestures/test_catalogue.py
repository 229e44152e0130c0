import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from .conftest import add_gestures

# The catalogue's queries once the site-wide data are in the cache (campaign/datacache.py:
# site, home page, routing, settings, view restrictions, language links; the menus): the
# locale, the catalogue page, and ONE query for all the gestures with their categories and
# counters. The same with 12 gestures or 100. tests/campaign/test_query_budget.py has the
# cold count.
CATALOGUE_QUERIES = 3


def _items(html):
    """The numbers of the gestures shown (not hidden) in the catalogue's HTML."""
    shown = []
    for match in re.finditer(r'<li class="gesture-list__item[^"]*" id="geste-(\d+)"([^>]*)>', html):
        if " hidden" not in match.group(2):
            shown.append(int(match.group(1)))
    return shown


def _warm_queries(client, url):
    """The queries of a visit once the site-wide data are in the cache (campaign/datacache.py):
    the first visit makes the settings rows (which starts a new generation), the second
    fills the cache."""
    client.get(url)
    client.get(url)
    return _queries(client, url)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_catalogue_lists_every_gesture_with_its_anchor_and_link(client, gestures):
    html = client.get("/gestes/").content.decode()
    assert sorted(_items(html)) == list(range(1, 13))
    for gesture in gestures:
        # Each gesture reachable by anchor in the catalogue and at its own URL.
        assert f'id="geste-{gesture.number}"' in html
        assert f'href="/gestes/geste-{gesture.number}/"' in html
        assert client.get(f"/gestes/geste-{gesture.number}/").status_code == 200
    assert "12 gestes correspondent à votre choix." in html
    assert 'src="/static/js/gestures.js" defer' in html
    # The catalogue's paper rules are in the site's one stylesheet (issue 14).
    css = (settings.BASE_DIR / "static/css/site.css").read_text()
    assert ".gesture-list__item { break-inside: avoid;" in css.split("@media print {", 1)[1]


@pytest.mark.django_db
def test_catalogue_groups_by_category_or_sorts_by_number(client, gestures):
    grouped = _items(client.get("/gestes/").content.decode())
    # Grouped by category (number % 3 decides it: 3, 6, 9, 12 first).
    assert grouped[:4] == [3, 6, 9, 12]
    by_number = _items(client.get("/gestes/?tri=numero").content.decode())
    assert by_number == list(range(1, 13))


@pytest.mark.django_db
def test_filters_by_category_time_and_audience_without_javascript(client, gestures):
    html = client.get("/gestes/?categorie=aines").content.decode()
    assert _items(html) == [3, 6, 9, 12]
    html = client.get("/gestes/?duree=1h").content.decode()
    assert sorted(_items(html)) == [2, 6, 10]
    html = client.get("/gestes/?public=voisins").content.decode()
    # Audiences "voisins" (n % 4 == 2) and "nouveaux-arrivants,voisins" (n % 4 == 3).
    assert sorted(_items(html)) == [2, 3, 6, 7, 10, 11]
    html = client.get("/gestes/?categorie=aines&duree=1h").content.decode()
    assert _items(html) == [6]
    assert "Un geste correspond à votre choix." in html
    # Every gesture stays in the page (hidden), so that JavaScript can show it again.
    assert html.count("data-gesture-item") == 12
    # The data attributes the script filters on.
    assert 'data-categorie="aines" data-duree="1h" data-public="voisins"' in html


@pytest.mark.django_db
def test_filter_counts_per_value(client, gestures):
    html = client.get("/gestes/").content.decode()
    assert re.search(r'<option value="aines" data-label="[^"]+">[^<]+ \(4\)</option>', html)
    assert re.search(r'<option value="1h" data-label="[^"]+">[^<]+ \(3\)</option>', html)
    assert re.search(r'<option value="voisins" data-label="[^"]+">[^<]+ \(6\)</option>', html)
    assert re.search(r'<option value="handicap" data-label="[^"]+">[^<]+ \(0\)</option>', html)
    # Counts of a filter take the other filters into account (faceted search).
    html = client.get("/gestes/?categorie=aines").content.decode()
    assert re.search(r'<option value="1h" data-label="[^"]+">[^<]+ \(1\)</option>', html)
    assert re.search(
        r'<option value="aines" data-label="[^"]+" selected>[^<]+ \(4\)</option>', html
    )


@pytest.mark.django_db
def test_unknown_filter_values_are_ignored(client, gestures):
    for query in (
        "?categorie=nexiste-pas",
        "?duree=3h&public=%3Cscript%3E",
        "?tri=hasard&categorie=",
        "?categorie=aines&categorie=lien-social",
        "?public=" + "x" * 5000,
    ):
        response = client.get("/gestes/" + query)
        assert response.status_code == 200, query
    html = client.get("/gestes/?categorie=nexiste-pas&duree=1h").content.decode()
    assert sorted(_items(html)) == [2, 6, 10]
    assert "<script>" not in client.get("/gestes/?public=<script>").content.decode()


@pytest.mark.django_db
def test_no_match_shows_a_clear_message(client, gestures):
    html = client.get("/gestes/?categorie=aines&public=handicap").content.decode()
    assert _items(html) == []
    assert "Aucun geste ne correspond à ce choix." in html


@pytest.mark.django_db
def test_catalogue_runs_a_fixed_number_of_queries(client, catalogue, categories):
    add_gestures(catalogue, categories, range(1, 13))
    assert _warm_queries(client, "/gestes/") == CATALOGUE_QUERIES
    add_gestures(catalogue, categories, range(13, 101))
    assert _warm_queries(client, "/gestes/") == CATALOGUE_QUERIES
    html = client.get("/gestes/?public=aines").content.decode()
    assert _warm_queries(client, "/gestes/?public=aines&duree=1h") == CATALOGUE_QUERIES
    assert len(re.findall(r'id="geste-\d+"', html)) == 100
