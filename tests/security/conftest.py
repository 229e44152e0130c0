"""One small site for the whole hostile-input battery, built once per module inside a
transaction that is rolled back at the end (each test runs in a savepoint inside it): French
and English home, sign-up, stories (with the nomination form), gestures, kits, a poster
template, a few real communes, a confirmed volunteer and a superuser.

The battery tests the forms, not the rate limiter: every limit is raised far above the number
of requests, and the sign-up's minimum fill time is 0."""

import datetime
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from wagtail.models import Locale, Page, Site

import pytest

HIGH = "1000000/3600"


def _overrides(media_root):
    return override_settings(
        DEBUG=False,
        MEDIA_ROOT=media_root,
        RATE_LIMITS=dict.fromkeys(getattr(settings, "RATE_LIMITS", {}), HIGH),
        VOLUNTEERS_MIN_FILL_SECONDS=0,
        STORIES_NOMINATIONS_PER_HOUR=1_000_000,
        VOLUNTEERS_RATE_LIMIT_PER_IP=HIGH,
    )


def _commune(insee_code, name, department, postcode):
    from tests.utils import make_commune

    return make_commune(insee_code, name, department, postcodes=[postcode])


def _translate(page, locale, **changes):
    english = page.copy_for_translation(locale)
    for name, value in changes.items():
        setattr(english, name, value)
    english.save_revision().publish()
    return english.specific


def build_site():
    from campaign.geography.models import Department, Region
    from gestures.factories import (
        GestureCategoryFactory,
        GestureIndexPageFactory,
        GesturePageFactory,
    )
    from home.factories import HomePageFactory
    from kits.factories import KitFileFactory, KitIndexPageFactory, KitPageFactory
    from kits.models import PosterTemplate
    from stories.factories import StoryIndexPageFactory, StoryPageFactory, StoryThemeFactory
    from volunteers import tokens
    from volunteers.factories import VolunteerFactory, VolunteerSignupPageFactory

    fr, _created = Locale.objects.get_or_create(language_code="fr")
    en, _created = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    Site.objects.all().delete()
    for page in Page.objects.filter(depth=2):
        page.delete()
    home = HomePageFactory(parent=root, locale=fr)
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    _translate(home, en, title="Home", slug="home")

    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    d77 = Department.objects.create(
        code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf
    )
    melun = _commune("77288", "Melun", d77, "77000")
    _commune("77255", "Livry-sur-Seine", d77, "77000")  # 77000 has two communes
    dammarie = _commune("77152", "Dammarie-les-Lys", d77, "77190")

    signup = VolunteerSignupPageFactory(parent=home, locale=fr)
    _translate(signup, en)

    story_index = StoryIndexPageFactory(parent=home, locale=fr)
    _translate(story_index, en, title="Stories")
    theme = StoryThemeFactory(name="Aînés", slug="aines", locale=fr)
    StoryPageFactory(
        parent=story_index, commune=melun, themes=[theme], publication_date=datetime.date.today()
    )

    catalogue = GestureIndexPageFactory(parent=home, locale=fr)
    _translate(catalogue, en, title="The 100 gestures")
    category = GestureCategoryFactory(name="Prendre soin des aînés", slug="aines")
    gestures = [
        GesturePageFactory(parent=catalogue, number=n, category=category, time_needed="1h")
        for n in (1, 2)
    ]
    for gesture in gestures:
        _translate(gesture, en)

    kits = KitIndexPageFactory(parent=home, locale=fr)
    kit = KitPageFactory(parent=kits)
    kit_file = KitFileFactory(page=kit)
    from kits.factories import PosterTemplateFactory

    template = PosterTemplateFactory()
    if not template.is_active:
        PosterTemplate.objects.filter(pk=template.pk).update(is_active=True)

    volunteer = VolunteerFactory(commune=dammarie, email="confirmed@example.org")
    admin = get_user_model().objects.create_superuser(
        "battery-admin", "battery-admin@example.org", "battery-admin-password"
    )
    return {
        "home": home,
        "signup": signup,
        "story_index": story_index,
        "catalogue": catalogue,
        "gestures": gestures,
        "kit_file": kit_file,
        "template": template,
        "melun": melun,
        "dammarie": dammarie,
        "volunteer": volunteer,
        "preferences_token": tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES),
        "unsubscribe_token": tokens.token_make(volunteer=volunteer, purpose=tokens.UNSUBSCRIBE),
        "admin": admin,
    }


@pytest.fixture(scope="module")
def hostile_site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("security-media")
    with _overrides(media), django_db_blocker.unblock(), translation.override("fr"):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.perf_counter()
            site = build_site()
            print(f"hostile_site built in {time.perf_counter() - started:.1f}s")
            site["media_root"] = media
            yield site
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _battery_settings(settings, hostile_site):
    # The module's overrides, again for each test (pytest-django's `settings` restores them).
    settings.MEDIA_ROOT = hostile_site["media_root"]
    settings.RATE_LIMITS = dict.fromkeys(getattr(settings, "RATE_LIMITS", {}), HIGH)
    settings.VOLUNTEERS_MIN_FILL_SECONDS = 0
    settings.STORIES_NOMINATIONS_PER_HOUR = 1_000_000
    settings.VOLUNTEERS_RATE_LIMIT_PER_IP = HIGH
