"""The directory's retention (docs/PRIVACY.md): proposals never confirmed go after 30 days
with their proposer's address; a rejected entry keeps no proposer's address."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

import pytest

from directory import services
from directory.factories import ActorFactory
from directory.models import Actor, ActorCommune

pytestmark = pytest.mark.django_db


def _created(actor, days):
    Actor.objects.filter(pk=actor.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_unconfirmed_proposals_go_after_thirty_days(geo):
    old = ActorFactory(
        status=Actor.Status.UNCONFIRMED, proposer_email="old@example.org", communes=[geo["melun"]]
    )
    recent = ActorFactory(status=Actor.Status.UNCONFIRMED, proposer_email="new@example.org")
    # Waiting for moderation for long is the moderators' delay, not the proposer's.
    pending = ActorFactory(status=Actor.Status.PENDING, proposer_email="p@example.org")
    _created(old, 31)
    _created(recent, 29)
    _created(pending, 90)
    out = io.StringIO()
    call_command("directory_purge", "--dry-run", stdout=out)
    assert "Propositions non confirmées à effacer : 1" in out.getvalue()
    assert Actor.objects.filter(pk=old.pk).exists()
    call_command("directory_purge", stdout=out)
    assert not Actor.objects.filter(pk=old.pk).exists()
    assert not ActorCommune.objects.filter(actor_id=old.pk).exists()
    assert set(Actor.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}


def test_rejected_entries_keep_no_proposers_address(geo):
    rejected = ActorFactory(status=Actor.Status.PENDING, proposer_email="r@example.org")
    services.actor_reject(actor=rejected)
    rejected.refresh_from_db()
    assert rejected.proposer_email == ""
    # One rejected some other way (a bulk update, an older row): the purge empties it.
    left = ActorFactory(status=Actor.Status.REJECTED, proposer_email="left@example.org")
    assert services.actors_purge() == (0, 1)
    left.refresh_from_db()
    assert left.proposer_email == "" and left.status == Actor.Status.REJECTED
