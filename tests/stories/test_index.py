from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from stories.factories import StoryPageFactory

# The index's queries once the site-wide data are in the cache (campaign/datacache.py: site,
# home page, settings, children's slugs, language links, themes, menus, the filter options
# and the cards as rendered HTML, {% datacache %}): the locale, the index page, the count.
# The same whether the page shows 3 stories or 12 (see the test below);
# tests/campaign/test_query_budget.py has the cold counts, the cards' queries included, and
# asserts that they do not grow with the content either.
INDEX_QUERIES = 3


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(ctx.captured_queries)


def _stories(index, n, **kwargs):
    return [StoryPageFactory(parent=index, **kwargs) for _ in range(n)]


@pytest.mark.django_db
def test_index_lists_live_stories_with_responsive_images(client, story_index, geography, themes):
    StoryPageFactory(
        parent=story_index,
        title="Josiane et les courses",
        commune=geography["melun"],
        themes=[themes["aines"]],
    )
    StoryPageFactory(parent=story_index, title="Un brouillon", live=False, consent_given=False)
    html = client.get("/histoires/").content.decode()
    assert "Josiane et les courses" in html
    assert "Un brouillon" not in html  # drafts never show
    assert "Josiane M." in html
    assert "Melun (77)" in html
    assert "Aînés" in html
    for fmt in ("image/avif", "image/webp"):
        assert f'type="{fmt}"' in html
    assert ".jpg" in html and "srcset=" in html
    assert 'alt="Illustration : un buste stylisé sur fond orangé."' in html
    assert "1 histoire" in html
    # The feed is announced to feed readers.
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/histoires/flux/"' in html


@pytest.mark.django_db
def test_filters_by_theme_region_and_department_with_plain_links(
    client, story_index, geography, themes
):
    StoryPageFactory(
        parent=story_index,
        title="Aînée à Melun",
        commune=geography["melun"],
        themes=[themes["aines"]],
    )
    StoryPageFactory(
        parent=story_index,
        title="Réparateur à Brest",
        commune=geography["brest"],
        themes=[themes["reparation"]],
    )
    StoryPageFactory(
        parent=story_index,
        title="Accueil à Paris",
        commune=geography["paris_11"],
        themes=[themes["accueil"], themes["aines"]],
    )
    html = client.get("/histoires/?theme=aines").content.decode()
    assert "Aînée à Melun" in html and "Accueil à Paris" in html
    assert "Réparateur à Brest" not in html
    assert "2 histoires" in html
    # A theme is also a plain link (no JavaScript needed).
    assert 'href="?theme=reparation"' in html

    html = client.get("/histoires/?region=53").content.decode()
    assert "Réparateur à Brest" in html and "Aînée à Melun" not in html
    html = client.get("/histoires/?departement=75").content.decode()
    assert "Accueil à Paris" in html and "Aînée à Melun" not in html
    assert "1 histoire" in html
    html = client.get("/histoires/?theme=aines&departement=77").content.decode()
    assert "Aînée à Melun" in html and "Accueil à Paris" not in html


@pytest.mark.django_db
def test_unknown_filter_values_are_ignored(client, story_index, geography, themes):
    _stories(story_index, 2, commune=geography["melun"])
    for query in (
        "theme=nexiste-pas",
        "region=99",
        "departement=%3Cscript%3E",
        "page=abc",
        "page=999",
        "theme=" + "x" * 5000,
    ):
        response = client.get(f"/histoires/?{query}")
        assert response.status_code == 200, query
        html = response.content.decode()
        assert "2 histoires" in html, query
        assert "<script>" not in html.split("<body")[1].replace("<script src=", "")


@pytest.mark.django_db
def test_pagination_shows_twelve_stories_a_page_and_keeps_filters(
    client, story_index, geography, themes
):
    _stories(story_index, 14, commune=geography["melun"], themes=[themes["aines"]])
    html = client.get("/histoires/?theme=aines").content.decode()
    assert html.count('class="card story-card"') == 12
    assert "14 histoires" in html
    assert 'href="?theme=aines&amp;page=2"' in html
    html = client.get("/histoires/?theme=aines&page=2").content.decode()
    assert html.count('class="card story-card"') == 2
    assert 'rel="prev"' in html


@pytest.mark.django_db
def test_empty_states_say_what_to_do(client, story_index, geography, themes):
    html = client.get("/histoires/").content.decode()
    assert "Les premières histoires arrivent bientôt." in html
    assert 'href="/histoires/proposer-un-heros/"' in html
    StoryPageFactory(parent=story_index, commune=geography["melun"], themes=[themes["aines"]])
    StoryPageFactory(parent=story_index, commune=geography["brest"], themes=[themes["accueil"]])
    html = client.get("/histoires/?theme=aines&region=53").content.decode()
    assert "Aucune histoire ne correspond à ces filtres" in html
    assert "0 histoire" in html


@pytest.mark.django_db
def test_index_runs_the_same_number_of_queries_for_3_and_12_stories(
    client, story_index, geography, themes
):
    _stories(story_index, 3, commune=geography["melun"], themes=[themes["aines"]])
    client.get("/histoires/")  # make the renditions and the settings row
    client.get("/histoires/")  # fill the cache
    _response, three = _get(client, "/histoires/")
    _stories(
        story_index,
        9,
        commune=geography["brest"],
        themes=[themes["reparation"], themes["accueil"]],
    )
    client.get("/histoires/")
    response, twelve = _get(client, "/histoires/")
    assert response.content.decode().count('class="card story-card"') == 12
    assert three == twelve == INDEX_QUERIES
