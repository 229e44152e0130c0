"""Posters and the engaged-commune page lead to the site's public address
(WAGTAILADMIN_BASE_URL), never to the Site record's `localhost`."""

import re

from django.core.files.storage import default_storage
from django.urls import reverse

import pypdfium2 as pdfium
import pytest
import zxingcpp

from kits import services
from kits.models import EngagedCommune

PUBLIC = "https://tousvoisins.example"


@pytest.fixture
def public_address(settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def _signup_page(home_page):
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Page

    content_type, _ = ContentType.objects.get_or_create(
        app_label="volunteers", model="volunteersignuppage"
    )
    page = Page(title="Je m'inscris", slug="je-m-inscris", content_type=content_type)
    home_page.add_child(instance=page)
    return page


def test_poster_qr_code_and_pdf_lead_to_the_public_address(
    public_address, poster_template, commune, home_page
):
    _signup_page(home_page)
    poster = services.poster_create(
        template=poster_template,
        commune=commune,
        logo_hash="",
        contact_line="Mairie",
        event_line="",
    )
    result = services.poster_file_get(poster=poster, size="A4", variant="couleur", extension="pdf")
    with default_storage.open(result.path, "rb") as handle:
        pdf = handle.read()
    document = pdfium.PdfDocument(pdf)
    try:
        codes = zxingcpp.read_barcodes(document[0].render(scale=2).to_pil())
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert [code.text for code in codes] == [f"{PUBLIC}/je-m-inscris/?commune=51513"]
    assert "localhost" not in text and b"localhost" not in pdf


def test_poster_without_a_signup_page_leads_to_the_public_home(public_address, commune, home_page):
    assert services.signup_url(commune=commune) == f"{PUBLIC}/?commune=51513"


def test_engaged_commune_signup_button_leads_to_the_public_address(
    public_address, client, melun, home_page
):
    _signup_page(home_page)
    EngagedCommune.objects.create(
        commune=melun,
        contact_name="Contact",
        role="Maire",
        email="mairie@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.APPROVED,
    )
    html = client.get(reverse("kits:engaged_commune", args=[melun.slug])).content.decode()
    assert f'href="{PUBLIC}/je-m-inscris/?commune=77288"' in html
    assert "localhost" not in html
    for link in re.findall(r'(?:href|src|content)="(https?://[^"]+)"', html):
        assert link.startswith(f"{PUBLIC}/"), link
