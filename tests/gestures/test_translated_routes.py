"""The catalogue's booklet and a gesture's "done" button on English routes for the English
pages; the French routes keep working there."""

import pytest

from gestures.models import GestureCounter

from .conftest import add_gestures

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(catalogue, categories, english_home, locales):
    (gesture,) = add_gestures(catalogue, categories, [1])
    index = catalogue.copy_for_translation(locales["en"])
    index.slug = "gestures"
    index.save_revision().publish()
    page = gesture.copy_for_translation(locales["en"])
    page.slug = "gesture-1"
    page.save_revision().publish()
    return {"index": index, "gesture": page}


def test_the_english_booklet_has_an_english_address(client, english):
    html = client.get("/en/gestures/").content.decode()
    assert 'href="/en/gestures/booklet/"' in html and "livret" not in html
    response = client.get("/en/gestures/booklet/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # The French one stays the French catalogue's.
    assert client.get("/gestes/livret/").status_code == 200
    assert client.get("/gestes/booklet/").status_code == 404


def test_the_old_french_booklet_address_under_en_is_sent_on(client, english):
    response = client.get("/en/gestures/livret/")
    assert response.status_code == 301
    assert response["Location"] == "/en/gestures/booklet/"


def test_the_english_done_button_posts_to_an_english_route(client, english):
    html = client.get("/en/gestures/gesture-1/").content.decode()
    assert 'action="/en/gestures/gesture-1/done/"' in html
    assert client.post("/en/gestures/gesture-1/done/").status_code == 303
    # A page still holding the French route (a cached copy) counts too (another visitor: one
    # address counts once per gesture, campaign/ratelimit.py).
    client.cookies.clear()
    response = client.post("/en/gestures/gesture-1/fait/", REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 303
    assert GestureCounter.objects.get().count == 2
