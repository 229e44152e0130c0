"""The site-wide data kept in Django's cache (campaign/datacache.py) follow every change at
once: a page published, renamed, made private; the home page or the site settings edited.
Each test warms the cache with two visits before the change, so a stale entry would be
served."""

from django.core.cache import cache

from wagtail.models import Locale, PageViewRestriction

import pytest

from campaign.factories import ContentPageFactory
from campaign.models import CampaignSettings


def _warm(client, path, status=200):
    for _ in range(2):
        assert client.get(path).status_code == status


@pytest.mark.django_db
def test_a_page_published_under_a_cached_parent_is_found_at_once(client, home_page):
    ContentPageFactory(parent=home_page, title="Aider", slug="aider")
    _warm(client, "/aider/")
    _warm(client, "/nouvelle/", status=404)
    ContentPageFactory(parent=home_page, title="Nouvelle page", slug="nouvelle")
    response = client.get("/nouvelle/")
    assert response.status_code == 200
    assert "Nouvelle page" in response.content.decode()


@pytest.mark.django_db
def test_a_renamed_page_moves_to_its_new_address_at_once(client, home_page):
    page = ContentPageFactory(parent=home_page, title="Aider", slug="aider")
    _warm(client, "/aider/")
    page.slug = "s-entraider"
    page.save_revision().publish()
    assert client.get("/aider/").status_code == 404
    assert client.get("/s-entraider/").status_code == 200


@pytest.mark.django_db
def test_an_unpublished_page_is_gone_at_once(client, home_page):
    page = ContentPageFactory(parent=home_page, title="Aider", slug="aider")
    _warm(client, "/aider/")
    page.unpublish()
    assert client.get("/aider/").status_code == 404


@pytest.mark.django_db
def test_a_page_made_private_is_refused_at_once(client, home_page):
    # While no page is private, no page reads its restrictions: the first restriction
    # must be seen by the next visitor.
    page = ContentPageFactory(parent=home_page, title="Réservée", slug="reservee")
    _warm(client, "/reservee/")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/reservee/")
    assert response.status_code == 302 and "login" in response["Location"]
    # And lifted again.
    PageViewRestriction.objects.filter(page=page).delete()
    assert client.get("/reservee/").status_code == 200


@pytest.mark.django_db
def test_the_edited_home_page_shows_at_once(client, home_page):
    _warm(client, "/")
    home_page.hero_title = "Une heure pour la rue des Lilas"
    home_page.save_revision().publish()
    assert "Une heure pour la rue des Lilas" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_saved_site_settings_show_at_once(client, home_page):
    _warm(client, "/")
    settings = CampaignSettings.for_site(home_page.get_site())
    settings.campaign_name = "Voisins de Melun"
    settings.save()
    html = client.get("/").content.decode()
    assert html.count("Voisins de Melun") >= 2  # the header and the footer


@pytest.mark.django_db
def test_a_new_translation_shows_in_the_language_links_at_once(client, home_page):
    page = ContentPageFactory(parent=home_page, title="Aider", slug="aider")
    _warm(client, "/aider/")
    assert "/en/help/" not in client.get("/aider/").content.decode()
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title, english.slug = "Help", "help"
    english.save_revision().publish()
    html = client.get("/aider/").content.decode()
    assert "/en/help/" in html


@pytest.mark.django_db
def test_a_forged_host_is_refused_and_gets_no_cache_entry(client, home_page):
    _warm(client, "/")
    response = client.get("/", HTTP_HOST="forged.example")
    assert response.status_code == 400
    assert not [key for key in cache._cache if "forged" in key]
    assert [key for key in cache._cache if ":site:" in key]  # the real host's entry
