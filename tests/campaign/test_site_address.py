"""WAGTAILADMIN_BASE_URL is the site's one public address: sitemap, robots.txt, canonical
links, emails' links, and the default Site record all follow it."""

import re
from io import StringIO

from django.core.management import call_command

from wagtail.models import Site

import pytest

from campaign import checks, site_address

PUBLIC = "https://tousvoisins.example"


@pytest.fixture
def public_address(settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def test_public_url_keeps_https_and_a_non_default_port(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://voisins.example:8443/"
    assert site_address.public_url("/gestes/") == "https://voisins.example:8443/gestes/"
    assert site_address.public_url("gestes/") == "https://voisins.example:8443/gestes/"
    assert site_address.rebase("http://localhost/en/?a=1#b") == (
        "https://voisins.example:8443/en/?a=1#b"
    )
    assert site_address.public_url("https://cdn.example/x.jpg") == "https://cdn.example/x.jpg"
    assert site_address.hostname_and_port() == ("voisins.example", 8443)
    settings.WAGTAILADMIN_BASE_URL = "https://voisins.example"
    assert site_address.hostname_and_port() == ("voisins.example", 443)
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    assert site_address.hostname_and_port() == ("127.0.0.1", 8000)


@pytest.mark.django_db
def test_sitemap_and_robots_give_the_public_address(public_address, client, english_home):
    xml = client.get("/sitemap.xml").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert f"{PUBLIC}/" in locations and f"{PUBLIC}/en/" in locations
    assert all(loc.startswith(f"{PUBLIC}/") for loc in locations), locations
    assert "localhost" not in xml
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in robots


@pytest.mark.django_db
def test_canonical_links_use_the_public_address(public_address, client, home_page):
    html = client.get("/", HTTP_HOST="127.0.0.1").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}/">' in html
    assert "localhost" not in html and "http://127.0.0.1" not in html


@pytest.mark.django_db
def test_site_address_sync_gives_the_default_site_the_public_host(public_address, home_page):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 80)
    warnings = checks.site_address_check(databases=["default"])
    assert [w.id for w in warnings] == ["campaign.W001"]
    out = StringIO()
    call_command("site_address_sync", stdout=out)
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("tousvoisins.example", 443)
    assert site.root_url == PUBLIC
    assert checks.site_address_check(databases=["default"]) == []
    assert "tousvoisins.example:443" in out.getvalue()
    # Idempotent.
    assert site_address.default_site_sync() is False


@pytest.mark.django_db
def test_the_check_needs_the_database_tag():
    # Without a database (`check --deploy` before migrating) it stays silent.
    assert checks.site_address_check(databases=None) == []
