from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from stories import services
from stories.factories import PortraitFactory, StoryPageFactory
from stories.models import StoryPage


@pytest.fixture
def moderation(story_index):
    return services.moderation_setup(index=story_index)


def _user(client, group_name, username):
    user = get_user_model().objects.create_user(username=username, password="x", is_staff=False)
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


def _story_data(geography, themes, **extra):
    data = nested_form_data(
        {
            "title": "Nadia accueille les nouveaux",
            "slug": "nadia",
            "hero_first_name": "Nadia",
            "hero_initial": "K",
            "hero_display_name": "",
            "commune": geography["melun"].pk,
            "portrait": PortraitFactory().pk,
            "portrait_alt": "Illustration : un buste stylisé sur fond bleu.",
            "summary": "Elle accueille chaque nouvelle famille de l'immeuble avec un gâteau.",
            "body": streamfield([("paragraph", rich_text("<p>Un gâteau au yaourt.</p>"))]),
            "pull_quote": "",
            "publication_date": "2026-04-01",
            "credit": "",
            "consent_given": "on",
            "gesture_links": inline_formset([]),
            **extra,
        }
    )
    data["themes"] = [themes["accueil"].pk]
    return data


@pytest.mark.django_db
def test_setup_creates_both_groups_and_the_workflow_idempotently(story_index, moderation):
    again = services.moderation_setup(index=story_index)
    assert again["workflow"] == moderation["workflow"]
    assert Group.objects.filter(name__in=["Contributeurs mairie", "Communication"]).count() == 2
    assert story_index.get_workflow() == moderation["workflow"]
    [task] = moderation["workflow"].tasks.all()
    assert list(task.specific.groups.all()) == [moderation["communication"]]


@pytest.mark.django_db
def test_a_mairie_contributor_can_submit_a_story_but_cannot_publish(
    client, story_index, moderation, geography, themes
):
    contributor = _user(client, "Contributeurs mairie", "mairie-melun")
    perms = story_index.permissions_for_user(contributor)
    assert perms.can_add_subpage() and not perms.can_publish_subpage()
    url = f"/admin/pages/add/stories/storypage/{story_index.pk}/"
    # Asking to publish does nothing: the button is not theirs.
    response = client.post(url, {**_story_data(geography, themes), "action-publish": "1"})
    assert response.status_code == 302
    story = StoryPage.objects.get(slug="nadia")
    assert not story.live
    assert not story.permissions_for_user(contributor).can_publish()
    # Submitting sends it to the Communication team's task.
    response = client.post(
        f"/admin/pages/{story.pk}/edit/", {**_story_data(geography, themes), "action-submit": "1"}
    )
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(story.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    story.refresh_from_db()
    assert not story.live
    # The contributor cannot approve their own story.
    assert state.current_task_state.task.specific.get_actions(story, contributor) == []


@pytest.mark.django_db
def test_submitting_without_consent_is_refused(client, story_index, moderation, geography, themes):
    _user(client, "Contributeurs mairie", "mairie-brest")
    data = _story_data(geography, themes)
    del data["consent_given"]
    data["action-submit"] = "1"
    response = client.post(f"/admin/pages/add/stories/storypage/{story_index.pk}/", data)
    assert response.status_code == 200
    assert "avant de publier" in response.content.decode()
    assert not WorkflowState.objects.exists()


@pytest.mark.django_db
def test_communication_approves_and_publishes(client, story_index, moderation, geography, themes):
    _user(client, "Contributeurs mairie", "mairie-melun")
    client.post(
        f"/admin/pages/add/stories/storypage/{story_index.pk}/",
        {**_story_data(geography, themes), "action-submit": "1"},
    )
    story = StoryPage.objects.get(slug="nadia")
    _user(client, "Communication", "communication")
    response = client.post(
        f"/admin/pages/{story.pk}/edit/",
        {
            **_story_data(geography, themes),
            "action-workflow-action": "1",
            "workflow-action-name": "approve",
        },
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.live
    assert client.get("/histoires/nadia/").status_code == 200


@pytest.mark.django_db
def test_approval_is_refused_while_the_consent_box_is_unticked(
    client, story_index, moderation, geography, themes
):
    story = StoryPageFactory(parent=story_index, slug="nadia", live=False, consent_given=True)
    communication = _user(client, "Communication", "communication")
    story.save_revision(user=communication)
    moderation["workflow"].start(story, communication)
    data = _story_data(geography, themes)
    del data["consent_given"]
    data.update({"action-workflow-action": "1", "workflow-action-name": "approve"})
    response = client.post(f"/admin/pages/{story.pk}/edit/", data)
    assert response.status_code == 200
    assert "avant de publier" in response.content.decode()
    story.refresh_from_db()
    assert not story.live


@pytest.mark.django_db
def test_anonymous_visitors_cannot_reach_the_admin_or_a_draft(client, story_index, geography):
    story = StoryPageFactory(parent=story_index, slug="brouillon", live=False, consent_given=False)
    assert client.get("/histoires/brouillon/").status_code == 404
    response = client.get(f"/admin/pages/{story.pk}/edit/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.get(f"/admin/pages/{story.pk}/view_draft/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_setup_command_needs_the_index_then_creates_the_groups(home_page):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from stories.factories import StoryIndexPageFactory

    with pytest.raises(CommandError):
        call_command("setup_story_moderation", stdout=StringIO())
    StoryIndexPageFactory(parent=home_page)
    out = StringIO()
    call_command("setup_story_moderation", stdout=out)
    assert "Modération prête" in out.getvalue()
    assert Group.objects.filter(name="Communication").exists()


@pytest.mark.django_db
def test_a_story_awaiting_approval_cannot_lose_its_consent(
    client, story_index, moderation, geography, themes
):
    # Approving from the dashboard publishes the latest version without any form: so a
    # version without the person's agreement must never be saved while in moderation.
    _user(client, "Contributeurs mairie", "mairie-melun")
    client.post(
        f"/admin/pages/add/stories/storypage/{story_index.pk}/",
        {**_story_data(geography, themes), "action-submit": "1"},
    )
    story = StoryPage.objects.get(slug="nadia")
    assert story.workflow_in_progress
    data = _story_data(geography, themes)
    del data["consent_given"]
    response = client.post(f"/admin/pages/{story.pk}/edit/", data)
    assert response.status_code == 200
    assert "avant de publier" in response.content.decode()
    assert story.get_latest_revision().as_object().consent_given
