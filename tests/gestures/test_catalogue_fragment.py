"""The catalogue keeps its cards as a fragment of the site data ({% datacache %}) and punches
the live "J'ai fait ce geste" counts into it ({% done_counts %},
gestures/templatetags/gesture_counts.py): the counts follow every click, the cards every
publication, the filters never share a fragment they should not, and made-up query strings
cannot fill the cache. A gesture page keeps what is site data (category, neighbours, stories,
sign-up link) in the same cache, and reads its counter and the visitor's cookie live."""

from html import unescape

from django.test import Client

import pytest

from gestures import selectors
from gestures.models import GestureCategory

from .conftest import reload

pytestmark = pytest.mark.django_db


def _catalogue(client, query=""):
    response = client.get("/gestes/" + query)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_a_click_shows_at_once_in_a_kept_catalogue(client, gestures):
    _catalogue(client)  # the first visitor keeps the cards
    assert "l'ont fait" not in _catalogue(client)
    client.post("/gestes/geste-4/fait/")
    html = _catalogue(client)
    assert "1 personne l'a fait" in html
    Client(REMOTE_ADDR="198.51.100.20").post("/gestes/geste-4/fait/")
    Client(REMOTE_ADDR="198.51.100.21").post("/gestes/geste-7/fait/")
    html = _catalogue(client)
    assert html.count("2 personnes l'ont fait") == 1
    assert html.count("1 personne l'a fait") == 1
    # The count sits on its own card, after the card's facts.
    card = html[html.index('id="geste-4"') : html.index("</li>", html.index('id="geste-4"'))]
    assert "· 2 personnes l'ont fait</p>" in card
    assert "<!--done:" not in html


def test_the_english_catalogue_shows_the_counts_in_english(
    client, gestures, catalogue, english_home, locales
):
    english_catalogue = catalogue.copy_for_translation(locales["en"])
    english_catalogue.slug = "gestures"
    english_catalogue.save_revision().publish()
    english = gestures[0].copy_for_translation(locales["en"])
    english.slug = "gesture-1"
    english.save_revision().publish()
    client.get("/en/gestures/")  # kept before the clicks
    client.post("/gestes/geste-1/fait/")
    Client(REMOTE_ADDR="198.51.100.20").post("/gestes/geste-1/fait/")
    assert "2 personnes l'ont fait" in _catalogue(client)
    html = unescape(client.get("/en/gestures/").content.decode())
    assert "2 people did it" in html
    assert "personnes" not in html
    assert "<!--done:" not in html


def test_a_renamed_gesture_shows_at_once_in_a_kept_catalogue(client, gestures):
    assert "Porter les courses" not in _catalogue(client)
    page = reload(gestures[3])
    page.title = "Porter les courses de Mme Lefèvre"
    page.save_revision().publish()
    assert "Porter les courses de Mme Lefèvre" in _catalogue(client)


def test_each_filter_gets_its_own_fragment(client, gestures):
    everything = _catalogue(client)
    filtered = _catalogue(client, "?categorie=aines")
    assert everything.count(" hidden>") < filtered.count(" hidden>")
    assert 'value="aines" data-label="Prendre soin des aînés" selected' in filtered
    assert "selected" not in everything.split('id="filtre-categorie"')[1].split("</select>")[0]
    by_number = _catalogue(client, "?tri=numero")
    assert 'value="numero" checked' in by_number
    assert _catalogue(client) == everything


def test_unknown_filter_values_share_the_unfiltered_fragment(gestures):
    categories = list(GestureCategory.objects.filter(locale__language_code="fr"))
    plain = selectors.catalogue_key(params={}, categories=categories)
    for params in (
        {"categorie": "n-existe-pas"},
        {"duree": "<script>"},
        {"public": "x" * 500},
        {"tri": "aleatoire"},
        {"categorie": "", "page": "3"},
    ):
        assert selectors.catalogue_key(params=params, categories=categories) == plain
    assert selectors.catalogue_key(params={"categorie": "aines"}, categories=categories) != plain


def test_a_marker_typed_by_an_editor_is_shown_as_text(client, gestures):
    client.post("/gestes/geste-1/fait/")
    page = reload(gestures[0])
    marker = f"<!--done:{page.translation_key}-->"
    page.description = f"Un texte qui contient {marker}"
    page.save_revision().publish()
    html = client.get("/gestes/").content.decode()
    assert "&lt;!--done:" in html
    assert html.count("1 personne l&#x27;a fait") + html.count("1 personne l'a fait") == 1


def test_a_kept_gesture_page_shows_its_live_count_and_the_visitor_s_own_state(client, gestures):
    client.get("/gestes/geste-2/")
    client.get("/gestes/geste-2/")  # kept
    other = Client(REMOTE_ADDR="198.51.100.30")
    other.post("/gestes/geste-2/fait/")
    html = unescape(client.get("/gestes/geste-2/").content.decode())
    assert "1 personne a déjà fait ce geste." in html
    assert "J'ai fait ce geste</button>" in html
    mine = unescape(other.get("/gestes/geste-2/").content.decode())
    assert "Vous avez indiqué avoir fait ce geste. Merci !" in mine
    assert "J'ai fait ce geste</button>" not in mine


def test_a_kept_gesture_page_follows_its_category_and_its_neighbours(client, gestures):
    html = unescape(client.get("/gestes/geste-5/").content.decode())
    assert "Geste n° 6 →" in html
    category = GestureCategory.objects.get(slug="lien-social", locale__language_code="fr")
    category.name = "Créer du lien entre voisins"
    category.save()
    following = reload(gestures[5])
    following.unpublish()
    html = unescape(client.get("/gestes/geste-5/").content.decode())
    assert "Créer du lien entre voisins" in html
    assert "Geste n° 6 →" not in html
    assert "Geste n° 7 →" in html
