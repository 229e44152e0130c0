"""The loopback Brevo server, driven through the real Anymail Brevo backend."""

import threading
import time
import uuid

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

import pytest
import requests
from anymail.exceptions import AnymailAPIError, AnymailRequestsAPIError

from volunteers.loopback import LoopbackBrevo

BACKEND = "anymail.backends.brevo.EmailBackend"
SENDER = "Tous Voisins <bonjour@tousvoisins.example>"


@pytest.fixture
def esp():
    with LoopbackBrevo(api_key="test-key") as server:
        with override_settings(
            EMAIL_BACKEND=BACKEND,
            ANYMAIL={"BREVO_API_KEY": "test-key", "BREVO_API_URL": server.url},
        ):
            yield server


def make_message(to, *, subject="Bienvenue", html=None, text="Bonjour", **anymail_attrs):
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=SENDER, to=to)
    if html is not None:
        message.attach_alternative(html, "text/html")
    for name, value in anymail_attrs.items():
        setattr(message, name, value)
    return message


def send(message, **backend_kwargs):
    """Send through a fresh real Anymail connection; return the message (for anymail_status)."""
    message.connection = mail.get_connection(BACKEND, **backend_kwargs)
    message.send()
    return message


def test_url_points_at_v3_on_loopback(esp):
    assert esp.url.startswith("http://127.0.0.1:")
    assert esp.url.endswith("/v3/")
    assert int(esp.url.split(":")[2].split("/")[0]) > 0


def test_single_send_is_delivered(esp):
    message = send(
        make_message(
            ["camille@example.org"],
            subject="Merci Camille",
            html="<p>Merci !</p>",
            text="Merci !",
        )
    )

    [delivered] = esp.delivered
    assert delivered.to == "camille@example.org"
    assert delivered.subject == "Merci Camille"
    assert delivered.html == "<p>Merci !</p>"
    assert delivered.text == "Merci !"
    assert delivered.message_id.startswith("<") and delivered.message_id.endswith(">")
    assert message.anymail_status.message_id == delivered.message_id
    assert message.anymail_status.status == {"queued"}
    [call] = esp.calls
    assert call["status"] == 201
    assert call["versions"] == 0
    assert call["recipients"] == 1
    assert call["replay"] is False


def test_batch_substitutes_each_versions_params_and_headers(esp):
    people = {
        "camille@example.org": "Camille",
        "dominique@example.org": "Dominique",
        "sacha@example.org": "Sacha",
    }
    message = make_message(
        list(people),
        subject="Bonjour {{ params.prenom }}",
        html="<p>Bonjour {{ params.prenom }} de {{params.ville}}{{ params.absent }} !</p>",
        text="Bonjour {{params.prenom}}",
        merge_data={address: {"prenom": name} for address, name in people.items()},
        merge_global_data={"ville": "Melun"},
        merge_headers={
            address: {"List-Unsubscribe": f"<https://example.org/u/{name}>"}
            for address, name in people.items()
        },
        merge_metadata={address: {"volunteer": name} for address, name in people.items()},
    )
    send(message)

    delivered = {d.to: d for d in esp.delivered}
    assert set(delivered) == set(people)
    for address, name in people.items():
        d = delivered[address]
        assert d.html == f"<p>Bonjour {name} de Melun !</p>"
        assert d.text == f"Bonjour {name}"
        assert d.subject == f"Bonjour {name}"
        assert d.headers["List-Unsubscribe"] == f"<https://example.org/u/{name}>"
        assert name in d.headers["X-Mailin-custom"]
        assert d.params == {"prenom": name, "ville": "Melun"}
        assert message.anymail_status.recipients[address].message_id == d.message_id
    assert len({d.message_id for d in delivered.values()}) == 3
    [call] = esp.calls
    assert (call["status"], call["versions"], call["recipients"]) == (201, 3, 3)


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


def test_same_idempotency_key_delivers_once_and_replays_the_answer(esp):
    key = str(uuid.uuid4())
    to = ["camille@example.org", "sacha@example.org"]

    def message():
        return make_message(
            to,
            merge_data={address: {"n": 1} for address in to},
            extra_headers={"idempotencyKey": key},
        )

    first = send(message())
    second = send(message())

    assert esp.delivered_to() == {"camille@example.org": 1, "sacha@example.org": 1}
    for address in to:
        assert (
            first.anymail_status.recipients[address].message_id
            == second.anymail_status.recipients[address].message_id
        )
    assert [c["replay"] for c in esp.calls] == [False, True]
    assert [c["status"] for c in esp.calls] == [201, 201]
    assert esp.calls[1]["idempotency_key"] == key


def test_without_a_key_a_second_send_delivers_again(esp):
    send(make_message(["camille@example.org"]))
    send(make_message(["camille@example.org"]))

    assert esp.delivered_to() == {"camille@example.org": 2}
    assert esp.delivered[0].message_id != esp.delivered[1].message_id


def test_an_expired_key_is_forgotten():
    with LoopbackBrevo(api_key="test-key", idempotency_ttl=0.2) as esp:
        with override_settings(ANYMAIL={"BREVO_API_KEY": "test-key", "BREVO_API_URL": esp.url}):
            headers = {"idempotencyKey": str(uuid.uuid4())}
            send(make_message(["camille@example.org"], extra_headers=headers))
            send(make_message(["camille@example.org"], extra_headers=headers))
            assert esp.delivered_to() == {"camille@example.org": 1}
            time.sleep(0.3)
            send(make_message(["camille@example.org"], extra_headers=headers))
            assert esp.delivered_to() == {"camille@example.org": 2}


def test_injected_503_delivers_nothing_and_is_not_remembered(esp):
    key = str(uuid.uuid4())
    esp.fail_next(1, status=503)

    with pytest.raises(AnymailAPIError) as failure:
        send(make_message(["camille@example.org"], extra_headers={"idempotencyKey": key}))
    assert failure.value.status_code == 503
    assert isinstance(failure.value, AnymailRequestsAPIError)
    assert esp.delivered == []

    # The retry with the same key is a fresh call: it delivers, once.
    retry = send(make_message(["camille@example.org"], extra_headers={"idempotencyKey": key}))
    assert esp.delivered_to() == {"camille@example.org": 1}
    assert retry.anymail_status.message_id == esp.delivered[0].message_id
    assert [(c["status"], c["injected"], c["replay"]) for c in esp.calls] == [
        (503, True, False),
        (201, False, False),
    ]


def test_fail_next_counts_requests(esp):
    esp.fail_next(2, status=502)
    for _ in range(2):
        with pytest.raises(AnymailAPIError) as failure:
            send(make_message(["camille@example.org"]))
        assert failure.value.status_code == 502
    send(make_message(["camille@example.org"]))
    assert esp.delivered_to() == {"camille@example.org": 1}


def test_late_answer_times_out_but_was_delivered_and_the_retry_replays(esp):
    key = str(uuid.uuid4())
    esp.timeout_next(1, delay=1.0)

    with override_settings(
        ANYMAIL={"BREVO_API_KEY": "test-key", "BREVO_API_URL": esp.url, "REQUESTS_TIMEOUT": 0.3}
    ):
        started = time.monotonic()
        with pytest.raises(AnymailRequestsAPIError) as failure:
            send(make_message(["camille@example.org"], extra_headers={"idempotencyKey": key}))
        assert time.monotonic() - started < 0.9
        # Anymail's exception is also the requests time-out it wraps; no HTTP status.
        assert isinstance(failure.value, requests.exceptions.ReadTimeout)
        assert failure.value.status_code is None

        # The server did the work although the client gave up.
        [delivered] = esp.delivered
        assert delivered.to == "camille@example.org"

        retry = send(make_message(["camille@example.org"], extra_headers={"idempotencyKey": key}))

    assert esp.delivered_to() == {"camille@example.org": 1}
    assert retry.anymail_status.message_id == delivered.message_id
    assert [(c["late"], c["replay"]) for c in esp.calls] == [(True, False), (False, True)]


def test_outage_fails_every_request_for_a_while(esp):
    esp.outage(0.3, status=503)
    for _ in range(2):
        with pytest.raises(AnymailAPIError) as failure:
            send(make_message(["camille@example.org"]))
        assert failure.value.status_code == 503
    time.sleep(0.35)
    send(make_message(["camille@example.org"]))
    assert esp.delivered_to() == {"camille@example.org": 1}


def test_a_rejected_address_refuses_the_whole_call(esp):
    key = str(uuid.uuid4())
    to = ["camille@example.org", "Bad@Example.org"]
    esp.reject_addresses.add("bad@example.org")

    def message():
        return make_message(
            to,
            merge_data={address: {} for address in to},
            extra_headers={"idempotencyKey": key},
        )

    with pytest.raises(AnymailAPIError) as failure:
        send(message())
    assert failure.value.status_code == 400
    assert "email is not valid in to: Bad@Example.org" in str(failure.value)
    assert esp.delivered == []

    # Refused calls are not remembered: once accepted, the same key delivers.
    esp.reject_addresses.clear()
    send(message())
    assert esp.delivered_to() == {"camille@example.org": 1, "Bad@Example.org": 1}


def test_wrong_api_key_is_unauthorized(esp):
    with pytest.raises(AnymailAPIError) as failure:
        send(make_message(["camille@example.org"]), api_key="wrong-key")
    assert failure.value.status_code == 401
    assert "Key not found" in str(failure.value)
    assert esp.delivered == []
    assert esp.calls[0]["status"] == 401


def test_raw_errors_for_bad_json_and_unknown_paths(esp):
    bad_json = requests.post(
        esp.url + "smtp/email", data=b"{not json", headers={"api-key": "test-key"}, timeout=5
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["code"] == "bad_request"

    unknown = requests.post(
        esp.url + "contacts", json={}, headers={"api-key": "test-key"}, timeout=5
    )
    assert unknown.status_code == 404


def test_a_thousand_versions_of_several_megabytes_pass_and_1001_do_not(esp):
    filler = "x" * 3000  # ~3 MB of params over 1000 versions

    def message(count):
        to = [f"v{i}@example.org" for i in range(count)]
        return make_message(
            to,
            html="<p>{{ params.n }}</p>",
            merge_data={address: {"n": i, "filler": filler} for i, address in enumerate(to)},
        )

    send(message(1000))
    assert len(esp.delivered) == 1000
    assert esp.delivered[999].to == "v999@example.org"
    assert esp.delivered[999].html == "<p>999</p>"

    with pytest.raises(AnymailAPIError) as failure:
        send(message(1001))
    assert failure.value.status_code == 400
    assert len(esp.delivered) == 1000


def test_concurrent_calls_with_one_key_deliver_once(esp):
    key = str(uuid.uuid4())
    esp.latency = 0.05
    results = []
    errors = []

    def worker():
        try:
            sent = send(
                make_message(["camille@example.org"], extra_headers={"idempotencyKey": key})
            )
            results.append(sent.anymail_status.message_id)
        except Exception as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert esp.delivered_to() == {"camille@example.org": 1}
    assert set(results) == {esp.delivered[0].message_id}
    assert sum(not c["replay"] for c in esp.calls) == 1


def test_reset_forgets_everything(esp):
    key = str(uuid.uuid4())
    send(make_message(["camille@example.org"], extra_headers={"idempotencyKey": key}))
    esp.fail_next(1)
    esp.reset()

    assert esp.calls == []
    assert esp.delivered == []
    send(make_message(["camille@example.org"], extra_headers={"idempotencyKey": key}))
    assert esp.delivered_to() == {"camille@example.org": 1}
    assert esp.calls[0]["replay"] is False
