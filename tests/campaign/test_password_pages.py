"""The password form of a restricted page or document is a page of the site (its layout, its
landmarks, the visitor's language), not Wagtail's bare HTML page without a <main>."""

from django.core.files.base import ContentFile

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

import pytest

pytestmark = pytest.mark.django_db


def _check_site_page(response, *, lang, message):
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert "<main" in html and "<header" in html and "<footer" in html
    assert message in html
    assert 'name="password"' in html and 'type="password"' in html
    assert "<label" in html and 'for="id_password"' in html


def test_a_restricted_page_asks_its_password_in_the_sites_layout(client, home_page):
    PageViewRestriction.objects.create(
        page=home_page, restriction_type=PageViewRestriction.PASSWORD, password="partage"
    )
    response = client.get("/")
    _check_site_page(response, lang="fr", message="Cette page est réservée.")
    assert "Mot de passe demandé" in response.content.decode()


def test_a_restricted_document_asks_its_password_in_the_sites_layout(client, home_page):
    collection = Collection.get_first_root_node().add_child(name="Réservé aux mairies")
    document = get_document_model().objects.create(
        title="Convention",
        file=ContentFile(b"%PDF-1.4 test", name="convention.pdf"),
        collection=collection,
    )
    CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="partage",
    )
    response = client.get(document.url)
    _check_site_page(response, lang="fr", message="Ce document est réservé.")
