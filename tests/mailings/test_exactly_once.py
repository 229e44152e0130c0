"""Exactly once against Brevo as Brevo documents it (tests/fakes/brevo.py): faults at every
step of a batch's life, counted at the ESP. In each case every recipient gets the mailing
once: nobody never, nobody twice.

Time passes by moving our rows' timestamps back and Brevo's clock forward by the same
amount (`time_passes`): the lease expires, retries fall due, keys outlive their TTL,
without sleeping. A killed worker is a BaseException raised at the point of the kill: what
it had committed stays, the rest of its work never happens, as with kill -9."""

import datetime

from django.db.models import F
from django.utils import timezone

import pytest
from anymail.backends.brevo import EmailBackend as BrevoBackend

from mailings import services
from mailings.models import Delivery, Mailing
from mailings.services import outbox
from mailings.services.esp import ESP_PROFILES, key_window
from tests.fakes.brevo import IDEMPOTENCY_TTL, FakeBrevo
from volunteers.models import Volunteer, email_hash

BATCH = 4
PEOPLE = 10  # three batches: 4, 4, 2


class WorkerKilled(BaseException):
    """What the process sees of a kill -9: nothing after this point runs."""


@pytest.fixture
def esp(settings):
    with FakeBrevo() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
        settings.ANYMAIL = {
            **settings.ANYMAIL,
            "BREVO_API_KEY": fake.api_key,
            "BREVO_API_URL": fake.url,
            "REQUESTS_TIMEOUT": (2, 0.5),
        }
        settings.MAILING_BATCH_SIZE = BATCH
        settings.MAILING_RETRY_BASE_SECONDS = 30
        settings.MAILING_LEASE_SECONDS = 300
        yield fake


def make_people(n, *, domain="example.org"):
    now = timezone.now()
    Volunteer.objects.bulk_create(
        Volunteer(
            email=f"v{i:04d}@{domain}",
            email_hash=email_hash(f"v{i:04d}@{domain}"),
            first_name="Camille",
            status=Volunteer.Status.CONFIRMED,
            consent_emails=True,
            confirmed_at=now,
            language="fr",
        )
        for i in range(n)
    )
    return [f"v{i:04d}@{domain}" for i in range(n)]


@pytest.fixture
def people(home_page):
    return make_people(PEOPLE)


def make_mailing():
    mailing = Mailing.objects.create(
        subject="Une heure pour vos voisins",
        language="fr",
        body=[("paragraph", "<p>Bonjour {prenom}.</p>")],
    )
    services.mailing_start(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    return mailing


def dispatch(mailing):
    return services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)


def time_passes(esp, seconds):
    """`seconds` pass for us and for Brevo."""
    delta = datetime.timedelta(seconds=seconds)
    for name in ("next_attempt_at", "claimed_at", "first_sent_at", "sent_at"):
        Delivery.objects.exclude(**{name: None}).update(**{name: F(name) - delta})
    Mailing.objects.exclude(started_at=None).update(started_at=F("started_at") - delta)
    esp.advance(seconds)


def settle(esp, mailing, *, step=60, rounds=200):
    """Let time pass and dispatches run until nothing is left to send."""
    for _n in range(rounds):
        if not Delivery.objects.filter(
            mailing=mailing, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
        ).exists():
            break
        time_passes(esp, step)
        dispatch(mailing)
    mailing.refresh_from_db()


def assert_each_once(esp, people):
    delivered = esp.delivered_to()
    assert [p for p in people if delivered[p] == 0] == [], "never"
    assert [p for p in people if delivered[p] > 1] == [], "twice"
    assert set(delivered) == set(people)


def kill_at_call(monkeypatch, *, call, when):
    """Kill the worker at its `call`-th ESP call (1-based): "before" it leaves, "during"
    (Brevo processed it, the answer never read)."""
    real = BrevoBackend.post_to_esp
    seen = {"n": 0}

    def post_to_esp(self, payload, message):
        seen["n"] += 1
        if seen["n"] == call and when == "before":
            raise WorkerKilled
        response = real(self, payload, message)
        if seen["n"] == call and when == "during":
            raise WorkerKilled
        return response

    monkeypatch.setattr(BrevoBackend, "post_to_esp", post_to_esp)
    return seen


# --- lost answers and killed workers ------------------------------------------------------


def test_a_lost_answer_is_sent_again_with_its_key_and_brevo_refuses_it(people, esp, settings):
    settings.MAILING_RETRY_BASE_SECONDS = 0
    esp.timeout_next(1, delay=1.0)
    mailing = make_mailing()

    dispatch(mailing)
    settle(esp, mailing)

    assert_each_once(esp, people)
    assert sum(c["duplicate"] for c in esp.calls) == 1
    assert mailing.status == Mailing.Status.SENT
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.parametrize("when", ["before", "during"])
def test_a_worker_killed_at_the_esp_call_loses_nobody_and_doubles_nobody(
    people, esp, monkeypatch, when
):
    kill_at_call(monkeypatch, call=2, when=when)
    mailing = make_mailing()
    with pytest.raises(WorkerKilled):
        dispatch(mailing)
    # The second batch is left "sending", held by the dead worker.
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == BATCH

    # Before the lease expires nobody touches it; after, the safety net hands it over.
    dispatch(mailing)
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == BATCH
    time_passes(esp, 301)
    assert services.mailings_recover()["resumed"] == 1
    settle(esp, mailing)

    assert_each_once(esp, people)
    assert sum(c["duplicate"] for c in esp.calls) == (1 if when == "during" else 0)
    assert mailing.status == Mailing.Status.SENT


def test_a_worker_killed_after_recording_the_answer_resends_nothing(people, esp, monkeypatch):
    real = outbox._mark_sent
    seen = {"n": 0}

    def dies_after(*args, **kwargs):
        real(*args, **kwargs)
        seen["n"] += 1
        if seen["n"] == 2:
            raise WorkerKilled

    monkeypatch.setattr(outbox, "_mark_sent", dies_after)
    mailing = make_mailing()
    with pytest.raises(WorkerKilled):
        dispatch(mailing)
    monkeypatch.setattr(outbox, "_mark_sent", real)
    time_passes(esp, 301)
    services.mailings_recover()
    settle(esp, mailing)

    assert_each_once(esp, people)
    assert len(esp.calls) == 3
    assert mailing.status == Mailing.Status.SENT


def test_two_kills_in_a_row_with_the_safety_net(people, esp, monkeypatch):
    # Killed during the first batch's call; the recovery's dispatch is killed during its
    # second call (the second batch); the next recovery finishes.
    kill_at_call(monkeypatch, call=1, when="during")
    mailing = make_mailing()
    with pytest.raises(WorkerKilled):
        dispatch(mailing)
    time_passes(esp, 301)
    seen = kill_at_call(monkeypatch, call=2, when="during")
    # The tests' task backend runs the dispatch inside the call and records its death.
    services.mailings_recover()
    assert seen["n"] == 2
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == BATCH
    monkeypatch.undo()
    time_passes(esp, 301)
    services.mailings_recover()
    settle(esp, mailing)

    assert_each_once(esp, people)
    assert sum(c["duplicate"] for c in esp.calls) == 2
    assert mailing.status == Mailing.Status.SENT


# --- keys past their lifetime: reconciliation ---------------------------------------------


def test_a_batch_taken_whose_key_has_expired_is_reconciled_not_resent(people, esp, monkeypatch):
    kill_at_call(monkeypatch, call=1, when="during")
    mailing = make_mailing()
    with pytest.raises(WorkerKilled):
        dispatch(mailing)
    monkeypatch.undo()
    # Nobody runs the safety net for longer than Brevo remembers the key.
    time_passes(esp, IDEMPOTENCY_TTL + 60)
    services.mailings_recover()
    settle(esp, mailing)

    assert_each_once(esp, people)
    # Brevo's record was read for the first batch, which was not sent again.
    assert any(c["path"] == "/v3/smtp/statistics/events" for c in esp.calls)
    assert sum(c["duplicate"] for c in esp.calls) == 0
    assert mailing.status == Mailing.Status.SENT


def test_a_batch_not_taken_whose_key_has_expired_goes_out_under_a_new_key(people, esp):
    esp.fail_next(1, status=503)
    mailing = make_mailing()
    dispatch(mailing)
    first_key = Delivery.objects.filter(status=Delivery.Status.SENDING).first().batch_key
    time_passes(esp, IDEMPOTENCY_TTL + 60)
    settle(esp, mailing)

    assert_each_once(esp, people)
    keys = [c["idempotency_key"] for c in esp.calls if c["status"] == 201]
    assert str(first_key) not in keys
    assert mailing.status == Mailing.Status.SENT


def test_the_window_for_the_same_key_ends_before_brevos_ttl():
    # The margin covers the clocks' difference and the call's own time.
    brevo = ESP_PROFILES["anymail.backends.brevo.EmailBackend"]
    assert brevo.idempotency_ttl == IDEMPOTENCY_TTL
    assert key_window(brevo) <= IDEMPOTENCY_TTL - 60


# --- outages ------------------------------------------------------------------------------


def test_an_outage_longer_than_every_retry_loses_nobody(people, esp):
    esp.outage(6 * 3600, status=503)
    mailing = make_mailing()
    dispatch(mailing)
    settle(esp, mailing, step=15 * 60, rounds=30)  # seven and a half hours

    assert_each_once(esp, people)
    assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()
    assert mailing.status == Mailing.Status.SENT
    # Far more tries than the six that used to fail a batch for good; the circuit breaker:
    # while Brevo was down only the first batch knocked (sent with its key, then, past the
    # key's lifetime, asking Brevo's record).
    assert len([c for c in esp.calls if c["fault"]]) > 6
    down = [c for c in esp.calls if c["fault"] and c["path"] == "/v3/smtp/email"]
    assert len({c["idempotency_key"] for c in down}) == 1
    assert None not in {c["idempotency_key"] for c in down}


def test_past_the_outage_bound_what_brevo_did_not_take_fails_and_staff_resend_it(
    people, esp, settings
):
    settings.MAILING_OUTAGE_HOURS = 2
    esp.outage(3 * 3600, status=503)
    mailing = make_mailing()
    dispatch(mailing)
    settle(esp, mailing, step=15 * 60, rounds=16)

    # Reconciled once Brevo answered again: nobody was taken, so nobody is "sent".
    assert esp.delivered_to() == {}
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == PEOPLE
    assert mailing.status == Mailing.Status.SENT
    assert "2 h" in Delivery.objects.first().error

    assert services.mailing_failed_resend(mailing=mailing) == PEOPLE
    settle(esp, mailing)
    assert_each_once(esp, people)
    assert mailing.status == Mailing.Status.SENT


def test_resending_failures_never_resends_a_sent_or_delivered_row(people, esp, settings):
    esp.invalid_addresses.add(people[0])
    mailing = make_mailing()
    settle(esp, mailing)
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 1
    Delivery.objects.filter(volunteer__email=people[1]).update(status=Delivery.Status.DELIVERED)
    esp.invalid_addresses.clear()

    assert services.mailing_failed_resend(mailing=mailing) == 1
    settle(esp, mailing)

    assert_each_once(esp, people)
    assert Delivery.objects.get(volunteer__email=people[1]).status == Delivery.Status.DELIVERED


def test_resending_failures_first_asks_brevo_what_it_took(people, esp):
    mailing = make_mailing()
    settle(esp, mailing)
    # Say a row was failed although Brevo took it (an outage bound passed while its
    # answer was lost): the resend reads Brevo's record and sends nothing for it.
    Delivery.objects.filter(volunteer__email=people[0]).update(status=Delivery.Status.FAILED)
    assert services.mailing_failed_resend(mailing=mailing) == 0
    assert Delivery.objects.get(volunteer__email=people[0]).status == Delivery.Status.SENT
    assert_each_once(esp, people)


def test_resending_failures_refuses_when_brevo_cannot_say(people, esp):
    mailing = make_mailing()
    settle(esp, mailing)
    Delivery.objects.filter(volunteer__email=people[0]).update(status=Delivery.Status.FAILED)
    esp.outage(60, status=503)
    with pytest.raises(services.MailingError):
        services.mailing_failed_resend(mailing=mailing)
    assert Delivery.objects.get(volunteer__email=people[0]).status == Delivery.Status.FAILED


def test_a_rate_limited_batch_waits_as_long_as_brevo_says(people, esp):
    esp.rate_limit_next(1, reset=120)
    mailing = make_mailing()
    dispatch(mailing)
    waiting = Delivery.objects.filter(status=Delivery.Status.SENDING).first()
    assert (waiting.next_attempt_at - timezone.now()).total_seconds() > 100
    settle(esp, mailing)
    assert_each_once(esp, people)


# --- bad answers and bad input ------------------------------------------------------------


@pytest.mark.parametrize("reading", ["refuse_call", "drop_recipient"])
def test_one_invalid_address_among_a_thousand(home_page, settings, reading):
    people = make_people(1000)
    with FakeBrevo(invalid_in_batch=reading) as esp:
        settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
        settings.ANYMAIL = {**settings.ANYMAIL, **esp.django_settings()["ANYMAIL"]}
        settings.MAILING_BATCH_SIZE = 1000
        esp.invalid_addresses.add(people[500])
        mailing = make_mailing()
        settle(esp, mailing)

    delivered = esp.delivered_to()
    assert [p for p in people if delivered[p] > 1] == []
    assert [p for p in people if p != people[500] and delivered[p] != 1] == []
    assert delivered[people[500]] == 0
    progress = services.mailing_progress(mailing=mailing)
    if reading == "refuse_call":
        # Split until the address is alone: about twice log2(1000) calls, not 1,000.
        assert len(esp.calls) < 25
        assert progress["failed"] == 1
        failed = Delivery.objects.get(status=Delivery.Status.FAILED)
        assert failed.volunteer.email == people[500]
        assert "refusée" in failed.error
    else:
        # Brevo took the call and dropped the address; its "invalid" webhook says so later.
        assert len(esp.calls) == 1
    assert progress["pending"] == 0
    assert mailing.status == Mailing.Status.SENT


def test_an_answer_that_is_not_json_after_brevo_took_the_call(people, esp):
    esp.garble_next(1, status=201)
    mailing = make_mailing()
    settle(esp, mailing)
    assert_each_once(esp, people)
    assert len([c for c in esp.calls if c["path"] == "/v3/smtp/email"]) == 3


def test_a_proxy_error_page_instead_of_json(people, esp):
    esp.garble_next(1, status=502)
    mailing = make_mailing()
    settle(esp, mailing)
    assert_each_once(esp, people)
    assert "502" not in Delivery.objects.first().error  # settled: the error is cleared


def test_another_refusal_fails_the_batch_visibly_without_splitting_it(people, esp, monkeypatch):
    # A call Brevo refuses for a reason other than an address (here: a header Brevo finds
    # invalid) would be refused again: the batch fails whole, nothing is split or retried.
    real = BrevoBackend.post_to_esp
    seen = {"n": 0}

    def refused(self, payload, message):
        seen["n"] += 1
        if seen["n"] == 1:
            payload.data["sender"] = {}
        return real(self, payload, message)

    monkeypatch.setattr(BrevoBackend, "post_to_esp", refused)
    mailing = make_mailing()
    settle(esp, mailing)

    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert failed.count() == BATCH
    assert "missing_parameter" in failed.first().error
    assert len(esp.calls) == 3
    assert sum(esp.delivered_to().values()) == PEOPLE - BATCH


def test_a_mailing_cancelled_while_a_batch_is_in_flight(people, esp):
    # The first batch's answer is lost: it waits for its retry, in flight, when staff
    # cancel. The rest is cancelled; the batch in flight is seen through, once.
    esp.timeout_next(1, delay=1.0)
    mailing = make_mailing()
    dispatch(mailing)
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == BATCH

    assert services.mailing_cancel(mailing=mailing) == PEOPLE - BATCH
    time_passes(esp, 301)
    services.mailings_recover()
    settle(esp, mailing)

    first = people[:BATCH]
    assert esp.delivered_to() == dict.fromkeys(first, 1)
    progress = services.mailing_progress(mailing=mailing)
    assert (progress["sent"], progress["cancelled"], progress["pending"]) == (
        BATCH,
        PEOPLE - BATCH,
        0,
    )
    assert mailing.status == Mailing.Status.CANCELLED


# --- the safety net never multiplies the dispatch chains ----------------------------------


def test_the_safety_net_never_adds_a_dispatch_while_one_is_queued_or_running(people, settings):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from mailings import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mailing = Mailing.objects.create(
        subject="Une heure", language="fr", body=[("paragraph", "<p>Bonjour</p>")]
    )
    services.mailing_start(mailing_id=mailing.pk)

    def dispatches():
        return DBTaskResult.objects.filter(task_path=tasks.dispatch_mailing.module_path)

    tasks.dispatch_mailing.enqueue(mailing_id=mailing.pk)
    assert dispatches().count() == 1

    # Queued: two runs of the safety net add nothing.
    assert services.mailings_recover()["resumed"] == 0
    assert services.mailings_recover()["resumed"] == 0
    assert dispatches().count() == 1

    # Running (a worker took it): nothing either.
    dispatches().update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert services.mailings_recover()["resumed"] == 0
    assert dispatches().count() == 1

    # Running for longer than a dispatch can last: its worker died. One new chain.
    dispatches().update(started_at=timezone.now() - datetime.timedelta(hours=1))
    assert services.mailings_recover()["resumed"] == 1
    assert services.mailings_recover()["resumed"] == 0
    assert dispatches().filter(status=TaskResultStatus.READY).count() == 1
