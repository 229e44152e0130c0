"""An actor proposes its entry: bad input gets a clear message and saves nothing; a good one
waits, unpublished, for its address to be confirmed from the emailed link (sent by a task
once the transaction commits), then for moderation."""

import re
import time

from django.core import mail, signing
from django.urls import reverse

import pytest

from directory import services
from directory.factories import ActorFactory
from directory.models import Actor

from .forgery import forged as forge

pytestmark = pytest.mark.django_db

GOOD = {
    "commune": "77288",
    "name": "Épicerie solidaire du Almont",
    "kind": "association",
    "description": "Des produits à petit prix pour les familles orientées par le CCAS.",
    "besoins": ["aines"],
    "address": "12 rue de l'Exemple",
    "postcode": "77 000",
    "email": "contact@epicerie.example.org",
    "phone": "01 64 00 00 00",
    "website": "https://epicerie.example.org",
    "opening_hours": "Mardi et vendredi, de 14 h à 18 h.",
    "step_free_access": "on",
    "languages": "français, anglais",
    "proposer_email": "Benevole@Example.org",
}


@pytest.fixture
def site(home_page, english_home, geo, categories):
    return geo


def _propose(client, capture, url=None, **overrides):
    data = {**GOOD, **overrides}
    with capture(execute=True):
        return client.post(url or reverse("directory:propose") + "?q=Melun", data)


def test_a_proposal_is_confirmed_by_email_then_waits_for_moderation(
    client, site, categories, django_capture_on_commit_callbacks
):
    response = _propose(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:thanks")
    actor = Actor.objects.get()
    assert actor.status == Actor.Status.UNCONFIRMED
    assert actor.postcode == "77000"
    assert [c.insee_code for c in actor.communes.all()] == ["77288"]
    # Linked to the French category whatever the visitor's language.
    assert list(actor.categories.all()) == [categories["aines"]]
    assert client.get(reverse("directory:actor", args=[actor.slug])).status_code == 404

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Benevole@Example.org"]
    link = re.search(r"http://testserver(/annuaire/proposer/confirmer/[^/\s]+/)", message.body)
    # The link names no one: a signed id and a random token only.
    assert "benevole" not in link.group(1).lower()

    # The link opens a page (mail scanners change nothing); its button's POST confirms.
    assert client.get(link.group(1)).status_code == 200
    actor.refresh_from_db()
    assert actor.status == Actor.Status.UNCONFIRMED
    response = client.post(link.group(1))
    assert response.status_code == 200
    assert "attend maintenant d&#x27;être relue" in response.content.decode() or (
        "attend maintenant d'être relue" in response.content.decode()
    )
    actor.refresh_from_db()
    assert actor.status == Actor.Status.PENDING
    # A second click changes nothing, and the entry is still not public.
    assert client.post(link.group(1)).status_code == 200
    assert client.get(reverse("directory:actor", args=[actor.slug])).status_code == 404

    services.actor_publish(actor=actor)
    assert client.post(link.group(1)).status_code == 200
    actor.refresh_from_db()
    assert actor.status == Actor.Status.PUBLISHED and actor.last_checked_at
    assert client.get(reverse("directory:actor", args=[actor.slug])).status_code == 200


def test_the_email_speaks_the_proposer_s_language(client, site, django_capture_on_commit_callbacks):
    response = _propose(
        client, django_capture_on_commit_callbacks, url="/en/directory/propose/?q=Melun"
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/directory/propose/thank-you/"
    message = mail.outbox[0]
    assert "Confirm the directory entry" in message.subject
    assert "http://testserver/en/directory/propose/confirm/" in message.body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"commune": "99999"}, "Cette commune est inconnue"),
        ({"commune": "ab\x00"}, "Cette commune est inconnue"),
        ({"name": "n" * 151}, "Ce champ doit tenir en 150 caractères (il en a 151)."),
        ({"description": "d" * 601}, "Ce champ doit tenir en 600 caractères (il en a 601)."),
        ({"website": "javascript:alert(1)"}, "commence par https:// ou http://"),
        ({"website": "JavaScript:alert(document.cookie)//"}, "commence par https:// ou http://"),
        ({"website": "data:text/html,<script>alert(1)</script>"}, "commence par https://"),
        ({"website": "ftp://example.org/"}, "commence par https:// ou http://"),
        ({"website": "https://" + "a" * 300 + ".org"}, "Ce champ doit tenir en 300"),
        ({"proposer_email": "pas-une-adresse"}, "adresse de courriel valide"),
        ({"postcode": "7700"}, "Saisissez un code postal à 5 chiffres"),
        ({"name": "Ligne\x07bip"}, "caractères invisibles"),
        ({"besoins": ["inconnu"]}, "Ce besoin n&#x27;existe pas"),
        ({"kind": "secte"}, "Choisissez l&#x27;un des types proposés."),
        ({"name": ""}, "Indiquez le nom de l&#x27;acteur."),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, site, django_capture_on_commit_callbacks, overrides, message
):
    response = _propose(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Actor.objects.exists()
    assert not mail.outbox


def test_bad_input_is_answered_in_english(client, site, django_capture_on_commit_callbacks):
    response = _propose(
        client,
        django_capture_on_commit_callbacks,
        url="/en/directory/propose/?q=Melun",
        website="javascript:alert(1)",
    )
    assert response.status_code == 400
    assert "Enter a website address starting with https://" in response.content.decode()


def test_a_duplicate_of_an_existing_actor_is_refused(
    client, site, django_capture_on_commit_callbacks
):
    ActorFactory(name="Epicerie solidaire du ALMONT", communes=[site["melun"]])
    response = _propose(client, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "figure déjà dans l&#x27;annuaire pour Melun" in response.content.decode()
    assert Actor.objects.count() == 1
    # The same name elsewhere is another actor.
    response = _propose(client, django_capture_on_commit_callbacks, commune="77487")
    assert response.status_code == 302


def test_a_proposal_never_confirmed_is_replaced_by_a_new_one(
    client, site, django_capture_on_commit_callbacks
):
    assert _propose(client, django_capture_on_commit_callbacks).status_code == 302
    assert _propose(client, django_capture_on_commit_callbacks).status_code == 302
    assert Actor.objects.count() == 1
    assert len(mail.outbox) == 2


def test_bad_expired_or_tampered_links_are_refused_clearly(client, site, monkeypatch):
    actor = ActorFactory(status=Actor.Status.UNCONFIRMED, proposer_email="a@example.org")
    response = client.get(reverse("directory:confirm", args=["nimportequoi"]))
    assert response.status_code == 400
    assert "Ce lien ne fonctionne pas" in response.content.decode()
    token = services.actor_confirmation_token(actor=actor)
    # Tampered: another id under the same signature.
    forged = forge(token, id=actor.pk + 1)
    assert client.post(reverse("directory:confirm", args=[forged])).status_code == 400
    # Expired: eight days later.
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 8 * 24 * 3600)
    assert client.post(reverse("directory:confirm", args=[token])).status_code == 400
    monkeypatch.setattr(signing.time, "time", real_time)
    # Stale: the entry's token changed (a new proposal, an erasure).
    actor.token = "changed"
    actor.save()
    assert client.post(reverse("directory:confirm", args=[token])).status_code == 400
    actor.refresh_from_db()
    assert actor.status == Actor.Status.UNCONFIRMED
    # In English, from the French address the email carried.
    response = client.get(f"/en/annuaire/proposer/confirmer/{token}/", follow=True)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_spam_bursts_are_rate_limited(client, site, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "actor_proposal": "2/3600"}
    for index in range(2):
        _propose(client, django_capture_on_commit_callbacks, name=f"Association {index}")
    response = _propose(client, django_capture_on_commit_callbacks, name="Association 3")
    assert response.status_code == 429
    assert Actor.objects.count() == 2


def test_the_proposal_form_works_without_javascript_from_a_commune_search(client, site):
    html = client.get(reverse("directory:propose"), {"q": "77000"}).content.decode()
    # The postcode's communes are offered as radio buttons.
    assert 'type="radio" name="commune" value="77288"' in html
    assert 'type="radio" name="commune" value="77487"' in html
    assert 'name="csrfmiddlewaretoken"' in html
