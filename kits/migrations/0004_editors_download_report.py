"""The downloads report is for the staff who keep the kits: it needs the permission to view
the download counts (`kits.view_downloadcount`), given here to Wagtail's "Editors" group.
Any other admin user (a mairie, a mairie contributor) no longer sees it."""

from django.db import migrations

CODENAME = "view_downloadcount"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database the group needs this one now (as 0002 does).
    app_config = apps.get_app_config("kits")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="kits", codename=CODENAME)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="kits", codename=CODENAME)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("kits", "0003_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
