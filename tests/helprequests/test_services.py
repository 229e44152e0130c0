"""The help requests' state machine (helprequests/services.py): proposing, the volunteer's
answer, the race of two acceptances, the "done" with its time, withdrawal, expiry and the
anonymisation three months after closing."""

import datetime
import threading

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection, connections
from django.utils import timezone

import pytest

from campaign.geography.models import Commune
from helprequests import services
from helprequests.factories import (
    HelpRequestFactory,
    ProposableVolunteerFactory,
    ReferentFactory,
)
from helprequests.models import AccessRecord, HelpProposal, HelpRequest
from helprequests.services import HelpError
from kits.factories import CommuneFactory, DepartmentFactory, RegionFactory
from volunteers.models import Volunteer

Status = HelpRequest.Status


@pytest.fixture
def place(db):
    idf = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    d77 = DepartmentFactory(code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf)
    melun = CommuneFactory(insee_code="77288", name="Melun", department=d77, postcode="77000")
    # 3 km from Melun, and Fontainebleau 15.5 km away (beyond NEIGHBOUR_KM).
    dammarie = CommuneFactory(
        insee_code="77152", name="Dammarie-lès-Lys", department=d77, postcode="77190"
    )
    fontainebleau = CommuneFactory(
        insee_code="77186", name="Fontainebleau", department=d77, postcode="77300"
    )
    for commune, (lat, lon) in {
        melun: (48.5446, 2.6580),
        dammarie: (48.5150, 2.6394),
        fontainebleau: (48.4047, 2.7016),
    }.items():
        Commune.objects.filter(pk=commune.pk).update(latitude=lat, longitude=lon)
    user = get_user_model().objects.create_user("referente", email="referente@mairie.example")
    ReferentFactory(user=user, commune=melun)
    return {
        "melun": Commune.objects.get(pk=melun.pk),
        "dammarie": dammarie,
        "fontainebleau": fontainebleau,
        "referent": user,
    }


def proposed(place, **kwargs):
    volunteer = ProposableVolunteerFactory(commune=place["melun"], interests=["courses-services"])
    help_request = HelpRequestFactory(commune=place["melun"], **kwargs)
    proposal = services.request_propose(
        help_request=help_request, volunteer=volunteer, user=place["referent"]
    )
    return help_request, proposal


def test_propose_moves_the_request_and_logs_who_proposed(place):
    help_request, proposal = proposed(place)
    help_request.refresh_from_db()
    assert help_request.status == Status.PROPOSED
    assert proposal.status == HelpProposal.Status.PENDING
    assert proposal.deadline > timezone.now() + datetime.timedelta(hours=47)
    record = AccessRecord.objects.get(action=AccessRecord.Action.PROPOSE)
    assert (record.user, record.request, record.volunteer) == (
        place["referent"],
        help_request,
        proposal.volunteer,
    )


def test_a_second_proposal_while_one_waits_is_refused(place):
    help_request, _proposal = proposed(place)
    other = ProposableVolunteerFactory(commune=place["melun"])
    with pytest.raises(HelpError) as error:
        services.request_propose(help_request=help_request, volunteer=other, user=None)
    assert error.value.code == "already_proposed"
    assert help_request.proposals.count() == 1


def test_a_volunteer_who_cannot_be_proposed_is_refused(place):
    help_request = HelpRequestFactory(commune=place["melun"])
    for volunteer in (
        ProposableVolunteerFactory(commune=place["melun"], help_paused=True),
        ProposableVolunteerFactory(commune=place["melun"], consent_help_requests=False),
        ProposableVolunteerFactory(commune=place["melun"], status=Volunteer.Status.PENDING),
    ):
        with pytest.raises(HelpError) as error:
            services.request_propose(help_request=help_request, volunteer=volunteer, user=None)
        assert error.value.code == "not_available"
    assert not help_request.proposals.exists()


def test_accept_gives_one_outcome_and_twice_changes_nothing(place):
    help_request, proposal = proposed(place)
    token = services.answer_token(proposal)
    services.proposal_accept(token=token)
    help_request.refresh_from_db()
    assert help_request.status == Status.ACCEPTED
    assert help_request.volunteer_id == proposal.volunteer_id
    assert help_request.matched_at is not None
    with pytest.raises(HelpError) as error:
        services.proposal_accept(token=token)
    assert error.value.code == "answered"
    assert HelpProposal.objects.filter(status=HelpProposal.Status.ACCEPTED).count() == 1


def test_accept_after_the_deadline_or_a_withdrawal_is_refused(place):
    help_request, proposal = proposed(place)
    HelpProposal.objects.filter(pk=proposal.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(HelpError) as error:
        services.proposal_accept(token=services.answer_token(proposal))
    assert error.value.code == "expired"

    other_request, other = proposed(place)
    services.request_withdraw(token=services.withdraw_token(other_request))
    with pytest.raises(HelpError) as error:
        services.proposal_accept(token=services.answer_token(other))
    assert error.value.code == "withdrawn"
    other_request.refresh_from_db()
    assert other_request.status == Status.CLOSED
    assert other_request.volunteer_id is None


def test_an_old_proposal_cannot_take_a_request_another_volunteer_accepted(place):
    help_request, first = proposed(place)
    services.proposal_cancel(proposal=first, user=place["referent"])
    second_volunteer = ProposableVolunteerFactory(commune=place["melun"])
    second = services.request_propose(
        help_request=help_request, volunteer=second_volunteer, user=place["referent"]
    )
    services.proposal_accept(token=services.answer_token(second))
    with pytest.raises(HelpError) as error:
        services.proposal_accept(token=services.answer_token(first))
    assert error.value.code == "taken"
    help_request.refresh_from_db()
    assert help_request.volunteer == second_volunteer


def test_tampered_and_foreign_tokens_name_nothing(place):
    help_request, proposal = proposed(place)
    token = services.answer_token(proposal)
    for bad in (token[:-2] + "xx", "nope", services.done_token(proposal)):
        with pytest.raises(HelpError) as error:
            services.proposal_accept(token=bad)
        assert error.value.code == "bad_link"
    # A well-signed token whose secret is not the proposal's (renewed on anonymisation).
    forged = signing.dumps({"id": proposal.pk, "t": "autre"}, salt=services.ANSWER_SALT)
    with pytest.raises(HelpError):
        services.proposal_accept(token=forged)
    help_request.refresh_from_db()
    assert help_request.status == Status.PROPOSED


def test_decline_frees_the_request_and_may_pause_the_volunteer(place):
    help_request, proposal = proposed(place)
    services.proposal_decline(token=services.answer_token(proposal), pause=True)
    help_request.refresh_from_db()
    proposal.refresh_from_db()
    assert help_request.status == Status.SEARCHING
    assert proposal.status == HelpProposal.Status.DECLINED
    assert Volunteer.objects.get(pk=proposal.volunteer_id).help_paused
    # Declining again is harmless (and a pause asked the second time still applies);
    # accepting after declining is refused.
    Volunteer.objects.filter(pk=proposal.volunteer_id).update(help_paused=False)
    services.proposal_decline(token=services.answer_token(proposal), pause=True)
    assert Volunteer.objects.get(pk=proposal.volunteer_id).help_paused
    with pytest.raises(HelpError):
        services.proposal_accept(token=services.answer_token(proposal))
    # Someone who declined is not offered the same request again.
    assert proposal.volunteer_id not in [
        c.volunteer.pk for c in services.candidates(help_request=help_request)
    ]


def test_done_records_the_time_once_and_feeds_the_public_figure(place):
    help_request, proposal = proposed(place)
    services.proposal_accept(token=services.answer_token(proposal))
    assert services.public_minutes(commune=place["melun"]) == {
        "total": 0,
        "commune": 0,
        "department": 0,
    }
    services.request_done(token=services.done_token(proposal), minutes=90)
    help_request.refresh_from_db()
    assert (help_request.status, help_request.minutes) == (Status.DONE, 90)
    assert help_request.closed_at is not None
    with pytest.raises(HelpError) as error:
        services.request_done(token=services.done_token(proposal), minutes=60)
    assert error.value.code == "already_done"
    assert services.public_minutes(commune=place["melun"]) == {
        "total": 90,
        "commune": 90,
        "department": 90,
    }
    assert services.public_minutes(commune=place["fontainebleau"])["commune"] == 0
    assert services.public_minutes(commune=place["fontainebleau"])["department"] == 90


@pytest.mark.parametrize("minutes", [0, -5, 481, "une heure", None])
def test_done_refuses_an_impossible_time(place, minutes):
    help_request, proposal = proposed(place)
    services.proposal_accept(token=services.answer_token(proposal))
    with pytest.raises(HelpError) as error:
        services.request_done(token=services.done_token(proposal), minutes=minutes)
    assert error.value.code == "bad_minutes"
    help_request.refresh_from_db()
    assert help_request.status == Status.ACCEPTED


def test_done_before_acceptance_is_refused(place):
    _help_request, proposal = proposed(place)
    with pytest.raises(HelpError) as error:
        services.request_done(token=services.done_token(proposal), minutes=60)
    assert error.value.code == "not_accepted"


def test_proposals_left_unanswered_expire(place):
    help_request, proposal = proposed(place)
    later = proposal.deadline + datetime.timedelta(minutes=1)
    assert services.proposals_expire(now=proposal.deadline - datetime.timedelta(minutes=1)) == 0
    assert services.proposals_expire(now=later) == 1
    assert services.proposals_expire(now=later) == 0
    help_request.refresh_from_db()
    proposal.refresh_from_db()
    assert help_request.status == Status.SEARCHING
    assert proposal.status == HelpProposal.Status.EXPIRED


def test_candidates_are_the_commune_s_then_the_neighbours_within_reach(place):
    help_request = HelpRequestFactory(commune=place["melun"], availability=["weekday"])
    near = ProposableVolunteerFactory(commune=place["dammarie"], interests=["courses-services"])
    ProposableVolunteerFactory(commune=place["fontainebleau"], interests=["courses-services"])
    # Nobody in Melun: Dammarie-lès-Lys (3.5 km) is offered, Fontainebleau (16 km) is not.
    found = services.candidates(help_request=help_request)
    assert [c.volunteer.pk for c in found] == [near.pk]
    assert 2 < found[0].distance_km < 5
    # Someone in Melun itself: only them.
    here = ProposableVolunteerFactory(commune=place["melun"], interests=["courses-services"])
    assert [c.volunteer.pk for c in services.candidates(help_request=help_request)] == [here.pk]
    # The filters: another interest, no shared moment.
    other = ProposableVolunteerFactory(
        commune=place["melun"], interests=["aines"], availability=["weekend"]
    )
    assert other.pk not in [c.volunteer.pk for c in services.candidates(help_request=help_request)]
    relaxed = services.candidates(help_request=help_request, interest=False, availability=False)
    assert other.pk in [c.volunteer.pk for c in relaxed]
    # The label shows a first name and an initial, never an address.
    assert "@" not in found[0].label


def test_candidates_take_a_bounded_number_of_queries(place, django_assert_max_num_queries):
    help_request = HelpRequestFactory(commune=place["melun"], availability=[])
    for size in (2, 20):
        ProposableVolunteerFactory.create_batch(
            size, commune=place["dammarie"], interests=["courses-services"]
        )
        with django_assert_max_num_queries(4):
            found = services.candidates(help_request=help_request)
        assert len(found) >= size


def test_withdraw_cancels_a_pending_proposal_and_is_idempotent(place):
    help_request, proposal = proposed(place)
    token = services.withdraw_token(help_request)
    services.request_withdraw(token=token)
    services.request_withdraw(token=token)
    help_request.refresh_from_db()
    proposal.refresh_from_db()
    assert (help_request.status, help_request.closed_reason) == (Status.CLOSED, "withdrawn")
    assert proposal.status == HelpProposal.Status.CANCELLED


def test_a_done_request_cannot_be_withdrawn_nor_closed(place):
    help_request, proposal = proposed(place)
    services.proposal_accept(token=services.answer_token(proposal))
    services.request_done(token=services.done_token(proposal), minutes=60)
    with pytest.raises(HelpError):
        services.request_withdraw(token=services.withdraw_token(help_request))
    with pytest.raises(HelpError):
        services.request_close(help_request=help_request, user=None, reason="fake")
    help_request.refresh_from_db()
    assert help_request.status == Status.DONE


def test_anonymisation_after_three_months_keeps_commune_category_and_time(place):
    help_request, proposal = proposed(place, first_name="Ginette", requester_name="Karim")
    services.proposal_accept(token=services.answer_token(proposal))
    services.request_done(token=services.done_token(proposal), minutes=120)
    old_token = services.withdraw_token(help_request)
    closed = HelpRequest.objects.get(pk=help_request.pk).closed_at
    # Not yet: 90 days after closing.
    assert services.requests_anonymise(now=closed + datetime.timedelta(days=90))["requests"] == 0
    counts = services.requests_anonymise(now=closed + datetime.timedelta(days=92))
    assert counts["requests"] == 1
    help_request.refresh_from_db()
    proposal.refresh_from_db()
    for field, empty in services.PERSONAL_FIELDS.items():
        assert getattr(help_request, field) == empty, field
    assert help_request.volunteer_id is None and proposal.volunteer_id is None
    assert (help_request.commune_id, help_request.category, help_request.minutes) == (
        "77288",
        "courses-services",
        120,
    )
    assert services.public_minutes()["total"] == 120
    # The withdrawal link sent before opens nothing any more.
    with pytest.raises(HelpError):
        services.request_from_withdraw_token(token=old_token)
    # Open requests are never anonymised, whatever their age.
    old_open = HelpRequestFactory(
        commune=place["melun"], created_at=timezone.now() - datetime.timedelta(days=400)
    )
    services.requests_anonymise(now=timezone.now() + datetime.timedelta(days=400))
    old_open.refresh_from_db()
    assert old_open.first_name and old_open.anonymised_at is None


def test_the_access_log_is_kept_a_year(place):
    help_request, _proposal = proposed(place)
    record = AccessRecord.objects.get()
    services.requests_anonymise(now=record.at + datetime.timedelta(days=364))
    assert AccessRecord.objects.filter(pk=record.pk).exists()
    services.requests_anonymise(now=record.at + datetime.timedelta(days=366))
    assert not AccessRecord.objects.filter(pk=record.pk).exists()
    assert HelpRequest.objects.filter(pk=help_request.pk).exists()


def test_staff_figures_count_weeks_outcomes_and_the_median_wait(place):
    now = timezone.now()
    for hours, status in ((2, Status.DONE), (10, Status.DONE), (30, Status.ACCEPTED)):
        HelpRequestFactory(
            commune=place["melun"],
            status=status,
            created_at=now - datetime.timedelta(hours=40),
            matched_at=now - datetime.timedelta(hours=40 - hours),
            minutes=60 if status == Status.DONE else None,
        )
    HelpRequestFactory(commune=place["melun"], status=Status.CLOSED, closed_reason="fake")
    admin = get_user_model().objects.create_superuser("admin", "a@example.org", "x")
    figures = services.staff_figures(user=admin, now=now)
    assert figures["totals"] == {"received": 4, "done": 2, "minutes": 120, "open": 1}
    assert figures["median_hours_to_match"] == 10.0
    assert figures["by_department"][0]["minutes"] == 120
    assert sum(row["received"] for row in figures["weeks"]) == 4
    # A referent of another commune sees none of it.
    stranger = get_user_model().objects.create_user("autre")
    ReferentFactory(user=stranger, commune=place["fontainebleau"])
    assert services.staff_figures(user=stranger, now=now)["totals"]["received"] == 0


def _in_memory():
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and ("memory" in name or name == "")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_acceptances_at_once_exactly_one_wins(place):
    """Two browsers POST "J'accepte" on the same proposal at the same moment (a double click,
    or the link opened on a phone and a computer): one acceptance, one error, one accepted
    proposal. On PostgreSQL the two run in parallel and the row lock orders them; SQLite
    takes one writer at a time, which gives the same outcome."""
    help_request, proposal = proposed(place)
    token = services.answer_token(proposal)
    outcomes = []
    barrier = threading.Barrier(2)

    def accept():
        try:
            barrier.wait(timeout=10)
            services.proposal_accept(token=token)
            outcomes.append("won")
        except HelpError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - SQLite's "database is locked"
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    if _in_memory():
        # Threads cannot share an in-memory database: the two one after the other.
        barrier = threading.Barrier(1)
        accept()
        accept()
    else:
        threads = [threading.Thread(target=accept) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert outcomes.count("won") == 1, outcomes
    help_request.refresh_from_db()
    assert help_request.status == Status.ACCEPTED
    assert HelpProposal.objects.filter(status=HelpProposal.Status.ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_referents_proposing_at_once_one_proposal(place):
    help_request = HelpRequestFactory(commune=place["melun"])
    volunteers = ProposableVolunteerFactory.create_batch(2, commune=place["melun"])
    outcomes = []

    def propose(volunteer, barrier):
        try:
            barrier.wait(timeout=10)
            services.request_propose(help_request=help_request, volunteer=volunteer, user=None)
            outcomes.append("proposed")
        except HelpError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    if _in_memory():
        for volunteer in volunteers:
            propose(volunteer, threading.Barrier(1))
    else:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=propose, args=(v, barrier)) for v in volunteers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(outcomes) == ["already_proposed", "proposed"], outcomes
    assert HelpProposal.objects.filter(request=help_request).count() == 1


def test_an_erased_volunteer_s_proposal_does_not_hide_every_candidate(place):
    # SQL's NOT IN with a NULL in its list matches nothing: the proposal whose volunteer was
    # erased must not empty the candidates.
    help_request, proposal = proposed(place)
    services.proposal_decline(token=services.answer_token(proposal))
    HelpProposal.objects.filter(pk=proposal.pk).update(volunteer=None)
    other = ProposableVolunteerFactory(commune=place["melun"], interests=["courses-services"])
    assert other.pk in [c.volunteer.pk for c in services.candidates(help_request=help_request)]


def test_a_referents_group_member_without_a_commune_sees_no_request(place):
    from django.contrib.auth.models import Group

    from helprequests.models import REFERENT_GROUP

    HelpRequestFactory(commune=place["melun"])
    user = get_user_model().objects.create_user("sans-commune", email="x@mairie.example")
    user.groups.add(Group.objects.get(name=REFERENT_GROUP))
    assert user.has_perm("helprequests.view_helprequest")
    assert not HelpRequest.objects.visible_to(user).exists()
    assert user not in services.staff_handlers()


def test_closing_an_accepted_request_tells_the_volunteer(
    place, django_capture_on_commit_callbacks, mailoutbox
):
    help_request, proposal = proposed(place)
    services.proposal_accept(token=services.answer_token(proposal))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_close(help_request=help_request, user=place["referent"], reason="solved")
    assert [m.to for m in mailoutbox] == [[proposal.volunteer.email]]
    # Closed by the referent, not withdrawn by the person: the email says which.
    assert "close par le ou la référent·e" in mailoutbox[0].body
    assert "n'en a plus besoin" not in mailoutbox[0].body
