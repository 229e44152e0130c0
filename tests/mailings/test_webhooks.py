"""The ESP's tracking webhook refuses what it cannot trust (issue 12): every post when no
secret is configured (fail closed), and malformed events with valid credentials (400, a short
message, nothing changed; Brevo would retry a 500 for days)."""

import base64
import json

from django.test import Client

import pytest

from mailings.models import Delivery, DeliveryEvent
from tests.mailings.test_mailings import (  # noqa: F401 - fixtures
    brevo,
    brevo_event,
    people,
    post_event,
    sent,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def _unchanged(delivery):
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert Volunteer.objects.get(pk=delivery.volunteer_id).status == Volunteer.Status.CONFIRMED
    assert not DeliveryEvent.objects.exists()


@pytest.mark.parametrize("auth", [None, "hook:test-secret", "hook:", ":"])
def test_without_a_secret_configured_every_post_is_refused(client, sent, settings, auth):  # noqa: F811
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    anne = sent["anne@example.org"]
    response = post_event(client, brevo_event(anne, "spam"), auth=auth)
    assert response.status_code == 400
    _unchanged(anne)


def test_an_anonymous_complaint_changes_nothing(client, people):  # noqa: F811
    payload = {"event": "spam", "email": "anne@example.org", "message-id": "<x@y>"}
    response = post_event(client, payload, auth=None)
    assert response.status_code == 400
    assert Volunteer.objects.get(email="anne@example.org").status == Volunteer.Status.CONFIRMED


def _deep(levels):
    return (
        '{"event": "spam", "email": "anne@example.org", "x": ' + "[" * levels + "]" * levels + "}"
    )


MALFORMED = {
    "email is a list": lambda e: {**e, "email": ["anne@example.org"]},
    "email is an object": lambda e: {**e, "email": {"a": "anne@example.org"}},
    "email is a number": lambda e: {**e, "email": 12},
    "email holds a NUL": lambda e: {**e, "email": "anne@example.org\x00"},
    "event is a list": lambda e: {**e, "event": ["spam"]},
    "event is an object": lambda e: {**e, "event": {"spam": 1}},
    "message-id is a number": lambda e: {**e, "message-id": 3},
    "custom is a list": lambda e: {**e, "X-Mailin-custom": "[1, 2]"},
    "custom is an object": lambda e: {**e, "X-Mailin-custom": {"delivery": 1}},
    "custom is not JSON": lambda e: {**e, "X-Mailin-custom": "{nope"},
    "delivery too big": lambda e: {**e, "X-Mailin-custom": json.dumps({"delivery": "9" * 40})},
    "delivery is a list": lambda e: {**e, "X-Mailin-custom": json.dumps({"delivery": [1]})},
    "ts_epoch is text": lambda e: {**e, "ts_epoch": "soon"},
    "ts_epoch is a list": lambda e: {**e, "ts_epoch": [1]},
    "tags is text": lambda e: {**e, "tags": "a"},
    "tags hold objects": lambda e: {**e, "tags": [{"a": 1}]},
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_events_get_a_short_400_and_change_nothing(sent, case):  # noqa: F811
    client = Client(raise_request_exception=False)
    anne = sent["anne@example.org"]
    payload = MALFORMED[case](brevo_event(anne, "spam"))
    response = post_event(client, payload)
    assert response.status_code == 400, case
    assert len(response.content) < 200, case
    assert b"anne@example.org" not in response.content
    _unchanged(anne)


@pytest.mark.parametrize(
    "raw",
    [
        _deep(50),
        _deep(100_000),
        "[" * 100_000 + "]" * 100_000,
        '{"event": "spam", "email": "anne@example.org", "x": {"y": {"z": {"w": {}}}}}',
        "",
        "null",
        "12",
        '[{"event": "spam", "email": "anne@example.org"}]',
    ],
    ids=["deep-50", "deep-100000", "list-100000", "objects-5", "empty", "null", "number", "list"],
)
def test_deep_or_non_object_bodies_get_400(sent, raw):  # noqa: F811
    client = Client(raise_request_exception=False)
    anne = sent["anne@example.org"]
    response = post_event(client, None, raw=raw)
    assert response.status_code == 400
    _unchanged(anne)


def test_a_body_that_is_not_utf8_gets_400(sent):  # noqa: F811
    client = Client(raise_request_exception=False)
    anne = sent["anne@example.org"]
    auth = "Basic " + base64.b64encode(b"hook:test-secret").decode()
    body = json.dumps(brevo_event(anne, "spam")).encode("utf-16")
    response = client.post(
        "/anymail/brevo/tracking/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 400
    _unchanged(anne)


def test_a_well_formed_event_still_lands(client, sent):  # noqa: F811
    anne = sent["anne@example.org"]
    assert post_event(client, brevo_event(anne, "spam")).status_code == 200
    anne.refresh_from_db()
    assert anne.status == Delivery.Status.COMPLAINED
