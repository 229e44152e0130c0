"""Practice sheets go through the stories' moderation workflow: officials (mairie users)
write and submit the sheets of their own communes, the Communication team publishes them.
Mairie users write nothing else of the network."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, streamfield

import pytest

from network import services
from network.factories import PracticeSheetPageFactory
from network.models import PracticeSheetPage
from volunteers.factories import MairieAccessFactory
from volunteers.models.access import MAIRIE_GROUP_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderation(network_index):
    return services.network_moderation_setup(index=network_index)


def _user(client, group_name, username):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


@pytest.fixture
def official(client, moderation, geography):
    user = _user(client, MAIRIE_GROUP_NAME, "mairie-melun")
    MairieAccessFactory(user=user, commune=geography["melun"])
    return user


def _refused(response):
    # Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard and a
    # message, never the form.
    assert (response.status_code, response.get("Location")) in [(403, None), (302, "/admin/")]


def _sheet_data(commune, **extra):
    return nested_form_data(
        {
            "title": "Un forum qui fait quoi",
            "slug": "forum",
            "summary": "Les acteurs se rencontrent.",
            "commune": commune.insee_code,
            "problem": "Personne ne se connaissait.",
            "actions": "Une journée de rencontre.",
            "steps": streamfield([]),
            "budget": "",
            "partners": "",
            "results": "",
            "contact_name": "Claire Martin",
            "contact_role": "Adjointe",
            "contact_email": "claire@melun.example",
            "contact_phone": "",
            "contact_agreed_on": "",
            **extra,
        }
    )


def test_the_network_follows_the_stories_workflow(network_index, moderation):
    from stories.services import moderation_workflow

    assert network_index.get_workflow() == moderation == moderation_workflow()
    assert services.network_moderation_setup(index=network_index) == moderation


def test_an_official_submits_a_sheet_of_their_commune_but_cannot_publish_it(
    client, network_index, official, geography
):
    url = f"/admin/pages/add/network/practicesheetpage/{network_index.pk}/"
    data = _sheet_data(geography["melun"])
    response = client.post(url, {**data, "action-publish": "1"})
    assert response.status_code == 302
    sheet = PracticeSheetPage.objects.get(slug="forum")
    assert not sheet.live
    response = client.post(f"/admin/pages/{sheet.pk}/edit/", {**data, "action-submit": "1"})
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(sheet.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.specific.get_actions(sheet, official) == []
    # The Communication team approves: published.
    _user(client, "Communication", "communication")
    response = client.post(
        f"/admin/pages/{sheet.pk}/edit/",
        {**data, "action-workflow-action": "1", "workflow-action-name": "approve"},
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.live
    assert client.get("/reseau-des-elus/forum/").status_code == 200


def test_an_official_cannot_write_for_another_commune(client, network_index, official, geography):
    url = f"/admin/pages/add/network/practicesheetpage/{network_index.pk}/"
    response = client.post(url, {**_sheet_data(geography["brest"]), "action-submit": "1"})
    assert response.status_code == 200
    assert "Choisissez une des communes de votre mairie" in response.content.decode()
    assert not PracticeSheetPage.objects.exists()
    other = PracticeSheetPageFactory(parent=network_index, commune=geography["brest"])
    _refused(client.get(f"/admin/pages/{other.pk}/edit/"))
    _refused(client.get(f"/admin/pages/{other.pk}/delete/"))


def test_an_official_creates_no_meeting_or_dossier_and_edits_no_index(
    client, network_index, official
):
    for model in ("meetingpage", "dossierpage"):
        url = f"/admin/pages/add/network/{model}/{network_index.pk}/"
        _refused(client.get(url))
    _refused(client.get(f"/admin/pages/{network_index.pk}/edit/"))


def test_the_setup_command_is_idempotent(network_index):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("setup_network_moderation", stdout=out)
    call_command("setup_network_moderation", stdout=out)
    assert out.getvalue().count("Modération prête") == 2
    assert network_index.get_workflow() is not None


def test_an_official_s_explorer_lists_only_their_communes_sheets(
    client, network_index, official, geography
):
    PracticeSheetPageFactory(
        parent=network_index, title="Fiche de Melun", commune=geography["melun"]
    )
    PracticeSheetPageFactory(
        parent=network_index, title="Fiche de Brest", commune=geography["brest"]
    )
    html = client.get(f"/admin/pages/{network_index.pk}/").content.decode()
    assert "Fiche de Melun" in html and "Fiche de Brest" not in html


def test_an_official_reaches_no_url_of_another_commune_s_sheet(
    client, network_index, official, geography
):
    """Found while reviewing: the hooks refused the edit and delete views, but the draft,
    preview, history, revisions and usage views of another commune's sheet were open to any
    mairie user (Wagtail grants "change" on the whole subtree). The sheet's own permission
    tester now gives them nothing there."""
    other = PracticeSheetPageFactory(
        parent=network_index, commune=geography["brest"], title="FicheSecreteBrest"
    )
    other.save_revision()  # a draft
    revision = other.latest_revision
    urls = [
        f"/admin/pages/{other.pk}/view_draft/",
        f"/admin/pages/{other.pk}/edit/preview/",
        f"/admin/pages/{other.pk}/history/",
        f"/admin/pages/{other.pk}/usage/",
        f"/admin/pages/{other.pk}/revisions/{revision.pk}/view/",
        f"/admin/pages/{other.pk}/revisions/compare/earliest...{revision.pk}/",
        f"/admin/pages/{other.pk}/lock/",
        f"/admin/pages/{other.pk}/workflow/history/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
        assert b"FicheSecreteBrest" not in response.content, url
    # Their own commune's sheet stays theirs.
    own = PracticeSheetPageFactory(parent=network_index, commune=geography["melun"])
    own.save_revision()
    assert client.get(f"/admin/pages/{own.pk}/view_draft/").status_code == 200
    assert client.get(f"/admin/pages/{own.pk}/history/").status_code == 200
