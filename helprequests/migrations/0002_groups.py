"""Who handles help requests in the admin.

- "Référents coups de main": mairie users or a partner association's members, each named
  referent of some communes by a Referent row; they see and handle their communes' requests
  only (helprequests/models.py `HelpRequestQuerySet.visible_to`).
- "Équipe coups de main": the campaign's staff who handle the requests of communes without a
  referent, name the referents and read the access log."""

from django.db import migrations

APP_LABEL = "helprequests"
REFERENT_GROUP = "Référents coups de main"
STAFF_GROUP = "Équipe coups de main"
PERMISSIONS = {
    REFERENT_GROUP: ["view_helprequest", "add_helprequest", "change_helprequest"],
    STAFF_GROUP: [
        "view_helprequest",
        "add_helprequest",
        "change_helprequest",
        "view_helpproposal",
        "view_accessrecord",
        "view_referent",
        "add_referent",
        "change_referent",
        "delete_referent",
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(APP_LABEL)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin_access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for group_name, codenames in PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=APP_LABEL, codename__in=codenames),
            *admin_access,
        )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("helprequests", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
