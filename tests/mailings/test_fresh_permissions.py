"""On a database built from nothing by `migrate` (the test database, a new server, the e2e
site), the mailings' permissions end up on the mailings' own content types: the editors can
write and send mailings, and no permission is left on a `volunteers` mailing content type.

The e2e journey found this: on a fresh database another migration had already created the
`mailings` content types, the move was skipped, and the Editors group kept only the
`volunteers.*_mailing` permissions, so `redaction` was sent back to the dashboard."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

import pytest

pytestmark = pytest.mark.django_db

MODELS = ["mailing", "delivery", "deliveryevent"]


def test_no_mailing_content_type_is_left_under_volunteers():
    assert not ContentType.objects.filter(app_label="volunteers", model__in=MODELS).exists()
    assert not Permission.objects.filter(
        content_type__app_label="volunteers", codename__endswith="mailing"
    ).exists()


def test_the_editors_group_can_write_and_send_mailings(django_user_model):
    editors = Group.objects.get(name="Editors")
    granted = set(
        editors.permissions.filter(content_type__app_label="mailings").values_list(
            "codename", flat=True
        )
    )
    assert {"add_mailing", "change_mailing", "view_mailing", "send_mailing"} <= granted
    user = django_user_model.objects.create_user("plume", password="x")
    user.groups.add(editors)
    assert user.has_perm("mailings.send_mailing")
    assert user.has_perm("mailings.add_mailing")


def test_the_move_carries_grants_over_when_both_content_types_exist(django_user_model):
    """The fresh-database case, rebuilt: the `volunteers` content type holds the group's
    grant, the `mailings` one was created beside it; the move keeps the grant and leaves no
    `volunteers` mailing content type."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("mailings.migrations.0001_initial")
    new = ContentType.objects.get(app_label="mailings", model="mailing")
    old = ContentType.objects.create(app_label="volunteers", model="mailing")
    stale = Permission.objects.create(content_type=old, codename="send_mailing", name="x")
    group = Group.objects.create(name="Rédaction locale")
    group.permissions.add(stale)
    user = django_user_model.objects.create_user("plume", password="x")
    user.groups.add(group)
    assert not user.has_perm("mailings.send_mailing")

    # The function reads only the editor's connection (SQLite refuses a real schema editor
    # inside the test's transaction).
    migration.content_types_move(apps, SimpleNamespace(connection=connection))

    assert not ContentType.objects.filter(pk=old.pk).exists()
    assert group.permissions.filter(content_type=new, codename="send_mailing").exists()
    user = django_user_model.objects.get(pk=user.pk)
    assert user.has_perm("mailings.send_mailing")
