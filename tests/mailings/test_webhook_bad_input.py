"""Tracking events that do not match what we sent (issue 13's bad input): for message ids we
never had, for another mailing than the one they seem to name. Replayed, out-of-order and
malformed events are in test_mailings.py and test_webhooks.py."""

import json

import pytest

from mailings.models import Delivery, DeliveryEvent
from tests.mailings.test_mailings import (  # noqa: F401 - fixtures
    brevo,
    brevo_event,
    make_mailing,
    people,
    post_event,
    sent,
    start_and_dispatch,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def statuses():
    return dict(Delivery.objects.values_list("pk", "status"))


def test_events_for_unknown_message_ids_change_no_delivery(client, sent):  # noqa: F811
    before = statuses()
    for event in ("delivered", "hard_bounce", "spam"):
        payload = {
            "event": event,
            "email": "personne@example.org",
            "message-id": "<202612060000.000000001@nowhere.test>",
            "ts_epoch": 1_700_000_000_000,
            "X-Mailin-custom": json.dumps({"delivery": "987654321"}),
        }
        assert post_event(client, payload).status_code == 200

    assert statuses() == before
    # Recorded once each (a replay stays a no-op), attached to nothing.
    assert DeliveryEvent.objects.filter(delivery=None).count() == 3
    assert set(Volunteer.objects.values_list("status", flat=True)) >= {"confirmed"}
    assert not Volunteer.objects.filter(email="personne@example.org").exists()


def test_an_event_for_another_mailing_moves_only_that_mailings_delivery(client, sent, brevo):  # noqa: F811
    second = start_and_dispatch(make_mailing(subject="Deuxième envoi"))
    anne_first = sent["anne@example.org"]
    anne_second = Delivery.objects.get(mailing=second, volunteer__email="anne@example.org")
    assert anne_first.esp_message_id != anne_second.esp_message_id

    assert post_event(client, brevo_event(anne_second, "delivered")).status_code == 200

    anne_first.refresh_from_db()
    anne_second.refresh_from_db()
    assert anne_second.status == Delivery.Status.DELIVERED
    assert anne_first.status == Delivery.Status.SENT


def test_metadata_and_message_id_that_disagree_move_one_delivery_not_two(client, sent, brevo):  # noqa: F811
    # The metadata names the delivery we wrote in the message; a message id of another
    # mailing beside it (a confused relay) does not move that other delivery too.
    second = start_and_dispatch(make_mailing(subject="Deuxième envoi"))
    anne_first = sent["anne@example.org"]
    anne_second = Delivery.objects.get(mailing=second, volunteer__email="anne@example.org")
    payload = brevo_event(anne_second, "delivered")
    payload["message-id"] = anne_first.esp_message_id

    assert post_event(client, payload).status_code == 200

    anne_first.refresh_from_db()
    anne_second.refresh_from_db()
    assert (anne_first.status, anne_second.status) == (
        Delivery.Status.SENT,
        Delivery.Status.DELIVERED,
    )
