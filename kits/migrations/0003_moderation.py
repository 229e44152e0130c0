"""Engaged communes and personalised posters are moderated: a declaration shows publicly only
once its contact confirmed it and staff approved it; a poster shows on its commune's page only
once staff approved it. Staff (Wagtail's "Editors" group) get the permission to approve and
withdraw both.

Nothing already public vanishes: every declaration confirmed before this migration was listed,
so it becomes approved; the posters of those communes were shown on their pages, so they
become approved too. Unconfirmed declarations stay unconfirmed, and posters of communes that
were not engaged (not shown anywhere) wait for staff."""

from django.db import migrations, models

MODERATE = {
    "engagedcommune": "moderate_engagedcommune",
    "personalisedposter": "moderate_personalisedposter",
}


def keep_public_rows_public(apps, schema_editor):
    EngagedCommune = apps.get_model("kits", "EngagedCommune")
    PersonalisedPoster = apps.get_model("kits", "PersonalisedPoster")
    EngagedCommune.objects.filter(confirmed_at__isnull=False).update(
        status="approved", reviewed_at=models.F("confirmed_at")
    )
    engaged = EngagedCommune.objects.filter(status="approved").values("commune_id")
    PersonalisedPoster.objects.filter(commune_id__in=engaged).update(
        status="approved", reviewed_at=models.F("created_at")
    )


def back_to_confirmed(apps, schema_editor):
    EngagedCommune = apps.get_model("kits", "EngagedCommune")
    # The old schema lists every confirmed declaration: only the approved ones keep it.
    EngagedCommune.objects.exclude(status="approved").update(confirmed_at=None)


def grant_moderation(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("kits")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="kits",
            content_type__model__in=list(MODERATE),
            codename__in=list(MODERATE.values()),
        )
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


def revoke_moderation(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="kits", codename__in=list(MODERATE.values())
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('geography', '0002_editors_view_communes'),
        ('kits', '0002_editors_kits_admin'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='engagedcommune',
            options={'ordering': ['-created_at'], 'permissions': [('moderate_engagedcommune', 'Peut approuver ou retirer une commune engagée')], 'verbose_name': 'commune engagée', 'verbose_name_plural': 'communes engagées'},
        ),
        migrations.AlterModelOptions(
            name='personalisedposter',
            options={'ordering': ['-created_at'], 'permissions': [('moderate_personalisedposter', 'Peut approuver ou retirer une affiche')], 'verbose_name': 'affiche personnalisée', 'verbose_name_plural': 'affiches personnalisées'},
        ),
        migrations.RemoveConstraint(
            model_name='engagedcommune',
            name='kits_engaged_commune_once',
        ),
        migrations.AddField(
            model_name='engagedcommune',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='vérifiée le'),
        ),
        migrations.AddField(
            model_name='engagedcommune',
            name='status',
            field=models.CharField(choices=[('unconfirmed', 'adresse non confirmée'), ('pending', 'à vérifier'), ('approved', 'approuvée'), ('withdrawn', 'retirée')], db_index=True, default='unconfirmed', max_length=12, verbose_name='état'),
        ),
        migrations.AddField(
            model_name='personalisedposter',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='vérifiée le'),
        ),
        migrations.AddField(
            model_name='personalisedposter',
            name='status',
            field=models.CharField(choices=[('pending', 'à vérifier'), ('approved', 'approuvée'), ('withdrawn', 'retirée')], db_index=True, default='pending', max_length=12, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='engagedcommune',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='adresse confirmée le'),
        ),
        migrations.RunPython(keep_public_rows_public, back_to_confirmed),
        migrations.RunPython(grant_moderation, revoke_moderation),
        migrations.AddConstraint(
            model_name='engagedcommune',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'approved')), fields=('commune',), name='kits_engaged_commune_once'),
        ),
    ]
