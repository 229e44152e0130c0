"""Communications staff (Wagtail's "Editors" group) write, send and follow the campaign
mailings. Mairie users get nothing here (see MailingPermissionPolicy)."""

from django.db import migrations

CODENAMES = [
    "add_mailing",
    "change_mailing",
    "delete_mailing",
    "view_mailing",
    "send_mailing",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database the group needs them now. The historical app config has no models module,
    # which create_permissions takes for "no models": set it for the call, as 0002 does.
    app_config = apps.get_app_config("volunteers")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="volunteers",
            content_type__model="mailing",
            codename__in=CODENAMES,
        )
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="volunteers",
                content_type__model="mailing",
                codename__in=CODENAMES,
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0004_mailings"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
