"""The next day a permanence is held (models.HelpPointDate.next_occurrence), which the commune
page, the iCalendar feed, the map and the printable sheet all show."""

import datetime

from directory.models import HelpPointDate

TUESDAY = datetime.date(2026, 12, 1)


def date_row(day, repeat_until=None):
    return HelpPointDate(
        date=day,
        starts_at=datetime.time(14),
        ends_at=datetime.time(17),
        repeat_until=repeat_until,
    )


def test_a_single_date_is_next_until_its_day_then_over():
    row = date_row(TUESDAY)
    assert row.next_occurrence(TUESDAY - datetime.timedelta(days=3)) == TUESDAY
    assert row.next_occurrence(TUESDAY) == TUESDAY
    assert row.next_occurrence(TUESDAY + datetime.timedelta(days=1)) is None


def test_a_weekly_date_comes_back_on_the_same_weekday_until_its_last_week():
    row = date_row(TUESDAY, repeat_until=datetime.date(2026, 12, 31))
    assert row.next_occurrence(datetime.date(2026, 11, 20)) == TUESDAY
    assert row.next_occurrence(TUESDAY) == TUESDAY
    assert row.next_occurrence(datetime.date(2026, 12, 2)) == datetime.date(2026, 12, 8)
    assert row.next_occurrence(datetime.date(2026, 12, 8)) == datetime.date(2026, 12, 8)
    assert row.next_occurrence(datetime.date(2026, 12, 23)) == datetime.date(2026, 12, 29)
    # The last Tuesday is the 29th: the 31st is a Thursday, no date is left after the 29th.
    assert row.next_occurrence(datetime.date(2026, 12, 30)) is None
    assert row.next_occurrence(datetime.date(2027, 1, 5)) is None
