"""Mailings: audience, exactly-once sending through the real Anymail Brevo backend pointed
at the fake Brevo of tests/fakes/brevo.py (faults injected), tracking webhooks, the monthly
reminder. The faults that test exactly once one by one are in test_exactly_once.py."""

import base64
import datetime
import json
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

import pytest

from mailings import emails as mailing_emails
from mailings import services
from mailings.blocks import EmailButtonBlock, EmailParagraphBlock
from mailings.models import Delivery, DeliveryEvent, Mailing
from mailings.services import AudienceFilters, MailingError, outbox
from tests.fakes.brevo import FakeBrevo
from volunteers.factories import VolunteerFactory
from volunteers.models import Volunteer, VolunteerInterest

BREVO = "anymail.backends.brevo.EmailBackend"


@pytest.fixture
def brevo(settings):
    """The real Anymail Brevo backend, talking to the fake Brevo; retries due at once."""
    with FakeBrevo(api_key="test-key") as esp:
        settings.EMAIL_BACKEND = BREVO
        settings.ANYMAIL = {
            **settings.ANYMAIL,
            "BREVO_API_KEY": "test-key",
            "BREVO_API_URL": esp.url,
            "REQUESTS_TIMEOUT": (2, 0.5),
        }
        settings.MAILING_RETRY_BASE_SECONDS = 0
        settings.MAILING_BATCH_SIZE = 2
        yield esp


def make_mailing(**kwargs):
    defaults = {
        "subject": "Une heure pour vos voisins",
        "preheader": "Ce mois-ci : le geste du mois",
        "language": "fr",
        "body": [
            ("heading", "Merci {prenom} !"),
            ("paragraph", "<p>Les voisins de {commune} comptent sur vous.</p>"),
            ("button", {"label": "Choisir un geste", "url": "https://tousvoisins.example/gestes/"}),
        ],
    }
    defaults.update(kwargs)
    return Mailing.objects.create(**defaults)


@pytest.fixture
def people(home_page, geography):
    """Five confirmed, consenting volunteers in two departments, and some who must never
    receive anything."""
    melun, brest = geography["melun"], geography["brest"]
    ok = [
        VolunteerFactory(email="anne@example.org", first_name="Anne", commune=melun),
        VolunteerFactory(email="bruno@example.org", first_name="Bruno", commune=melun),
        VolunteerFactory(email="chloe@example.org", first_name="Chloé", commune=brest),
        VolunteerFactory(email="dia@example.org", first_name="Dia", commune=brest, language="en"),
        VolunteerFactory(email="eli@example.org", first_name="", commune=None),
    ]
    never = [
        VolunteerFactory(email="pending@example.org", status=Volunteer.Status.PENDING),
        VolunteerFactory(email="noconsent@example.org", consent_emails=False),
        VolunteerFactory(email="bounced@example.org", status=Volunteer.Status.BOUNCED),
        VolunteerFactory(email="complained@example.org", status=Volunteer.Status.COMPLAINED),
        VolunteerFactory(email="unsub@example.org", status=Volunteer.Status.UNSUBSCRIBED),
        VolunteerFactory(email=None, status=Volunteer.Status.ERASED, email_hash="x"),
    ]
    return {"ok": ok, "never": never, "geo": geography}


def audience_emails(**filters):
    return set(
        services.mailing_audience(filters=AudienceFilters(**filters)).values_list(
            "email", flat=True
        )
    )


# --- audience ---------------------------------------------------------------------------


def test_audience_is_every_mailable_volunteer_and_nobody_else(people):
    assert audience_emails() == {v.email for v in people["ok"]}


def test_places_add_up_and_other_filters_narrow(people):
    anne, bruno, chloe, dia, eli = people["ok"]
    assert audience_emails(departments=["29"]) == {chloe.email, dia.email}
    assert audience_emails(regions=["11"]) == {anne.email, bruno.email}
    assert audience_emails(regions=["53"], communes=["77288"]) == {
        anne.email,
        bruno.email,
        chloe.email,
        dia.email,
    }
    assert audience_emails(departments=["29"], language="en") == {dia.email}
    VolunteerInterest.objects.create(volunteer=bruno, slug="entraide")
    VolunteerInterest.objects.create(volunteer=chloe, slug="entraide")
    VolunteerInterest.objects.create(volunteer=chloe, slug="ecologie")
    assert audience_emails(interests=["entraide", "ecologie"]) == {bruno.email, chloe.email}
    Volunteer.objects.filter(pk=anne.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 1, 10))
    )
    assert audience_emails(signed_up_before=datetime.date(2026, 2, 1)) == {anne.email}
    assert anne.email not in audience_emails(signed_up_after=datetime.date(2026, 2, 1))


def test_a_city_code_reaches_its_arrondissements(people):
    from campaign.geography.models import Commune, Department, Region

    idf = Region.objects.get(code="11")
    paris_dept = Department.objects.create(code="75", name="Paris", slug="paris", region=idf)
    paris = Commune.objects.create(
        insee_code="75056",
        name="Paris",
        slug="paris-75056",
        search_name="paris",
        department=paris_dept,
        region=idf,
    )
    first = Commune.objects.create(
        insee_code="75101",
        name="Paris 1er",
        slug="paris-1er-75101",
        search_name="paris 1er",
        department=paris_dept,
        region=idf,
        parent=paris,
    )
    VolunteerFactory(email="zoe@example.org", commune=first)
    assert audience_emails(communes=["75056"]) == {"zoe@example.org"}
    assert audience_emails(communes=["75101"]) == {"zoe@example.org"}


def test_sending_to_nobody_is_refused_and_changes_nothing(people):
    mailing = make_mailing(audience_communes="29019", audience_language="en")
    Volunteer.objects.filter(email="dia@example.org").update(consent_emails=False)
    with pytest.raises(MailingError, match="Personne ne recevrait"):
        services.mailing_send(mailing=mailing)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert not Delivery.objects.exists()


def test_unsafe_links_are_refused_with_a_message():
    with pytest.raises(ValidationError):
        EmailButtonBlock().clean({"label": "Cliquez", "url": "javascript:alert(1)"})
    paragraph = EmailParagraphBlock()
    with translation.override("fr"), pytest.raises(ValidationError, match="lien n'est pas accepté"):
        paragraph.clean(paragraph.to_python('<p><a href="javascript:alert(1)">ici</a></p>'))
    with translation.override("en"), pytest.raises(ValidationError, match="link is not accepted"):
        paragraph.clean(paragraph.to_python('<p><a href="javascript:alert(1)">ici</a></p>'))
    assert EmailButtonBlock().clean({"label": "Ok", "url": "https://example.org/"})


# --- sending ----------------------------------------------------------------------------


def start_and_dispatch(mailing, *, rounds=1):
    services.mailing_start(mailing_id=mailing.pk)
    for _n in range(rounds):
        services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    mailing.refresh_from_db()
    return mailing


def test_each_recipient_gets_it_once_with_one_call_per_batch(people, brevo):
    mailing = start_and_dispatch(make_mailing())
    expected = {v.email: 1 for v in people["ok"]}
    assert brevo.delivered_to() == expected
    assert len(brevo.calls) == 3  # 5 recipients, batches of 2
    assert mailing.status == Mailing.Status.SENT
    assert mailing.recipients_count == 5
    sent = Delivery.objects.filter(mailing=mailing)
    assert {d.status for d in sent} == {Delivery.Status.SENT}
    assert {d.esp_message_id for d in sent} == {m.message_id for m in brevo.delivered}
    # Sent rows are never sent again, whatever runs afterwards.
    services.mailings_recover()
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=5)
    assert len(brevo.calls) == 3


def test_personalised_with_unsubscribe_headers_and_links(people, brevo):
    start_and_dispatch(make_mailing())
    anne = next(m for m in brevo.delivered if m.to == "anne@example.org")
    eli = next(m for m in brevo.delivered if m.to == "eli@example.org")
    assert "Bonjour Anne," in anne.html and "Bonjour Anne," in anne.text
    assert "Merci Anne !</h2>" in anne.html
    assert "&lt;h2" not in anne.html and "&lt;table" not in anne.html
    assert 'style="margin:0 0 16px;">Les voisins' in anne.html  # rich text styled inline
    assert 'href="https://tousvoisins.example/gestes/"' in anne.html
    assert "Les voisins de Melun comptent sur vous." in anne.html
    assert "Bonjour,</p>" in eli.html
    assert anne.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = anne.headers["List-Unsubscribe"].strip("<>")
    assert "/benevoles/desinscription/" in unsubscribe
    assert f'href="{unsubscribe}"' in anne.html
    assert unsubscribe in anne.text
    assert "/benevoles/preferences/" in anne.html
    assert anne.headers["List-Unsubscribe"] != eli.headers["List-Unsubscribe"]


def test_the_preview_is_exactly_what_is_sent(people, brevo, monkeypatch):
    # Signed links carry the second they were made: one clock for the send and the preview.
    from django.core.signing import TimestampSigner

    monkeypatch.setattr(TimestampSigner, "timestamp", lambda self: "1xVUWw")
    mailing = make_mailing()
    start_and_dispatch(mailing)
    for volunteer in people["ok"]:
        received = next(m for m in brevo.delivered if m.to == volunteer.email)
        assert received.html == mailing_emails.mailing_preview_html(mailing, volunteer)
        assert received.subject == mailing.subject


def test_names_are_escaped_in_html_but_not_in_text(people, brevo):
    Volunteer.objects.filter(email="anne@example.org").update(first_name="<b>Anne</b> & Jo")
    start_and_dispatch(make_mailing())
    anne = next(m for m in brevo.delivered if m.to == "anne@example.org")
    assert "&lt;b&gt;Anne&lt;/b&gt; &amp; Jo" in anne.html
    assert "<b>Anne</b>" not in anne.html
    assert "Bonjour <b>Anne</b> & Jo," in anne.text


def test_exactly_once_when_the_esp_answers_5xx_first(people, brevo):
    brevo.fail_next(3, status=503)
    mailing = start_and_dispatch(make_mailing())
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
    assert [c["status"] for c in brevo.calls][:3] == [503, 503, 503]
    assert mailing.status == Mailing.Status.SENT
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_exactly_once_when_the_esp_times_out_after_delivering(people, brevo):
    # The ESP took the first batch but answered after our time-out: the retry carries the
    # same idempotency key, which Brevo refuses as a duplicate without delivering anything:
    # the batch is sent, its message ids unknown (webhooks find rows by their metadata).
    brevo.timeout_next(1, delay=1.5)
    start_and_dispatch(make_mailing())
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
    assert sum(c["duplicate"] for c in brevo.calls) == 1
    assert Delivery.objects.filter(esp_message_id="").count() == 2
    ids = set(Delivery.objects.exclude(esp_message_id="").values_list("esp_message_id", flat=True))
    assert ids < {m.message_id for m in brevo.delivered}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


class WorkerKilled(BaseException):
    """What the process sees of a kill -9: nothing after this point runs."""


def test_exactly_once_when_the_worker_dies_between_the_esp_and_the_database(
    people, brevo, settings, monkeypatch
):
    real_mark_sent = outbox._mark_sent
    calls = {"n": 0}

    def dies_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WorkerKilled
        return real_mark_sent(*args, **kwargs)

    monkeypatch.setattr(outbox, "_mark_sent", dies_on_second_batch)
    mailing = make_mailing()
    services.mailing_start(mailing_id=mailing.pk)
    with pytest.raises(WorkerKilled):
        services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    # The ESP delivered batch 2; our database still says "sending" for it, nobody is lost.
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 2
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 1
    # Another worker, before the lease expires, leaves that batch alone...
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 2
    # ...and once it has expired, the recovery resends it with the same key.
    settings.MAILING_LEASE_SECONDS = 0
    assert services.mailings_recover()["resumed"] == 1
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
    assert sum(c["duplicate"] for c in brevo.calls) == 1
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 5


def test_a_worker_killed_before_calling_the_esp_loses_nobody(people, brevo, settings, monkeypatch):
    real = outbox._send_merged

    def dies(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(outbox, "_send_merged", dies)
    mailing = make_mailing()
    services.mailing_start(mailing_id=mailing.pk)
    with pytest.raises(WorkerKilled):
        services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    monkeypatch.setattr(outbox, "_send_merged", real)
    settings.MAILING_LEASE_SECONDS = 0
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}


def test_an_outage_fails_nobody_however_many_tries(people, brevo):
    brevo.outage(3600, status=502)
    mailing = make_mailing()
    services.mailing_start(mailing_id=mailing.pk)
    # Retries are due at once here: a second of dispatching is many tries.
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=0.5)
    assert brevo.delivered_to() == {}
    assert len(brevo.calls) > 6
    assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()
    assert "502" in Delivery.objects.filter(status=Delivery.Status.SENDING).first().error
    # The circuit breaker: while the ESP is down, one batch knocks, the others wait.
    assert {c["idempotency_key"] for c in brevo.calls} == {
        str(Delivery.objects.filter(status=Delivery.Status.SENDING).first().batch_key)
    }
    brevo.advance(3601)
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    mailing.refresh_from_db()
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
    assert mailing.status == Mailing.Status.SENT


def test_backoff_waits_before_retrying(people, brevo, settings):
    settings.MAILING_RETRY_BASE_SECONDS = 30
    brevo.fail_next(1, status=500)
    mailing = make_mailing()
    services.mailing_start(mailing_id=mailing.pk)
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    # The first batch waits for its retry, and the rest of the mailing waits with it (the
    # circuit breaker): one failing call, not one per batch.
    waiting = Delivery.objects.filter(status=Delivery.Status.SENDING)
    assert waiting.count() == 2
    assert all(d.next_attempt_at > timezone.now() for d in waiting)
    assert len(brevo.calls) == 1 and brevo.delivered == []
    assert not Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).exists()
    # Time passes.
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
    assert len(brevo.calls) == 4


def test_a_refused_address_fails_alone_and_the_batch_goes_on(people, brevo, settings):
    settings.MAILING_BATCH_SIZE = 5
    brevo.invalid_addresses = {"chloe@example.org"}
    mailing = start_and_dispatch(make_mailing())
    assert brevo.delivered_to() == {
        v.email: 1 for v in people["ok"] if v.email != "chloe@example.org"
    }
    chloe = Delivery.objects.get(volunteer__email="chloe@example.org")
    assert chloe.status == Delivery.Status.FAILED
    assert "chloe" not in chloe.error  # no address in what staff read
    assert mailing.status == Mailing.Status.SENT


def test_whoever_unsubscribes_after_the_start_is_skipped(people, brevo):
    mailing = make_mailing()
    services.mailing_start(mailing_id=mailing.pk)
    Volunteer.objects.filter(email="bruno@example.org").update(consent_emails=False)
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert "bruno@example.org" not in brevo.delivered_to()
    assert Delivery.objects.get(volunteer__email="bruno@example.org").status == "skipped"


def test_cancel_stops_what_is_not_yet_sent(people, brevo):
    mailing = make_mailing()
    services.mailing_start(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert services.mailing_cancel(mailing=mailing) == 5
    services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert brevo.calls == []
    with pytest.raises(MailingError):
        services.mailing_send(mailing=mailing)


def test_scheduled_mailing_starts_when_due(people, brevo):
    mailing = make_mailing()
    when = timezone.now() + datetime.timedelta(hours=1)
    services.mailing_send(mailing=mailing, when=when)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert services.mailings_recover()["started"] == 0
    assert services.mailings_recover(now=when + datetime.timedelta(minutes=1))["started"] == 1
    mailing.refresh_from_db()
    # The recovery also handed the new deliveries to a worker (run at once in the tests).
    assert mailing.status == Mailing.Status.SENT
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}


def test_starting_twice_writes_one_delivery_each(people):
    mailing = make_mailing()
    assert services.mailing_start(mailing_id=mailing.pk) == 5
    assert services.mailing_start(mailing_id=mailing.pk) == 0
    assert Delivery.objects.count() == 5


def test_without_batch_merge_each_message_is_built_here(people, mailoutbox, settings):
    # Django's own backends (the console, a folder, the tests' memory) cannot merge.
    mailing = start_and_dispatch(make_mailing())
    assert sorted(m.to[0] for m in mailoutbox) == sorted(v.email for v in people["ok"])
    anne = next(m for m in mailoutbox if m.to == ["anne@example.org"])
    assert "Bonjour Anne," in anne.body
    assert anne.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mailing.status == Mailing.Status.SENT


# --- tracking webhooks -----------------------------------------------------------------


def post_event(client, payload, *, auth="hook:test-secret", raw=None):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(
        "/anymail/brevo/tracking/",
        data=raw if raw is not None else json.dumps(payload),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def sent(people, brevo):
    start_and_dispatch(make_mailing())
    return {d.volunteer.email: d for d in Delivery.objects.select_related("volunteer")}


def brevo_event(delivery, event, ts=1_700_000_000_000):
    return {
        "event": event,
        "email": delivery.volunteer.email,
        "message-id": delivery.esp_message_id,
        "ts_epoch": ts,
        "X-Mailin-custom": json.dumps({"delivery": str(delivery.pk)}),
    }


def test_a_hard_bounce_suppresses_the_volunteer_at_once(client, sent):
    anne = sent["anne@example.org"]
    assert post_event(client, brevo_event(anne, "hard_bounce")).status_code == 200
    anne.refresh_from_db()
    assert anne.status == Delivery.Status.BOUNCED
    assert Volunteer.objects.get(pk=anne.volunteer_id).status == Volunteer.Status.BOUNCED
    assert "anne@example.org" not in audience_emails()


@pytest.mark.parametrize(
    ("event", "delivery_status", "volunteer_status"),
    [
        ("spam", Delivery.Status.COMPLAINED, Volunteer.Status.COMPLAINED),
        ("unsubscribe", Delivery.Status.UNSUBSCRIBED, Volunteer.Status.UNSUBSCRIBED),
        ("delivered", Delivery.Status.DELIVERED, Volunteer.Status.CONFIRMED),
        ("soft_bounce", Delivery.Status.SENT, Volunteer.Status.CONFIRMED),
        ("opened", Delivery.Status.SENT, Volunteer.Status.CONFIRMED),
    ],
)
def test_each_event_lands_where_it_should(client, sent, event, delivery_status, volunteer_status):
    bruno = sent["bruno@example.org"]
    assert post_event(client, brevo_event(bruno, event)).status_code == 200
    bruno.refresh_from_db()
    assert bruno.status == delivery_status
    assert Volunteer.objects.get(pk=bruno.volunteer_id).status == volunteer_status


def test_a_replayed_event_is_applied_once(client, sent):
    chloe = sent["chloe@example.org"]
    payload = brevo_event(chloe, "delivered")
    post_event(client, payload)
    post_event(client, payload)
    assert DeliveryEvent.objects.count() == 1


def test_out_of_order_events_end_in_the_right_state(client, sent):
    anne, bruno = sent["anne@example.org"], sent["bruno@example.org"]
    post_event(client, brevo_event(anne, "hard_bounce", ts=2))
    post_event(client, brevo_event(anne, "delivered", ts=1))
    post_event(client, brevo_event(bruno, "delivered", ts=1))
    post_event(client, brevo_event(bruno, "spam", ts=2))
    anne.refresh_from_db()
    bruno.refresh_from_db()
    assert anne.status == Delivery.Status.BOUNCED
    assert bruno.status == Delivery.Status.COMPLAINED


def test_an_event_found_by_message_id_alone(client, sent):
    dia = sent["dia@example.org"]
    payload = brevo_event(dia, "hard_bounce")
    del payload["X-Mailin-custom"]
    post_event(client, payload)
    dia.refresh_from_db()
    assert dia.status == Delivery.Status.BOUNCED


def test_a_transactional_bounce_suppresses_by_address(client, people):
    payload = {"event": "hard_bounce", "email": "Anne@example.org", "message-id": "<x@y>"}
    assert post_event(client, payload).status_code == 200
    assert Volunteer.objects.get(email="anne@example.org").status == Volunteer.Status.BOUNCED


@pytest.mark.parametrize(
    ("auth", "raw"),
    [
        (None, None),
        ("hook:wrong", None),
        ("hook:test-secret", "{not json"),
        ("hook:test-secret", "[1, 2]"),
        ("hook:test-secret", '"a string"'),
    ],
)
def test_bad_webhook_posts_get_400_and_change_nothing(client, sent, auth, raw):
    anne = sent["anne@example.org"]
    response = post_event(client, brevo_event(anne, "hard_bounce"), auth=auth, raw=raw)
    assert response.status_code == 400
    anne.refresh_from_db()
    assert anne.status == Delivery.Status.SENT
    assert Volunteer.objects.get(pk=anne.volunteer_id).status == Volunteer.Status.CONFIRMED
    assert not DeliveryEvent.objects.exists()


# --- the monthly reminder ---------------------------------------------------------------


def test_the_monthly_reminder_goes_once_a_month(people, brevo):
    today = datetime.date(2026, 11, 2)
    started = services.mailing_monthly_reminder_send(today=today)
    # fr: departments 77, 29 and "no commune"; en: 29.
    assert sorted((m.language, m.reminder_department) for m in started) == [
        ("en", "29"),
        ("fr", ""),
        ("fr", "29"),
        ("fr", "77"),
    ]
    for mailing in started:
        services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
    assert services.mailing_monthly_reminder_send(today=today + datetime.timedelta(days=10)) == []
    assert Delivery.objects.count() == 5
    dia = next(m for m in brevo.delivered if m.to == "dia@example.org")
    assert "November" in dia.subject
    assert "novembre" in next(m for m in brevo.delivered if m.to == "anne@example.org").subject
    # A new month, a new reminder.
    assert len(services.mailing_monthly_reminder_send(today=datetime.date(2026, 12, 1))) == 4


def test_the_reminder_uses_the_staff_template(people, brevo, locales):
    from volunteers.models import EmailTemplate

    EmailTemplate.objects.create(
        kind=EmailTemplate.Kind.MONTHLY_REMINDER,
        locale=locales["fr"],
        subject="L'heure civique de {mois}",
        body="Cher {prenom}, merci.\n\nÀ bientôt.",
    )
    services.mailing_monthly_reminder_send(today=datetime.date(2026, 3, 5))
    for mailing in Mailing.objects.filter(language="fr"):
        services.mailing_dispatch(mailing_id=mailing.pk, time_budget=30)
    anne = next(m for m in brevo.delivered if m.to == "anne@example.org")
    assert anne.subject == "L'heure civique de mars"
    assert "Cher Anne, merci." in anne.html


def test_each_batch_carries_its_own_idempotency_key(people, brevo):
    start_and_dispatch(make_mailing())
    keys = [c["idempotency_key"] for c in brevo.calls]
    assert all(uuid.UUID(k) for k in keys)
    assert len(set(keys)) == 3


def test_the_commands_report_what_they_did(people, brevo):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_monthly_reminder", stdout=out)
    assert "4 envois, 5 destinataires" in out.getvalue()
    out = StringIO()
    call_command("send_monthly_reminder", stdout=out)
    assert "0 envois, 0 destinataires" in out.getvalue()
    out = StringIO()
    call_command("mailings_recover", stdout=out)
    assert "Envois programmés démarrés : 0" in out.getvalue()


def test_send_now_leaves_the_work_to_a_worker(people, brevo, django_capture_on_commit_callbacks):
    # The editor's request only schedules "now"; writing the deliveries and sending them
    # happen in worker tasks once the request's transaction has committed.
    mailing = make_mailing()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.mailing_send(mailing=mailing)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert brevo.delivered_to() == {v.email: 1 for v in people["ok"]}
