"""The fake Brevo (tests/fakes/brevo.py), driven through the real Anymail Brevo backend and
plain HTTP: it must behave as Brevo's API reference says, since the exactly-once tests rest
on it."""

import json
import threading
import time
import uuid
from urllib.parse import quote

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

import pytest
import requests
from anymail.exceptions import AnymailAPIError, AnymailRequestsAPIError

from tests.fakes.brevo import IDEMPOTENCY_TTL, FakeBrevo

BACKEND = "anymail.backends.brevo.EmailBackend"
SENDER = "Tous Voisins <bonjour@tousvoisins.example>"


@pytest.fixture
def esp():
    with FakeBrevo(api_key="test-key") as server, override_settings(**server.django_settings()):
        yield server


def make_message(to, *, subject="Bienvenue", html=None, text="Bonjour", **anymail_attrs):
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=SENDER, to=to)
    if html is not None:
        message.attach_alternative(html, "text/html")
    for name, value in anymail_attrs.items():
        setattr(message, name, value)
    return message


def batch(to, *, key=None, tags=None):
    """A batch send (messageVersions), with an idempotency key if given."""
    return make_message(
        to,
        merge_data={address: {} for address in to},
        extra_headers={"idempotencyKey": key} if key else {},
        tags=tags or [],
    )


def send(message, **backend_kwargs):
    """Send through a fresh real Anymail connection; return the message (for anymail_status)."""
    message.connection = mail.get_connection(BACKEND, **backend_kwargs)
    message.send()
    return message


def api(esp, method, path, **kwargs):
    return requests.request(
        method, esp.url + path, headers={"api-key": "test-key"}, timeout=5, **kwargs
    )


def error_code(failure) -> str:
    return failure.value.response.json()["code"]


def test_url_points_at_v3_on_loopback(esp):
    assert esp.url.startswith("http://127.0.0.1:")
    assert esp.url.endswith("/v3/")


def test_single_send_is_delivered(esp):
    message = send(
        make_message(["camille@example.org"], subject="Merci", html="<p>Merci</p>", text="Merci")
    )

    [delivered] = esp.delivered
    assert (delivered.to, delivered.subject, delivered.html) == (
        "camille@example.org",
        "Merci",
        "<p>Merci</p>",
    )
    assert message.anymail_status.message_id == delivered.message_id
    assert message.anymail_status.status == {"queued"}
    [call] = esp.calls
    assert (call["status"], call["versions"], call["recipients"]) == (201, 0, 1)


def test_batch_substitutes_each_versions_params_and_headers(esp):
    people = {"camille@example.org": "Camille", "sacha@example.org": "Sacha"}
    message = make_message(
        list(people),
        subject="Bonjour {{ params.prenom }}",
        html="<p>Bonjour {{ params.prenom }} de {{params.ville}}{{ params.absent }} !</p>",
        merge_data={address: {"prenom": name} for address, name in people.items()},
        merge_global_data={"ville": "Melun"},
        merge_headers={
            a: {"List-Unsubscribe": f"<https://e.org/u/{n}>"} for a, n in people.items()
        },
        merge_metadata={address: {"volunteer": name} for address, name in people.items()},
        tags=["lot-1"],
    )
    send(message)

    delivered = {d.to: d for d in esp.delivered}
    for address, name in people.items():
        d = delivered[address]
        assert d.html == f"<p>Bonjour {name} de Melun !</p>"
        assert d.subject == f"Bonjour {name}"
        assert d.headers["List-Unsubscribe"] == f"<https://e.org/u/{name}>"
        assert name in d.headers["X-Mailin-custom"]
        assert d.tags == ("lot-1",)
        assert message.anymail_status.recipients[address].message_id == d.message_id
    [call] = esp.calls
    assert (call["status"], call["versions"], call["recipients"], call["tags"]) == (
        201,
        2,
        2,
        ["lot-1"],
    )


def test_version_headers_override_top_level_headers(esp):
    send(
        make_message(
            ["camille@example.org", "sacha@example.org"],
            extra_headers={"List-Unsubscribe": "<https://example.org/u/all>", "X-Campagne": "1"},
            merge_data={"camille@example.org": {}, "sacha@example.org": {}},
            merge_headers={"camille@example.org": {"List-Unsubscribe": "<https://e.org/u/c>"}},
        )
    )

    delivered = {d.to: d for d in esp.delivered}
    assert delivered["camille@example.org"].headers["List-Unsubscribe"] == "<https://e.org/u/c>"
    assert delivered["sacha@example.org"].headers["List-Unsubscribe"] == (
        "<https://example.org/u/all>"
    )
    assert delivered["camille@example.org"].headers["X-Campagne"] == "1"


def test_a_faulted_call_still_records_its_key(esp):
    key = str(uuid.uuid4())
    esp.fail_next(1, status=503)
    with pytest.raises(AnymailAPIError):
        send(batch(["camille@example.org"], key=key))
    assert esp.calls[0]["idempotency_key"] == key


def test_a_repeated_key_within_the_ttl_is_refused_and_not_processed(esp):
    key = str(uuid.uuid4())
    to = ["camille@example.org", "sacha@example.org"]
    send(batch(to, key=key))
    esp.advance(IDEMPOTENCY_TTL - 1)

    with pytest.raises(AnymailAPIError) as failure:
        send(batch(to, key=key))

    # Brevo's documented answer: 400 duplicate_parameter, not the first answer replayed.
    assert failure.value.status_code == 400
    assert error_code(failure) == "duplicate_parameter"
    assert esp.delivered_to() == {"camille@example.org": 1, "sacha@example.org": 1}
    assert [(c["status"], c["duplicate"]) for c in esp.calls] == [(201, False), (400, True)]


def test_past_the_ttl_the_same_key_is_processed_again(esp):
    key = str(uuid.uuid4())
    send(batch(["camille@example.org"], key=key))
    esp.advance(IDEMPOTENCY_TTL + 1)

    send(batch(["camille@example.org"], key=key))

    # What makes a blind resend after the TTL dangerous.
    assert esp.delivered_to() == {"camille@example.org": 2}


def test_without_a_key_a_second_send_delivers_again(esp):
    send(make_message(["camille@example.org"]))
    send(make_message(["camille@example.org"]))

    assert esp.delivered_to() == {"camille@example.org": 2}


def test_an_injected_503_processes_nothing_and_leaves_the_key_unused(esp):
    key = str(uuid.uuid4())
    esp.fail_next(1, status=503)

    with pytest.raises(AnymailAPIError) as failure:
        send(batch(["camille@example.org"], key=key))
    assert failure.value.status_code == 503
    assert esp.delivered == []

    send(batch(["camille@example.org"], key=key))
    assert esp.delivered_to() == {"camille@example.org": 1}
    assert [(c["status"], c["fault"]) for c in esp.calls] == [(503, "fail"), (201, None)]


def test_fail_next_counts_requests_and_can_aim_at_one_route(esp):
    esp.fail_next(1, status=502, path="/v3/smtp/statistics/events")
    send(make_message(["camille@example.org"]))  # another route: untouched
    assert api(esp, "GET", "smtp/statistics/events").status_code == 502
    assert api(esp, "GET", "smtp/statistics/events").status_code == 200


def test_a_lost_answer_was_processed_and_the_retry_is_refused_as_a_duplicate(esp):
    key = str(uuid.uuid4())
    esp.timeout_next(1, delay=1.0)

    with override_settings(**esp.django_settings(REQUESTS_TIMEOUT=0.3)):
        started = time.monotonic()
        with pytest.raises(AnymailRequestsAPIError) as failure:
            send(batch(["camille@example.org"], key=key))
        assert time.monotonic() - started < 0.9
        assert isinstance(failure.value, requests.exceptions.ReadTimeout)
        assert failure.value.status_code is None
        assert esp.delivered_to() == {"camille@example.org": 1}

        with pytest.raises(AnymailAPIError) as retry:
            send(batch(["camille@example.org"], key=key))

    assert error_code(retry) == "duplicate_parameter"
    assert esp.delivered_to() == {"camille@example.org": 1}
    assert [(c["late"], c["duplicate"]) for c in esp.calls] == [(True, False), (False, True)]


def test_an_outage_fails_every_request_until_the_clock_passes_it(esp):
    esp.outage(3600, status=503)
    for _ in range(2):
        with pytest.raises(AnymailAPIError) as failure:
            send(make_message(["camille@example.org"]))
        assert failure.value.status_code == 503
    assert api(esp, "GET", "smtp/statistics/events").status_code == 503

    esp.advance(3601)
    send(make_message(["camille@example.org"]))
    assert esp.delivered_to() == {"camille@example.org": 1}


def test_rate_limited_calls_get_brevos_headers_and_are_not_processed(esp):
    esp.rate_limit_next(1, reset=7)

    answer = api(
        esp,
        "POST",
        "smtp/email",
        json={"sender": {"email": "a@b.org"}, "to": [{"email": "c@d.org"}], "textContent": "x"},
    )

    assert answer.status_code == 429
    assert answer.headers["x-sib-ratelimit-reset"] == "7"
    assert answer.headers["x-sib-ratelimit-remaining"] == "0"
    assert int(answer.headers["x-sib-ratelimit-limit"]) > 0
    assert "Retry-After" not in answer.headers  # not documented by Brevo
    assert esp.delivered == []


def test_retry_after_is_sent_only_when_asked():
    with FakeBrevo(retry_after_header=True) as esp:
        esp.outage(60, status=429)
        answer = api(esp, "GET", "smtp/statistics/events")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.headers["x-sib-ratelimit-reset"] == "1"


def test_an_invalid_address_refuses_the_whole_batch_by_default(esp):
    key = str(uuid.uuid4())
    esp.invalid_addresses.add("bad@example.org")
    to = ["camille@example.org", "Bad@Example.org"]

    with pytest.raises(AnymailAPIError) as failure:
        send(batch(to, key=key))

    assert failure.value.status_code == 400
    assert failure.value.response.json() == {
        "code": "invalid_parameter",
        "message": "email is not valid in to",
    }
    assert esp.delivered == []
    # Nothing was processed: the key is still free.
    esp.invalid_addresses.clear()
    send(batch(to, key=key))
    assert esp.delivered_to() == {"camille@example.org": 1, "Bad@Example.org": 1}


def test_a_malformed_address_is_invalid_too(esp):
    answer = api(
        esp,
        "POST",
        "smtp/email",
        json={
            "sender": {"email": "a@b.org"},
            "textContent": "x",
            "messageVersions": [{"to": [{"email": "ok@example.org"}]}, {"to": [{"email": "x"}]}],
        },
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_parameter"
    assert esp.delivered == []


def test_the_other_reading_drops_the_invalid_recipient_and_sends_the_rest():
    with FakeBrevo(invalid_in_batch="drop_recipient") as esp:
        esp.invalid_addresses.add("bad@example.org")
        with override_settings(**esp.django_settings()):
            message = send(batch(["camille@example.org", "bad@example.org", "sacha@example.org"]))

            assert esp.delivered_to() == {"camille@example.org": 1, "sacha@example.org": 1}
            # One message id per version, the invalid one included, as Brevo answers a batch.
            assert len({s.message_id for s in message.anymail_status.recipients.values()}) == 3
            invalid = [e for e in esp.events() if e["event"] == "invalid"]
            assert [e["email"] for e in invalid] == ["bad@example.org"]

            # A single message whose only recipient is invalid is refused either way.
            with pytest.raises(AnymailAPIError) as failure:
                send(make_message(["bad@example.org"]))
            assert error_code(failure) == "invalid_parameter"


def test_an_unknown_reading_is_refused():
    with pytest.raises(ValueError):
        FakeBrevo(invalid_in_batch="whatever")


def test_an_answer_that_is_not_json(esp):
    # Processed, the answer cut short: Anymail raises, with the 201 status.
    esp.garble_next(1, status=201)
    with pytest.raises(AnymailAPIError) as failure:
        send(make_message(["camille@example.org"]))
    assert failure.value.status_code == 201
    assert esp.delivered_to() == {"camille@example.org": 1}

    # A proxy's error page: not processed.
    esp.garble_next(1, status=502)
    with pytest.raises(AnymailAPIError) as failure:
        send(make_message(["sacha@example.org"]))
    assert failure.value.status_code == 502
    assert esp.delivered_to() == {"camille@example.org": 1}


def test_wrong_api_key_is_unauthorized(esp):
    with pytest.raises(AnymailAPIError) as failure:
        send(make_message(["camille@example.org"]), api_key="wrong-key")
    assert failure.value.status_code == 401
    assert error_code(failure) == "unauthorized"
    assert esp.delivered == []
    answer = requests.get(esp.url + "smtp/statistics/events", timeout=5)
    assert answer.status_code == 401


def test_raw_errors_for_bad_json_and_unknown_routes(esp):
    bad_json = api(esp, "POST", "smtp/email", data=b"{not json")
    assert bad_json.status_code == 400
    assert bad_json.json()["code"] == "bad_request"
    assert api(esp, "POST", "contacts", json={}).status_code == 404
    assert api(esp, "GET", "smtp/email").status_code == 404


def test_a_thousand_versions_pass_and_1001_do_not(esp):
    def message(count):
        to = [f"v{i}@example.org" for i in range(count)]
        return make_message(
            to,
            html="<p>{{ params.n }}</p>",
            merge_data={address: {"n": i, "filler": "x" * 3000} for i, address in enumerate(to)},
        )

    send(message(1000))
    assert len(esp.delivered) == 1000
    assert esp.delivered[999].html == "<p>999</p>"

    with pytest.raises(AnymailAPIError) as failure:
        send(message(1001))
    assert failure.value.status_code == 400
    assert len(esp.delivered) == 1000


def test_concurrent_calls_with_one_key_are_processed_once(esp):
    key = str(uuid.uuid4())
    esp.latency = 0.05
    codes = []

    def worker():
        try:
            send(batch(["camille@example.org"], key=key))
            codes.append("accepted")
        except AnymailAPIError as err:
            codes.append(err.response.json()["code"])

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes) == ["accepted"] + ["duplicate_parameter"] * 9
    assert esp.delivered_to() == {"camille@example.org": 1}


# --- the events route -------------------------------------------------------------------


def test_events_are_filtered_by_tag_email_event_and_message_id(esp):
    first = send(batch(["camille@example.org", "sacha@example.org"], tags=["lot-a"]))
    send(batch(["dominique@example.org"], tags=["lot-b", "mailing"]))

    def emails(**params):
        body = api(esp, "GET", "smtp/statistics/events", params=params).json()
        return sorted(e["email"] for e in body.get("events") or [])

    # Each accepted recipient: "requests", then "delivered".
    assert emails(tags='["lot-a"]', event="requests") == [
        "camille@example.org",
        "sacha@example.org",
    ]
    assert emails(tags="lot-b") == ["dominique@example.org"] * 2
    assert emails(tags="lot-a,lot-b", event="delivered") == [
        "camille@example.org",
        "dominique@example.org",
        "sacha@example.org",
    ]
    assert emails(email="Sacha@example.org", event="requests") == ["sacha@example.org"]
    camille_id = first.anymail_status.recipients["camille@example.org"].message_id
    assert emails(messageId=camille_id) == ["camille@example.org"] * 2
    [event] = api(
        esp, "GET", "smtp/statistics/events", params={"messageId": camille_id, "event": "requests"}
    ).json()["events"]
    assert event["tag"] == "lot-a"
    assert event["date"].endswith("Z")


def test_events_nothing_found_is_an_empty_object(esp):
    answer = api(esp, "GET", "smtp/statistics/events", params={"tags": '["none"]'})
    assert answer.status_code == 200
    assert answer.json() == {}


def test_events_are_paginated_and_sorted(esp):
    for i in range(5):
        send(make_message([f"v{i}@example.org"], tags=["lot"]))

    def page(**params):
        params = {"tags": "lot", "event": "requests", **params}
        return [
            e["email"]
            for e in api(esp, "GET", "smtp/statistics/events", params=params).json()["events"]
        ]

    assert page(limit=2, offset=0) == ["v4@example.org", "v3@example.org"]  # newest first
    assert page(limit=2, offset=4) == ["v0@example.org"]
    assert page(limit=3, sort="asc") == ["v0@example.org", "v1@example.org", "v2@example.org"]


def test_events_dates_as_documented(esp):
    send(make_message(["old@example.org"]))
    esp.advance(31 * 86400)
    send(make_message(["new@example.org"]))

    def get(**params):
        return api(esp, "GET", "smtp/statistics/events", params={"event": "requests", **params})

    # By default the last 30 days only.
    assert [e["email"] for e in get().json()["events"]] == ["new@example.org"]
    assert {e["email"] for e in get(days=90).json()["events"]} == {
        "old@example.org",
        "new@example.org",
    }
    today = time.strftime("%Y-%m-%d", time.gmtime(esp.now()))
    assert get(startDate=today, endDate=today).json()["events"][0]["email"] == "new@example.org"
    for bad in (
        {"startDate": today},
        {"startDate": today, "endDate": today, "days": 3},
        {"startDate": "2026-01-01", "endDate": "2026-06-01"},
        {"startDate": "yesterday", "endDate": today},
        {"event": "sent"},
        {"limit": "-1"},
        {"sort": "up"},
    ):
        answer = get(**bad)
        assert answer.status_code == 400, bad
        assert answer.json()["code"] in ("invalid_parameter", "missing_parameter")


# --- the deletion routes ----------------------------------------------------------------


def test_delete_a_contact_by_email_or_id(esp):
    esp.add_contact("camille@example.org")
    sacha = esp.add_contact("sacha@example.org")

    assert api(esp, "DELETE", "contacts/" + quote("Camille@example.org", safe="")).status_code == (
        204
    )
    assert api(esp, "DELETE", f"contacts/{sacha}").status_code == 204
    gone = api(esp, "DELETE", "contacts/" + quote("camille@example.org", safe=""))
    assert gone.status_code == 404
    assert gone.json()["code"] == "document_not_found"
    bad = api(esp, "DELETE", "contacts/x", params={"identifierType": "nickname"})
    assert bad.status_code == 400
    assert esp.contacts == {}
    assert esp.deleted_contacts == ["Camille@example.org", str(sacha)]


def test_delete_the_transactional_log_by_message_id_or_email(esp):
    first = send(make_message(["camille@example.org"]))
    send(make_message(["sacha@example.org"]))
    message_id = first.anymail_status.message_id

    assert api(esp, "DELETE", "smtp/log/" + quote(message_id, safe="")).status_code == 204
    assert api(esp, "DELETE", "smtp/log/" + quote("sacha@example.org", safe="")).status_code == 204

    assert esp.events() == []
    # An email once sent stays sent.
    assert esp.delivered_to() == {"camille@example.org": 1, "sacha@example.org": 1}
    assert api(esp, "DELETE", "smtp/log/" + quote("sacha@example.org")).status_code == 404
    assert api(esp, "DELETE", "smtp/log/nobody").status_code == 400
    assert esp.deleted_logs == [message_id, "sacha@example.org"]


def test_reset_forgets_everything(esp):
    key = str(uuid.uuid4())
    send(batch(["camille@example.org"], key=key))
    esp.fail_next(1)
    esp.add_contact("camille@example.org")
    esp.reset()

    assert (esp.calls, esp.delivered, esp.events(), esp.contacts) == ([], [], [], {})
    send(batch(["camille@example.org"], key=key))
    assert esp.delivered_to() == {"camille@example.org": 1}
    assert json.loads(json.dumps(esp.calls[0]))["duplicate"] is False
