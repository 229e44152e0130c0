"""Transactional email templates, edited by staff per language."""

import re
from html.parser import HTMLParser

from django.db import models
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField
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


# The body is rich text made of paragraphs (no formatting), so that wagtail-localize offers
# each paragraph as its own segment to translate, as it does for the pages' rich text: a
# translator cannot lose the paragraph breaks, and types no markup. A plain-text body (the
# built-in texts of volunteers.emails) is read as it is.
RICH_TEXT_RE = re.compile(r"^\s*<(p|h[1-6]|ul|ol|blockquote)[\s>]")
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"}


class _Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.paragraph_end()
            self.current = []
        elif tag == "br":
            self.handle_data("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.paragraph_end()

    def handle_data(self, data):
        if self.current is None:
            self.current = []
        self.current.append(data)

    def paragraph_end(self):
        if self.current is not None:
            lines = [" ".join(line.split()) for line in "".join(self.current).split("\n")]
            text = "\n".join(lines).strip()
            if text:
                self.paragraphs.append(text)
        self.current = None


def body_text(body: str) -> str:
    """A template's body as plain text: its paragraphs separated by a blank line, a line
    break (Shift+Enter) kept as one. A plain-text body is returned as it is."""
    body = body or ""
    if not RICH_TEXT_RE.match(body):
        return body
    parser = _Paragraphs()
    parser.feed(body)
    parser.close()
    parser.paragraph_end()
    return "\n\n".join(parser.paragraphs)


def body_rich(text: str) -> str:
    """Plain text whose paragraphs are separated by blank lines, as a template's body."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)


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
    body = RichTextField(
        _("texte"),
        features=[],
        max_length=10000,
        help_text=_(
            "Texte simple, sans mise en forme : Entrée commence un nouveau paragraphe. "
            "Variables : {prenom}, {commune}, {lien}, {lien_preferences}, "
            "{lien_desinscription} ; {mois} dans le rappel mensuel."
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
        text = body_text(self.body)
        return subject, fill_text(text, values), fill_html(text, values)
