"""Shared fixtures: a French site with its English translation, as load_demo builds it but
from factories, so that tests do not depend on the demo wording."""

from django.core.cache import cache
from django.utils import translation

from wagtail.models import Locale, Page, Site

import pytest


@pytest.fixture(autouse=True)
def _french_first():
    # A request in English leaves English active in the thread (LocaleMiddleware does not
    # reset it): each test starts in the site's language.
    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Wagtail caches site root paths; a stale entry from another test would change URLs.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def locales(db):
    fr, _ = Locale.objects.get_or_create(language_code="fr")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return {"fr": fr, "en": en}


@pytest.fixture
def home_page(locales):
    """The French home page as the default site's root, and its English translation."""
    from home.factories import HomePageFactory

    root = Page.get_first_root_node()
    Site.objects.all().delete()
    for page in Page.objects.filter(depth=2):
        page.delete()
    home = HomePageFactory(parent=root, locale=locales["fr"])
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    english = home.copy_for_translation(locales["en"])
    english.title = "Home"
    english.slug = "home"
    english.hero_title = "All neighbours, all in it together"
    english.save_revision().publish()
    home.refresh_from_db()
    return home


@pytest.fixture
def english_home(home_page, locales):
    return home_page.get_translation(locales["en"]).specific
