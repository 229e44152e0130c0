"""The network in the admin: registrations for staff who hold the permission, never for mairie
users; the export only with its own permission; referents kept by staff."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

import pytest

from network.factories import MeetingRegistrationFactory
from volunteers.models.access import MAIRIE_GROUP_NAME

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/network/meetingregistration/"
SECRET = "inscrit-secret@exemple.org"


@pytest.fixture
def registration(meeting):
    return MeetingRegistrationFactory(meeting=meeting, name="InscritSecret", email=SECRET)


def _login(client, username, *groups):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(*Group.objects.filter(name__in=groups))
    client.force_login(user)
    return user


def test_editors_see_and_export_registrations(client, registration):
    _login(client, "redaction", "Editors")
    assert "InscritSecret" in client.get(LIST).content.decode()
    assert SECRET in client.get(f"{LIST}inspect/{registration.pk}/").content.decode()
    export = client.get(LIST + "?export=csv")
    assert SECRET in b"".join(export.streaming_content).decode()
    # Nobody adds or edits a registration in the admin.
    assert client.get(f"{LIST}add/").status_code in (302, 403)
    assert client.get(f"{LIST}edit/{registration.pk}/").status_code in (302, 403)


def test_viewing_without_the_export_permission_exports_nothing(client, registration):
    user = _login(client, "lecteur")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_meetingregistration"])
    )
    response = client.get(LIST + "?export=csv")
    assert response.status_code == 200 and not response.streaming  # the listing, no file
    listing = client.get(LIST).content.decode()
    assert "InscritSecret" in listing and "export=csv" not in listing


def test_a_mairie_user_never_sees_registrations_even_with_the_permission(client, registration):
    user = _login(client, "mairie-melun", MAIRIE_GROUP_NAME, "Editors")
    assert user.has_perm("network.view_meetingregistration")  # through Editors
    for url in (LIST, f"{LIST}inspect/{registration.pk}/", LIST + "?export=csv"):
        response = client.get(url)
        body = response.content if not response.streaming else b"".join(response.streaming_content)
        assert SECRET.encode() not in body and b"InscritSecret" not in body, url
        assert response.status_code in (302, 403), url
