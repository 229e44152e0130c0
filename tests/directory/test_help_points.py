"""Help points ("points d'entraide") on the public side: a commune's page lists its upcoming
permanences in plain words, an actor's page those it organises, a commune's iCalendar feed
carries them (read back here with the `icalendar` library, as a calendar application would),
and a change purges the cached pages. The dates are in 2099, so that the tests read the same
text whatever day they run."""

import datetime
import zoneinfo

from django.urls import reverse
from django.utils import timezone, translation

import icalendar
import pytest

from directory import selectors
from directory.factories import ActorFactory, HelpPointDateFactory, HelpPointFactory
from directory.models import HelpPoint, HelpPointDate

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
FIRST_TUESDAY = datetime.date(2099, 1, 6)
LAST_TUESDAY = datetime.date(2099, 6, 30)
A_SATURDAY = datetime.date(2099, 12, 12)
# A place as people type it: a comma and a semicolon, both escaped in iCalendar text.
PLACE = "Salle des fêtes, entrée B; 1er étage"
FEED = "/annuaire/commune/melun-77288/points-entraide.ics"
ENGLISH_FEED = "/en/directory/town/melun-77288/help-points.ics"


@pytest.fixture
def site(home_page, english_home, geo, categories):
    return geo


@pytest.fixture
def points(site):
    """Melun's weekly digital permanence (hosted by an actor), a bus that starts from
    Dammarie-lès-Lys and stops in Melun then Vaux-le-Pénil; and what Melun's page and feed
    must not show: an unpublished point, points whose dates are over, Brest's."""
    today = timezone.localdate()
    host = ActorFactory(
        name="Médiathèque de Melun",
        slug="mediatheque-de-melun",
        communes=[site["melun"]],
        hosts_help_point=True,
    )
    weekly = HelpPointFactory(
        name="Permanence numérique",
        commune=site["melun"],
        actor=host,
        place=PLACE,
        address="6 allée de la Lecture",
        helps_with_forms=True,
        digital_mediation=True,
        phone="01 64 00 00 21",
        step_free_access=True,
        description="Venez avec vos papiers.",
    )
    weekly_date = HelpPointDateFactory(
        help_point=weekly, date=FIRST_TUESDAY, repeat_until=LAST_TUESDAY
    )
    bus = HelpPointFactory(
        name="Le bus France services",
        kind=HelpPoint.Kind.ITINERANT,
        commune=site["dammarie"],
        place="",
        address="",
        digital_mediation=False,
        helps_sign_up=True,
    )
    bus_melun = HelpPointDateFactory(
        help_point=bus,
        date=A_SATURDAY,
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
        commune=site["melun"],
        place="Place de la gare",
    )
    bus_vaux = HelpPointDateFactory(
        help_point=bus,
        date=A_SATURDAY + datetime.timedelta(days=7),
        commune=site["vaux"],
        place="Parking de la salle des fêtes",
    )
    draft = HelpPointFactory(name="Permanence en brouillon", commune=site["melun"], published=False)
    HelpPointDateFactory(help_point=draft)
    over = HelpPointFactory(name="Permanence passée", commune=site["melun"])
    HelpPointDateFactory(help_point=over, date=today - datetime.timedelta(days=3))
    HelpPointDateFactory(
        help_point=over,
        date=today - datetime.timedelta(days=70),
        repeat_until=today - datetime.timedelta(days=1),
    )
    # A bus that stopped in Melun once and will not come back: not Melun's any more.
    gone = HelpPointFactory(name="Bus reparti", commune=site["brest"])
    HelpPointDateFactory(
        help_point=gone, commune=site["melun"], date=today - datetime.timedelta(days=2)
    )
    HelpPointDateFactory(help_point=gone)
    brest = HelpPointFactory(name="Permanence de Brest", commune=site["brest"])
    HelpPointDateFactory(help_point=brest)
    return {
        "host": host,
        "weekly": weekly,
        "weekly_date": weekly_date,
        "bus": bus,
        "bus_melun": bus_melun,
        "bus_vaux": bus_vaux,
    }


def _section(html):
    return html.split('id="commune-help-points"')[1].split("</section>")[0]


# --- the commune page and the actor page -----------------------------------------------------


def test_the_commune_page_lists_its_upcoming_help_points_in_plain_french(client, points):
    html = client.get("/annuaire/commune/melun-77288/").content.decode()
    section = _section(html)
    assert "Permanence numérique" in section and "Le bus France services" in section
    assert "Tous les mardis de 14 h à 17 h, jusqu&#x27;au 30 juin 2099" in section
    assert "prochaine fois : mardi 6 janvier 2099" in section
    assert "Samedi 12 décembre 2099, de 9 h à 12 h" in section
    assert "Permanence fixe" in section and "Permanence itinérante" in section
    assert "Salle des fêtes, entrée B; 1er étage, 6 allée de la Lecture" in section
    assert "Place de la gare" in section
    # The bus's stop in Vaux-le-Pénil belongs to Vaux's page; Melun's says it stops there.
    assert "Parking de la salle des fêtes" not in section
    assert "Passe aussi à : Vaux-le-Pénil." in section
    assert "Aide pour remplir un formulaire" in section
    assert "Médiation numérique : ordinateur, téléphone, démarches en ligne" in section
    assert "Aide pour s&#x27;inscrire à l&#x27;heure civique" in section
    assert "Accès de plain-pied ou adapté." in section and "01 64 00 00 21" in section
    assert 'href="/annuaire/acteur/mediatheque-de-melun/"' in section
    assert f'href="{FEED}"' in section
    assert "Ajouter ces permanences à votre agenda (iCalendar)" in section
    for absent in ("Permanence en brouillon", "Permanence passée", "Bus reparti", "de Brest"):
        assert absent not in html
    # The host organises a help point with its dates: not named again as "accueille aussi".
    assert "accueillent aussi" not in section
    # The weekly one comes first: its next date (6 January) is before the bus's.
    assert section.index("Permanence numérique") < section.index("Le bus France services")


def test_the_commune_page_speaks_english_on_the_english_route(client, points):
    section = _section(client.get("/en/directory/town/melun-77288/").content.decode())
    assert "Every Tuesday from 2 pm to 5 pm, until 30 June 2099" in section
    assert "next: Tuesday 6 January 2099" in section
    assert "Saturday 12 December 2099, from 9 am to 12 pm" in section
    assert "Help filling in a form" in section
    assert "Also stops in: Vaux-le-Pénil." in section
    assert 'href="/en/directory/town/melun-77288/help-points.ics"' in section
    assert "Add these sessions to your calendar (iCalendar)" in section


def test_an_itinerant_point_shows_where_each_date_is_held(client, points, site):
    # Vaux-le-Pénil sees the bus's stop there; Dammarie-lès-Lys, where it starts from but
    # never stops, sees every stop with its commune.
    vaux = _section(client.get(f"/annuaire/commune/{site['vaux'].slug}/").content.decode())
    assert "Parking de la salle des fêtes" in vaux and "Place de la gare" not in vaux
    dammarie = _section(client.get(f"/annuaire/commune/{site['dammarie'].slug}/").content.decode())
    assert "Place de la gare, Melun" in dammarie
    assert "Parking de la salle des fêtes, Vaux-le-Pénil" in dammarie


def test_an_actor_that_only_ticked_hosts_a_help_point_is_still_named(client, points, site):
    ActorFactory(
        name="Centre social des Mézereaux", communes=[site["melun"]], hosts_help_point=True
    )
    section = _section(client.get("/annuaire/commune/melun-77288/").content.decode())
    also = section.split("accueillent aussi un point d")[1]
    assert "Centre social des Mézereaux" in also
    assert "Médiathèque de Melun" not in also


def test_a_commune_with_only_such_actors_names_them_without_hours(client, site):
    ActorFactory(
        name="Centre social des Mézereaux", communes=[site["melun"]], hosts_help_point=True
    )
    section = _section(client.get("/annuaire/commune/melun-77288/").content.decode())
    assert "Ces lieux accueillent un point d" in section
    assert "Centre social des Mézereaux" in section
    assert "iCalendar" not in section


def test_the_actor_page_lists_the_help_points_it_organises(client, points):
    html = client.get(reverse("directory:actor", args=["mediatheque-de-melun"])).content.decode()
    section = html.split('id="actor-help-points"')[1].split("</section>")[0]
    assert "Permanence numérique" in section
    assert "Tous les mardis de 14 h à 17 h" in section
    # On an actor's page, the commune of each date is said.
    assert "6 allée de la Lecture, Melun" in section
    assert "Le bus France services" not in section


def test_the_dates_of_the_current_year_are_said_without_the_year(points, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2099, 1, 1))
    [melun_stop] = [
        permanence
        for point, permanences in selectors.upcoming_help_points(today=datetime.date(2099, 1, 1))
        for permanence in permanences
        if permanence.date_row == points["bus_melun"]
    ]
    with translation.override("fr"):
        assert melun_stop.when == "samedi 12 décembre, de 9 h à 12 h"
    with translation.override("en"):
        assert melun_stop.when == "Saturday 12 December, from 9 am to 12 pm"
    first = HelpPointDate(
        date=datetime.date(2099, 12, 1),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12),
    )
    permanence = selectors.Permanence(
        help_point=points["bus"],
        date_row=first,
        next_day=first.date,
        commune=points["bus"].commune,
        place="",
    )
    with translation.override("fr"):
        assert permanence.when == "mardi 1er décembre, de 9 h 30 à 12 h"
    with translation.override("en"):
        assert permanence.when == "Tuesday 1 December, from 9:30 am to 12 pm"


# --- the iCalendar feed ----------------------------------------------------------------------


def _unfolded(response):
    return response.content.decode().replace("\r\n ", "")


def _events(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_one_event_per_upcoming_date_held_in_the_commune(client, points):
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, events = _events(response)
    weekly_uid = f"{points['weekly_date'].uid}@testserver"
    bus_uid = f"{points['bus_melun'].uid}@testserver"
    # Unpublished, over, elsewhere (Brest's, the bus's stop in Vaux): absent.
    assert set(events) == {weekly_uid, bus_uid}
    assert str(calendar["x-wr-calname"]) == "Points d'entraide : Melun"

    weekly = events[weekly_uid]
    assert weekly["dtstart"].dt == datetime.datetime(2099, 1, 6, 14, tzinfo=PARIS)
    assert weekly["dtend"].dt == datetime.datetime(2099, 1, 6, 17, tzinfo=PARIS)
    assert weekly["dtstart"].params["TZID"] == "Europe/Paris"
    assert weekly["rrule"]["FREQ"] == ["WEEKLY"]
    # The last Tuesday's start, in UTC (summer time: 14 h in Paris is 12 h UTC).
    assert weekly["rrule"]["UNTIL"] == [datetime.datetime(2099, 6, 30, 12, tzinfo=datetime.UTC)]
    assert str(weekly["summary"]) == "Point d'entraide : Permanence numérique"
    assert str(weekly["location"]) == f"{PLACE}, 6 allée de la Lecture, Melun"
    assert str(weekly["url"]) == "http://testserver/annuaire/commune/melun-77288/"
    description = str(weekly["description"])
    assert (
        "Aide proposée :\n– Aide pour remplir un formulaire\n– Médiation numérique" in description
    )
    assert "Téléphone : 01 64 00 00 21" in description
    assert "Avec : Médiathèque de Melun" in description
    assert "Venez avec vos papiers." in description

    bus = events[bus_uid]
    assert "rrule" not in bus
    assert bus["dtstart"].dt == datetime.datetime(2099, 12, 12, 9, tzinfo=PARIS)
    assert str(bus["location"]) == "Place de la gare, Melun"

    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Paris"
    text = _unfolded(response)
    assert "DTSTART;TZID=Europe/Paris:20990106T140000" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20990630T120000Z" in text
    assert "LOCATION:Salle des fêtes\\, entrée B\\; 1er étage\\, 6 allée de la Lecture" in text


def test_the_feed_speaks_english_on_the_english_route(client, points):
    response = client.get(ENGLISH_FEED)
    assert response.status_code == 200
    _calendar, events = _events(response)
    weekly = events[f"{points['weekly_date'].uid}@testserver"]
    assert str(weekly["summary"]) == "Help point: Permanence numérique"
    assert "Help filling in a form" in str(weekly["description"])
    assert str(weekly["url"]) == "http://testserver/en/directory/town/melun-77288/"
    # The French address, printed or already subscribed to, leads to the English one.
    response = client.get("/en/annuaire/commune/melun-77288/points-entraide.ics")
    assert response.status_code == 301 and response["Location"] == ENGLISH_FEED


def test_the_feed_keeps_each_event_s_uid_when_a_date_changes(client, points):
    uid = f"{points['weekly_date'].uid}@testserver"
    row = points["weekly_date"]
    row.starts_at = datetime.time(15)
    row.save()
    _calendar, events = _events(client.get(FEED))
    assert events[uid]["dtstart"].dt == datetime.datetime(2099, 1, 6, 15, tzinfo=PARIS)


def test_the_feed_route_in_both_languages():
    with translation.override("fr"):
        assert reverse("directory:commune_calendar", args=["melun-77288"]) == FEED
    with translation.override("en"):
        assert reverse("directory:commune_calendar", args=["melun-77288"]) == ENGLISH_FEED


@pytest.mark.parametrize(
    "address",
    [
        "/annuaire/commune/nulle-part-00000/points-entraide.ics",
        "/annuaire/commune/melun-77288%27%3B/points-entraide.ics",
        "/en/directory/town/nowhere/help-points.ics",
    ],
)
def test_an_unknown_commune_has_no_feed(client, site, address):
    assert client.get(address).status_code == 404


def test_a_commune_without_help_points_has_an_empty_calendar(client, site):
    response = client.get(FEED)
    assert response.status_code == 200
    calendar, events = _events(response)
    assert events == {} and str(calendar["version"]) == "2.0"


def test_the_feed_runs_as_many_queries_with_few_or_many_help_points(client, points, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.get(FEED)
        with CaptureQueriesContext(connection) as context:
            assert client.get(FEED).status_code == 200
        return len(context.captured_queries)

    few = count()
    for index in range(20):
        point = HelpPointFactory(commune=site["melun"], name=f"Permanence {index}")
        HelpPointDateFactory(help_point=point)
        HelpPointDateFactory(help_point=point, repeat_until=LAST_TUESDAY.replace(year=2100))
    many = count()
    assert few == many <= 4
    assert len(_events(client.get(FEED))[1]) == 42


# --- purges ----------------------------------------------------------------------------------


@pytest.fixture
def purges(monkeypatch):
    """How many times everything was purged."""
    from campaign import purge

    calls = []
    original = purge.purge_everything

    def counting():
        calls.append(1)
        original()

    monkeypatch.setattr(purge, "purge_everything", counting)
    return calls


def test_a_help_point_saved_or_deleted_purges_the_cached_pages(
    client, points, settings, django_capture_on_commit_callbacks, purges
):
    settings.PAGE_CACHE_ENABLED = True
    url = "/annuaire/commune/melun-77288/"
    for address in (url, FEED):
        assert client.get(address)["X-Page-Cache"] == "miss"
        assert client.get(address)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        points["weekly"].name = "Permanence numérique du mardi"
        points["weekly"].save()
    assert purges == [1]
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Permanence numérique du mardi" in response.content.decode()
    assert client.get(FEED)["X-Page-Cache"] == "miss"
    # One of its dates changed on its own.
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        row = points["bus_melun"]
        row.place = "Place Saint-Jean"
        row.save()
    assert "Place Saint-Jean" in client.get(url).content.decode()
    # Deleted.
    with django_capture_on_commit_callbacks(execute=True):
        points["bus"].delete()
    assert "Le bus France services" not in client.get(url).content.decode()
    assert len(purges) == 3


def test_a_point_saved_with_its_dates_purges_once(
    points, django_capture_on_commit_callbacks, purges
):
    # As the admin saves it: the point, then each of its dates (modelcluster).
    point = points["bus"]
    with django_capture_on_commit_callbacks(execute=True):
        point.dates = [
            HelpPointDate(date=A_SATURDAY, starts_at=datetime.time(9), ends_at=datetime.time(11)),
            HelpPointDate(date=A_SATURDAY, starts_at=datetime.time(14), ends_at=datetime.time(16)),
            HelpPointDate(date=LAST_TUESDAY, starts_at=datetime.time(9), ends_at=datetime.time(12)),
        ]
        point.save()
    assert point.dates.count() == 3
    assert purges == [1]


def test_a_draft_help_point_purges_nothing(site, django_capture_on_commit_callbacks, purges):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft = HelpPointFactory(commune=site["melun"], published=False)
        HelpPointDateFactory(help_point=draft)
    assert callbacks == [] and purges == []


def test_a_place_names_its_commune_once(points):
    point = points["weekly"]
    point.address = "6 allée de la Lecture, 77000 Melun"
    [(_point, [permanence])] = selectors.upcoming_help_points(
        today=FIRST_TUESDAY, communes=[point.commune], actor=points["host"]
    )
    permanence.help_point = point
    assert permanence.where == f"{PLACE}, 6 allée de la Lecture, 77000 Melun"


def test_the_demo_help_points_are_upcoming_and_load_twice_to_the_same(geo, categories, locales):
    from directory import demo

    def snapshot():
        return {
            point.slug: (
                point.updated_at,
                sorted(point.dates.values_list("pk", "uid", "date", "commune_id")),
            )
            for point in HelpPoint.objects.all()
        }

    demo.load()
    # Annecy and Lille are not in this geography, nor Le Mée-sur-Seine (the bus's fourth
    # stop): left out.
    assert set(HelpPoint.objects.values_list("slug", flat=True)) == {
        "permanence-numerique-mediatheque-de-melun",
        "bus-france-services-agglomeration-melunaise",
        "premiers-pas-numeriques-mediatheque-de-brest",
    }
    first = snapshot()
    demo.load()
    assert snapshot() == first
    today = timezone.localdate()
    melun = selectors.upcoming_help_points(today=today, communes=[geo["melun"]])
    assert {point.name for point, _dates in melun} == {
        "Permanence numérique de la médiathèque",
        "Le bus France services",
    }
    bus = HelpPoint.objects.get(slug="bus-france-services-agglomeration-melunaise")
    assert bus.actor.slug == "france-services-melun-val-de-seine"
    assert sorted(bus.dates.values_list("commune_id", flat=True)) == ["77152", "77288", "77487"]
    assert all(d.date >= today for d in HelpPointDate.objects.all())
    # Loaded again a fortnight later: the dates move on, each keeps its calendar UID.
    uids = set(HelpPointDate.objects.values_list("uid", flat=True))
    demo.load_help_points(today=today + datetime.timedelta(days=14))
    assert set(HelpPointDate.objects.values_list("uid", flat=True)) == uids
    assert all(d.date >= today + datetime.timedelta(days=14) for d in HelpPointDate.objects.all())
    assert "lorem" not in " ".join(HelpPoint.objects.values_list("description", flat=True))
