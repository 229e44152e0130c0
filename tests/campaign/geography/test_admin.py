"""Editors browse the communes in the admin; nobody edits them there."""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail.permissions import policy_registry

import pytest

from campaign.geography.models import Commune
from campaign.geography.services import communes_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(data_file):
    communes_import(path=data_file())


def test_commune_listing_search_and_filter(communes, admin_client):
    url = reverse("wagtailsnippets_geography_commune:list")

    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Melun" in response.text

    response = admin_client.get(url, {"q": "melun"})
    assert "Melun" in response.text
    assert "Papeete" not in response.text

    response = admin_client.get(url, {"region": "11", "kind": "arrondissement"})
    assert response.status_code == 200
    assert "Paris 17e Arrondissement" in response.text
    assert "Melun" not in response.text


def test_commune_inspect_view(communes, admin_client):
    melun = Commune.objects.get(insee_code="77288")
    response = admin_client.get(
        reverse("wagtailsnippets_geography_commune:inspect", args=[melun.pk])
    )
    assert response.status_code == 200
    assert "77288" in response.text


def test_superusers_cannot_add_edit_or_delete_communes(communes, admin_client, admin_user):
    melun = Commune.objects.get(insee_code="77288")
    policy = policy_registry.get_by_type(Commune)
    for action in ("add", "change", "delete"):
        assert not policy.user_has_permission(admin_user, action)
    assert policy.user_has_permission(admin_user, "view")

    assert admin_client.get(reverse("wagtailsnippets_geography_commune:add")).status_code != 200
    edit = reverse("wagtailsnippets_geography_commune:edit", args=[melun.pk])
    assert admin_client.get(edit).status_code != 200
    assert admin_client.post(edit, {"name": "Hacked"}).status_code != 200
    melun.refresh_from_db()
    assert melun.name == "Melun"


def test_an_editor_needs_only_the_view_permission(communes, client, django_user_model):
    editors = Group.objects.create(name="Éditeurs")
    editors.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="geography", codename="view_commune"),
    )
    editor = django_user_model.objects.create_user("editor", password="x")
    editor.groups.add(editors)
    client.force_login(editor)

    assert client.get(reverse("wagtailsnippets_geography_commune:list")).status_code == 200
