"""A commune's help points as an iCalendar feed (RFC 5545), for residents who want the
permanences in their phone's or computer's calendar, or to subscribe to them.

Built with the `icalendar` library (escaping, line folding and the Europe/Paris VTIMEZONE
are its job): one VEVENT per date of a permanence, a weekly one as one event with its
RRULE. The UID of each event is the date's stable `uid` at the site's public host, so that a
calendar that subscribed updates an event rather than adding a second one."""

import datetime
import zoneinfo

from django.conf import settings
from django.utils.translation import gettext

import icalendar

from campaign.site_address import hostname_and_port

PRODID = "-//Tous Voisins – Tous Solidaires//Points d'entraide//FR"


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _description(permanence, *, page_url):
    point = permanence.help_point
    lines = []
    given = point.help_given()
    if given:
        lines.append(gettext("Aide proposée :"))
        lines.extend(f"– {help}" for help in given)
    if point.description.strip():
        lines.append(point.description.strip())
    if point.phone:
        lines.append(gettext("Téléphone : %(phone)s") % {"phone": point.phone})
    if point.step_free_access:
        lines.append(gettext("Accès de plain-pied ou adapté."))
    if point.actor is not None and point.actor.is_public:
        lines.append(gettext("Avec : %(actor)s") % {"actor": point.actor.name})
    lines.append(page_url)
    return "\n".join(lines)


def _event(permanence, *, host, page_url, zone):
    row, point = permanence.date_row, permanence.help_point
    event = icalendar.Event()
    event.add("uid", f"{row.uid}@{host}")
    # The point's last change: the same feed twice is the same file (and a cached copy).
    event.add("dtstamp", point.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", point.updated_at.astimezone(datetime.UTC))
    # A weekly permanence starts on its first date, and the RRULE carries it on.
    event.add("dtstart", datetime.datetime.combine(row.date, row.starts_at, tzinfo=zone))
    event.add("dtend", datetime.datetime.combine(row.date, row.ends_at, tzinfo=zone))
    if row.repeat_until:
        # RFC 5545: with a DTSTART in a time zone, UNTIL is in UTC (the last week's start).
        last = datetime.datetime.combine(row.repeat_until, row.starts_at, tzinfo=zone)
        event.add("rrule", {"freq": "weekly", "until": last.astimezone(datetime.UTC)})
    event.add("summary", gettext("Point d'entraide : %(name)s") % {"name": point.name})
    event.add("location", permanence.where)
    event.add("description", _description(permanence, page_url=page_url))
    event.add("url", page_url)
    return event


def help_points_calendar(*, commune, permanences, page_url):
    """The iCalendar file (bytes) of `permanences` (selectors.Permanence) of `commune`, in
    the active language; `page_url` is the commune page's absolute address."""
    zone = _zone()
    host, _port = hostname_and_port()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = gettext("Points d'entraide : %(commune)s") % {"commune": commune.name}
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for permanence in permanences:
        calendar.add_component(_event(permanence, host=host, page_url=page_url, zone=zone))
    if permanences:
        # The VTIMEZONE for the years the events span only (a few lines, not 70 years).
        first = min(p.date_row.date for p in permanences)
        last = max(p.date_row.last_date for p in permanences)
        calendar.add_missing_timezones(
            first_date=first.replace(month=1, day=1),
            last_date=last.replace(year=last.year + 1, month=1, day=1),
        )
    return calendar.to_ical()
