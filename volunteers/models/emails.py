"""Transactional email templates, edited by staff per language."""

import re

from django.db import models
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
# Placeholders whose value is a URL: a link in the HTML part.
URL_PLACEHOLDERS = {"lien", "lien_preferences", "lien_desinscription"}


def fill_text(template: str, values: dict) -> str:
    """Replace known {placeholders}; unknown ones stay as typed, so a typo shows in the
    preview instead of failing. No str.format: it would let "{x.__class__}" reach attributes."""
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def fill_html(template: str, values: dict) -> str:
    """The HTML version of `fill_text`: the staff's text and every value are escaped, URLs
    become links, blank lines make paragraphs."""

    def replace(match):
        name = match.group(1)
        if name not in values:
            return escape(match.group(0))
        value = str(values[name])
        if name in URL_PLACEHOLDERS:
            return format_html('<a href="{}">{}</a>', value, value)
        return escape(value)

    parts = []
    last = 0
    for match in PLACEHOLDER_RE.finditer(template):
        parts.append(escape(template[last : match.start()]))
        parts.append(replace(match))
        last = match.end()
    parts.append(escape(template[last:]))
    # Every part is escaped above; linebreaks() must not escape a second time.
    return mark_safe(linebreaks("".join(parts)))  # noqa: S308


class EmailTemplate(TranslatableMixin, models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation de l'inscription")
        WELCOME = "welcome", _("bienvenue")
        PREFERENCES_LINK = "preferences_link", _("lien vers les préférences")
        ERASURE_DONE = "erasure_done", _("effacement effectué")
        MONTHLY_REMINDER = "monthly_reminder", _("rappel mensuel de l'heure civique")

    # Placeholders each kind offers, shown to editors.
    PLACEHOLDERS = {
        Kind.CONFIRMATION: ["prenom", "lien"],
        Kind.WELCOME: ["prenom", "commune", "lien_preferences", "lien_desinscription"],
        Kind.PREFERENCES_LINK: ["prenom", "lien"],
        Kind.ERASURE_DONE: ["prenom"],
        # The reminder's text opens a mailing: {prenom} and {commune} are filled per person.
        Kind.MONTHLY_REMINDER: ["mois", "prenom", "commune"],
    }

    kind = models.CharField(_("type"), max_length=32, choices=Kind)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(
        _("texte"),
        max_length=5000,
        help_text=_(
            "Texte simple. Une ligne vide sépare deux paragraphes. Variables : {prenom}, "
            "{commune}, {lien}, {lien_preferences}, {lien_desinscription} ; {mois} dans le rappel "
            "mensuel."
        ),
    )

    panels = [
        HelpPanel(
            content=_(
                "Chaque langue a son modèle. Les variables entre accolades sont remplacées à "
                "l'envoi ; les liens deviennent cliquables."
            )
        ),
        FieldPanel("kind"),
        FieldPanel("subject"),
        FieldPanel("body"),
    ]

    translatable_fields = [
        SynchronizedField("kind"),
        TranslatableField("subject"),
        TranslatableField("body"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["kind"]
        verbose_name = _("modèle d'e-mail")
        verbose_name_plural = _("modèles d'e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "locale"], name="volunteers_emailtemplate_unique_kind_locale"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.locale.language_code})"

    def render(self, values: dict) -> tuple[str, str, str]:
        """(subject, plain text, HTML fragment) with `values` filled in. The subject is one
        line: a newline in a value would otherwise become a header injection."""
        subject = " ".join(fill_text(self.subject, values).split())
        return subject, fill_text(self.body, values), fill_html(self.body, values)
