"""The ESP is asked to forget an erased person (issue 13), against FakeBrevo, which answers
DELETE /v3/contacts/{identifier} and DELETE /v3/smtp/log/{identifier} as Brevo documents."""

import json
import logging

from django.core.mail import EmailMessage
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest

from mailings.models import Delivery, DeliveryEvent, EspForgetRequest, Mailing
from mailings.services.forget import (
    ForgetLater,
    ForgetRefused,
    brevo_forget,
    esp_forget_process,
)
from tests.fakes.brevo import FakeBrevo
from volunteers import tokens
from volunteers.factories import VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

ADDRESS = "zoe+asso@example.org"
ENCODED = "zoe%2Basso%40example.org"


@pytest.fixture
def esp():
    with FakeBrevo() as fake, override_settings(**fake.django_settings()):
        yield fake


def _send_one(to):
    EmailMessage("Bonjour", "Texte", "campagne@example.org", [to]).send()


def _deletes(esp):
    return [c["path"] for c in esp.calls if c["method"] == "DELETE"]


def test_brevo_forgets_the_contact_and_the_logs_with_the_address_encoded(esp):
    esp.add_contact(ADDRESS)
    _send_one(ADDRESS)
    assert brevo_forget(email=ADDRESS).__dict__ == {"contact": "deleted", "logs": "deleted"}
    assert _deletes(esp) == [f"/v3/contacts/{ENCODED}", f"/v3/smtp/log/{ENCODED}"]
    assert esp.contacts == {} and esp.events() == []


def test_nothing_to_forget_is_a_success(esp):
    # 404 document_not_found: there is no contact and no log, which is what we want.
    assert brevo_forget(email=ADDRESS).__dict__ == {"contact": "absent", "logs": "absent"}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_means_later(esp, status):
    esp.fail_next(1, status=status, path=f"/v3/smtp/log/{ENCODED}")
    with pytest.raises(ForgetLater):
        brevo_forget(email=ADDRESS)


def test_a_rate_limit_means_later_with_brevo_s_reset(esp):
    esp.rate_limit_next(1, reset=42)
    with pytest.raises(ForgetLater) as caught:
        brevo_forget(email=ADDRESS)
    assert caught.value.retry_after == 42


def test_a_wrong_key_is_refused_for_good(esp, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "BREVO_API_KEY": "wrong"}
    with pytest.raises(ForgetRefused) as caught:
        brevo_forget(email=ADDRESS)
    assert ADDRESS not in str(caught.value) and "401" in str(caught.value)


def test_no_answer_means_later(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "BREVO_API_URL": "http://127.0.0.1:9/v3/"}
    with pytest.raises(ForgetLater):
        brevo_forget(email=ADDRESS)


def test_the_request_row_waits_for_a_success_then_goes(esp, caplog):
    request = EspForgetRequest.objects.create(email=ADDRESS)
    esp.add_contact(ADDRESS)
    esp.fail_next(1, status=503)
    with caplog.at_level(logging.DEBUG):
        assert esp_forget_process(request_id=request.pk) == "later"
        request.refresh_from_db()
        assert request.attempts == 1
        assert esp_forget_process(request_id=request.pk) == "forgotten"
    assert not EspForgetRequest.objects.exists()
    assert esp.contacts == {}
    assert ADDRESS not in caplog.text and ENCODED not in caplog.text


def test_a_retry_is_deferred_and_its_task_holds_only_the_row_s_id(esp, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    request = EspForgetRequest.objects.create(email=ADDRESS)
    esp.rate_limit_next(1, reset=120)
    assert esp_forget_process(request_id=request.pk) == "later"
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [], "kwargs": {"request_id": request.pk}}
    assert task.run_after > timezone.now() + timezone.timedelta(seconds=100)


def _erase(client, volunteer, capture):
    url = reverse(
        "volunteers:erase",
        kwargs={"token": tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES)},
    )
    with capture(execute=True):
        assert client.post(url).status_code == 200


@pytest.fixture
def delivered(geography, home_page):
    volunteer = VolunteerFactory(email=ADDRESS, first_name="Zoé", last_name="Quintavalle")
    mailing = Mailing.objects.create(subject="Lettre de mars", body=[], sent_subject="Mars")
    delivery = Delivery.objects.create(
        mailing=mailing,
        volunteer=volunteer,
        status=Delivery.Status.BOUNCED,
        esp_message_id="<202603.1@smtp-relay.mailin.fr>",
        error=f"550 {ADDRESS}: mailbox unavailable",
        sent_at=timezone.now(),
    )
    DeliveryEvent.objects.create(
        key="k1", delivery=delivery, event_type="delivered", occurred_at=timezone.now()
    )
    pending = Mailing.objects.create(subject="Lettre d'avril", body=[])
    Delivery.objects.create(mailing=pending, volunteer=volunteer)
    return volunteer


def test_export_lists_deliveries_and_events(client, delivered):
    url = reverse(
        "volunteers:data_download",
        kwargs={"token": tokens.token_make(volunteer=delivered, purpose=tokens.PREFERENCES)},
    )
    data = json.loads(client.get(url).content)
    assert sorted(d["mailing"] for d in data["deliveries"]) == ["Lettre d'avril", "Mars"]
    assert [e["event"] for e in data["tracking_events"]] == ["delivered"]


def test_erasure_unlinks_deliveries_and_asks_brevo_to_forget(
    client, delivered, esp, mailoutbox, django_capture_on_commit_callbacks
):
    esp.add_contact(ADDRESS)
    _erase(client, delivered, django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(volunteer__isnull=False).exists()
    assert set(Delivery.objects.values_list("esp_message_id", "error")) == {("", "")}
    assert Delivery.objects.filter(status=Delivery.Status.SKIPPED).count() == 1
    # The events (the webhooks' replay guard, keyed by a hash that may hold the address) go.
    assert not DeliveryEvent.objects.exists()
    assert ADDRESS in esp.deleted_contacts
    assert f"/v3/smtp/log/{ENCODED}" in _deletes(esp)
    assert not EspForgetRequest.objects.exists()
    assert Volunteer.objects.get(pk=delivered.pk).email is None


def test_with_another_esp_nothing_is_asked_and_the_log_says_so(
    client, delivered, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "x"}
    with caplog.at_level(logging.INFO, logger="mailings"):
        url = reverse(
            "volunteers:erase",
            kwargs={"token": tokens.token_make(volunteer=delivered, purpose=tokens.PREFERENCES)},
        )
        # No notice either: Postmark is not reachable here; the erasure does not depend on it.
        Volunteer.objects.filter(pk=delivered.pk).update(status=Volunteer.Status.BOUNCED)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url)
    assert not EspForgetRequest.objects.exists()
    assert "not asked to forget" in caplog.text and ADDRESS not in caplog.text
