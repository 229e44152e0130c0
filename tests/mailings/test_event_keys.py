"""A tracking event's key holds nothing anyone can recompute from an address: without an
event id the key is made from a line that holds the recipient's address, so it is keyed
with SUPPRESSION_HASH_KEY like the suppression marker (issue 13: erasure leaves no
recomputable link). Older keys are converted so that a replay is still recognised."""

import hashlib
import importlib
from datetime import UTC, datetime
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from django.test import override_settings

import pytest
from anymail.signals import AnymailTrackingEvent

from mailings.models import DeliveryEvent
from mailings.services import tracking

pytestmark = pytest.mark.django_db

ADDRESS = "martine.durand@example.org"


def _event():
    return AnymailTrackingEvent(
        event_type="delivered",
        timestamp=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        message_id="<abc@smtp-relay.mailin.fr>",
        recipient=ADDRESS,
        esp_event={"event": "delivered"},
    )


def _unkeyed(event):
    stamp = event.timestamp.isoformat()
    raw = f"{event.message_id}|{event.event_type}|delivered|{stamp}|{event.recipient}"
    return hashlib.sha256(raw.encode()).hexdigest()


def test_the_stored_key_cannot_be_recomputed_from_the_address():
    tracking.tracking_event_record(event=_event())
    [stored] = DeliveryEvent.objects.values_list("key", flat=True)
    assert stored != _unkeyed(_event())
    with override_settings(SUPPRESSION_HASH_KEY="another-key"):
        assert tracking._event_key(_event()) != stored


def test_a_replayed_event_is_recorded_once():
    assert tracking.tracking_event_record(event=_event()) is True
    assert tracking.tracking_event_record(event=_event()) is False
    assert DeliveryEvent.objects.count() == 1


def test_the_migration_rekeys_old_rows_so_a_replay_is_still_recognised():
    DeliveryEvent.objects.create(key=_unkeyed(_event()), event_type="delivered")
    migration = importlib.import_module("mailings.migrations.0004_keyed_event_keys")
    migration.rekey(apps, SimpleNamespace(connection=connection))
    assert not DeliveryEvent.objects.filter(key=_unkeyed(_event())).exists()
    assert tracking.tracking_event_record(event=_event()) is False  # known already
    assert DeliveryEvent.objects.count() == 1
