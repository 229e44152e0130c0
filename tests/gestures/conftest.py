from django.utils import translation

from wagtail.models import Page

import pytest

from gestures.factories import (
    GestureCategoryFactory,
    GestureIndexPageFactory,
    GesturePageFactory,
)

TIMES = ["5min", "15min", "1h", "plus"]
AUDIENCES = ["aines,isoles", "familles,enfants", "voisins", "nouveaux-arrivants,voisins"]


@pytest.fixture(autouse=True)
def _french():
    # Messages built outside a request (import, commands) use the active language, which an
    # earlier request in the same thread may have left in English.
    with translation.override("fr"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Booklets are written to the default storage: keep them out of the project folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(home_page):
    """The French catalogue page under the French home page."""
    return GestureIndexPageFactory(parent=home_page)


@pytest.fixture
def categories(locales):
    return [
        GestureCategoryFactory(name="Prendre soin des aînés", slug="aines", colour="#a3392b"),
        GestureCategoryFactory(
            name="Courses et petits services", slug="courses-services", colour="#8a5208"
        ),
        GestureCategoryFactory(name="Créer du lien", slug="lien-social", colour="#a12f5b"),
    ]


def add_gestures(index_page, categories, numbers):
    """Gestures with varied categories, times and audiences: number n gets category
    n % 3, time n % 4 and audiences n % 4, and l'heure civique when its time is 1h."""
    pages = []
    for n in numbers:
        pages.append(
            GesturePageFactory(
                parent=index_page,
                number=n,
                category=categories[n % len(categories)],
                time_needed=TIMES[n % 4],
                audiences=AUDIENCES[n % 4],
                heure_civique=TIMES[n % 4] == "1h",
            )
        )
    return pages


@pytest.fixture
def gestures(catalogue, categories):
    return add_gestures(catalogue, categories, range(1, 13))


def reload(page):
    return Page.objects.get(pk=page.pk).specific
