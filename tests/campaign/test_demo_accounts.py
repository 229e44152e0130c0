"""Each demo account listed by load_demo logs in with its password and can do its job
(issue 11): the editor, the Communication moderator, the Melun contributor, the Melun mairie
viewer and the superuser."""

from html import unescape
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from campaign.geography.services import communes_import

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real communes and the whole demo, loaded once for the module, in a transaction
    rolled back after its last test (each test nests in it as a savepoint)."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(DEBUG=True, MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        # The test database: the module's tests are marked django_db, so that pytest-django
        # creates it even when this module runs alone.
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or Path(name).name.startswith("test"), name
        communes_import()
        out = StringIO()
        call_command("load_demo", stdout=out)
        with override_settings(MEDIA_ROOT=media):
            yield out.getvalue()
        transaction.set_rollback(True)


def _list_url(label):
    from django.apps import apps

    return reverse(apps.get_model(label).snippet_viewset.get_url_name("list"))


def _login(client, username, password):
    assert client.login(username=username, password=password), username
    return client


def _status(client, url):
    return client.get(url).status_code


def test_load_demo_lists_every_account_with_its_password(demo):
    listing = demo.split("Comptes de démonstration")[1]
    for username, password in [
        ("redaction", "voisins-solidaires"),
        ("communication", "communication-demo"),
        ("contributeur-melun", "contributeur-demo-melun"),
        ("mairie-melun", "mairie-demo-melun"),
        ("admin", "admin-tous-voisins"),
    ]:
        assert f"{username}" in listing and password in listing


def test_the_editor_opens_nominations_email_templates_and_the_rest_of_her_job(demo, client):
    from stories.models import StoryIndexPage, StoryPage
    from volunteers.models import EmailTemplate

    _login(client, "redaction", "voisins-solidaires")
    for label in [
        "stories.Nomination",
        "stories.StoryTheme",
        "volunteers.EmailTemplate",
        "mailings.Mailing",
        "volunteers.Volunteer",
        "kits.PosterTemplate",
        "kits.EngagedCommune",
        "kits.PersonalisedPoster",
        "geography.Commune",
    ]:
        assert _status(client, _list_url(label)) == 200, label
    template = EmailTemplate.objects.filter(locale__language_code="fr").first()
    edit = reverse(template.snippet_viewset.get_url_name("edit"), args=[template.pk])
    assert _status(client, edit) == 200
    index = StoryIndexPage.objects.get(locale__language_code="fr")
    assert _status(client, reverse("wagtailadmin_explore", args=[index.pk])) == 200
    story = StoryPage.objects.filter(locale__language_code="fr").first()
    assert _status(client, reverse("wagtailadmin_pages:edit", args=[story.pk])) == 200
    assert _status(client, reverse("kits_downloads")) == 200


def _story_data(commune, theme, portrait):
    data = nested_form_data(
        {
            "title": "Sami porte les courses de la voisine",
            "slug": "sami-porte-les-courses",
            "hero_first_name": "Sami",
            "hero_initial": "B",
            "hero_display_name": "",
            "commune": commune.pk,
            "portrait": portrait.pk,
            "portrait_alt": "Illustration : un buste stylisé sur fond vert.",
            "summary": "Chaque samedi, il monte les courses de Mme Roux au quatrième.",
            "body": streamfield(
                [("paragraph", rich_text("<p>Quatre étages, sans ascenseur.</p>"))]
            ),
            "pull_quote": "",
            "publication_date": "2026-05-02",
            "credit": "Texte : mairie de Melun.",
            "consent_given": "on",
            "gesture_links": inline_formset([]),
            "action-submit": "1",
        }
    )
    data["themes"] = [theme.pk]
    return data


def test_the_melun_contributor_submits_a_story_and_communication_publishes_it(demo, client):
    from campaign.geography.models import Commune
    from stories.models import StoryIndexPage, StoryPage, StoryTheme

    index = StoryIndexPage.objects.get(locale__language_code="fr")
    melun = Commune.objects.get(insee_code="77288")
    theme = StoryTheme.objects.filter(locale__language_code="fr").first()
    portrait = StoryPage.objects.filter(locale__language_code="fr").first().portrait

    _login(client, "contributeur-melun", "contributeur-demo-melun")
    assert _status(client, reverse("wagtailadmin_home")) == 200
    assert _status(client, reverse("wagtailadmin_explore", args=[index.pk])) == 200
    add = reverse("wagtailadmin_pages:add", args=["stories", "storypage", index.pk])
    assert _status(client, add) == 200
    # Their commune through the chooser's search.
    chooser = reverse("wagtailsnippetchoosers_geography_commune:choose_results")
    assert "77288" in client.get(chooser, {"q": "melun"}).content.decode()
    response = client.post(add, _story_data(melun, theme, portrait))
    assert response.status_code == 302
    story = StoryPage.objects.get(slug="sami-porte-les-courses", locale=index.locale)
    state = WorkflowState.objects.get(object_id=str(story.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not story.live
    # Nothing beyond their job: no volunteers, no nominations.
    assert _status(client, _list_url("volunteers.Volunteer")) != 200
    assert _status(client, _list_url("stories.Nomination")) != 200

    client.logout()
    _login(client, "communication", "communication-demo")
    assert "Sami porte les courses" in client.get(reverse("wagtailadmin_home")).content.decode()
    assert _status(client, _list_url("stories.Nomination")) == 200
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[story.pk]),
        {
            **_story_data(melun, theme, portrait),
            "action-submit": "",
            "action-workflow-action": "1",
            "workflow-action-name": "approve",
        },
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.live


def test_the_melun_mairie_sees_its_own_volunteers_only(demo, client):
    _login(client, "mairie-melun", "mairie-demo-melun")
    html = client.get(_list_url("volunteers.Volunteer")).content.decode()
    assert "Lucie" in html  # Melun, agreed to be shared with the mairie
    assert "Karim" not in html  # Melun, did not agree
    assert "Jeanne" not in html and "Tom" not in html  # other communes
    # Since issue 15 officials write their communes' practice sheets: the page explorer shows
    # them the way to the officials' network and nothing else of the site, and lists Melun's
    # sheet under it, not the others'.
    assert _status(client, reverse("wagtailadmin_explore_root")) == 200
    home = Page.objects.get(slug="accueil", depth=2)
    listing = unescape(client.get(reverse("wagtailadmin_explore", args=[home.pk])).content.decode())
    assert "Réseau des élus solidaires" in listing
    for elsewhere in ("Héros du civisme ordinaire", "Les 100 gestes solidaires", "Kits"):
        assert elsewhere not in listing, elsewhere
    network = Page.objects.get(slug="reseau-des-elus", locale__language_code="fr")
    sheets = unescape(
        client.get(reverse("wagtailadmin_explore", args=[network.pk])).content.decode()
    )
    assert "Un forum « Qui fait quoi ? »" in sheets  # Melun's
    assert "Un réseau d'élus qui partagent" not in sheets  # Brest's
    assert _status(client, _list_url("mailings.Mailing")) != 200


def test_the_superuser_opens_everything(demo, client):
    _login(client, "admin", "admin-tous-voisins")
    for label in ["volunteers.MairieAccess", "campaign.Navigation", "gestures.GestureCategory"]:
        assert _status(client, _list_url(label)) == 200, label
