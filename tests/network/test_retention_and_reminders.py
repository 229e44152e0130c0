"""The reminder of the day before (once per registration), the retention of registrations,
and the personal-data registry (export and erasure)."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

import pytest

from campaign.personal_data import Person, personal_data_erase, personal_data_export_json
from network import services
from network.factories import MeetingPageFactory, MeetingRegistrationFactory
from network.models import MeetingRegistration

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def tomorrow_meeting(network_index):
    # 18 March, 14:00 Paris time; "now" is set by each test.
    return MeetingPageFactory(
        parent=network_index,
        slug="demain",
        start=_at(2027, 3, 18, 14),
        end=_at(2027, 3, 18, 17),
        online=True,
        online_link="https://visio.example/salle",
    )


def test_the_reminder_goes_once_and_only_the_day_before(
    tomorrow_meeting, django_capture_on_commit_callbacks
):
    confirmed = MeetingRegistrationFactory(
        meeting=tomorrow_meeting, email="confirme@exemple.org", confirmed_at=timezone.now()
    )
    MeetingRegistrationFactory(meeting=tomorrow_meeting, email="pending@exemple.org")

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_send(now=now)

    assert run(_at(2027, 3, 16, 9)) == 0  # two days before
    assert run(_at(2027, 3, 17, 0, 5)) == 1  # the day before, just after midnight
    assert run(_at(2027, 3, 17, 18)) == 0  # again the same day: nothing more
    assert run(_at(2027, 3, 18, 9)) == 0  # the day itself
    [message] = mail.outbox
    assert message.to == [confirmed.email]
    assert "https://visio.example/salle" in message.body and "/rencontres/annuler/" in message.body
    confirmed.refresh_from_db()
    assert confirmed.reminded_at is not None


def test_the_reminder_command_sends_nothing_without_a_meeting_tomorrow(tomorrow_meeting):
    out = StringIO()
    call_command("network_send_reminders", stdout=out)
    assert "Rappels envoyés : 0" in out.getvalue() and not mail.outbox


def test_registrations_are_erased_after_the_retention_period(network_index):
    now = timezone.now()
    ended = MeetingPageFactory(
        parent=network_index,
        slug="passee",
        start=now - datetime.timedelta(days=40),
        end=now - datetime.timedelta(days=40) + datetime.timedelta(hours=3),
    )
    recent = MeetingPageFactory(
        parent=network_index,
        slug="recente",
        start=now - datetime.timedelta(days=10),
        end=now - datetime.timedelta(days=10) + datetime.timedelta(hours=3),
    )
    coming = MeetingPageFactory(parent=network_index, slug="a-venir")
    old = MeetingRegistrationFactory(meeting=ended, confirmed_at=now)
    kept = MeetingRegistrationFactory(meeting=recent, confirmed_at=now)
    stale = MeetingRegistrationFactory(meeting=coming)
    MeetingRegistration.objects.filter(pk=stale.pk).update(
        created_at=now - datetime.timedelta(days=8)
    )
    fresh = MeetingRegistrationFactory(meeting=coming)
    out = StringIO()
    call_command("network_purge_registrations", "--dry-run", stdout=out)
    assert "à effacer : 1" in out.getvalue() and MeetingRegistration.objects.count() == 4
    call_command("network_purge_registrations", stdout=out)
    assert set(MeetingRegistration.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert old.pk and stale.pk


def test_the_registry_exports_and_erases_registrations(meeting):
    MeetingRegistrationFactory(meeting=meeting, email="camille@exemple.org", name="Camille D")
    MeetingRegistrationFactory(meeting=meeting, email="autre@exemple.org")
    person = Person(email="camille@exemple.org")
    data = personal_data_export_json(person=person)
    [row] = data["meeting_registrations"]
    assert row["name"] == "Camille D" and row["meeting"] == meeting.title
    personal_data_erase(person=person)
    assert list(MeetingRegistration.objects.values_list("email", flat=True)) == [
        "autre@exemple.org"
    ]
