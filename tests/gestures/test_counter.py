from django.test import Client

import pytest

from gestures.models import GestureCounter
from gestures.selectors import DONE_COOKIE

from .conftest import reload


@pytest.mark.django_db
def test_counter_accepts_only_post(client, gestures):
    response = client.get("/gestes/geste-1/fait/")
    assert response.status_code == 405
    assert GestureCounter.objects.count() == 0


@pytest.mark.django_db
def test_counter_needs_the_csrf_token(gestures):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/gestes/geste-1/fait/").status_code == 403
    assert GestureCounter.objects.count() == 0
    # With the token from the page's form, the same visitor is counted.
    strict.get("/gestes/geste-1/")
    token = strict.cookies["csrftoken"].value
    response = strict.post("/gestes/geste-1/fait/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert GestureCounter.objects.get().count == 1


@pytest.mark.django_db
def test_counter_counts_once_per_visitor(client, gestures):
    response = client.post("/gestes/geste-1/fait/")
    assert response.status_code == 303
    assert response["Location"] == "/gestes/geste-1/#fait"
    followed = client.get("/gestes/geste-1/").content.decode()
    assert "Merci ! Votre geste est compté." in followed
    assert "1 personne a déjà fait ce geste." in followed
    assert "Vous avez indiqué avoir fait ce geste." in followed
    client.post("/gestes/geste-1/fait/")
    client.post("/gestes/geste-1/fait/")
    assert GestureCounter.objects.get(translation_key=gestures[0].translation_key).count == 1
    # Another visitor is counted too; and one visitor can do several gestures.
    Client().post("/gestes/geste-1/fait/")
    client.post("/gestes/geste-2/fait/")
    assert GestureCounter.objects.get(translation_key=gestures[0].translation_key).count == 2
    assert GestureCounter.objects.get(translation_key=gestures[1].translation_key).count == 1


@pytest.mark.django_db
def test_counter_cookie_holds_numbers_only_and_is_signed(client, gestures):
    client.post("/gestes/geste-3/fait/")
    client.post("/gestes/geste-1/fait/")
    cookie = client.cookies[DONE_COOKIE]
    assert cookie.value.startswith("1,3:")  # gesture numbers, then the signature
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # A forged cookie is ignored: the visitor is counted, not trusted.
    client.cookies[DONE_COOKIE] = "1,2,3,4"
    client.post("/gestes/geste-2/fait/")
    assert GestureCounter.objects.get(translation_key=gestures[1].translation_key).count == 1


@pytest.mark.django_db
def test_counter_stores_nothing_about_the_visitor(client, gestures):
    client.post("/gestes/geste-1/fait/", REMOTE_ADDR="203.0.113.7")
    fields = {f.name for f in GestureCounter._meta.get_fields()}
    assert fields == {"id", "translation_key", "count"}
    # The page itself is untouched (a later revision would not overwrite the count).
    assert reload(gestures[0]).latest_revision_id == gestures[0].latest_revision_id


@pytest.mark.django_db
def test_count_is_shown_in_the_catalogue(client, gestures):
    client.post("/gestes/geste-4/fait/")
    Client().post("/gestes/geste-4/fait/")
    html = client.get("/gestes/").content.decode()
    assert "2 personnes l'ont fait" in html
    # A gesture nobody reported yet shows no count.
    assert html.count("personne l") == 0
