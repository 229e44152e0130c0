import re

import pytest

from campaign.factories import ContentPageFactory


def _switcher_links(html):
    nav = html.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    return dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav))


@pytest.mark.django_db
def test_language_switcher_leads_to_the_translation_of_the_page(client, home_page, locales):
    page = ContentPageFactory(parent=home_page, title="La campagne", slug="la-campagne")
    english = page.copy_for_translation(locales["en"])
    english.title = "The campaign"
    english.slug = "the-campaign"
    english.save_revision().publish()

    links = _switcher_links(client.get("/la-campagne/").content.decode())
    assert links == {"/en/the-campaign/": "en"}
    response = client.get("/en/the-campaign/")
    assert response.status_code == 200
    assert _switcher_links(response.content.decode()) == {"/la-campagne/": "fr"}


@pytest.mark.django_db
def test_language_switcher_falls_back_to_the_english_home(client, home_page, english_home):
    page = ContentPageFactory(parent=home_page, slug="seulement-en-francais")
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert _switcher_links(html) == {"/en/": "en"}
    # No hreflang alternate points to a translation that does not exist.
    assert 'hreflang="en"' not in html.split("</head>")[0]


@pytest.mark.django_db
def test_non_page_views_switch_language_by_url(client, home_page):
    html = client.get("/recherche/?q=voisins").content.decode()
    assert _switcher_links(html) == {"/en/search/?q=voisins": "en"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "lang", "title"),
    [
        ("/cette-page-n-existe-pas/", "fr", "Page introuvable"),
        ("/en/nope/", "en", "Page not found"),
    ],
)
def test_404_is_the_sites_own_page_in_each_language(client, home_page, url, lang, title):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert f"<h1>{title}</h1>" in html
    assert 'class="site-header"' in html


def test_500_page_is_plain_and_bilingual():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Un problème est survenu" in html
    assert "Something went wrong" in html
    assert "<script" not in html


@pytest.mark.django_db
def test_english_menu_leads_to_english_pages(client, home_page, locales):
    import json

    from campaign.models import Navigation

    page = ContentPageFactory(parent=home_page, title="La campagne", slug="la-campagne")
    english = page.copy_for_translation(locales["en"])
    english.title = "The campaign"
    english.slug = "the-campaign"
    english.save_revision().publish()
    # The English menu still points at the French page, as an editor may leave it.
    link = [{"type": "link", "value": {"label": "", "page": page.pk, "link_url": ""}}]
    for locale in locales.values():
        Navigation.objects.create(
            locale=locale, header_links=json.dumps(link), footer_links=json.dumps(link)
        )
    html = client.get("/en/").content.decode()
    menu = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/en/the-campaign/">The campaign</a>' in menu
    html = client.get("/").content.decode()
    menu = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/la-campagne/">La campagne</a>' in menu
