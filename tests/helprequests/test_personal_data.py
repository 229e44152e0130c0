"""What the help requests keep about a person, through the registry of personal data
(campaign/personal_data.py): the export of a person who asked (for themselves or for someone
else) and of a volunteer, and the erasure of each."""

import json

from django.contrib.auth import get_user_model
from django.core import mail

import pytest

from campaign.personal_data import Person, personal_data_erase, personal_data_export_json
from helprequests import selectors, services
from helprequests.factories import HelpRequestFactory, ProposableVolunteerFactory, ReferentFactory
from helprequests.models import AccessRecord, HelpProposal, HelpRequest
from helprequests.services import HelpError
from kits.factories import CommuneFactory
from volunteers.services import volunteer_erase
from volunteers.services.volunteers import volunteer_person

Status = HelpRequest.Status
Answer = HelpProposal.Status


@pytest.fixture
def melun(db):
    commune = CommuneFactory(insee_code="77288", name="Melun")
    user = get_user_model().objects.create_user("referente", email="referente@mairie.example")
    ReferentFactory(user=user, commune=commune)
    return {"commune": commune, "referent": user}


def _request(melun, **kwargs):
    return HelpRequestFactory(commune=melun["commune"], **kwargs)


def _propose(melun, help_request, volunteer):
    return services.request_propose(
        help_request=help_request, volunteer=volunteer, user=melun["referent"]
    )


def _accept(melun, help_request, volunteer):
    proposal = _propose(melun, help_request, volunteer)
    services.proposal_accept(token=services.answer_token(proposal))
    return proposal


def _done(melun, help_request, volunteer, minutes):
    proposal = _accept(melun, help_request, volunteer)
    services.request_done(token=services.done_token(proposal), minutes=minutes)
    return proposal


# --- export ------------------------------------------------------------------------------


def test_a_person_gets_the_requests_made_by_them_or_for_them(melun):
    own = _request(melun, first_name="Simone", email="Simone.Demo@Exemple.fr", phone="")
    for_a_neighbour = _request(
        melun,
        first_name="Yvonne",
        email="",
        phone="06 00 00 00 03",
        asked_by=HelpRequest.AskedBy.NEIGHBOUR,
        requester_name="Simone",
        requester_email="simone.demo@exemple.fr",
    )
    _request(melun, first_name="Marcel", email="marcel.demo@exemple.fr")

    data = personal_data_export_json(person=Person(email="simone.demo@exemple.fr"))
    rows = data["help_requests"]
    assert [row["first_name"] for row in rows] == ["Simone", "Yvonne"]
    assert "help_proposals" not in data  # an empty section is left out
    first, second = rows
    assert first["email"] == own.email and first["asked_by"] == "self"
    assert first["commune"] == {"insee_code": "77288", "name": "Melun"}
    assert first["category"] == own.category and first["status"] == "new"
    assert first["consent"] == own.consent_wording and first["consent_at"]
    assert second["phone"] == "06 00 00 00 03" and second["asked_by"] == "neighbour"
    assert second["requester_email"] == for_a_neighbour.requester_email
    assert "Marcel" not in json.dumps(data)


def test_a_volunteer_gets_what_they_were_proposed_without_the_other_persons_contact(melun):
    volunteer = ProposableVolunteerFactory(commune=melun["commune"])
    other = ProposableVolunteerFactory(commune=melun["commune"])
    helped = _request(melun, first_name="Simone", phone="06 00 00 00 01")
    declined = _request(melun, first_name="Marcel", email="marcel.demo@exemple.fr")
    _done(melun, helped, volunteer, 90)
    services.proposal_decline(token=services.answer_token(_propose(melun, declined, volunteer)))
    # Done by someone else afterwards: not their time.
    _done(melun, declined, other, 45)

    data = personal_data_export_json(person=volunteer_person(volunteer))
    rows = data["help_proposals"]
    assert [(row["answer"], row["minutes"]) for row in rows] == [
        (Answer.ACCEPTED, 90),
        (Answer.DECLINED, None),
    ]
    assert rows[0]["commune"]["name"] == "Melun" and rows[0]["category"] == helped.category
    text = json.dumps(rows)
    for secret in ("Simone", "Marcel", "06 00 00 00 01", "marcel.demo@exemple.fr"):
        assert secret not in text, secret


def test_the_export_page_labels_the_states_and_kinds_of_help(melun, client):
    from campaign.personal_data import personal_data_export

    _request(melun, email="simone.demo@exemple.fr", category="courses-services")
    [section] = [
        s
        for s in personal_data_export(person=Person(email="simone.demo@exemple.fr"))
        if s.key == "help_requests"
    ]
    cells = dict(zip(section.columns, section.table()[0], strict=True))
    assert cells["status"] == "nouvelle"
    assert cells["category"] != "courses-services"  # its label, not its code


# --- erasure: the person, or who asked -----------------------------------------------------


def test_erasing_the_person_withdraws_an_open_request_and_blanks_it_now(melun):
    volunteer = ProposableVolunteerFactory(commune=melun["commune"])
    open_request = _request(melun, email="simone.demo@exemple.fr")
    proposal = _propose(melun, open_request, volunteer)
    old_link = services.withdraw_token(open_request)
    asked_for = _request(
        melun,
        first_name="Yvonne",
        email="",
        asked_by=HelpRequest.AskedBy.NEIGHBOUR,
        requester_name="Simone",
        requester_email="simone.demo@exemple.fr",
    )
    done = _request(melun, email="simone.demo@exemple.fr")
    _done(melun, done, ProposableVolunteerFactory(commune=melun["commune"]), 120)
    untouched = _request(melun, first_name="Marcel", email="marcel.demo@exemple.fr")

    personal_data_erase(person=Person(email="simone.demo@exemple.fr"))

    for help_request in (open_request, asked_for, done):
        help_request.refresh_from_db()
        for field, blank in services.PERSONAL_FIELDS.items():
            assert getattr(help_request, field) == blank, (help_request.pk, field)
    assert open_request.status == Status.CLOSED
    assert open_request.closed_reason == HelpRequest.ClosedReason.WITHDRAWN
    proposal.refresh_from_db()
    assert proposal.status == Answer.CANCELLED
    # The time given stays in the public figure; the done request stays done.
    assert done.status == Status.DONE and done.minutes == 120
    assert selectors.public_hours().total.minutes == 120
    # The withdrawal link they had opens nothing any more.
    with pytest.raises(HelpError) as error:
        services.request_from_withdraw_token(token=old_link)
    assert error.value.code == "bad_link"
    untouched.refresh_from_db()
    assert untouched.first_name == "Marcel" and untouched.email == "marcel.demo@exemple.fr"
    assert personal_data_export_json(person=Person(email="simone.demo@exemple.fr")) == {}


def test_the_volunteer_who_had_accepted_is_told_the_request_is_withdrawn(
    melun, django_capture_on_commit_callbacks
):
    volunteer = ProposableVolunteerFactory(
        commune=melun["commune"], email="nadia.demo@example.org", first_name="Nadia"
    )
    help_request = _request(melun, first_name="Simone", email="simone.demo@exemple.fr")
    _accept(melun, help_request, volunteer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(person=Person(email="simone.demo@exemple.fr"))
    [email] = [m for m in mail.outbox if m.to == ["nadia.demo@example.org"]]
    assert "Simone" not in email.body and "simone.demo" not in email.body
    assert "Melun" in email.body


# --- erasure: a volunteer ------------------------------------------------------------------


def test_erasing_a_volunteer_hands_back_what_they_had_to_do_and_forgets_them(
    melun, django_capture_on_commit_callbacks
):
    volunteer = ProposableVolunteerFactory(commune=melun["commune"])
    pending = _request(melun)
    pending_proposal = _propose(melun, pending, volunteer)
    accepted = _request(melun)
    _accept(melun, accepted, volunteer)
    done = _request(melun)
    _done(melun, done, volunteer, 90)
    services.access_record(
        user=melun["referent"],
        action=AccessRecord.Action.VIEW_VOLUNTEER,
        help_request=done,
        volunteer=volunteer,
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_erase(volunteer=volunteer, notify=False)

    for help_request in (pending, accepted, done):
        help_request.refresh_from_db()
        assert help_request.volunteer_id is None
    assert pending.status == Status.SEARCHING and accepted.status == Status.SEARCHING
    assert accepted.matched_at is None
    assert done.status == Status.DONE and done.minutes == 90
    assert not HelpProposal.objects.filter(volunteer=volunteer).exists()
    assert not AccessRecord.objects.filter(volunteer=volunteer).exists()
    pending_proposal.refresh_from_db()
    assert pending_proposal.status == Answer.CANCELLED
    # The referent is told each of the two requests waits for someone else.
    told = [m for m in mail.outbox if m.to == ["referente@mairie.example"]]
    assert len(told) == 2
    # Another volunteer can take the request they had accepted.
    other = ProposableVolunteerFactory(commune=melun["commune"])
    _done(melun, accepted, other, 60)
    assert selectors.public_hours().total.minutes == 150
