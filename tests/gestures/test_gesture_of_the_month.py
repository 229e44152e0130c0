import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Site

import pytest

from gestures.models import GestureSettings
from gestures.selectors import gesture_of_the_month

from .conftest import add_gestures


@pytest.mark.django_db
def test_rotates_by_month_over_heure_civique_gestures(gestures, locales):
    civic = [g.number for g in gestures if g.heure_civique]
    assert civic == [2, 6, 10]
    picks = [
        gesture_of_the_month(locale=locales["fr"], today=datetime.date(2026, month, 15)).number
        for month in range(1, 7)
    ]
    # (year * 12 + month) % 3 over the civic-hour gestures in number order.
    assert picks == [civic[(2026 * 12 + m) % 3] for m in range(1, 7)]
    # The same all month long.
    assert (
        gesture_of_the_month(locale=locales["fr"], today=datetime.date(2026, 3, 1)).number
        == gesture_of_the_month(locale=locales["fr"], today=datetime.date(2026, 3, 31)).number
    )


@pytest.mark.django_db
def test_staff_choice_wins_and_follows_the_language(gestures, locales, english_home):
    site = Site.objects.get(is_default_site=True)
    GestureSettings.objects.update_or_create(
        site=site, defaults={"gesture_of_the_month": gestures[4]}
    )
    assert gesture_of_the_month(locale=locales["fr"], site=site).pk == gestures[4].pk
    # Unpublished, the choice falls back to the rotation.
    gestures[4].unpublish()
    assert gesture_of_the_month(locale=locales["fr"], site=site).heure_civique


@pytest.mark.django_db
def test_none_without_gestures(home_page, locales):
    assert gesture_of_the_month(locale=locales["fr"]) is None


@pytest.mark.django_db
def test_home_page_shows_the_gesture_of_the_month(client, gestures, home_page):
    site = Site.objects.get(is_default_site=True)
    GestureSettings.objects.create(site=site, gesture_of_the_month=gestures[2])
    html = client.get("/").content.decode()
    assert "Le geste du mois" in html
    assert gestures[2].title in html
    assert 'href="/gestes/geste-3/"' in html


@pytest.mark.django_db
def test_home_page_queries_do_not_grow_with_gestures(client, catalogue, categories):
    add_gestures(catalogue, categories, range(1, 5))
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    add_gestures(catalogue, categories, range(5, 41))
    assert count() == few
