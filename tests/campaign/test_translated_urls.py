"""The apps' addresses in the visitor's language (campaign/routes.py), and the French ones
still answering under /en/ (printed posters, sent emails, bookmarks)."""

from django.urls import reverse
from django.utils import translation

import pytest

TOKEN = "abc:def"

# name, kwargs, French path, English path
ROUTES = [
    ("search", {}, "/recherche/", "/en/search/"),
    ("geography:search", {}, "/communes/", "/en/towns/"),
    (
        "volunteers:confirm",
        {"token": TOKEN},
        "/benevoles/confirmer/abc:def/",
        "/en/volunteers/confirm/abc:def/",
    ),
    (
        "volunteers:preferences",
        {"token": TOKEN},
        "/benevoles/preferences/abc:def/",
        "/en/volunteers/preferences/abc:def/",
    ),
    (
        "volunteers:data_download",
        {"token": TOKEN},
        "/benevoles/preferences/abc:def/mes-donnees.json",
        "/en/volunteers/preferences/abc:def/my-data.json",
    ),
    (
        "volunteers:erase",
        {"token": TOKEN},
        "/benevoles/preferences/abc:def/effacer/",
        "/en/volunteers/preferences/abc:def/erase/",
    ),
    (
        "volunteers:unsubscribe",
        {"token": TOKEN},
        "/benevoles/desinscription/abc:def/",
        "/en/volunteers/unsubscribe/abc:def/",
    ),
    ("kits:download", {"pk": 7}, "/telechargements/7/", "/en/downloads/7/"),
    ("kits:poster_form", {}, "/affiche-personnalisee/", "/en/custom-poster/"),
    (
        "kits:poster_result",
        {"key": "k1", "size": "A4", "variant": "couleur"},
        "/affiche-personnalisee/k1/A4-couleur/",
        "/en/custom-poster/k1/A4-couleur/",
    ),
    (
        "kits:poster_file",
        {"key": "k1", "size": "A4", "variant": "couleur", "extension": "pdf"},
        "/affiche-personnalisee/k1/A4-couleur.pdf",
        "/en/custom-poster/k1/A4-couleur.pdf",
    ),
    ("kits:engaged_communes", {}, "/communes-engagees/", "/en/committed-towns/"),
    ("kits:engaged_form", {}, "/communes-engagees/s-engager/", "/en/committed-towns/join/"),
    ("kits:engaged_thanks", {}, "/communes-engagees/merci/", "/en/committed-towns/thank-you/"),
    (
        "kits:engaged_confirm",
        {"token": TOKEN},
        "/communes-engagees/confirmer/abc:def/",
        "/en/committed-towns/confirm/abc:def/",
    ),
    (
        "kits:engaged_commune",
        {"slug": "melun-77288"},
        "/communes-engagees/melun-77288/",
        "/en/committed-towns/melun-77288/",
    ),
    (
        "network:confirm",
        {"token": TOKEN},
        "/rencontres/confirmer/abc:def/",
        "/en/meetings/confirm/abc:def/",
    ),
    (
        "network:cancel",
        {"token": TOKEN},
        "/rencontres/annuler/abc:def/",
        "/en/meetings/cancel/abc:def/",
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "french", "english"), ROUTES)
def test_every_app_address_is_in_the_active_language(name, kwargs, french, english):
    with translation.override("fr"):
        assert reverse(name, kwargs=kwargs) == french
    with translation.override("en"):
        assert reverse(name, kwargs=kwargs) == english


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs", "french", "english"), ROUTES)
def test_the_french_address_under_en_leads_to_the_english_one(
    client, home_page, name, kwargs, french, english
):
    response = client.get("/en" + french + "?utm_source=affiche")
    assert response.status_code == 301
    assert response["Location"] == english + "?utm_source=affiche"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/en/search/?q=voisins", 200),
        ("/en/towns/?q=77000", 200),
        ("/en/custom-poster/", 200),
        ("/en/committed-towns/join/", 200),
        ("/en/committed-towns/thank-you/", 200),
        ("/en/volunteers/confirm/not-a-token/", 400),  # answered, in English: a bad link
        ("/en/committed-towns/confirm/not-a-token/", 400),
        ("/en/meetings/confirm/not-a-token/", 400),
        ("/en/meetings/cancel/not-a-token/", 400),
        # The French ones stay as they were.
        ("/recherche/?q=voisins", 200),
        ("/communes/?q=77000", 200),
        ("/affiche-personnalisee/", 200),
    ],
)
def test_each_address_answers_in_its_language(client, home_page, english_home, url, status):
    response = client.get(url)
    assert response.status_code == status
    language = "en" if url.startswith("/en/") else "fr"
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.django_db
def test_english_paths_are_not_french_addresses(client, home_page):
    # Without /en/, the site speaks French and knows only French paths.
    assert client.get("/search/").status_code == 404
    assert client.get("/towns/").status_code == 404
