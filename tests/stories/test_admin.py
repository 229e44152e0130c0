from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from stories.factories import NominationFactory, png_bytes
from stories.models import Nomination, StoryPage


@pytest.mark.django_db
def test_nomination_listing_has_filters_search_and_the_story_action(
    admin_client, story_index, geography
):
    NominationFactory(commune=geography["melun"], hero_first_name="Karim")
    NominationFactory(
        commune=geography["brest"], hero_first_name="Lucienne", status=Nomination.Status.DECLINED
    )
    html = admin_client.get("/admin/snippets/stories/nomination/").content.decode()
    assert "Karim" in html and "Lucienne" in html
    assert "Créer une histoire en brouillon" in html
    html = admin_client.get("/admin/snippets/stories/nomination/?status=declined").content.decode()
    assert "Lucienne" in html and "Karim" not in html
    html = admin_client.get("/admin/snippets/stories/nomination/?q=Karim").content.decode()
    assert "Karim" in html and "Lucienne" not in html


@pytest.mark.django_db
def test_one_action_turns_a_nomination_into_a_draft_story(admin_client, story_index, geography):
    nomination = NominationFactory(
        commune=geography["brest"],
        hero_first_name="Karim",
        what_they_did="Il répare les vélos <b>gratuitement</b>.\n\nTous les samedis.",
        photo=SimpleUploadedFile("p.png", png_bytes(), "image/png"),
    )
    url = f"/admin/stories/nominations/{nomination.pk}/histoire/"
    assert "Créer le brouillon" in admin_client.get(url).content.decode()
    response = admin_client.post(url)
    story = StoryPage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{story.pk}/edit/"
    assert story.get_parent().specific == story_index
    assert not story.live and not story.consent_given
    assert story.hero_first_name == "Karim" and story.commune == geography["brest"]
    assert story.portrait is not None
    body = list(story.body.raw_data)
    # The visitor's text is escaped into the rich text, never taken as HTML.
    assert "&lt;b&gt;gratuitement&lt;/b&gt;" in body[0]["value"]
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ACCEPTED and nomination.story_id == story.pk
    # A second click opens the same story instead of making another one.
    response = admin_client.post(url)
    assert StoryPage.objects.count() == 1
    assert admin_client.get(f"/admin/pages/{story.pk}/edit/").status_code == 200


@pytest.mark.django_db
def test_communication_staff_see_and_use_the_story_action(client, story_index, geography):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from stories import services

    services.moderation_setup(index=story_index)
    user = get_user_model().objects.create_user(username="com", password="x")
    user.groups.add(Group.objects.get(name="Communication"))
    client.force_login(user)
    nomination = NominationFactory(commune=geography["melun"])
    html = client.get("/admin/snippets/stories/nomination/").content.decode()
    assert "Créer une histoire en brouillon" in html
    response = client.post(f"/admin/stories/nominations/{nomination.pk}/histoire/")
    assert response.status_code == 302
    assert StoryPage.objects.get().hero_first_name == nomination.hero_first_name


@pytest.mark.django_db
def test_the_story_form_offers_the_themes_of_the_story_language_only(
    admin_client, story_index, themes, locales
):
    # Seen in the browser: a French editor could tick "Repair" beside "Réparation".
    english = themes["reparation"].copy_for_translation(locales["en"])
    english.name = "Repair"
    english.save()
    html = admin_client.get(
        f"/admin/pages/add/stories/storypage/{story_index.pk}/"
    ).content.decode()
    assert "Réparation" in html and "Aînés" in html
    assert "Repair<" not in html and ">Repair" not in html and " Repair\n" not in html
