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
