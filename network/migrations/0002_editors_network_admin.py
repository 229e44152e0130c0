"""Communications staff (Wagtail's "Editors" group) keep the regional referents and follow the
meeting registrations: view, export and delete them (never add or change one; mairie users
never see them, network/wagtail_hooks.py RegistrationPermissionPolicy)."""

from django.db import migrations

APP_LABEL = "network"
# model name -> permission codenames given to Wagtail's "Editors" group
PERMISSIONS = {
    "referent": ["view_referent", "add_referent", "change_referent", "delete_referent"],
    "meetingregistration": [
        "view_meetingregistration",
        "delete_meetingregistration",
        "export_meetingregistration",
    ],
}


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    codenames = [codename for names in PERMISSIONS.values() for codename in names]
    return Permission.objects.filter(
        content_type__app_label=APP_LABEL,
        content_type__model__in=list(PERMISSIONS),
        codename__in=codenames,
    )


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database the group needs them now (as volunteers/0005 does).
    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
