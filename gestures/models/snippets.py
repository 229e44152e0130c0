"""Gesture categories (a translatable snippet), the anonymous "I did it" counter and the
gestures' site setting."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

from campaign.datacache import CachedSiteSettingMixin, watch

from ..choices import ICON_CHOICES

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def relative_luminance(colour):
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour):
    return 1.05 / (relative_luminance(colour) + 0.05)


def validate_colour(value):
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Indiquez une couleur au format #rrggbb, en minuscules."))
    # White text sits on the colour (badges, booklet headings): WCAG 2.1 AA needs 4.5:1.
    if contrast_with_white(value) < 4.5:
        raise ValidationError(
            _("Cette couleur est trop claire pour un texte blanc : choisissez-en une plus foncée.")
        )


class GestureCategory(TranslatableMixin, models.Model):
    """A family of gestures ("Prendre soin des aînés"). The slug, colour and icon are the same
    in every language; the name and description are translated with wagtail-localize."""

    name = models.CharField(_("nom"), max_length=80)
    slug = models.SlugField(
        _("identifiant"),
        max_length=60,
        validators=[RegexValidator(r"^[a-z0-9]+(-[a-z0-9]+)*$")],
        help_text=_("Utilisé dans les adresses et le fichier des gestes. Ne le changez pas."),
    )
    description = models.TextField(_("description"), max_length=300, blank=True)
    colour = models.CharField(
        _("couleur"),
        max_length=7,
        validators=[validate_colour],
        help_text=_("Assez foncée pour un texte blanc, par exemple #a3392b."),
    )
    icon = models.CharField(_("pictogramme"), max_length=20, choices=ICON_CHOICES)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("colour"),
        FieldPanel("icon"),
    ]
    translatable_fields = [
        TranslatableField("name"),
        SynchronizedField("slug"),
        TranslatableField("description"),
        SynchronizedField("colour"),
        SynchronizedField("icon"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("catégorie de gestes")
        verbose_name_plural = _("catégories de gestes")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "locale"], name="gestures_category_unique_slug_per_locale"
            )
        ]

    def __str__(self):
        return self.name


class GestureCounter(models.Model):
    """How many visitors said "J'ai fait ce geste". One row per gesture, shared by its
    translations (keyed by the pages' common translation_key), so a page revision never
    overwrites the count. Nothing about the visitor is stored."""

    translation_key = models.UUIDField(unique=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de geste")
        verbose_name_plural = _("compteurs de gestes")

    def __str__(self):
        return f"{self.translation_key}: {self.count}"


@register_setting(icon="pick")
class GestureSettings(CachedSiteSettingMixin, BaseSiteSetting):
    """The gesture of the month, when staff choose it; otherwise it rotates by month."""

    gesture_of_the_month = models.ForeignKey(
        "gestures.GesturePage",
        verbose_name=_("geste du mois"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Laissez vide pour qu'un geste de l'heure civique change automatiquement chaque mois."
        ),
    )

    panels = [FieldPanel("gesture_of_the_month")]

    class Meta:
        verbose_name = _("réglages des gestes")


# A category shows with its gestures in the pages kept in the cache (the gesture of the
# month on the home page, {% datacache %}): editing one starts a new generation.
watch(GestureCategory)
