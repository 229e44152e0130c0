"""The two periodic commands of the help requests: the hourly expiry of unanswered proposals
and the daily retention (anonymisation three months after closing, access log kept a year).
They print counts, never a name or an address (their output ends up in the journal)."""

import datetime
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

import pytest

from helprequests import services
from helprequests.factories import HelpRequestFactory, ProposableVolunteerFactory, ReferentFactory
from helprequests.models import AccessRecord, HelpProposal, HelpRequest
from kits.factories import CommuneFactory

Status = HelpRequest.Status


@pytest.fixture
def melun(db):
    commune = CommuneFactory(insee_code="77288", name="Melun")
    user = get_user_model().objects.create_user("referente", email="referente@mairie.example")
    ReferentFactory(user=user, commune=commune)
    return {"commune": commune, "referent": user}


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _no_one_named(output, *requests):
    for help_request in requests:
        for value in (help_request.first_name, help_request.email, help_request.phone):
            assert not value or value not in output


def test_expire_frees_the_requests_whose_volunteer_did_not_answer_in_time(melun):
    late = HelpRequestFactory(commune=melun["commune"], first_name="Simone")
    waiting = HelpRequestFactory(commune=melun["commune"], first_name="Marcel")
    proposals = [
        services.request_propose(
            help_request=r,
            volunteer=ProposableVolunteerFactory(commune=melun["commune"]),
            user=melun["referent"],
        )
        for r in (late, waiting)
    ]
    HelpProposal.objects.filter(pk=proposals[0].pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    output = _run("helprequests_expire")
    assert output.strip() == "Propositions sans réponse dans le délai : 1"
    _no_one_named(output, late, waiting)
    late.refresh_from_db()
    waiting.refresh_from_db()
    assert late.status == Status.SEARCHING and waiting.status == Status.PROPOSED
    assert list(HelpProposal.objects.order_by("pk").values_list("status", flat=True)) == [
        HelpProposal.Status.EXPIRED,
        HelpProposal.Status.PENDING,
    ]
    # An hour later: nothing more to expire.
    assert _run("helprequests_expire").strip() == "Propositions sans réponse dans le délai : 0"


def test_anonymise_counts_with_dry_run_then_blanks_what_is_due(melun):
    now = timezone.now()
    old = HelpRequestFactory(
        commune=melun["commune"],
        first_name="Simone",
        status=Status.DONE,
        minutes=90,
        closed_at=now - datetime.timedelta(days=100),
    )
    recent = HelpRequestFactory(
        commune=melun["commune"],
        first_name="Marcel",
        status=Status.CLOSED,
        closed_at=now - datetime.timedelta(days=10),
    )
    AccessRecord.objects.create(
        user=melun["referent"],
        action=AccessRecord.Action.VIEW_REQUEST,
        request=old,
        at=now - datetime.timedelta(days=400),
    )
    AccessRecord.objects.create(
        user=melun["referent"], action=AccessRecord.Action.VIEW_REQUEST, request=recent
    )

    output = _run("helprequests_anonymise", "--dry-run")
    assert output.splitlines() == [
        "Demandes closes à anonymiser : 1",
        "Lignes du journal des accès à effacer : 1",
    ]
    old.refresh_from_db()
    assert old.first_name == "Simone" and AccessRecord.objects.count() == 2

    output = _run("helprequests_anonymise")
    assert output.splitlines() == [
        "Demandes closes anonymisées : 1",
        "Lignes du journal des accès effacées : 1",
    ]
    _no_one_named(output, old, recent)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.first_name, old.phone, old.email, old.details) == ("", "", "", "")
    assert old.anonymised_at is not None and old.minutes == 90  # the figure keeps its time
    assert recent.first_name == "Marcel" and recent.anonymised_at is None
    assert list(AccessRecord.objects.values_list("request_id", flat=True)) == [recent.pk]
    assert _run("helprequests_anonymise").splitlines()[0] == "Demandes closes anonymisées : 0"
