"""Who edits the help points in the admin: communications staff (Wagtail's "Editors" group)
every help point, as they do every actor; mairie users ("Mairie") the help points of their own
communes (directory/models.py `HelpPointQuerySet.visible_to`). Unlike actors, which the
actors propose themselves and the mairie moderates, a help point is the mairie's own
permanence: a mairie user also adds and deletes them (in their communes only, which the admin
form checks)."""

from django.db import migrations

APP_LABEL = "directory"
# group name -> permission codenames on directory.HelpPoint
PERMISSIONS = {
    "Editors": ["view_helppoint", "add_helppoint", "change_helppoint", "delete_helppoint"],
    "Mairie": ["view_helppoint", "add_helppoint", "change_helppoint", "delete_helppoint"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database the groups need them now (as 0002 does).
    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=APP_LABEL, codename__in=codenames
        )
        for group in Group.objects.filter(name=group_name):
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=APP_LABEL, codename__in=codenames
        )
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_help_points"),
        # The "Mairie" group exists from here on.
        ("volunteers", "0002_mairie_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
