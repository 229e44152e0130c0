"""The commune page and the search run a constant number of queries whatever the size of the
directory: the same count with 5 actors as with 300 over 60 communes (of one department, in
two intercommunalities), some serving several communes, an intercommunality or the
department. bench/bench_directory.py measures the same pages with 5,000 actors over 1,000
communes; this is its faster stand-in for the suite."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from campaign.geography.models import Intercommunality, search_key
from directory.models import Actor, ActorCommune, ActorDepartment, ActorIntercommunality
from kits.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(geo):
    """60 communes of Seine-et-Marne, the first 30 in the Melun agglomeration, sharing
    postcodes three by three."""
    other = Intercommunality.objects.create(
        code="247700123", name="CC des Deux Rives", slug="cc-des-deux-rives", kind="CC"
    )
    communes = [geo["melun"]]
    for i in range(59):
        communes.append(
            CommuneFactory(
                department=geo["d77"],
                postcode=f"77{100 + i // 3:03d}",
                intercommunality=geo["camvs"] if i < 29 else other,
            )
        )
    return {"communes": communes, "intercommunalities": [geo["camvs"], other], **geo}


def _populate(area, categories, count, *, start=0):
    """`count` published actors: most serve one commune, one in ten three communes, one in
    twenty its intercommunality, one in fifty the department (bulk_create: save() is
    skipped, so the folded name is set here)."""
    communes = area["communes"]
    actors = Actor.objects.bulk_create(
        Actor(
            name=f"Acteur {n}",
            search_name=search_key(f"Acteur {n}"),
            slug=f"acteur-{n}",
            kind=Actor.Kind.ASSOCIATION,
            description="Aide aux démarches et visites.",
            status=Actor.Status.PUBLISHED,
            hosts_help_point=n % 4 == 0,
        )
        for n in range(start, start + count)
    )
    links, intercommunalities, departments, needs = [], [], [], []
    through = Actor.categories.through
    for index, actor in enumerate(actors):
        n = start + index
        if n % 50 == 49:
            departments.append(ActorDepartment(actor=actor, department=area["d77"]))
        elif n % 20 == 19:
            intercommunality = area["intercommunalities"][n % 2]
            intercommunalities.append(
                ActorIntercommunality(actor=actor, intercommunality=intercommunality)
            )
        else:
            served = 3 if n % 10 == 9 else 1
            for k in range(served):
                links.append(ActorCommune(actor=actor, commune=communes[(n + k) % len(communes)]))
        needs.append(through(actor_id=actor.pk, gesturecategory_id=categories["numerique"].pk))
        if n % 2:
            needs.append(through(actor_id=actor.pk, gesturecategory_id=categories["aines"].pk))
    ActorCommune.objects.bulk_create(links)
    ActorIntercommunality.objects.bulk_create(intercommunalities)
    ActorDepartment.objects.bulk_create(departments)
    through.objects.bulk_create(needs)


def _queries(client, url):
    # Twice first: the site's settings, menus and root paths are then read from the cache.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/annuaire/commune/melun-77288/",
        "/annuaire/?q=77000",
        "/annuaire/?q=77100",
        "/annuaire/?q=77100&besoin=aines",
        "/annuaire/?q=Melun&besoin=entraide-numerique&page=2",
    ],
)
def test_the_commune_page_and_the_search_keep_their_count_from_5_to_300_actors(
    client, home_page, english_home, area, categories, url
):
    _populate(area, categories, 5)
    small, _html = _queries(client, url)
    _populate(area, categories, 295, start=5)
    large, html = _queries(client, url)
    assert Actor.objects.published().count() == 300
    # The large directory does fill the page (it is not an empty result at both sizes).
    assert "Acteur " in html
    assert small == large


def _populate_help_points(area, count, *, start=0):
    """`count` published help points seen from Melun: most held there, every weekly, one in
    three itinerant (held elsewhere, with a stop in Melun), one in two run by an actor; each
    with a weekly date and a single one."""
    import datetime

    from directory.models import HelpPoint, HelpPointDate

    melun, communes = area["melun"], area["communes"]
    actors = list(Actor.objects.order_by("pk")[:10])
    points = HelpPoint.objects.bulk_create(
        HelpPoint(
            name=f"Point d'entraide {n}",
            slug=f"point-d-entraide-{n}",
            kind=HelpPoint.Kind.ITINERANT if n % 3 == 2 else HelpPoint.Kind.FIXED,
            commune=communes[1 + n % 59] if n % 3 == 2 else melun,
            actor=actors[n % len(actors)] if n % 2 and actors else None,
            place="Médiathèque, espace multimédia",
            helps_with_forms=True,
            digital_mediation=n % 2 == 0,
        )
        for n in range(start, start + count)
    )
    first = datetime.date(2099, 1, 6)
    dates = []
    for index, point in enumerate(points):
        itinerant = point.kind == HelpPoint.Kind.ITINERANT
        dates.append(
            HelpPointDate(
                help_point=point,
                date=first + datetime.timedelta(days=index % 7),
                starts_at=datetime.time(14),
                ends_at=datetime.time(17),
                repeat_until=datetime.date(2099, 6, 30),
                commune=melun if itinerant else None,
            )
        )
        dates.append(
            HelpPointDate(
                help_point=point,
                date=first + datetime.timedelta(days=30 + index),
                starts_at=datetime.time(9),
                ends_at=datetime.time(12),
                commune=communes[(index + 5) % 60] if itinerant else None,
                place="Place du marché" if itinerant else "",
            )
        )
    HelpPointDate.objects.bulk_create(dates)


@pytest.mark.parametrize(
    "url",
    [
        "/annuaire/commune/melun-77288/",
        "/en/directory/town/melun-77288/",
        "/annuaire/commune/melun-77288/points-entraide.ics",
    ],
)
def test_the_commune_page_and_its_feed_keep_their_count_from_3_to_60_help_points(
    client, home_page, english_home, area, categories, url
):
    _populate(area, categories, 20)
    _populate_help_points(area, 3)
    small, _text = _queries(client, url)
    _populate_help_points(area, 57, start=3)
    large, text = _queries(client, url)
    # The large one is drawn: the page its first 30 points, the feed every date held in
    # Melun (two of each fixed point's, the stop in Melun of each itinerant one).
    if url.endswith(".ics"):
        assert text.count("BEGIN:VEVENT") == 40 * 2 + 20
    else:
        assert text.count('<h3 class="card__title">Point d&#x27;entraide') == 30
    assert small == large
