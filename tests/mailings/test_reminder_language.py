"""The monthly reminder of an English volunteer opens in English, from the English template
the demo ships."""

import datetime

import pytest

from mailings import services
from mailings.models import Mailing
from tests.volunteers.test_email_languages import FRENCH, demo_templates  # noqa: F401 - fixture
from volunteers.factories import VolunteerFactory


@pytest.mark.django_db
def test_the_english_monthly_reminder_opens_in_english(demo_templates):  # noqa: F811
    VolunteerFactory(email="ann@example.org", first_name="Ann", language="en", commune=None)
    services.mailing_monthly_reminder_send(today=datetime.date(2026, 3, 2))
    reminder = Mailing.objects.get(
        kind=Mailing.Kind.REMINDER, language="en", reminder_month=datetime.date(2026, 3, 1)
    )
    assert reminder.subject == "Your civic hour for March"
    intro = str(reminder.body[0].value)
    assert "A new month begins" in intro and "Thank you for being there!" in intro
    assert intro.count("<p>") == 3
    assert not FRENCH.search(intro), intro
