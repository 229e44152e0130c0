from html import unescape

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
def test_counter_refuses_cross_site_posts(gestures):
    # The gesture page is cached, so its button has no CSRF token: the origin is checked
    # instead (campaign/csrf.py).
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/gestes/geste-1/fait/", headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert GestureCounter.objects.count() == 0
    page = strict.get("/gestes/geste-1/").content.decode()
    assert "csrfmiddlewaretoken" not in page
    response = strict.post("/gestes/geste-1/fait/", headers={"Sec-Fetch-Site": "same-origin"})
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
    # Another visitor (another address) is counted too; one visitor can do several gestures.
    Client(REMOTE_ADDR="198.51.100.20").post("/gestes/geste-1/fait/")
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
    Client(REMOTE_ADDR="198.51.100.20").post("/gestes/geste-4/fait/")
    html = client.get("/gestes/").content.decode()
    assert "2 personnes l'ont fait" in html
    # A gesture nobody reported yet shows no count.
    assert html.count("personne l") == 0


def _count(gesture):
    counter = GestureCounter.objects.filter(translation_key=gesture.translation_key).first()
    return counter.count if counter else 0


@pytest.mark.django_db
def test_fresh_sessions_from_one_address_count_once(gestures):
    # Before: every POST without the cookie added one (20 fresh sessions added 20).
    responses = [Client(REMOTE_ADDR="203.0.113.5").post("/gestes/geste-1/fait/") for _ in range(20)]
    assert _count(gestures[0]) == 1
    # Every one of them got the same honest answer, and the cookie to remember it.
    assert {r.status_code for r in responses} == {303}
    assert all(r.cookies[DONE_COOKIE].value.startswith("1:") for r in responses)
    last = Client(REMOTE_ADDR="203.0.113.5")
    last.post("/gestes/geste-1/fait/")
    html = unescape(last.get("/gestes/geste-1/").content.decode())
    assert "Merci, c'est déjà compté." in html
    assert "1 personne a déjà fait ce geste." in html
    assert "Merci ! Votre geste est compté." not in html


@pytest.mark.django_db
def test_a_burst_of_50_posts_adds_one_per_address_and_the_excess_gets_429(gestures, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "gesture_done": "30/3600"}
    statuses = [
        Client(REMOTE_ADDR="203.0.113.5").post("/gestes/geste-1/fait/").status_code
        for _ in range(50)
    ]
    assert statuses == [303] * 30 + [429] * 20
    assert _count(gestures[0]) == 1
    # Two other addresses add two; the first address's burst does not block them.
    for address in ("198.51.100.1", "198.51.100.2"):
        assert Client(REMOTE_ADDR=address).post("/gestes/geste-1/fait/").status_code == 303
    assert _count(gestures[0]) == 3
    refused = Client(REMOTE_ADDR="203.0.113.5").post("/gestes/geste-1/fait/")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


@pytest.mark.django_db
def test_one_address_counts_each_gesture_and_again_the_next_day(gestures, monkeypatch):
    from campaign import ratelimit

    monkeypatch.setattr(ratelimit, "now", lambda: 86400.0 * 20000 + 60)
    for number in (1, 2, 1, 2):
        Client(REMOTE_ADDR="203.0.113.5").post(f"/gestes/geste-{number}/fait/")
    assert _count(gestures[0]) == _count(gestures[1]) == 1
    monkeypatch.setattr(ratelimit, "now", lambda: 86400.0 * 20001 + 60)
    Client(REMOTE_ADDR="203.0.113.5").post("/gestes/geste-1/fait/")
    assert _count(gestures[0]) == 2


@pytest.mark.django_db
def test_the_english_page_shares_the_count_and_the_address(
    gestures, catalogue, english_home, locales
):
    english_catalogue = catalogue.copy_for_translation(locales["en"])
    english_catalogue.slug = "gestures"
    english_catalogue.save_revision().publish()
    english = gestures[0].copy_for_translation(locales["en"])
    english.slug = "gesture-1"
    english.save_revision().publish()
    english.refresh_from_db()
    Client(REMOTE_ADDR="203.0.113.5").post("/gestes/geste-1/fait/")
    visitor = Client(REMOTE_ADDR="203.0.113.5")
    response = visitor.post(english.url + english.reverse_subpage("done"))
    assert response.status_code == 303
    assert _count(gestures[0]) == 1
    html = unescape(visitor.get(english.url).content.decode())
    assert "Thank you, it is already counted." in html


@pytest.mark.django_db
def test_behind_a_proxy_spoofed_forwarded_for_counts_once(gestures, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5").post(
            "/gestes/geste-1/fait/"
        )
    assert _count(gestures[0]) == 1
    Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6").post("/gestes/geste-1/fait/")
    assert _count(gestures[0]) == 2


@pytest.mark.django_db
def test_a_script_asking_for_json_gets_the_same_answer(gestures):
    # The button is a plain form (no script sends it): a fetch-style request is treated like
    # any other, redirected, and counted once.
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    for _ in range(3):
        response = Client(REMOTE_ADDR="203.0.113.5").post("/gestes/geste-1/fait/", **headers)
        assert response.status_code == 303
    assert _count(gestures[0]) == 1
