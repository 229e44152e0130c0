import xml.etree.ElementTree as ET

from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from gestures.factories import GestureIndexPageFactory, GesturePageFactory
from stories.factories import StoryPageFactory
from stories.models import StoryGesture, StoryPage


@pytest.fixture
def gestures(home_page):
    index = GestureIndexPageFactory(parent=home_page)
    return [
        GesturePageFactory(parent=index, number=11, title="Monter les courses d'un voisin"),
        GesturePageFactory(parent=index, number=43, title="Réparer un vélo avec un voisin"),
    ]


@pytest.mark.django_db
def test_a_story_links_to_the_gestures_it_illustrates(client, story_index, geography, gestures):
    story = StoryPageFactory(parent=story_index, slug="karim", commune=geography["brest"])
    story.gesture_links = [StoryGesture(gesture=g) for g in reversed(gestures)]
    story.save_revision().publish()
    html = client.get("/histoires/karim/").content.decode()
    section = html.split('id="story-gestures-title"')[1].split("</section>")[0]
    assert "Monter les courses d&#x27;un voisin" in section
    assert 'href="/gestes/geste-43/"' in section
    # A gesture page reaches its stories through the reverse relation.
    assert [link.story for link in gestures[1].stories.all()] == [
        StoryPage.objects.get(pk=story.pk)
    ]


@pytest.mark.django_db
def test_the_gesture_chooser_offers_gesture_pages_only(admin_client, story_index, gestures, themes):
    story = StoryPageFactory(parent=story_index)
    html = admin_client.get(f"/admin/pages/{story.pk}/edit/").content.decode()
    assert "Gestes illustrés" in html
    assert "gestures.gesturepage" in html  # the chooser's target model
    panel = StoryPage.content_panels
    chooser = next(p for p in panel if getattr(p, "relation_name", "") == "gesture_links")
    assert chooser.chooser_field_name == "gesture"
    field = StoryGesture._meta.get_field("gesture")
    assert field.related_model.__name__ == "GesturePage"
    assert field.remote_field.related_name == "stories"
    # Publishing a gesture through the admin form saves the link.
    data = nested_form_data(
        {
            "title": story.title,
            "slug": story.slug,
            "hero_first_name": "Karim",
            "hero_initial": "",
            "hero_display_name": "",
            "commune": story.commune_id,
            "portrait": story.portrait_id,
            "portrait_alt": story.portrait_alt,
            "summary": story.summary,
            "body": "[]",
            "pull_quote": "",
            "publication_date": "2026-03-01",
            "credit": "",
            "consent_given": "on",
            "gesture_links": inline_formset([{"gesture": gestures[0].pk}]),
        }
    )
    data["body-count"] = "0"
    data["themes"] = [themes["aines"].pk]
    data["action-publish"] = "1"
    del data["body"]
    response = admin_client.post(f"/admin/pages/{story.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    story.refresh_from_db()
    assert [link.gesture_id for link in story.gesture_links.all()] == [gestures[0].pk]


@pytest.mark.django_db
def test_the_feed_lists_live_stories_of_the_language(client, story_index, geography):
    StoryPageFactory(
        parent=story_index, slug="karim", title="Karim répare les vélos", commune=geography["brest"]
    )
    StoryPageFactory(parent=story_index, title="Brouillon secret", live=False, consent_given=False)
    response = client.get("/histoires/flux/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    assert channel.findtext("language") == "fr"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Karim répare les vélos"]
    assert items[0].findtext("link") == "http://testserver/histoires/karim/"


@pytest.mark.django_db
def test_the_english_index_has_its_own_feed_and_english_themes(
    client, story_index, english_home, geography, themes, locales
):
    from campaign.localize import instance_translate

    theme = themes["aines"]
    english_theme = theme.copy_for_translation(locales["en"])
    english_theme.name = "Older people"
    english_theme.save()
    english_index = story_index.copy_for_translation(locales["en"])
    english_index.slug = "stories"
    english_index.save_revision().publish()
    story = StoryPageFactory(
        parent=story_index,
        slug="josiane",
        title="Josiane",
        commune=geography["melun"],
        themes=[theme],
    )
    english_story = story.copy_for_translation(locales["en"])
    english_story.title = "Josiane in English"
    english_story.save_revision().publish()
    html = client.get("/en/stories/").content.decode()
    assert "Josiane in English" in html
    assert "Older people" in html and "Aînés" not in html
    assert 'href="/en/stories/feed/"' in html
    html = client.get("/en/stories/?theme=aines").content.decode()
    assert "Josiane in English" in html and "1 story" in html
    content = client.get("/en/stories/feed/").content
    feed = ET.fromstring(content).find("channel")  # noqa: S314 - our own feed
    assert feed.findtext("language") == "en"
    assert [i.findtext("title") for i in feed.findall("item")] == ["Josiane in English"]
    assert instance_translate  # the demo translates with it; here copies suffice
