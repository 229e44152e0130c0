"""Communications staff (Wagtail's "Editors" group) see and export the volunteers; nobody
changes them in the admin (see VolunteerPermissionPolicy)."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="volunteers", codename="view_volunteer"
    ).first()
    for group in Group.objects.filter(name="Editors"):
        if permission is not None:
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="volunteers", codename="view_volunteer"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_mairie_group"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
