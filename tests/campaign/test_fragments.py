"""The sections kept as rendered HTML under the site data's generation ({% datacache %},
campaign/templatetags/campaign_cache.py) follow every change at once, never cross a language,
a month or a preview, and each process's copies of the site data (campaign/datacache.py)
follow a change made by another process."""

import datetime

from django.core.cache import cache
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from wagtail.models import Site

import pytest

from campaign import datacache
from gestures.models import GestureSettings
from stories.factories import StoryIndexPageFactory, StoryPageFactory
from tests.gestures.conftest import add_gestures


def _html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def story_index(home_page):
    return StoryIndexPageFactory(parent=home_page)


@pytest.mark.django_db
def test_a_published_story_shows_on_the_home_and_the_index_at_once(client, story_index):
    StoryPageFactory(parent=story_index, title="Les courses de Josiane")
    for path in ("/", "/histoires/"):
        _html(client, path)
        assert "Les courses de Josiane" in _html(client, path)  # the fragment is kept
    story = StoryPageFactory(parent=story_index, title="Le jardin partagé de Karim")
    for path in ("/", "/histoires/"):
        assert "Le jardin partagé de Karim" in _html(client, path)
    story.unpublish()
    for path in ("/", "/histoires/"):
        assert "Le jardin partagé de Karim" not in _html(client, path)


@pytest.mark.django_db
def test_a_language_never_gets_the_other_language_s_sections(client, story_index, english_home):
    StoryPageFactory(parent=story_index, title="Les courses de Josiane")
    assert "Les courses de Josiane" in _html(client, "/")
    english = _html(client, "/en/")
    assert "Les courses de Josiane" not in english
    assert "Les premiers portraits" not in english  # the English empty state, in English
    assert "The first portraits of caring neighbours are coming soon." in english


@pytest.mark.django_db
def test_the_gesture_of_the_month_changes_with_the_month(client, home_page, monkeypatch):
    from gestures.factories import GestureCategoryFactory, GestureIndexPageFactory

    catalogue = GestureIndexPageFactory(parent=home_page)
    category = GestureCategoryFactory(name="Prendre soin des aînés", slug="aines")
    gestures = add_gestures(catalogue, [category], range(1, 13))
    rotating = [g for g in gestures if g.heure_civique]
    assert len(rotating) >= 2

    def shown(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        html = _html(client, "/")
        section = html.split('id="gesture-title"')[1].split("</section>")[0]
        return [g.title for g in rotating if g.title in section]

    march = shown(datetime.date(2026, 3, 15))
    assert shown(datetime.date(2026, 3, 20)) == march  # from the fragment, same month
    april = shown(datetime.date(2026, 4, 2))
    assert len(march) == len(april) == 1 and march != april
    # Staff's choice shows at once, the month unchanged.
    GestureSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"gesture_of_the_month": rotating[0]},
    )
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 4, 3))
    assert rotating[0].title in _html(client, "/").split('id="gesture-title"')[1]


def _render(request, value):
    template = Template(
        '{% load campaign_cache %}{% datacache "test" %}{{ value }}{% enddatacache %}'
    )
    return template.render(Context({"request": request, "value": value}))


@pytest.mark.django_db
def test_a_fragment_is_kept_for_visitors_but_never_for_a_preview():
    visitor = RequestFactory().get("/")
    assert _render(visitor, "avant") == "avant"
    assert _render(RequestFactory().get("/"), "après") == "avant"  # kept
    preview = RequestFactory().get("/")
    preview.is_preview = True
    assert _render(preview, "brouillon") == "brouillon"  # neither read
    assert _render(RequestFactory().get("/"), "après") == "avant"  # nor stored
    datacache.forget()  # a publication
    assert _render(RequestFactory().get("/"), "après") == "après"


@pytest.mark.django_db
def test_a_fragment_is_rendered_when_the_cache_is_down(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(datacache.cache, "get", down)
    assert _render(RequestFactory().get("/"), "rendu") == "rendu"


def test_each_process_copy_follows_a_change_made_by_another_process():
    built = []

    def build():
        built.append(1)
        return {"valeur": len(built)}

    first = datacache.remember("copies-test", build)
    again = datacache.remember("copies-test", build)
    assert first == again == {"valeur": 1} and len(built) == 1
    assert first is not again  # a copy each time: no object shared between requests
    # Another process publishes: it writes a new generation in the shared cache only.
    cache.set(datacache.GENERATION_KEY, "une-autre-generation", None)
    assert datacache.remember("copies-test", build) == {"valeur": 2}


def test_a_process_copy_expires_and_the_oldest_go_first(monkeypatch):
    copies = datacache._ProcessCopies(size=2, seconds=60)
    now = [1000.0]
    monkeypatch.setattr(datacache.time, "monotonic", lambda: now[0])
    copies.put("a", 1)
    copies.put("b", 2)
    assert copies.get("a") == 1  # "a" is now the most recently used
    copies.put("c", 3)
    assert copies.get("b") is datacache._MISSING
    assert (copies.get("a"), copies.get("c")) == (1, 3)
    now[0] += 61
    assert copies.get("a") is datacache._MISSING


@pytest.mark.django_db
def test_a_renamed_gesture_category_shows_on_the_home_page_at_once(client, home_page):
    from gestures.factories import GestureCategoryFactory, GestureIndexPageFactory

    catalogue = GestureIndexPageFactory(parent=home_page)
    category = GestureCategoryFactory(name="Prendre soin des aînés", slug="aines")
    add_gestures(catalogue, [category], range(1, 5))
    _html(client, "/")
    assert "Prendre soin des aînés" in _html(client, "/")
    category.name = "Veiller sur les aînés"
    category.save()
    assert "Veiller sur les aînés" in _html(client, "/")


def test_nothing_is_kept_in_the_process_while_the_cache_cannot_tell_the_generation(monkeypatch):
    # FailSoftRedisCache answers None (or the default) while Redis is down: no generation,
    # so every value is built from the database, and no process copy outlives the outage.
    monkeypatch.setattr(datacache.cache, "get", lambda key, default=None, **kwargs: default)
    monkeypatch.setattr(datacache.cache, "add", lambda *args, **kwargs: False)
    built = []
    for _ in range(2):
        datacache.remember("outage-test", lambda: built.append(1) or len(built))
    assert len(built) == 2
    assert not any("outage-test" in key for key in datacache._copies.entries)
