"""Who edits the directory in the admin: communications staff (Wagtail's "Editors" group)
every actor; mairie users ("Mairie") view, edit and moderate the actors of their own
communes (which ones is decided per user, by their MairieAccess rows: directory/models.py
`ActorQuerySet.visible_to`), and never add or delete one."""

from django.db import migrations

APP_LABEL = "directory"
# group name -> permission codenames on directory.Actor
PERMISSIONS = {
    "Editors": ["view_actor", "add_actor", "change_actor", "delete_actor"],
    "Mairie": ["view_actor", "change_actor"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database the groups need them now (as volunteers/0005 does).
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
        ("directory", "0001_initial"),
        # The "Mairie" group exists from here on.
        ("volunteers", "0002_mairie_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
