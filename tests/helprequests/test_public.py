"""The public side of "Un coup de main": the request form (French and English, for oneself
and on someone's behalf), its refusals, the thanks page's honest delay, the person's
withdrawal link, the volunteer's answer and "done" links with every conflict they can meet,
and what never leaves the server: the person's name and contact in a URL or a log, or these
pages in the page cache."""

import datetime
import logging
import re

from django.core import mail
from django.utils import timezone

import pytest

from campaign import ratelimit
from helprequests import services
from helprequests.factories import ProposableVolunteerFactory
from helprequests.forms import CONSENT_SELF_LABEL
from helprequests.models import HelpProposal, HelpRequest
from volunteers.models import ConsentRecord, Volunteer

from .conftest import url

pytestmark = pytest.mark.django_db

PERSON = ("Simone", "06 12 34 56 78", "simone.aidee@exemple.fr")


def _post(client, capture, path, data):
    with capture(execute=True):
        return client.post(path, data)


def _html(response):
    return response.content.decode()


def _private(response):
    control = response["Cache-Control"]
    return "private" in control and "no-store" in control


def _links(message):
    return re.findall(r"https?://\S+", message.body)


def _path(link):
    return "/" + link.split("/", 3)[3]


def _token(path):
    # Tokens carry the time they were signed: compare what they name, not their text.
    return path.rstrip("/").rsplit("/", 1)[-1]


def _mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def _make_request(capture, commune, **extra):
    fields = {
        "commune": commune,
        "category": "courses-services",
        "first_name": "Simone",
        "phone": "06 12 34 56 78",
        "email": "simone.aidee@exemple.fr",
        "availability": ["weekday"],
        "when_details": "Jeudi matin",
        "details": "Monter les courses au 4e étage.",
        "consent_wording": str(CONSENT_SELF_LABEL),
        "language": "fr",
        **extra,
    }
    with capture(execute=True):
        return services.request_create(**fields)


def _propose(capture, help_request, volunteer, user):
    with capture(execute=True):
        return services.request_propose(help_request=help_request, volunteer=volunteer, user=user)


def _answer_path(proposal, language="fr"):
    return url("answer", language, token=services.answer_token(proposal))


def _done_path(proposal, language="fr"):
    return url("done", language, token=services.done_token(proposal))


def _withdraw_path(help_request, language="fr"):
    return url("withdraw", language, token=services.withdraw_token(help_request))


@pytest.fixture
def proposed(geo, referent, volunteer, django_capture_on_commit_callbacks):
    """A request in Melun, proposed to the volunteer."""
    help_request = _make_request(django_capture_on_commit_callbacks, geo["melun"])
    mail.outbox.clear()
    return _propose(django_capture_on_commit_callbacks, help_request, volunteer, referent)


# --- the form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,texts",
    [
        ("fr", ["Demander un coup de main", "Qui fait la demande ?", "Votre accord"]),
        ("en", ["Ask for a helping hand", "Who is asking?", "Your agreement"]),
    ],
)
def test_the_form_in_each_language(client, geo, language, texts):
    response = client.get(url("request", language))
    html = _html(response)
    assert response.status_code == 200 and _private(response)
    for text in texts:
        assert text in html
    # No JavaScript needed: the radios and boxes are grouped under legends, the contact
    # fields say what they hold, the data page is one link away.
    assert html.count("<legend>") >= 5
    for attribute in ('"given-name"', '"tel"', '"email"', '"postal-code"'):
        assert f"autocomplete={attribute}" in html
    assert f'href="{url("data", language)}"' in html
    # The admin's ways of asking are not the visitor's.
    assert 'value="mairie"' not in html and 'value="help_point"' not in html


def test_a_person_asking_for_themselves(
    client, geo, referent, request_data, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, url("request"), request_data())
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(url("thanks") + "?")
    for secret in PERSON + ("simone", "0612345678", "77288"):
        assert secret not in location
    help_request = HelpRequest.objects.get()
    assert (help_request.first_name, help_request.phone, help_request.email) == PERSON
    assert help_request.commune == geo["melun"]
    assert help_request.category == "courses-services"
    assert help_request.availability == ["weekday"]
    assert help_request.when_details == "Jeudi matin"
    assert help_request.details == "Monter les courses au 4e étage.\nPas d'ascenseur."
    assert help_request.asked_by == HelpRequest.AskedBy.SELF
    assert help_request.requester_name == help_request.requester_email == ""
    assert help_request.consent_wording == str(CONSENT_SELF_LABEL)
    assert help_request.consent_wording.startswith("J'accepte que le ou la référent·e")
    assert help_request.consent_at is not None
    assert help_request.language == "fr"
    assert help_request.source == HelpRequest.Source.WEBSITE
    assert help_request.status == HelpRequest.Status.NEW
    # The acknowledgement, with the withdrawal link and the honest delay.
    [ack] = _mails_to("simone.aidee@exemple.fr")
    assert "trois jours ouvrés" in ack.body
    [withdraw] = [_path(link) for link in _links(ack) if "/coup-de-main/retirer/" in link]
    assert services.request_from_withdraw_token(token=_token(withdraw)) == help_request
    # The referent's notice: the number, the commune, a link; nobody's name or contact.
    [notice] = _mails_to("referente@mairie-melun.example")
    assert f"n° {help_request.pk}" in notice.subject + notice.body and "Melun" in notice.body
    for secret in PERSON:
        assert secret not in notice.subject and secret not in notice.body
    assert len(mail.outbox) == 2
    # The thanks page says what happens next.
    thanks = client.get(location)
    html = _html(thanks)
    assert thanks.status_code == 200 and _private(thanks)
    assert "Votre demande est bien arrivée" in html
    assert "vous contactera, en général sous trois jours ouvrés" in html
    assert "un lien pour retirer la demande" in html
    assert "Simone" not in html


def test_a_neighbour_asking_on_behalf_in_english(
    client, geo, staff, request_data, django_capture_on_commit_callbacks
):
    # Brest has no referent: the request goes to staff, and the visitor is told honestly.
    data = request_data(
        asked_by="neighbour",
        requester_name="Karim, voisin du 2e",
        requester_email="karim@exemple.fr",
        postcode="29200",
        commune="",
        email="",
        consent_self=None,
        consent_behalf="on",
    )
    response = _post(client, django_capture_on_commit_callbacks, url("request", "en"), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/a-helping-hand/thank-you/?")
    help_request = HelpRequest.objects.get()
    assert help_request.commune == geo["brest"]  # the postcode's only commune
    assert help_request.asked_by == HelpRequest.AskedBy.NEIGHBOUR
    assert help_request.requester_name == "Karim, voisin du 2e"
    assert help_request.requester_email == "karim@exemple.fr"
    assert help_request.email == "" and help_request.phone == "06 12 34 56 78"
    assert help_request.language == "en"
    assert help_request.consent_wording.startswith("The person agrees to be contacted")
    # The acknowledgement goes to whoever gave an address: here, the neighbour, in English.
    [ack] = _mails_to("karim@exemple.fr")
    assert "up to two weeks" in ack.body
    assert "/en/a-helping-hand/withdraw/" in ack.body
    assert "/en/a-helping-hand/your-data/" in ack.body
    [notice] = _mails_to("equipe@tousvoisins.example")
    assert "Brest" in notice.body and "pas de référent" in notice.body
    for secret in ("Simone", "06 12 34 56 78", "Karim", "karim@exemple.fr"):
        assert secret not in notice.body and secret not in notice.subject
    html = _html(client.get(response["Location"]))
    assert "Your town does not have a referent yet" in html
    assert "up to two weeks" in html and "we cannot promise" in html
    assert "a link to withdraw the request" in html


def test_asking_for_oneself_keeps_nobody_else_s_name(
    client, geo, referent, request_data, django_capture_on_commit_callbacks
):
    # Filled in, then the visitor chose "for me": those fields are neither kept nor checked.
    data = request_data(requester_name="Karim", requester_email="pas-une-adresse")
    response = _post(client, django_capture_on_commit_callbacks, url("request"), data)
    assert response.status_code == 302
    help_request = HelpRequest.objects.get()
    assert help_request.requester_name == help_request.requester_email == ""


def test_without_an_email_address_the_thanks_page_says_to_call_the_mairie(
    client, geo, referent, request_data, django_capture_on_commit_callbacks
):
    response = _post(
        client, django_capture_on_commit_callbacks, url("request"), request_data(email="")
    )
    html = _html(client.get(response["Location"]))
    assert "appelez votre mairie" in html
    assert not _mails_to("simone.aidee@exemple.fr")


def test_a_shared_postcode_asks_for_the_commune_without_javascript(
    client, geo, referent, request_data, django_capture_on_commit_callbacks
):
    response = _post(
        client, django_capture_on_commit_callbacks, url("request"), request_data(commune="")
    )
    html = _html(response)
    assert response.status_code == 400
    assert "Plusieurs communes ont ce code postal" in html
    assert 'value="77288"' in html and 'value="77487"' in html
    assert not HelpRequest.objects.exists()
    data = request_data(commune="77487")
    response = _post(client, django_capture_on_commit_callbacks, url("request"), data)
    assert response.status_code == 302
    assert HelpRequest.objects.get().commune == geo["vaux"]


BAD_INPUT = [
    (
        {"phone": "", "email": ""},
        "Indiquez au moins un moyen de joindre la personne",
        "Give at least one way to reach the person",
    ),
    ({"phone": "appelez-moi"}, "Saisissez un numéro de téléphone", "Enter a phone number"),
    ({"email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide", "Enter a valid email"),
    ({"category": "inconnue"}, "Choisissez le type de coup de main dans la liste", "from the list"),
    ({"consent_self": None}, "sans votre accord", "without your agreement"),
    (
        {"asked_by": "relative", "requester_name": "Lou", "consent_self": None},
        "sans l&#x27;accord de la personne",
        "without the person&#x27;s agreement",
    ),
    (
        {"asked_by": "neighbour", "consent_behalf": "on"},
        "indiquez votre prénom et votre lien",
        "give your first name and how you know",
    ),
    ({"asked_by": "mairie"}, "Indiquez qui fait la demande", "Say who is asking"),
    ({"first_name": "Si\nmone"}, "ni retour à la ligne", "line break"),
    ({"details": "Porter\x07 les courses"}, "caractère de contrôle", "control character"),
    ({"details": "x" * 501}, "501", "501"),
    ({"postcode": "99999", "commune": ""}, "Aucune commune ne correspond", "matches the postcode"),
    ({"commune": "29019"}, "ne correspond pas au code postal", "postcode"),
    ({"started": "1:forged:sig"}, "Le formulaire a expiré", "expired"),
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("overrides,french,english", BAD_INPUT)
def test_bad_input_is_refused_with_a_clear_message(
    client,
    geo,
    referent,
    request_data,
    django_capture_on_commit_callbacks,
    language,
    overrides,
    french,
    english,
):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        url("request", language),
        request_data(**overrides),
    )
    html = _html(response)
    assert response.status_code == 400
    assert (french if language == "fr" else english) in html
    assert 'class="form-errors"' in html
    assert not HelpRequest.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    "language,message", [("fr", "envoyé trop vite"), ("en", "sent too quickly")]
)
def test_a_form_sent_too_fast_is_refused(
    client,
    geo,
    referent,
    request_data,
    settings,
    django_capture_on_commit_callbacks,
    language,
    message,
):
    settings.VOLUNTEERS_MIN_FILL_SECONDS = 60
    response = _post(
        client, django_capture_on_commit_callbacks, url("request", language), request_data()
    )
    assert response.status_code == 400 and message in _html(response)
    assert not HelpRequest.objects.exists()


def test_the_honeypot_gets_the_thanks_page_and_saves_nothing(
    client, geo, referent, request_data, django_capture_on_commit_callbacks
):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        url("request"),
        request_data(website="https://spam.example"),
    )
    assert response.status_code == 302 and response["Location"] == url("thanks")
    assert not HelpRequest.objects.exists() and not mail.outbox
    # Without the signed value, the thanks page promises nothing it does not know.
    html = _html(client.get(response["Location"]))
    assert "trois jours" not in html and "deux semaines" not in html


@pytest.fixture
def frozen_window(monkeypatch):
    # The limiter's windows are fixed: a test must not straddle two of them.
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_000.0)


@pytest.mark.usefixtures("frozen_window")
@pytest.mark.parametrize(
    "language,message", [("fr", "Trop de demandes"), ("en", "Too many requests")]
)
def test_too_many_requests_from_one_address(
    client, geo, referent, request_data, django_capture_on_commit_callbacks, language, message
):
    path = url("request", language)
    for n in range(5):
        data = request_data(email=f"voisin{n}@exemple.fr", phone="")
        assert _post(client, django_capture_on_commit_callbacks, path, data).status_code == 302
    response = _post(
        client, django_capture_on_commit_callbacks, path, request_data(email="autre@exemple.fr")
    )
    assert response.status_code == 429 and message in _html(response)
    assert response["Retry-After"]
    assert HelpRequest.objects.count() == 5


@pytest.mark.usefixtures("frozen_window")
def test_too_many_requests_for_one_contact(
    client, geo, referent, request_data, django_capture_on_commit_callbacks, monkeypatch
):
    # Each post comes from another address: the person's phone is what is counted.
    addresses = iter(f"203.0.113.{n}" for n in range(1, 10))
    monkeypatch.setattr(ratelimit, "client_address", lambda request: next(addresses))
    for _n in range(3):
        data = request_data(email="", phone="06.12.34.56.78")
        assert (
            _post(client, django_capture_on_commit_callbacks, url("request"), data).status_code
            == 302
        )
    data = request_data(email="", phone="06 12 34 56 78")
    response = _post(client, django_capture_on_commit_callbacks, url("request"), data)
    assert response.status_code == 429
    assert HelpRequest.objects.count() == 3


@pytest.mark.usefixtures("frozen_window")
def test_too_many_acknowledgements_to_one_asker(
    client, geo, referent, request_data, django_capture_on_commit_callbacks, monkeypatch
):
    # Who asks on someone's behalf gets the acknowledgement: their address is counted too,
    # whatever the person's contact.
    addresses = iter(f"203.0.113.{n}" for n in range(1, 10))
    monkeypatch.setattr(ratelimit, "client_address", lambda request: next(addresses))
    for n in range(4):
        data = request_data(
            asked_by="professional",
            requester_name="Nadia, assistante sociale",
            requester_email="Nadia@CCAS.example",
            email=f"personne{n}@exemple.fr",
            consent_self=None,
            consent_behalf="on",
        )
        response = _post(client, django_capture_on_commit_callbacks, url("request"), data)
    assert response.status_code == 429
    assert HelpRequest.objects.count() == 3
    assert len(_mails_to("Nadia@CCAS.example")) + len(_mails_to("nadia@ccas.example")) == 3


@pytest.mark.parametrize(
    "french,english",
    [
        ("/en/coup-de-main/", "/en/a-helping-hand/"),
        ("/en/coup-de-main/vos-donnees/", "/en/a-helping-hand/your-data/"),
    ],
)
def test_the_french_addresses_lead_to_the_english_ones(client, geo, french, english):
    response = client.get(french)
    assert response.status_code == 301 and response["Location"] == english


def test_an_emailed_french_link_still_answers_under_en(client, proposed):
    # A link already sent in French keeps working when the visitor reads English.
    token = services.answer_token(proposed)
    response = client.get(f"/en/coup-de-main/proposition/{token}/")
    assert response.status_code == 301
    assert response["Location"] == f"/en/a-helping-hand/proposal/{token}/"
    assert "I accept" in _html(client.get(response["Location"]))


# --- the data page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,texts",
    [
        ("fr", ["Qui voit quoi, et quand", "Trois mois après sa clôture", "gardé un an"]),
        ("en", ["Who sees what, and when", "Three months after it is closed", "one year"]),
    ],
)
def test_the_data_page(client, geo, language, texts):
    response = client.get(url("data", language))
    assert response.status_code == 200 and _private(response)
    html = _html(response)
    for text in texts:
        assert text in html


# --- withdrawing -------------------------------------------------------------------------


def test_the_withdrawal_link(client, geo, referent, django_capture_on_commit_callbacks):
    help_request = _make_request(django_capture_on_commit_callbacks, geo["melun"])
    path = _withdraw_path(help_request)
    # Opening the link changes nothing (mail scanners follow links); its button does.
    page = client.get(path)
    html = _html(page)
    assert page.status_code == 200 and _private(page)
    assert "Je retire ma demande" in html and "Simone" in html and "Melun" in html
    assert "Courses et petits services" in html
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.NEW
    response = client.post(path)
    assert response.status_code == 200 and "Votre demande est retirée" in _html(response)
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.CLOSED
    assert help_request.closed_reason == HelpRequest.ClosedReason.WITHDRAWN
    # Twice is fine, and says so.
    again = client.post(path)
    assert again.status_code == 200 and "déjà été retirée" in _html(again)
    assert "déjà été retirée" in _html(client.get(path))


@pytest.mark.parametrize(
    "language,message", [("fr", "Ce lien n&#x27;est pas valide"), ("en", "This link is not valid")]
)
def test_a_tampered_withdrawal_link(
    client, geo, django_capture_on_commit_callbacks, language, message
):
    help_request = _make_request(django_capture_on_commit_callbacks, geo["melun"])
    token = services.withdraw_token(help_request)
    for tampered in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nimporte-quoi"):
        path = url("withdraw", language, token=tampered)
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 400 and message in _html(response)
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.NEW


def test_withdrawing_after_the_help_was_given(client, proposed, django_capture_on_commit_callbacks):
    services.proposal_accept(token=services.answer_token(proposed))
    services.request_done(token=services.done_token(proposed), minutes=60)
    path = _withdraw_path(proposed.request)
    assert "Ce coup de main a été donné" in _html(client.get(path))
    response = client.post(path)
    assert response.status_code == 409 and "rien à retirer" in _html(response)
    proposed.request.refresh_from_db()
    assert proposed.request.status == HelpRequest.Status.DONE


# --- the volunteer's answer --------------------------------------------------------------


def test_the_proposal_email_and_page_show_no_contact(client, proposed, volunteer):
    [message] = _mails_to(volunteer.email)
    answer = [link for link in _links(message) if "/coup-de-main/proposition/" in link]
    [answer] = [_path(link) for link in answer]
    assert services.proposal_from_token(token=_token(answer)) == proposed
    assert "/benevoles/preferences/" in message.body  # where to pause or stop
    assert "/coup-de-main/vos-donnees/" in message.body
    assert proposed.deadline.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in (
        message.body
    )
    for secret in PERSON:
        assert secret not in message.body and secret not in message.subject
    page = client.get(_answer_path(proposed))
    html = _html(page)
    assert page.status_code == 200 and _private(page)
    assert "J'accepte" in html and "Je ne peux pas" in html
    assert "je mets en pause les propositions" in html
    assert "Courses et petits services" in html and "Melun" in html and "Jeudi matin" in html
    for secret in PERSON:
        assert secret not in html
    # Opening it answered nothing.
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.PENDING


def test_accepting_shows_the_contact_and_tells_everyone(
    client, proposed, volunteer, referent, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    path = _answer_path(proposed)
    response = _post(client, django_capture_on_commit_callbacks, path, {"answer": "accept"})
    html = _html(response)
    assert response.status_code == 200 and _private(response)
    assert "Voici comment joindre Simone" in html
    for secret in PERSON:
        assert secret in html
    [done] = re.findall(r'href="(/coup-de-main/fait/[^"]+)"', html)
    assert services.proposal_from_token(token=_token(done), salt=services.DONE_SALT) == proposed
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.ACCEPTED
    assert proposed.request.status == HelpRequest.Status.ACCEPTED
    [to_volunteer] = _mails_to(volunteer.email)
    for secret in PERSON:
        assert secret in to_volunteer.body
    assert "Simone" not in to_volunteer.subject
    [done] = [_path(link) for link in _links(to_volunteer) if "/coup-de-main/fait/" in link]
    assert services.proposal_from_token(token=_token(done), salt=services.DONE_SALT) == proposed
    [to_person] = _mails_to("simone.aidee@exemple.fr")
    assert "Yanis" in to_person.body and "Martin" not in to_person.body
    assert volunteer.email not in to_person.body
    [to_referent] = _mails_to(referent.email)
    for secret in (*PERSON, "Yanis", volunteer.email):
        assert secret not in to_referent.body
    # Accepting twice (a reload, a second click) shows the same page, and changes nothing.
    again = _post(client, django_capture_on_commit_callbacks, path, {"answer": "accept"})
    assert again.status_code == 200 and "Voici comment joindre Simone" in _html(again)
    assert HelpProposal.objects.filter(status=HelpProposal.Status.ACCEPTED).count() == 1
    # Opening the link again shows no contact: a button brings it back.
    html = _html(client.get(path))
    assert "Vous avez accepté cette demande" in html and "06 12 34 56 78" not in html


def test_accepting_after_another_volunteer(
    client, proposed, referent, geo, django_capture_on_commit_callbacks
):
    # The first volunteer let the deadline pass; a second one was asked, and accepted.
    HelpProposal.objects.filter(pk=proposed.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.proposals_expire()
    other = ProposableVolunteerFactory(commune=geo["melun"], first_name="Inès")
    second = _propose(django_capture_on_commit_callbacks, proposed.request, other, referent)
    won = _post(
        client, django_capture_on_commit_callbacks, _answer_path(second), {"answer": "accept"}
    )
    assert won.status_code == 200
    late = _post(
        client, django_capture_on_commit_callbacks, _answer_path(proposed), {"answer": "accept"}
    )
    html = _html(late)
    assert late.status_code == 409 and "Un·e autre bénévole a déjà accepté" in html
    assert "Simone" not in html and "06 12 34 56 78" not in html
    accepted = HelpProposal.objects.filter(status=HelpProposal.Status.ACCEPTED)
    assert list(accepted) == [second]
    proposed.request.refresh_from_db()
    assert proposed.request.volunteer == other


@pytest.mark.parametrize(
    "language,message",
    [("fr", "Cette demande a été retirée"), ("en", "This request has been withdrawn")],
)
def test_accepting_after_the_withdrawal(
    client, proposed, django_capture_on_commit_callbacks, language, message
):
    client.post(_withdraw_path(proposed.request))
    path = _answer_path(proposed, language)
    assert message in _html(client.get(path))
    response = _post(client, django_capture_on_commit_callbacks, path, {"answer": "accept"})
    html = _html(response)
    assert response.status_code == 409 and message in html and "Simone" not in html
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.CANCELLED


@pytest.mark.parametrize(
    "language,message",
    [("fr", "Le délai de réponse est passé"), ("en", "The time to answer is over")],
)
def test_accepting_after_the_deadline(
    client, proposed, django_capture_on_commit_callbacks, language, message
):
    HelpProposal.objects.filter(pk=proposed.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    path = _answer_path(proposed, language)
    response = _post(client, django_capture_on_commit_callbacks, path, {"answer": "accept"})
    assert response.status_code == 409 and message in _html(response)
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.PENDING
    assert proposed.request.status == HelpRequest.Status.PROPOSED


def test_declining_and_pausing(
    client, proposed, volunteer, referent, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    path = _answer_path(proposed)
    response = _post(client, django_capture_on_commit_callbacks, path, {"answer": "pause"})
    assert response.status_code == 200 and "Les propositions sont en pause" in _html(response)
    proposed.refresh_from_db()
    volunteer.refresh_from_db()
    assert proposed.status == HelpProposal.Status.DECLINED
    assert proposed.request.status == HelpRequest.Status.SEARCHING
    assert volunteer.help_paused and volunteer.consent_help_requests
    [notice] = _mails_to(referent.email)
    assert "ne peut pas" in notice.subject + notice.body and "Yanis" not in notice.body
    # The link now says the answer is recorded.
    assert "Vous avez répondu que vous ne pouviez pas" in _html(client.get(path))


def test_declining_without_pausing(client, proposed, volunteer, django_capture_on_commit_callbacks):
    response = _post(
        client, django_capture_on_commit_callbacks, _answer_path(proposed), {"answer": "decline"}
    )
    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert not volunteer.help_paused and volunteer.consent_help_requests


def test_declining_and_leaving_withdraws_the_consent_with_the_button_s_words(
    client, proposed, volunteer, django_capture_on_commit_callbacks
):
    page = _html(client.get(_answer_path(proposed, "en")))
    assert "Stop receiving helping-hand suggestions" in page
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        _answer_path(proposed, "en"),
        {"answer": "leave"},
    )
    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert not volunteer.consent_help_requests
    record = ConsentRecord.objects.filter(
        volunteer=volunteer, purpose=ConsentRecord.Purpose.HELP_REQUESTS
    ).latest("pk")
    assert not record.granted and record.language == "en"
    assert record.wording in page  # the words of the button the volunteer pressed


def test_accepting_once_no_longer_signed_up(
    client, proposed, volunteer, django_capture_on_commit_callbacks
):
    # The volunteer unsubscribed after the proposal was sent: they are told, nothing moves.
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.UNSUBSCRIBED)
    path = _answer_path(proposed)
    assert "Votre inscription n&#x27;est plus active" in _html(client.get(path))
    response = _post(client, django_capture_on_commit_callbacks, path, {"answer": "accept"})
    html = _html(response)
    assert response.status_code == 409 and "inscription n&#x27;est plus active" in html
    assert "Simone" not in html
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.PENDING


def test_an_unknown_answer_changes_nothing(client, proposed, django_capture_on_commit_callbacks):
    response = _post(
        client, django_capture_on_commit_callbacks, _answer_path(proposed), {"answer": "peut-être"}
    )
    assert response.status_code == 400 and "Choisissez une des réponses" in _html(response)
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.PENDING


@pytest.mark.parametrize("name", ["answer", "done"])
def test_a_tampered_volunteer_link(client, proposed, name):
    token = (services.answer_token if name == "answer" else services.done_token)(proposed)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for language, message in (("fr", "Ce lien n&#x27;est pas valide"), ("en", "not valid")):
        path = url(name, language, token=tampered)
        for response in (client.get(path), client.post(path, {"answer": "accept"})):
            assert response.status_code == 400 and message in _html(response)
    # An answer link is no "done" link, and the other way round.
    wrong = url("done", token=services.answer_token(proposed))
    assert client.get(wrong).status_code == 400
    proposed.refresh_from_db()
    assert proposed.status == HelpProposal.Status.PENDING


# --- done --------------------------------------------------------------------------------


def test_recording_the_time_given_once(client, proposed, django_capture_on_commit_callbacks):
    services.proposal_accept(token=services.answer_token(proposed))
    path = _done_path(proposed)
    page = client.get(path)
    html = _html(page)
    assert page.status_code == 200 and _private(page)
    assert "1 h 30" in html and "45 min" in html and "8 h" in html
    assert "Simone" not in html
    response = _post(client, django_capture_on_commit_callbacks, path, {"minutes": "90"})
    assert response.status_code == 200 and "1 h 30" in _html(response)
    help_request = HelpRequest.objects.get()
    assert help_request.status == HelpRequest.Status.DONE and help_request.minutes == 90
    assert services.public_minutes(commune=help_request.commune)["commune"] == 90
    again = _post(client, django_capture_on_commit_callbacks, path, {"minutes": "480"})
    assert again.status_code == 409 and "Déjà enregistré" in _html(again)
    assert "1 h 30" in _html(again)
    assert "Déjà enregistré" in _html(client.get(path))
    help_request.refresh_from_db()
    assert help_request.minutes == 90


@pytest.mark.parametrize(
    "language,message",
    [("fr", "Choisissez le temps donné dans la liste"), ("en", "Choose the time given")],
)
@pytest.mark.parametrize("value", ["", "0", "481", "100000", "une heure", "60\x00"])
def test_a_bad_duration(
    client, proposed, django_capture_on_commit_callbacks, language, message, value
):
    services.proposal_accept(token=services.answer_token(proposed))
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        _done_path(proposed, language),
        {"minutes": value},
    )
    assert response.status_code == 400 and message in _html(response)
    assert HelpRequest.objects.get().status == HelpRequest.Status.ACCEPTED


def test_done_before_accepting(client, proposed, django_capture_on_commit_callbacks):
    response = _post(
        client, django_capture_on_commit_callbacks, _done_path(proposed), {"minutes": "60"}
    )
    assert response.status_code == 409 and "pas confiée" in _html(response)
    assert HelpRequest.objects.get().minutes is None


# --- nothing personal in URLs, logs or caches --------------------------------------------


def test_no_personal_data_in_urls_or_logs(
    client, geo, referent, volunteer, request_data, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    visited = []

    def get(path):
        visited.append(path)
        return client.get(path)

    def post(path, data=None):
        visited.append(path)
        response = _post(client, django_capture_on_commit_callbacks, path, data or {})
        if response.get("Location"):
            visited.append(response["Location"])
        return response

    get(url("request"))
    post(url("request"), request_data())
    get(visited[-1])
    help_request = HelpRequest.objects.get()
    [ack] = _mails_to("simone.aidee@exemple.fr")
    withdraw = _path(next(link for link in _links(ack) if "/retirer/" in link))
    get(withdraw)
    proposal = _propose(django_capture_on_commit_callbacks, help_request, volunteer, referent)
    [offer] = _mails_to(volunteer.email)
    answer = _path(next(link for link in _links(offer) if "/proposition/" in link))
    get(answer)
    post(answer, {"answer": "accept"})
    accepted = next(m for m in _mails_to(volunteer.email) if m is not offer)
    done = _path(next(link for link in _links(accepted) if "/fait/" in link))
    get(done)
    post(done, {"minutes": "abc"})  # a 400, logged
    post(done, {"minutes": "60"})
    tokens = [withdraw.split("/")[-2], answer.split("/")[-2], done.split("/")[-2]]
    for path, token in zip((withdraw, answer, done), tokens, strict=True):
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert get(path.replace(token, tampered)).status_code == 400
    assert get(answer + "inconnu/").status_code == 404
    assert get(url("withdraw", "en", token=tokens[0]) + "x/").status_code == 404
    assert proposal.request.pk == help_request.pk
    secrets = [*PERSON, "0612345678", "simone.aidee", *tokens]
    secrets += [token.split(":")[0] for token in tokens]  # the signed payload alone
    for path in visited:
        for secret in PERSON + ("simone", "0612345678"):
            assert secret.lower() not in path.lower(), path
    assert any(record.name == "django.request" for record in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + str(record.msg) + repr(record.args)
        for secret in secrets:
            assert secret not in text, text
    for secret in secrets:
        assert secret not in caplog.text
    # Nor in what a model says of itself (admin messages, history).
    assert "Simone" not in str(help_request) and "Simone" not in str(proposal)


def test_the_page_cache_never_keeps_these_pages(
    client, proposed, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    answer = _answer_path(proposed)
    for path in (url("request"), url("thanks"), url("data"), answer) * 2:
        response = client.get(path)
        assert response.status_code == 200
        assert response.get("X-Page-Cache") != "hit" and _private(response)
    assert "J'accepte" in _html(client.get(answer))
    # The person withdraws: the next anonymous visit of the answer page says so at once.
    client.post(_withdraw_path(proposed.request))
    response = client.get(answer)
    assert "Cette demande a été retirée" in _html(response)
    assert "J'accepte" not in _html(response)
    assert response.get("X-Page-Cache") != "hit"


def test_every_email_footer_links_the_data_page(
    client, proposed, volunteer, django_capture_on_commit_callbacks
):
    _post(client, django_capture_on_commit_callbacks, _answer_path(proposed), {"answer": "accept"})
    _post(client, django_capture_on_commit_callbacks, _withdraw_path(proposed.request), {})
    templates = {
        "proposal": _mails_to(volunteer.email)[0],
        "accepted_volunteer": _mails_to(volunteer.email)[1],
        "withdrawn_volunteer": _mails_to(volunteer.email)[2],
        "accepted_person": _mails_to("simone.aidee@exemple.fr")[0],
    }
    assert "plus nécessaire" in templates["withdrawn_volunteer"].subject
    assert len(mail.outbox) == 5  # and the referent's notice of the acceptance
    for message in mail.outbox:
        assert "/coup-de-main/vos-donnees/" in message.body, message.subject


def test_emails_are_plain_text_not_html_escaped(
    client, geo, referent, volunteer, django_capture_on_commit_callbacks
):
    from .conftest import make_commune

    isle = make_commune("95313", "L'Isle-Adam", geo["d77"], postcodes=["95290"])
    referent.help_referents.create(commune=isle)
    help_request = _make_request(
        django_capture_on_commit_callbacks, isle, when_details="Jeudi, l'après-midi"
    )
    volunteer.commune = isle
    volunteer.save(update_fields=["commune"])
    _propose(django_capture_on_commit_callbacks, help_request, volunteer, referent)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert "L'Isle-Adam" in message.subject + message.body, message.subject
        assert "&#x27;" not in message.subject and "&#x27;" not in message.body
        assert "&amp;" not in message.body
    assert "Jeudi, l'après-midi" in _mails_to(volunteer.email)[0].body


def test_the_started_value_comes_fresh_after_an_expired_form(
    client, geo, referent, request_data, django_capture_on_commit_callbacks
):
    response = _post(
        client, django_capture_on_commit_callbacks, url("request"), request_data(started="x")
    )
    assert response.status_code == 400
    fresh = re.search(r'name="started" value="([^"]+)"', _html(response)).group(1)
    assert fresh != "x"
    # Sent back with the fresh value, the same answers pass.
    data = request_data(started=fresh)
    assert (
        _post(client, django_capture_on_commit_callbacks, url("request"), data).status_code == 302
    )


def test_a_proposal_to_an_english_speaking_volunteer(
    client, geo, referent, django_capture_on_commit_callbacks
):
    help_request = _make_request(django_capture_on_commit_callbacks, geo["melun"])
    volunteer = ProposableVolunteerFactory(
        commune=geo["melun"], email="sam@example.org", first_name="Sam", language="en"
    )
    proposal = _propose(django_capture_on_commit_callbacks, help_request, volunteer, referent)
    [message] = _mails_to("sam@example.org")
    assert message.subject.startswith("A helping hand near you")
    assert "Hello Sam," in message.body and "Shopping and small favours" in message.body
    assert "/en/a-helping-hand/proposal/" in message.body
    assert "/en/a-helping-hand/your-data/" in message.body
    assert "/en/volunteers/preferences/" in message.body
    for secret in PERSON:
        assert secret not in message.body
    page = _html(client.get(_answer_path(proposal, "en")))
    assert "A helping hand near you" in page and "I accept" in page
    assert "Shopping and small favours" in page
