"""The directory's map (directory/map.py) on small geographies of our own: the projection, what
has no position (listed, not drawn, and said so), one commune alone among its neighbours, the
national view, an overseas inset, where actors and itinerant points are placed, a constant
number of queries, and the cached page purged when an engagement changes. The demo, drawn
and listed whole, is test_map_demo.py's."""

import datetime
import math

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from campaign.geography.models import Commune, Intercommunality, search_key
from directory import map as directory_map
from directory.factories import ActorFactory, HelpPointDateFactory, HelpPointFactory
from directory.models import Actor, ActorCommune, ActorDepartment, HelpPoint, HelpPointDate
from kits import services as kits_services
from kits.factories import CommuneFactory
from kits.models import EngagedCommune

from .mapread import URL, commune_url, label, listed, marks_of

pytestmark = pytest.mark.django_db


def test_the_projection_scales_longitudes_by_the_cosine_of_the_latitude():
    places = [
        directory_map.Place(longitude=2.0, latitude=44.0, name="A", department_code="12"),
        directory_map.Place(longitude=3.0, latitude=46.0, name="B", department_code="12"),
    ]
    frame = directory_map._frame(places, x=0, y=0, width=600)
    x0, y0 = frame.project(2.0, 45.0)
    x1, _y = frame.project(3.0, 45.0)
    _x, y1 = frame.project(2.0, 46.0)
    assert x1 > x0 and y1 < y0
    middle = math.cos(math.radians((frame.north + frame.south) / 2))
    assert (x1 - x0) / (y0 - y1) == pytest.approx(middle)
    # Both places are inside the view, with a margin.
    for place in places:
        x, y = frame.project(place.longitude, place.latitude)
        assert 10 < x < frame.width - 10 and 10 < y < frame.height - 10


# --- small geographies of our own -----------------------------------------------------------


@pytest.fixture
def site(home_page, english_home, geo):
    """The directory's test geography (tests/directory/conftest.py), with centres and
    populations: Melun and Vaux-le-Pénil share the postcode 77000, Dammarie-lès-Lys has
    none (an item there has no position), Brest is far west."""
    centres = {
        "melun": (2.6595, 48.5426, 40_000),
        "vaux": (2.6853, 48.5249, 11_000),
        "fontainebleau": (2.6984, 48.4049, 15_000),
        "brest": (-4.5033, 48.4084, 140_000),
    }
    for key, (longitude, latitude, population) in centres.items():
        Commune.objects.filter(pk=geo[key].pk).update(
            longitude=longitude, latitude=latitude, population=population
        )
        geo[key].refresh_from_db()
    return geo


def engage(commune):
    return EngagedCommune.objects.create(
        commune=commune,
        contact_name="Contact",
        role="Maire",
        email=f"mairie-{commune.insee_code}@example.org",
        confirmed_at=timezone.now(),
        status=EngagedCommune.Status.APPROVED,
    )


def test_an_item_without_a_position_is_listed_but_not_drawn(client, site):
    engage(site["melun"])
    engage(site["dammarie"])  # no centre in this geography
    placed = ActorFactory(name="CCAS de Melun", postcode="77000", communes=[site["melun"]])
    unplaced = ActorFactory(name="Amicale de Dammarie", postcode="", communes=[site["dammarie"]])
    point = HelpPointFactory(name="Permanence de Dammarie", commune=site["dammarie"])
    HelpPointDateFactory(help_point=point)

    page = client.get(URL).content.decode()
    marks = marks_of(page)
    lists = listed(page)

    assert {m.href for m in marks} == {
        commune_url(site["melun"]),
        reverse("directory:actor", args=[placed.slug]),
    }
    assert (commune_url(site["dammarie"]), label(site["dammarie"])) in lists["commune"]["links"]
    assert (
        "Dammarie-lès-Lys (77) (pas de position connue : absente de la carte)"
        in (lists["commune"]["text"])
    )
    assert "Melun (77) (pas de position" not in lists["commune"]["text"]
    actor_url = reverse("directory:actor", args=[unplaced.slug])
    assert (actor_url, "Amicale de Dammarie") in lists["actor"]["links"]
    assert (
        "Amicale de Dammarie – Dammarie-lès-Lys (77) (pas de position connue"
        in (lists["actor"]["text"])
    )
    assert "Permanence de Dammarie" in lists["help_point"]["text"]
    assert "(pas de position connue : absent de la carte)" in lists["help_point"]["text"]


def test_one_commune_alone_is_drawn_among_its_neighbours(site):
    engage(site["melun"])

    drawn = directory_map.build(today=timezone.localdate())

    frame = drawn.main
    # Not a dot in the void: at least MIN_SPAN of latitude, Melun in the middle, its
    # neighbours (Vaux-le-Pénil, 3 km away; Fontainebleau, 15 km) drawn behind it.
    assert frame.north - frame.south >= directory_map.MIN_SPAN
    [mark] = frame.marks
    assert abs(mark.x - frame.width / 2) < 1 and abs(mark.y - frame.height / 2) < 1
    assert frame.backdrop.count("M") >= 3
    assert [text.text for text in frame.labels] == ["Melun"]
    # No inset: nothing overseas.
    assert drawn.insets == []


def test_marks_spread_over_the_country_show_metropolitan_france(site):
    engage(site["melun"])
    engage(site["brest"])
    frame = directory_map.build(today=timezone.localdate()).main
    west, south, east, north = directory_map.METROPOLE
    assert frame.west <= west and frame.east >= east
    assert frame.south <= south and frame.north >= north


def test_an_overseas_commune_gets_an_inset(site):
    reunion = CommuneFactory(
        insee_code="97411", name="Saint-Denis", longitude=55.4481, latitude=-20.8823
    )
    engage(site["melun"])
    engage(reunion)
    drawn = directory_map.build(today=timezone.localdate())
    [inset] = drawn.insets
    assert inset.title == reunion.department.name
    assert [m.title for m in inset.marks] == [f"Commune engagée : {label(reunion)}"]
    # Below the main frame, inside the SVG.
    assert inset.y > drawn.main.height and drawn.height >= inset.y + inset.height
    # The main frame is Melun's, not stretched to the Indian Ocean.
    assert drawn.main.east - drawn.main.west < 2


def test_where_an_actor_is_placed(site):
    from campaign.geography.models import Department

    brest_region = Department.objects.get(code="29")
    CommuneFactory(
        insee_code="29232", name="Quimper", department=brest_region, longitude=-4.1, latitude=48.0
    )
    # The postcode 77000 is Melun's and Vaux-le-Pénil's: one it serves wins over the largest.
    serves_vaux = ActorFactory(name="A", postcode="77000", communes=[site["vaux"]])
    # A postcode none of whose communes it serves: the largest of them (its address is there).
    serves_brest = ActorFactory(name="B", postcode="77000", communes=[site["brest"]])
    # No postcode: its first commune (by name) with a position.
    no_postcode = ActorFactory(
        name="C", postcode="", communes=[site["fontainebleau"], site["dammarie"]]
    )
    # Only a department: the middle of its communes (Brest and Quimper), said so.
    department_only = ActorFactory(name="D", postcode="", departments=[brest_region])
    # Only an intercommunality: likewise (Melun and Vaux-le-Pénil have a centre).
    agglomeration_only = ActorFactory(name="E", postcode="", intercommunalities=[site["camvs"]])
    # A postcode that is no one's: its commune.
    unknown_postcode = ActorFactory(name="F", postcode="99999", communes=[site["melun"]])

    items = {item.name: item for item in directory_map.actor_items()}

    assert items["A"].places[0].name == "Vaux-le-Pénil"
    assert items["B"].places[0].name == "Melun"
    assert items["C"].places[0].name == "Fontainebleau"
    department = items["D"].places[0]
    assert department.is_area and department.longitude == pytest.approx((-4.5033 - 4.1) / 2)
    assert items["D"].where == "Finistère (tout le département)"
    agglomeration = items["E"].places[0]
    assert agglomeration.latitude == pytest.approx((48.5426 + 48.5249) / 2)
    assert items["E"].where == f"{site['camvs'].name} (toute l'intercommunalité)"
    assert items["F"].places[0].name == "Melun"
    assert {serves_vaux.slug, serves_brest.slug, no_postcode.slug} <= {
        item.url.rstrip("/").rsplit("/", 1)[1] for item in items.values()
    }
    assert department_only.pk and agglomeration_only.pk and unknown_postcode.pk


def test_an_itinerant_point_has_a_mark_in_each_commune_and_an_arrondissement_its_commune_s(
    client, site
):
    paris = CommuneFactory(insee_code="75056", name="Paris", longitude=2.3488, latitude=48.8534)
    paris_17 = CommuneFactory(
        insee_code="75117",
        name="Paris 17e Arrondissement",
        kind=Commune.Kind.ARRONDISSEMENT,
        parent=paris,
        department=paris.department,
    )
    bus = HelpPointFactory(
        name="Le bus numérique", kind=HelpPoint.Kind.ITINERANT, commune=site["melun"]
    )
    today = timezone.localdate()
    for days, commune in ((3, site["melun"]), (5, site["vaux"]), (9, paris_17), (12, None)):
        HelpPointDateFactory(
            help_point=bus, date=today + datetime.timedelta(days=days), commune=commune
        )
    over = HelpPointFactory(name="Permanence passée", commune=site["melun"])
    HelpPointDateFactory(help_point=over, date=today - datetime.timedelta(days=1))

    page = client.get(URL).content.decode()
    marks = [m for m in marks_of(page) if m.layer == "help_point"]

    # Melun (twice in its dates: one mark), Vaux-le-Pénil, Paris 17e.
    assert sorted(m.href for m in marks) == sorted(
        commune_url(c) for c in (site["melun"], site["vaux"], paris_17)
    )
    [in_paris] = [m for m in marks if m.href == commune_url(paris_17)]
    assert label(paris_17) in in_paris.title
    # Drawn at Paris's centre: north-west of Melun.
    [in_melun] = [m for m in marks if m.href == commune_url(site["melun"])]
    assert in_paris.y < in_melun.y and in_paris.x < in_melun.x
    listed_points = listed(page)["help_point"]
    assert "Le bus numérique" in listed_points["text"]
    assert "Permanence passée" not in page


# --- queries and cache ------------------------------------------------------------------------


def _queries(client, url):
    # Twice first: the site's settings, menus and root paths are then read from the cache.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries), response.content.decode()


def _populate(site, communes, count, *, start=0):
    """`count` actors (one in ten without a postcode serving only the department, one in ten
    without a postcode serving only the intercommunality), an engaged commune per five
    actors, a help point per ten (one in two itinerant, over three communes)."""
    actors = Actor.objects.bulk_create(
        Actor(
            name=f"Acteur {n}",
            search_name=search_key(f"Acteur {n}"),
            slug=f"acteur-{n}",
            kind=Actor.Kind.ASSOCIATION,
            description="Aide aux démarches.",
            status=Actor.Status.PUBLISHED,
            postcode="" if n % 5 == 3 else f"77{100 + n % 60:03d}",
        )
        for n in range(start, start + count)
    )
    links, departments = [], []
    for index, actor in enumerate(actors):
        n = start + index
        if n % 10 == 3:
            departments.append(ActorDepartment(actor=actor, department=site["d77"]))
        elif n % 10 == 8:
            actor.intercommunalities.set([site["camvs"]])
        else:
            links.append(ActorCommune(actor=actor, commune=communes[n % len(communes)]))
    ActorCommune.objects.bulk_create(links)
    ActorDepartment.objects.bulk_create(departments)
    for n in range(start, start + count, 5):
        engage(communes[n // 5 % len(communes)])
    today = timezone.localdate()
    for n in range(start, start + count, 10):
        point = HelpPoint.objects.create(
            name=f"Point {n}",
            slug=f"point-{n}",
            kind=HelpPoint.Kind.ITINERANT if n % 20 else HelpPoint.Kind.FIXED,
            commune=communes[n % len(communes)],
        )
        HelpPointDate.objects.bulk_create(
            HelpPointDate(
                help_point=point,
                date=today + datetime.timedelta(days=k + 1),
                starts_at=datetime.time(14),
                ends_at=datetime.time(17),
                commune=communes[(n + k) % len(communes)] if point.kind == "itinerant" else None,
            )
            for k in range(3)
        )


def test_the_map_keeps_its_query_count_from_10_to_300_actors(client, site):
    # 60 communes with a centre, sharing 60 postcodes, in two intercommunalities.
    other = Intercommunality.objects.create(
        code="247700123", name="CC des Deux Rives", slug="cc-des-deux-rives", kind="CC"
    )
    communes = [site["melun"]]
    for i in range(59):
        communes.append(
            CommuneFactory(
                department=site["d77"],
                postcode=f"77{100 + i:03d}",
                intercommunality=site["camvs"] if i < 29 else other,
                longitude=2.3 + (i % 10) * 0.08,
                latitude=48.2 + (i // 10) * 0.1,
                population=1000 + i,
            )
        )
    # Both sizes hold every kind of item: actors placed by postcode, by commune, at the
    # middle of their department or intercommunality; fixed and itinerant help points.
    _populate(site, communes, 10)
    small, _page = _queries(client, URL)
    _populate(site, communes, 290, start=10)
    large, page = _queries(client, URL)
    assert Actor.objects.published().count() == 300
    assert "Acteur 299" in page and "Point 290" in page
    assert len(marks_of(page)) > 300
    assert small == large


def test_an_engagement_approved_or_withdrawn_purges_the_cached_map(
    client, site, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    engagement = EngagedCommune.objects.create(
        commune=site["vaux"],
        contact_name="Contact",
        role="Maire",
        email="mairie@example.org",
        confirmed_at=timezone.now(),
        status=EngagedCommune.Status.PENDING,
    )
    assert client.get(URL)["X-Page-Cache"] == "miss"
    assert client.get(URL)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        kits_services.engaged_commune_approve(engagement=engagement)
    response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Commune engagée : Vaux-le-Pénil (77)" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        kits_services.engaged_commune_withdraw(engagement=engagement)
    response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Vaux-le-Pénil" not in response.content.decode()

    # A listed engagement edited in the admin (its commune corrected), then deleted.
    listed_one = engage(site["melun"])
    client.get(URL)
    with django_capture_on_commit_callbacks(execute=True):
        listed_one.commune = site["fontainebleau"]
        listed_one.save()
    assert "Commune engagée : Fontainebleau (77)" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        listed_one.delete()
    assert "Fontainebleau" not in client.get(URL).content.decode()
