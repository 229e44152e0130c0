import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from stories.factories import StoryPageFactory

# The story page's queries once the site-wide data are in the cache (campaign/datacache.py:
# the site, settings, routing, language links, menus, and the page's head and body as
# rendered HTML, {% datacache %}): the locale, the index and the story (with its commune and
# department). Fixed whatever the content; tests/campaign/test_query_budget.py has the cold
# counts (themes, related cards, renditions, neighbours, gestures) and asserts that they do
# not grow with the content either.
STORY_PAGE_QUERIES = 3


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_story_page_shows_the_story_with_meta_and_share_links(
    client, story_index, geography, themes
):
    story = StoryPageFactory(
        parent=story_index,
        title="Karim répare les vélos",
        slug="karim",
        hero_first_name="Karim",
        hero_initial="B",
        commune=geography["melun"],
        themes=[themes["reparation"]],
    )
    html = client.get("/histoires/karim/").content.decode()
    assert '<h1 id="story-title">Karim répare les vélos</h1>' in html
    assert "Karim B." in html
    assert "Melun (Seine-et-Marne)" in html
    assert "On se croisait dans l&#x27;escalier" in html  # the pull-quote
    assert "Tout a commencé un mardi." in html  # the body
    assert '<meta property="og:type" content="article">' in html
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og_image.startswith("http://testserver/") and ".jpg" in og_image
    data = _json_ld(html)
    assert data["@type"] == "Article"
    assert data["headline"] == "Karim répare les vélos"
    assert data["image"] == [og_image]
    assert data["datePublished"] == story.publication_date.isoformat()
    assert data["url"] == "http://testserver/histoires/karim/"
    # Share links are plain addresses: no third-party script anywhere on the page.
    assert "mailto:?subject=Karim%20r%C3%A9pare%20les%20v%C3%A9los" in html
    assert (
        "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver%2Fhistoires%2Fkarim%2F"
        in html
    )
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('type="application/ld+json"' in s or 'src="/static/' in s for s in scripts)


@pytest.mark.django_db
def test_json_ld_cannot_break_out_of_its_script_element(client, story_index, geography):
    StoryPageFactory(
        parent=story_index,
        slug="xss",
        title="</script><script>alert(1)</script>",
        summary="<!-- & <b>gras</b>",
        commune=geography["melun"],
    )
    html = client.get("/histoires/xss/").content.decode()
    assert "<script>alert(1)" not in html
    data = _json_ld(html)
    assert data["headline"] == "</script><script>alert(1)</script>"
    assert data["description"] == "<!-- & <b>gras</b>"


@pytest.mark.django_db
def test_related_stories_share_a_theme_or_the_department(client, story_index, geography, themes):
    StoryPageFactory(
        parent=story_index,
        slug="main",
        title="Principale",
        commune=geography["melun"],
        themes=[themes["aines"]],
    )
    StoryPageFactory(
        parent=story_index,
        title="Même thème",
        commune=geography["brest"],
        themes=[themes["aines"]],
    )
    StoryPageFactory(
        parent=story_index,
        title="Même département",
        commune=geography["melun"].department.communes.exclude(pk=geography["melun"].pk).first(),
        themes=[themes["reparation"]],
    )
    StoryPageFactory(
        parent=story_index,
        title="Sans rapport",
        commune=geography["paris_11"],
        themes=[themes["accueil"]],
    )
    html = client.get("/histoires/main/").content.decode()
    related = html.split('id="related-title"')[1]
    assert "Même thème" in related and "Même département" in related
    assert "Sans rapport" not in related


@pytest.mark.django_db
def test_previous_and_next_follow_the_publication_dates(client, story_index, geography):
    import datetime

    day = datetime.date(2026, 2, 1)
    for n, slug in enumerate(["premiere", "deuxieme", "troisieme"]):
        StoryPageFactory(
            parent=story_index,
            slug=slug,
            title=slug.capitalize(),
            publication_date=day + datetime.timedelta(days=n),
            commune=geography["melun"],
        )
    html = client.get("/histoires/deuxieme/").content.decode()
    assert 'href="/histoires/premiere/" rel="prev"' in html
    assert 'href="/histoires/troisieme/" rel="next"' in html
    html = client.get("/histoires/premiere/").content.decode()
    assert 'rel="prev"' not in html.split('class="story-prev-next')[1].split("</nav>")[0]


@pytest.mark.django_db
def test_anonymous_visitors_cannot_see_a_draft(client, story_index, geography):
    StoryPageFactory(
        parent=story_index,
        slug="brouillon",
        live=False,
        consent_given=False,
        commune=geography["melun"],
    )
    assert client.get("/histoires/brouillon/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_story_page_runs_a_fixed_number_of_queries(client, story_index, geography, themes):
    StoryPageFactory(
        parent=story_index, slug="main", commune=geography["melun"], themes=[themes["aines"]]
    )
    StoryPageFactory(parent=story_index, commune=geography["brest"], themes=[themes["aines"]])
    client.get("/histoires/main/")  # make the renditions and the settings row
    client.get("/histoires/main/")  # fill the cache
    one_related = _queries(client, "/histoires/main/")
    # More related stories, more themes, neighbours on both sides: the same count.
    for _ in range(6):
        StoryPageFactory(
            parent=story_index,
            commune=geography["melun"],
            themes=[themes["aines"], themes["accueil"], themes["reparation"]],
        )
    client.get("/histoires/main/")
    crowded = _queries(client, "/histoires/main/")
    assert one_related == crowded == STORY_PAGE_QUERIES
