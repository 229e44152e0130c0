"""Confirmation, preference centre, data download, erasure and unsubscribe, all reached by
signed links."""

import json
import time
from unittest import mock

from django.test import Client
from django.urls import reverse

import pytest

from volunteers import tokens
from volunteers.factories import VolunteerFactory
from volunteers.models import ConsentRecord, Volunteer, email_hash

pytestmark = pytest.mark.django_db


def link(name, volunteer, purpose):
    return reverse(
        f"volunteers:{name}",
        kwargs={"token": tokens.token_make(volunteer=volunteer, purpose=purpose)},
    )


@pytest.fixture
def pending(geography, home_page):
    return VolunteerFactory(
        status=Volunteer.Status.PENDING,
        confirmed_at=None,
        commune=geography["melun"],
        email="attente@example.org",
        first_name="Paul",
        consent_mairie=True,
    )


@pytest.fixture
def confirmed(geography, home_page):
    volunteer = VolunteerFactory(
        commune=geography["melun"],
        postcode="77000",
        email="conf@example.org",
        first_name="Inès",
        consent_mairie=True,
        interests=["aines"],
    )
    ConsentRecord.objects.create(
        volunteer=volunteer,
        purpose="emails",
        granted=True,
        wording_version="v1",
        wording="J'accepte",
        language="fr",
        source="signup",
    )
    return volunteer


def test_confirmation_link_confirms_once_and_sends_one_welcome(
    client, pending, mailoutbox, django_capture_on_commit_callbacks
):
    address = link("confirm", pending, tokens.CONFIRM)
    # Opening the link (as a mail scanner would, GET or HEAD) only shows the button.
    for method in (client.get, client.head):
        with django_capture_on_commit_callbacks(execute=True):
            assert method(address).status_code == 200
    pending.refresh_from_db()
    assert pending.status == Volunteer.Status.PENDING
    assert mailoutbox == []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(address)
        assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Volunteer.Status.CONFIRMED
    assert pending.confirmed_at is not None
    assert len(mailoutbox) == 1
    welcome = mailoutbox[0]
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert welcome.extra_headers["List-Unsubscribe"].startswith("<http://testserver/")
    assert "/benevoles/desinscription/" in welcome.extra_headers["List-Unsubscribe"]
    assert "/benevoles/desinscription/" in welcome.body
    assert "no-store" in response["Cache-Control"]
    # Once confirmed, the link just says so.
    assert "confirmée" in client.get(address).content.decode()


def test_confirmation_of_an_unsubscribed_person_is_refused(client, confirmed):
    confirmed.status = Volunteer.Status.UNSUBSCRIBED
    confirmed.save()
    response = client.post(link("confirm", confirmed, tokens.CONFIRM))
    assert response.status_code == 400
    assert "plus active" in response.content.decode()


def test_unsubscribe_link_of_an_erased_person_still_answers(confirmed):
    from volunteers.services import volunteer_erase

    volunteer_erase(volunteer=confirmed, notify=False)
    response = Client(enforce_csrf_checks=True).post(
        link("unsubscribe", confirmed, tokens.UNSUBSCRIBE), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Volunteer.objects.get(pk=confirmed.pk).status == Volunteer.Status.ERASED


def test_confirmation_link_expires_after_seven_days(client, pending):
    address = link("confirm", pending, tokens.CONFIRM)
    with mock.patch("time.time", return_value=time.time() + 8 * 24 * 3600):
        response = client.post(address)
    assert response.status_code == 400
    assert "n'est plus valide" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Volunteer.Status.PENDING


@pytest.mark.parametrize(
    "name", ["confirm", "preferences", "data_download", "erase", "unsubscribe"]
)
def test_tampered_links_are_refused_without_error(client, confirmed, name):
    token = tokens.token_make(volunteer=confirmed, purpose=tokens.PREFERENCES)
    for bad in (token[:-2] + "xx", "rien", token.replace(":", "::", 1)):
        response = client.get(reverse(f"volunteers:{name}", kwargs={"token": bad}))
        assert response.status_code == 400
        assert "n'est plus valide" in response.content.decode()


def test_a_token_for_one_purpose_does_not_open_another(client, confirmed):
    unsubscribe_token = tokens.token_make(volunteer=confirmed, purpose=tokens.UNSUBSCRIBE)
    response = client.get(reverse("volunteers:preferences", kwargs={"token": unsubscribe_token}))
    assert response.status_code == 400


def test_preference_centre_updates_and_records_consent_withdrawal(client, confirmed, geography):
    address = link("preferences", confirmed, tokens.PREFERENCES)
    response = client.get(address)
    assert response.status_code == 200
    assert "noindex" in response["X-Robots-Tag"]
    data = {
        "first_name": "Inès",
        "last_name": "",
        "postcode": "77190",
        "phone": "06 12 34 56 78",
        "interests": ["accueil", "lien-social"],
        "availability": ["evening"],
        "hours_per_month": "3",
        "language": "en",
        "consent_emails": "on",
        # consent_mairie unticked: withdrawn.
    }
    response = client.post(address, data)
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.commune == geography["dammarie"]
    assert sorted(confirmed.interest_slugs) == ["accueil", "lien-social"]
    assert confirmed.hours_per_month == 3 and confirmed.language == "en"
    assert confirmed.consent_mairie is False
    withdrawal = confirmed.consents.get(purpose="share_with_mairie")
    assert withdrawal.granted is False and withdrawal.source == "preferences"
    assert "mairie" in withdrawal.wording
    assert confirmed.status == Volunteer.Status.CONFIRMED


def test_withdrawing_email_consent_unsubscribes_and_giving_it_back_resubscribes(client, confirmed):
    address = link("preferences", confirmed, tokens.PREFERENCES)
    base = {
        "first_name": "Inès",
        "postcode": "77000",
        "commune": "77288",
        "hours_per_month": "1",
        "language": "fr",
    }
    assert client.post(address, base).status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.status == Volunteer.Status.UNSUBSCRIBED
    assert not Volunteer.objects.mailable().filter(pk=confirmed.pk).exists()
    assert client.post(address, {**base, "consent_emails": "on"}).status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.status == Volunteer.Status.CONFIRMED
    assert list(confirmed.consents.filter(purpose="emails").values_list("granted", flat=True)) == [
        True,
        False,
        True,
    ]


def test_preference_centre_bad_input_keeps_what_was_saved(client, confirmed):
    address = link("preferences", confirmed, tokens.PREFERENCES)
    response = client.post(
        address,
        {"first_name": "X\r\nY", "postcode": "abc", "hours_per_month": "1", "language": "fr"},
    )
    assert response.status_code == 400
    confirmed.refresh_from_db()
    assert confirmed.first_name == "Inès" and confirmed.postcode == "77000"


def test_data_download_holds_everything_with_consent_proof(client, confirmed):
    response = client.get(link("data_download", confirmed, tokens.PREFERENCES))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["volunteer"][0]["email"] == "conf@example.org"
    assert data["volunteer"][0]["commune"]["insee_code"] == "77288"
    assert data["interests"] == [{"slug": "aines"}]
    assert data["consents"][0]["wording"] == "J'accepte"


def test_erasure_leaves_no_personal_data_but_honours_the_unsubscribe(
    client, confirmed, mailoutbox, django_capture_on_commit_callbacks
):
    address = link("erase", confirmed, tokens.PREFERENCES)
    assert client.get(address).status_code == 200  # a confirmation page, nothing erased yet
    assert Volunteer.objects.get(pk=confirmed.pk).email == "conf@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address)
    assert response.status_code == 200
    row = Volunteer.objects.get(pk=confirmed.pk)
    assert row.status == Volunteer.Status.ERASED
    for field in (
        "email",
        "first_name",
        "last_name",
        "phone",
        "postcode",
        "commune",
        "utm_source",
        "utm_campaign",
    ):
        assert not getattr(row, field), field
    assert row.availability == [] and not row.interests.exists()
    assert not row.consent_emails and not row.consent_mairie
    assert row.email_hash == email_hash("conf@example.org")
    # The erasure notice went to the address before it was forgotten.
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["conf@example.org"]
    # Nothing of the person in the proof records either.
    for record in row.consents.all():
        assert "conf@example.org" not in record.wording and "Inès" not in record.wording
    # The links are dead now.
    assert client.get(link("preferences", confirmed, tokens.PREFERENCES)).status_code == 400


def test_one_click_unsubscribe_by_post_without_csrf(confirmed):
    client = Client(enforce_csrf_checks=True)
    address = link("unsubscribe", confirmed, tokens.UNSUBSCRIBE)
    # A GET (a mail scanner following links) changes nothing.
    assert client.get(address).status_code == 200
    confirmed.refresh_from_db()
    assert confirmed.status == Volunteer.Status.CONFIRMED
    response = client.post(address, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    confirmed.refresh_from_db()
    assert confirmed.status == Volunteer.Status.UNSUBSCRIBED
    assert confirmed.unsubscribed_at is not None
    record = confirmed.consents.filter(purpose="emails").last()
    assert (record.granted, record.source) == (False, "one_click")
    # Twice is harmless.
    assert client.post(address, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert confirmed.consents.filter(purpose="emails", granted=False).count() == 1


def test_csrf_stays_enforced_elsewhere(confirmed):
    client = Client(enforce_csrf_checks=True)
    response = client.post(link("erase", confirmed, tokens.PREFERENCES))
    assert response.status_code == 403
    assert Volunteer.objects.get(pk=confirmed.pk).status == Volunteer.Status.CONFIRMED


def test_an_erased_person_may_sign_up_again(
    geography, confirmed, post_signup, signup_data, django_capture_on_commit_callbacks
):
    from volunteers.services import volunteer_erase

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_erase(volunteer=confirmed)
    assert post_signup(signup_data(email="conf@example.org")).status_code == 302
    assert Volunteer.objects.filter(email="conf@example.org").count() == 1


def test_the_batch_link_maker_makes_the_same_links(db, monkeypatch):
    from django.core.signing import TimestampSigner

    from volunteers import emails

    # Tokens carry the second they were made: one clock for both ways.
    monkeypatch.setattr(TimestampSigner, "timestamp", lambda self: "1xVUWw")
    from volunteers.factories import VolunteerFactory

    links = emails.LinkMaker()
    for language in ("fr", "en"):
        volunteer = VolunteerFactory(language=language)
        assert links.preferences_url(volunteer) == emails.preferences_url(volunteer)
        assert links.unsubscribe_url(volunteer) == emails.unsubscribe_url(volunteer)


def browser_post(client, address, data=None):
    """POST a signed-link page's form the way Chromium does: GET the page, then send the
    form with its CSRF token and the `Origin` header the page's Referrer-Policy leads to
    (`null` under "no-referrer", the site's own origin otherwise)."""
    page = client.get(address)
    assert page.status_code == 200
    policy = page["Referrer-Policy"]
    origin = "null" if policy == "no-referrer" else "http://testserver"
    token = page.context["csrf_token"]
    return page, client.post(
        address, {"csrfmiddlewaretoken": str(token), **(data or {})}, HTTP_ORIGIN=origin
    )


def test_confirming_from_a_browser_passes_the_csrf_check(pending):
    client = Client(enforce_csrf_checks=True)
    page, response = browser_post(client, link("confirm", pending, tokens.CONFIRM))
    assert response.status_code == 200
    # The token in the address reaches this site only, never another one.
    assert page["Referrer-Policy"] == "same-origin"
    pending.refresh_from_db()
    assert pending.status == Volunteer.Status.CONFIRMED


def test_saving_preferences_from_a_browser_passes_the_csrf_check(confirmed):
    client = Client(enforce_csrf_checks=True)
    page, response = browser_post(
        client,
        link("preferences", confirmed, tokens.PREFERENCES),
        {
            "first_name": "Inès",
            "last_name": "",
            "postcode": "77000",
            "commune": "77288",
            "phone": "",
            "interests": ["aines"],
            "hours_per_month": "2",
            "language": "fr",
            "consent_emails": "on",
        },
    )
    assert response.status_code == 302
    assert page["Referrer-Policy"] == "same-origin"
    confirmed.refresh_from_db()
    assert confirmed.hours_per_month == 2


def test_erasing_from_a_browser_passes_the_csrf_check(confirmed):
    client = Client(enforce_csrf_checks=True)
    page, response = browser_post(client, link("erase", confirmed, tokens.PREFERENCES))
    assert response.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert Volunteer.objects.get(pk=confirmed.pk).status == Volunteer.Status.ERASED


def test_a_post_from_an_opaque_origin_is_still_refused(pending):
    client = Client(enforce_csrf_checks=True)
    address = link("confirm", pending, tokens.CONFIRM)
    token = client.get(address).context["csrf_token"]
    response = client.post(address, {"csrfmiddlewaretoken": str(token)}, HTTP_ORIGIN="null")
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Volunteer.Status.PENDING
