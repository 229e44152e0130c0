"""The consent to be proposed neighbours' help requests (issue 16, "Un coup de main"): asked
in the preference centre only, recorded when it changes, paused without a record, withdrawn
by an unsubscribe, an erasure or an emailed proposal's link, and part of the data export."""

import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

import pytest

from volunteers import tokens
from volunteers.factories import VolunteerFactory
from volunteers.forms import (
    CONSENT_HELP_REQUESTS_LABEL,
    CONSENT_WORDING_VERSION,
    HELP_LEAVE_LABEL,
    HELP_PAUSED_LABEL,
    SignupForm,
)
from volunteers.models import ConsentRecord, Volunteer
from volunteers.services import (
    volunteer_erase,
    volunteer_export_data,
    volunteer_help_leave,
    volunteer_help_pause,
)
from volunteers.services.volunteers import volunteer_export_sections

pytestmark = pytest.mark.django_db

HELP = ConsentRecord.Purpose.HELP_REQUESTS


def preferences_url(volunteer, language="fr"):
    token = tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES)
    with translation.override(language):
        return reverse("volunteers:preferences", kwargs={"token": token})


def unsubscribe_url(volunteer):
    token = tokens.token_make(volunteer=volunteer, purpose=tokens.UNSUBSCRIBE)
    return reverse("volunteers:unsubscribe", kwargs={"token": token})


@pytest.fixture
def volunteer(geography, home_page):
    return VolunteerFactory(
        commune=geography["melun"], postcode="77000", email="voisine@example.org"
    )


def form_data(**overrides):
    data = {
        "first_name": "Inès",
        "last_name": "",
        "postcode": "77000",
        "commune": "77288",
        "phone": "",
        "hours_per_month": "1",
        "language": "fr",
        "consent_emails": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def checkbox(html, name):
    (tag,) = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', html)
    return tag


def help_records(volunteer):
    return list(
        volunteer.consents.filter(purpose=HELP).values_list(
            "granted", "source", "wording", "wording_version", "language"
        )
    )


@pytest.mark.parametrize(
    ("language", "legend"),
    [("fr", "Coups de main entre voisins"), ("en", "Helping hands between neighbours")],
)
def test_preferences_show_the_box_unticked_for_a_new_volunteer(client, volunteer, language, legend):
    response = client.get(preferences_url(volunteer, language))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<legend>{legend}</legend>" in html
    with translation.override(language):
        label, pause = str(CONSENT_HELP_REQUESTS_LABEL), str(HELP_PAUSED_LABEL)
    if language == "en":
        assert label.startswith("I agree that my town's referent")
    assert escape(label) in html and escape(pause) in html
    for name in ("consent_help_requests", "help_paused"):
        assert "checked" not in checkbox(html, name)
    # Its explanation is announced with the group.
    assert 'aria-describedby="coups-de-main-aide"' in html and 'id="coups-de-main-aide"' in html


def test_the_sign_up_form_does_not_ask_for_it():
    assert "consent_help_requests" not in SignupForm().fields
    assert "help_paused" not in SignupForm().fields


@pytest.mark.parametrize("language", ["fr", "en"])
def test_ticking_records_one_consent_with_its_wording_and_language(client, volunteer, language):
    address = preferences_url(volunteer, language)
    response = client.post(address, form_data(consent_help_requests="on"))
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.consent_help_requests is True and volunteer.help_paused is False
    with translation.override(language):
        wording = str(CONSENT_HELP_REQUESTS_LABEL)
    assert help_records(volunteer) == [
        (True, "preferences", wording, CONSENT_WORDING_VERSION, language)
    ]
    assert Volunteer.objects.proposable().filter(pk=volunteer.pk).exists()
    # The page shows the box ticked now.
    assert "checked" in checkbox(client.get(address).content.decode(), "consent_help_requests")
    # Saving again, unchanged, proves nothing new.
    assert client.post(address, form_data(consent_help_requests="on")).status_code == 302
    assert len(help_records(volunteer)) == 1


def test_unticking_records_the_withdrawal_and_keeps_the_pause(client, volunteer):
    address = preferences_url(volunteer)
    client.post(address, form_data(consent_help_requests="on", help_paused="on"))
    assert client.post(address, form_data(help_paused="on")).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.consent_help_requests is False
    assert volunteer.help_paused is True
    assert [(g, s) for g, s, *_ in help_records(volunteer)] == [
        (True, "preferences"),
        (False, "preferences"),
    ]
    assert help_records(volunteer)[1][2] == str(CONSENT_HELP_REQUESTS_LABEL)
    # The other consents were not touched.
    assert volunteer.consents.exclude(purpose=HELP).count() == 0


def test_pausing_from_the_preferences_adds_no_consent_record(client, volunteer):
    address = preferences_url(volunteer)
    client.post(address, form_data(consent_help_requests="on"))
    assert (
        client.post(address, form_data(consent_help_requests="on", help_paused="on")).status_code
        == 302
    )
    volunteer.refresh_from_db()
    assert volunteer.help_paused is True and volunteer.consent_help_requests is True
    assert not Volunteer.objects.proposable().filter(pk=volunteer.pk).exists()
    assert "checked" in checkbox(client.get(address).content.decode(), "help_paused")
    client.post(address, form_data(consent_help_requests="on"))
    volunteer.refresh_from_db()
    assert volunteer.help_paused is False
    assert len(help_records(volunteer)) == 1


def test_the_pause_service_toggles_the_pause_only(volunteer):
    volunteer.consent_help_requests = True
    volunteer.save()
    before = volunteer.last_activity_at
    volunteer_help_pause(volunteer=volunteer, paused=True)
    row = Volunteer.objects.get(pk=volunteer.pk)
    assert row.help_paused is True and row.consent_help_requests is True
    assert row.last_activity_at > before
    assert volunteer.help_paused is True  # the caller's instance follows
    volunteer_help_pause(volunteer=volunteer, paused=False)
    assert Volunteer.objects.get(pk=volunteer.pk).help_paused is False
    assert not volunteer.consents.exists()


def test_the_pause_service_leaves_an_erased_person_alone(volunteer):
    volunteer_erase(volunteer=volunteer, notify=False)
    volunteer.refresh_from_db()
    volunteer_help_pause(volunteer=volunteer, paused=True)
    assert Volunteer.objects.get(pk=volunteer.pk).help_paused is False


@pytest.mark.parametrize("language", ["fr", "en"])
def test_leaving_from_a_proposal_link_records_the_withdrawal(volunteer, language):
    volunteer.consent_help_requests = True
    volunteer.help_paused = True
    volunteer.save()
    assert volunteer_help_leave(volunteer=volunteer, language=language) is True
    row = Volunteer.objects.get(pk=volunteer.pk)
    assert row.consent_help_requests is False
    assert row.help_paused is True  # left as it was
    assert row.status == Volunteer.Status.CONFIRMED and row.consent_emails is True
    with translation.override(language):
        wording = str(HELP_LEAVE_LABEL)
    assert help_records(row) == [
        (False, "help_request_link", wording, CONSENT_WORDING_VERSION, language)
    ]
    # A second click changes and records nothing.
    assert volunteer_help_leave(volunteer=row, language=language) is False
    assert len(help_records(row)) == 1


def test_leaving_in_an_unknown_language_falls_back_to_the_volunteer_s(volunteer):
    volunteer.consent_help_requests = True
    volunteer.save()
    volunteer_help_leave(volunteer=volunteer, language="xx")
    assert help_records(volunteer)[0][4] == "fr"


def test_proposable_is_confirmed_consenting_unpaused_with_an_address(geography):
    def person(**kwargs):
        return VolunteerFactory(commune=geography["melun"], consent_help_requests=True, **kwargs)

    yes = person()
    also = person(help_paused=False, consent_mairie=False)
    person(status=Volunteer.Status.PENDING, confirmed_at=None)
    person(help_paused=True)
    person(status=Volunteer.Status.UNSUBSCRIBED)
    person(status=Volunteer.Status.BOUNCED)
    VolunteerFactory(commune=geography["melun"])  # never agreed
    erased = person()
    volunteer_erase(volunteer=erased, notify=False)
    # Erased, waiting for the notice: the address is still there, the consent already gone.
    erasing = person()
    volunteer_erase(volunteer=erasing, notify=True)
    assert Volunteer.objects.get(pk=erasing.pk).email is not None
    assert set(Volunteer.objects.proposable()) == {yes, also}


def test_erasure_withdraws_the_consent_and_the_pause(volunteer):
    volunteer.consent_help_requests = True
    volunteer.help_paused = True
    volunteer.save()
    volunteer_erase(volunteer=volunteer, notify=False)
    row = Volunteer.objects.get(pk=volunteer.pk)
    assert row.consent_help_requests is False and row.help_paused is False
    assert [(g, s) for g, s, *_ in help_records(row)] == [(False, "erasure")]


@pytest.mark.parametrize(
    ("post", "source"),
    [({}, "unsubscribe"), ({"List-Unsubscribe": "One-Click"}, "one_click")],
)
def test_unsubscribing_withdraws_the_help_requests_too(volunteer, post, source):
    volunteer.consent_help_requests = True
    volunteer.save()
    response = Client(enforce_csrf_checks=True).post(unsubscribe_url(volunteer), post)
    assert response.status_code == 200
    row = Volunteer.objects.get(pk=volunteer.pk)
    assert row.status == Volunteer.Status.UNSUBSCRIBED
    assert row.consent_help_requests is False
    assert [(g, s) for g, s, *_ in help_records(row)] == [(False, source)]
    assert row.consents.filter(purpose=ConsentRecord.Purpose.EMAILS, granted=False).count() == 1


def test_unsubscribing_without_the_consent_records_no_help_withdrawal(volunteer):
    Client(enforce_csrf_checks=True).post(unsubscribe_url(volunteer))
    assert help_records(volunteer) == []
    assert volunteer.consents.filter(purpose=ConsentRecord.Purpose.EMAILS).count() == 1


def test_the_export_holds_both_fields_with_french_labels(client, volunteer):
    volunteer.consent_help_requests = True
    volunteer.help_paused = True
    volunteer.save()
    row = volunteer_export_data(volunteer=volunteer)["volunteer"][0]
    assert row["consent_help_requests"] is True and row["help_paused"] is True
    (profile,) = [s for s in volunteer_export_sections(volunteer=volunteer) if s.key == "volunteer"]
    assert str(profile.columns["consent_help_requests"]) == (
        "Accepte d'être sollicité pour des coups de main"
    )
    assert str(profile.columns["help_paused"]) == "Propositions de coups de main en pause"
    token = tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES)
    html = client.get(reverse("volunteers:data_page", kwargs={"token": token})).content.decode()
    assert escape("Accepte d'être sollicité pour des coups de main") in html


def test_the_admin_shows_the_consent_on_a_volunteer_s_page(client, volunteer):
    volunteer.consent_help_requests = True
    volunteer.save()
    client.force_login(get_user_model().objects.create_superuser(username="chef", password="x"))
    response = client.get(
        reverse("wagtailsnippets_volunteers_volunteer:inspect", args=[volunteer.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert escape("Accepte d'être sollicité pour des coups de main") in html
    assert "Propositions de coups de main en pause" in html
