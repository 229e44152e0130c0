import pytest

from campaign.factories import ContentPageFactory


@pytest.mark.django_db
def test_search_finds_pages_of_the_visitors_language(client, home_page, locales):
    page = ContentPageFactory(parent=home_page, title="Fête des voisins", slug="fete")
    english = page.copy_for_translation(locales["en"])
    english.title = "Neighbours' day"
    english.slug = "neighbours-day"
    english.save_revision().publish()

    html = client.get("/recherche/", {"q": "fête"}).content.decode()
    assert "Fête des voisins" in html
    assert "Neighbours&#x27; day" not in html
    html = client.get("/en/search/", {"q": "neighbours"}).content.decode()
    assert "Neighbours&#x27; day" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"q": "<script>alert(1)</script>"},
        {"q": "x" * 5000},
        {"q": "voisins", "page": "abc"},
        {"q": "voisins", "page": "99999"},
        {"q": "🏠 مرحبا"},
        {"q": ""},
    ],
)
def test_search_handles_bad_input(client, home_page, params):
    response = client.get("/recherche/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html


@pytest.mark.django_db
def test_sitemap_lists_pages_of_both_languages(client, english_home):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "<loc>http://testserver/</loc>" in xml
    assert "<loc>http://testserver/en/</loc>" in xml


@pytest.mark.django_db
def test_robots_txt_points_to_the_sitemap(client, home_page):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.django_db
def test_search_counts_use_the_french_plural_rule(client, home_page):
    html = client.get("/recherche/", {"q": "introuvable"}).content.decode()
    assert "0 résultat pour « introuvable »." in html


@pytest.mark.django_db
def test_search_runs_the_same_queries_for_few_and_many_results(client, home_page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def search_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/recherche/", {"q": "couscous"})
        assert response.status_code == 200
        results = response.content.decode().split('class="search-results"', 1)[1]
        return len(ctx.captured_queries), results.split("</ol>", 1)[0].count("<li>")

    for n in range(2):
        ContentPageFactory(parent=home_page, title=f"Couscous partagé {n}", slug=f"repas-{n}")
    client.get("/recherche/", {"q": "couscous"})  # warm Wagtail's site-root cache
    few, shown_few = search_queries()
    for n in range(2, 9):
        ContentPageFactory(parent=home_page, title=f"Couscous partagé {n}", slug=f"repas-{n}")
    many, shown_many = search_queries()
    assert (shown_few, shown_many) == (2, 9)
    assert few == many
