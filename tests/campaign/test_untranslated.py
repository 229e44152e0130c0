"""Untranslated pages. wagtail-localize's locale synchronisation makes every new French page
an alias in English (live, with the French content) until it is translated. The alias stays
reachable, shown as French with a notice, canonical to the French page and not indexed; it
is left out of every English listing, feed, search, sitemap and email. Once translated, the
page shows up everywhere."""

import datetime
import xml.etree.ElementTree as ET

from django.core import mail

from wagtail.models import Page

import pytest

from campaign.localize import instance_translate
from gestures.factories import GestureCategoryFactory, GestureIndexPageFactory, GesturePageFactory
from kits.factories import KitIndexPageFactory, KitPageFactory
from stories.factories import StoryIndexPageFactory, StoryPageFactory, StoryThemeFactory

STORY_FR = "Karim répare les vélos du quartier"
STORY_EN = "Karim fixes bikes in his street"
TRANSLATED_FR = "Josiane porte les courses"
TRANSLATED_EN = "Josiane carries the shopping"


def _translation(page, locale, **fields):
    """A real translation of `page` (published), as existing tests make them."""
    english = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(english, name, value)
    english.save_revision().publish()
    return Page.objects.get(pk=english.pk).specific


def _alias(page, locale):
    """What wagtail-localize's locale synchronisation makes of a new French page in English
    (wagtail_localize.synctree): a live alias with the French content."""
    alias = page.copy_for_translation(locale, copy_parents=True, alias=True)
    assert alias.alias_of_id == page.pk and alias.live
    return alias


@pytest.fixture
def site(home_page, english_home, locales):
    """French sections with their English translations; in each, a French page that has
    only its alias in English (untranslated) and one that is translated."""
    fr, en = locales["fr"], locales["en"]
    theme = StoryThemeFactory(name="Réparation", slug="reparation", locale=fr)
    _ = theme.copy_for_translation(en)
    _.name = "Repairs"
    _.save()
    story_index = StoryIndexPageFactory(parent=home_page, locale=fr)
    english_story_index = _translation(story_index, en, slug="stories", title="Stories")
    translated = StoryPageFactory(
        parent=story_index,
        slug="josiane",
        title=TRANSLATED_FR,
        themes=[theme],
        publication_date=datetime.date(2025, 1, 1),
    )
    english_translated = _translation(translated, en, slug="josiane-en", title=TRANSLATED_EN)
    story = StoryPageFactory(
        parent=story_index,
        slug="karim",
        title=STORY_FR,
        summary="Le samedi matin, Karim répare les vélos.",
        themes=[theme],
        publication_date=datetime.date(2026, 2, 1),  # the newest story
    )
    story_alias = _alias(story, en)

    gesture_index = GestureIndexPageFactory(parent=home_page)
    _translation(gesture_index, en, slug="gestures", title="Gestures")
    category = GestureCategoryFactory(slug="courses")
    gesture_translated = GesturePageFactory(
        parent=gesture_index, number=1, title="Porter les courses", heure_civique=True
    )
    english_gesture = _translation(
        gesture_translated, en, slug="carry-shopping", title="Carry the shopping"
    )
    gesture = GesturePageFactory(
        parent=gesture_index,
        number=2,
        category=category,
        title="Réparer un vélo avec un voisin",
        heure_civique=True,
    )
    gesture_alias = _alias(gesture, en)

    kit_index = KitIndexPageFactory(parent=home_page)
    _translation(kit_index, en, slug="kits-en", title="Kits")
    kit = KitPageFactory(parent=kit_index, slug="canicule", title="Kit canicule à afficher")
    kit_alias = _alias(kit, en)
    kit_translated = KitPageFactory(parent=kit_index, slug="presse", title="Kit presse")
    _translation(kit_translated, en, slug="press", title="Press kit")
    return {
        "story": story,
        "story_alias": story_alias,
        "english_story_index": english_story_index,
        "english_translated": english_translated,
        "gesture": gesture,
        "gesture_alias": gesture_alias,
        "english_gesture": english_gesture,
        "kit": kit,
        "kit_alias": kit_alias,
        "locales": locales,
    }


def _html(client, url, **params):
    # follow: the English addresses of the site's own views may redirect to English paths.
    response = client.get(url, params, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


def _feed(client, site):
    index = site["english_story_index"]
    response = client.get(index.url + index.reverse_subpage("feed_route"))
    return ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed


def _translate_story(site):
    story = site["story"]
    instance_translate(
        instance=story,
        language_code="en",
        strings={
            STORY_FR: STORY_EN,
            "karim": "karim-en",
            "Le samedi matin, Karim répare les vélos.": "On Saturday mornings, Karim fixes bikes.",
        },
    )
    english = story.get_translation(site["locales"]["en"])
    assert english.pk == site["story_alias"].pk and english.alias_of_id is None
    return english


@pytest.mark.django_db
def test_the_alias_answers_as_a_french_page_with_a_notice_canonical_and_noindex(client, site):
    html = _html(client, site["story_alias"].url)
    assert site["story_alias"].url == "/en/stories/karim/"
    assert STORY_FR in html
    assert "This page has not been translated yet; it is shown in French." in html
    assert '<html lang="en"' in html  # the menus and the notice are English
    content = html.split('<div lang="fr">', 1)[1]
    assert STORY_FR in content
    assert '<link rel="canonical" href="http://testserver/histoires/karim/">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="alternate" hreflang="en"' not in html
    # The French page does not announce the alias as its English version.
    french = _html(client, "/histoires/karim/")
    assert 'rel="alternate" hreflang="en"' not in french
    assert "not been translated" not in french
    assert "<div lang=" not in french
    # A translated page has none of it.
    translated = _html(client, site["english_translated"].url)
    assert "not been translated" not in translated and "noindex" not in translated
    assert '<link rel="canonical" href="http://testserver/en/stories/josiane-en/">' in translated
    assert 'rel="alternate" hreflang="fr"' in translated
    assert 'rel="alternate" hreflang="en"' in translated


@pytest.mark.django_db
def test_english_home_index_filters_and_feed_leave_the_alias_out_until_translated(client, site):
    home = _html(client, "/en/")
    assert TRANSLATED_EN in home and STORY_FR not in home
    index = _html(client, "/en/stories/")
    assert TRANSLATED_EN in index and STORY_FR not in index
    assert "1 story" in index
    filtered = _html(client, "/en/stories/", theme="reparation")
    assert TRANSLATED_EN in filtered and STORY_FR not in filtered
    feed = _feed(client, site)
    assert [i.findtext("title") for i in feed.findall("item")] == [TRANSLATED_EN]
    # The translated story's page links to no alias as its neighbour or related story.
    assert STORY_FR not in _html(client, site["english_translated"].url)

    _translate_story(site)
    assert STORY_EN in _html(client, "/en/")
    index = _html(client, "/en/stories/")
    assert STORY_EN in index and "2 stories" in index
    feed = _feed(client, site)
    assert [i.findtext("title") for i in feed.findall("item")] == [STORY_EN, TRANSLATED_EN]
    # French listings never changed.
    assert STORY_FR in _html(client, "/histoires/")


@pytest.mark.django_db
def test_search_and_sitemap_leave_the_alias_out_until_translated(client, site):
    html = _html(client, "/en/recherche/", q="Karim")
    assert STORY_FR not in html
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/en/stories/karim/" not in sitemap
    assert "/en/gestures/geste-2/" not in sitemap
    assert "/en/stories/josiane-en/" in sitemap
    assert "/histoires/karim/" in sitemap

    _translate_story(site)
    assert STORY_EN in _html(client, "/en/recherche/", q="Karim")
    assert "/en/stories/karim-en/" in client.get("/sitemap.xml").content.decode()


@pytest.mark.django_db
def test_gestures_and_kits_listings_leave_aliases_out(client, site):
    from gestures import selectors
    from gestures.services import _booklet_sources

    en = site["locales"]["en"]
    catalogue = _html(client, "/en/gestures/")
    assert "Carry the shopping" in catalogue
    assert "Réparer un vélo avec un voisin" not in catalogue
    # Both gestures are heure civique ones: the month's gesture is never the alias.
    for month in range(1, 13):
        chosen = selectors.gesture_of_the_month(locale=en, today=datetime.date(2026, month, 1))
        assert chosen.pk == site["english_gesture"].pk
    assert [g.pk for g in _booklet_sources(language_code="en")["gestures"]] == [
        site["english_gesture"].pk
    ]
    # The translated gesture page does not link to the alias as its next gesture.
    assert "/en/gestures/geste-2/" not in _html(client, site["english_gesture"].url)
    # The alias itself answers, marked as untranslated.
    assert "not been translated" in _html(client, site["gesture_alias"].url)

    kits = _html(client, "/en/kits-en/")
    assert "Press kit" in kits and "Kit canicule à afficher" not in kits
    home = _html(client, "/en/")
    assert "Press kit" in home and "Kit canicule à afficher" not in home
    assert "not been translated" in _html(client, site["kit_alias"].url)


@pytest.mark.django_db
def test_a_gesture_page_lists_no_alias_story(client, site):
    from gestures.selectors import stories_for
    from stories.models import StoryGesture

    # An alias story linked to the English gesture (e.g. its source was linked to it
    # before the tree was synchronised): not listed on the gesture page.
    StoryGesture.objects.create(story=site["story_alias"], gesture=site["english_gesture"])
    StoryGesture.objects.create(story=site["english_translated"], gesture=site["english_gesture"])
    assert [s.pk for s in stories_for(page=site["english_gesture"])] == [
        site["english_translated"].pk
    ]


@pytest.mark.django_db
def test_english_emails_leave_the_alias_story_out(site, settings):
    from mailings import emails as mailing_emails
    from mailings.models import Mailing
    from mailings.services import mailing_monthly_reminder_send
    from volunteers.factories import VolunteerFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    VolunteerFactory(email="dia@example.org", first_name="Dia", language="en", commune=None)
    mailing_monthly_reminder_send(today=datetime.date(2026, 3, 2))
    reminder = Mailing.objects.get(language="en", kind=Mailing.Kind.REMINDER)
    stories = [child.value.pk for child in reminder.body if child.block_type == "story"]
    assert stories == [site["english_translated"].pk]

    # A mailing block that picked the French story: no English card for it yet.
    mailing = Mailing.objects.create(
        subject="News",
        language="en",
        body=[("story", site["story"]), ("story", site["english_translated"])],
    )
    rendered = mailing_emails.mailing_render(mailing)
    assert TRANSLATED_EN in rendered.html and STORY_FR not in rendered.html
    assert STORY_FR not in rendered.text
    _translate_story(site)
    rendered = mailing_emails.mailing_render(Mailing.objects.get(pk=mailing.pk))
    assert STORY_EN in rendered.html and STORY_FR not in rendered.html
    assert mail.outbox is not None


@pytest.mark.django_db
def test_a_page_created_in_the_admin_gets_an_alias_that_stays_out_of_listings(
    admin_client, client, home_page, english_home, locales
):
    # The real path: with the English tree synchronised from the French one (as load_demo
    # sets it up), creating a French page in the admin makes its English alias.
    from wagtail_localize.models import LocaleSynchronization

    LocaleSynchronization.objects.create(locale=locales["en"], sync_from=locales["fr"])
    response = admin_client.post(
        f"/admin/pages/add/campaign/contentpage/{home_page.pk}/",
        {
            "title": "Fête des voisins à Melun",
            "slug": "fete-des-voisins",
            "introduction": "Rendez-vous dans la cour.",
            "body-count": "0",
            "action-publish": "1",
        },
    )
    assert response.status_code == 302
    alias = Page.objects.get(locale=locales["en"], slug="fete-des-voisins")
    assert alias.alias_of_id and alias.live
    html = _html(client, "/en/fete-des-voisins/")
    assert "not been translated" in html and '<meta name="robots" content="noindex">' in html
    assert "Fête des voisins" not in _html(client, "/en/recherche/", q="voisins")
    assert "/en/fete-des-voisins/" not in client.get("/sitemap.xml").content.decode()
