"""Email templates: the body becomes rich text made of paragraphs, so that wagtail-localize
offers each paragraph as its own segment and a translation keeps the paragraph breaks.
Existing bodies (plain text, paragraphs separated by blank lines) are converted."""

import re

from django.db import migrations
from django.utils.html import escape

import wagtail.fields


def _rich(text):
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", (text or "").strip()) if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)


def to_paragraphs(apps, schema_editor):
    EmailTemplate = apps.get_model("volunteers", "EmailTemplate")
    for template in EmailTemplate.objects.all():
        if not re.match(r"\s*<p[\s>]", template.body or ""):
            template.body = _rich(template.body)
            template.save(update_fields=["body"])


def to_plain_text(apps, schema_editor):
    from volunteers.models.emails import body_text

    EmailTemplate = apps.get_model("volunteers", "EmailTemplate")
    for template in EmailTemplate.objects.all():
        template.body = body_text(template.body)
        template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_editors_email_templates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emailtemplate",
            name="body",
            field=wagtail.fields.RichTextField(
                help_text=(
                    "Texte simple, sans mise en forme : Entrée commence un nouveau paragraphe. "
                    "Variables : {prenom}, {commune}, {lien}, {lien_preferences}, "
                    "{lien_desinscription} ; {mois} dans le rappel mensuel."
                ),
                max_length=10000,
                verbose_name="texte",
            ),
        ),
        migrations.RunPython(to_paragraphs, to_plain_text),
    ]
