"""The directory's map with the whole demo loaded (the real communes and their centres): every
engaged commune, published actor and upcoming help point drawn and listed, read back from the
database whatever the demo holds; east to the right and north up; the English page; no
address of another host. The demo is loaded once for the module (its tests use it all)."""

import re
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest

from campaign.geography.models import Commune
from campaign.geography.services import communes_import
from directory.models import Actor, HelpPoint
from kits.models import EngagedCommune

from .mapread import ENGLISH_URL, URL, commune_url, label, listed, marks_of, svg_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real communes (with their centres) and the whole demo, loaded once for the module
    and rolled back after its last test."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(DEBUG=True, MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        communes_import()
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_every_engaged_commune_actor_and_help_point_of_the_demo_is_drawn_and_listed(demo, client):
    page = client.get(URL).content.decode()
    marks = marks_of(page)
    lists = listed(page)
    drawn = {(m.layer, m.title, m.href) for m in marks}

    engaged = [e.commune for e in EngagedCommune.objects.public().select_related("commune")]
    assert len(engaged) >= 4  # the demo's: the test would prove nothing on an empty map
    for commune in engaged:
        assert ("commune", f"Commune engagée : {label(commune)}", commune_url(commune)) in drawn
        assert (commune_url(commune), label(commune)) in lists["commune"]["links"]

    actors = list(Actor.objects.published())
    assert len(actors) >= 6
    for actor in actors:
        url = reverse("directory:actor", args=[actor.slug])
        assert [
            m for m in marks if m.href == url and m.title.startswith(f"Acteur : {actor.name}, ")
        ], actor.name
        assert (url, actor.name) in lists["actor"]["links"]
    # Nothing else is listed: unpublished actors stay off the map and the list.
    assert len(lists["actor"]["links"]) == len(actors)

    # Each help point with an upcoming date has a mark in each commune of those dates (an
    # itinerant one, several), and is listed with them; the others, neither.
    today = timezone.localdate()
    expected_help_marks = 0
    for point in HelpPoint.objects.select_related("commune").prefetch_related("dates__commune"):
        communes = {
            row.commune or point.commune
            for row in point.dates.all()
            if row.next_occurrence(today) is not None
        }
        point_marks = [
            m
            for m in marks
            if m.layer == "help_point" and m.title.startswith(f"Point d'entraide : {point.name}, ")
        ]
        if not point.published or not communes:
            assert point_marks == [], point.name
            continue
        assert {m.href for m in point_marks} == {commune_url(c) for c in communes}, point.name
        for commune in communes:
            assert any(f", {label(commune)}, prochaine permanence " in m.title for m in point_marks)
            assert (commune_url(commune), label(commune)) in lists["help_point"]["links"]
        assert point.name in lists["help_point"]["text"]
        expected_help_marks += len(communes)
    # No mark that is not one of these.
    assert len(marks) == len(engaged) + len(actors) + expected_help_marks
    # Each mark has an accessible name: its title, said again in aria-label.
    assert all(m.aria_label == m.title for m in marks)


def test_east_is_to_the_right_and_north_is_up(demo, client):
    marks = marks_of(client.get(URL).content.decode())
    engaged = {m.href: m for m in marks if m.layer == "commune"}  # one circle per engaged commune
    communes = [e.commune for e in EngagedCommune.objects.public().select_related("commune")]
    compared = 0
    for a in communes:
        for b in communes:
            # A degree or more apart: the marks of a group may move by a few units.
            if a.longitude > b.longitude + 1:
                assert engaged[commune_url(a)].x > engaged[commune_url(b)].x, (a, b)
                compared += 1
            if a.latitude > b.latitude + 1:
                assert engaged[commune_url(a)].y < engaged[commune_url(b)].y, (a, b)
                compared += 1
    assert compared >= 4


def test_the_english_page(demo, client):
    response = client.get(ENGLISH_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in page
    assert "Local solidarity map" in page
    melun = Commune.objects.get(insee_code="77288")
    english_commune = f"/en/directory/town/{melun.slug}/"
    assert any(
        m.title == "Committed town: Melun (77)" and m.href == english_commune
        for m in marks_of(page)
    )
    assert "Committed towns (" in page and "Help point (triangle)" in page
    assert any(m.title.startswith("Organisation: ") for m in marks_of(page))
    # The French address of the English page leads there.
    assert client.get("/en/annuaire/carte/").headers["Location"] == ENGLISH_URL
    # The directory's search links to the map, in each language.
    assert f'href="{URL}"' in client.get("/annuaire/").content.decode()
    assert f'href="{ENGLISH_URL}"' in client.get("/en/directory/").content.decode()


def test_no_address_of_another_host_and_no_script_in_the_map(demo, client):
    page = client.get(URL).content.decode()
    hosts = set(re.findall(r"https?://([^/\"'\s<>]+)", page))
    assert hosts <= {"testserver"}, hosts
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main
    svg = svg_of(page)
    # Only the site's own pages behind the marks, and nothing the SVG would fetch.
    assert all(a.get("href").startswith("/") for a in svg.iter("a"))
    assert not [e for e in svg.iter() if e.tag in ("image", "use", "foreignObject", "script")]
    assert "xlink" not in page.split('<svg class="directory-map__svg"', 1)[1]


def test_the_map_page_refuses_a_post(demo, client):
    assert client.post(URL).status_code == 405
    # A query string changes nothing (and is no error).
    assert client.get(URL + "?q=%00%ff&page=-1").status_code == 200
