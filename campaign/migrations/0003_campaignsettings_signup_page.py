import django.db.models.deletion
from django.db import migrations, models


def name_existing_signup_page(apps, schema_editor):
    """Sites that already have a live sign-up page keep their gesture pages' link: name it
    in their settings. The page is found by its type's name, as data, once (the code reads
    the setting from now on)."""
    Site = apps.get_model("wagtailcore", "Site")
    Page = apps.get_model("wagtailcore", "Page")
    CampaignSettings = apps.get_model("campaign", "CampaignSettings")
    for site in Site.objects.select_related("root_page"):
        page = (
            Page.objects.filter(
                content_type__app_label="volunteers",
                content_type__model="volunteersignuppage",
                locale_id=site.root_page.locale_id,
                path__startswith=site.root_page.path,
                live=True,
            )
            .order_by("path")
            .first()
        )
        if page is None:
            continue
        settings, _created = CampaignSettings.objects.get_or_create(site=site)
        if settings.signup_page_id is None:
            settings.signup_page = page
            settings.save(update_fields=["signup_page"])


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0002_campaignsettings_sender"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaignsettings",
            name="signup_page",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "La page française ; chaque langue affiche sa traduction. Laissez vide pour "
                    "ne pas montrer de lien d'inscription sur les pages des gestes."
                ),
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailcore.page",
                verbose_name="page d'inscription à l'heure civique",
            ),
        ),
        migrations.RunPython(name_existing_signup_page, migrations.RunPython.noop),
    ]
