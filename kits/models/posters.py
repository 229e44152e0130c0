"""Poster templates (artwork and zones, managed by staff) and the posters mairies make."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

# ISO A sizes share one ratio (height / width = √2), so one artwork and one set of fractional
# zones serve A4 and A3. A little slack lets a scan or an export rounding pass.
ISO_RATIO = 2**0.5
RATIO_TOLERANCE = 0.02
# The artwork is printed at 300 dpi on A3 at most; below A4 at 300 dpi it would print blurred.
MIN_ARTWORK_WIDTH = 2480


@dataclass(frozen=True)
class PosterZone:
    """A rectangle on the artwork, in fractions of its width and height, from the top left."""

    x: float
    y: float
    width: float
    height: float


ZONES = [
    # (field prefix, label): the order in which the admin shows them.
    ("name", _("nom de la commune")),
    ("logo", _("logo")),
    ("contact", _("ligne de contact")),
    ("qr", _("code QR")),
    ("event", _("ligne d'événement")),
]


def _fraction(zone, part, default):
    """One coordinate of a zone, as a fraction of the artwork (validated in `clean`)."""
    return models.FloatField(
        format_lazy("{zone} : {part}", zone=zone, part=part),
        default=default,
        help_text=_("De 0 à 1, en fraction de l'illustration, depuis le coin en haut à gauche."),
    )


LEFT, TOP, WIDTH, HEIGHT = _("gauche"), _("haut"), _("largeur"), _("hauteur")


class PosterTemplate(models.Model):
    """An artwork (a print-resolution image, portrait, A-series ratio) and where each piece of
    the mairie's text goes on it."""

    name = models.CharField(_("nom"), max_length=120)
    artwork = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("illustration"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Image en portrait au format A (rapport 1,414), d'au moins 2480 pixels de large ; "
            "3508 pixels de large pour une affiche A3 nette."
        ),
    )
    text_colour = models.CharField(
        _("couleur du texte"),
        max_length=7,
        default="#1d5c63",
        help_text=_("Code hexadécimal, par exemple #1d5c63."),
    )
    is_active = models.BooleanField(_("proposé aux mairies"), default=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    name_x = _fraction(ZONES[0][1], LEFT, 0.08)
    name_y = _fraction(ZONES[0][1], TOP, 0.6)
    name_width = _fraction(ZONES[0][1], WIDTH, 0.84)
    name_height = _fraction(ZONES[0][1], HEIGHT, 0.1)
    logo_x = _fraction(ZONES[1][1], LEFT, 0.08)
    logo_y = _fraction(ZONES[1][1], TOP, 0.72)
    logo_width = _fraction(ZONES[1][1], WIDTH, 0.25)
    logo_height = _fraction(ZONES[1][1], HEIGHT, 0.12)
    contact_x = _fraction(ZONES[2][1], LEFT, 0.36)
    contact_y = _fraction(ZONES[2][1], TOP, 0.76)
    contact_width = _fraction(ZONES[2][1], WIDTH, 0.56)
    contact_height = _fraction(ZONES[2][1], HEIGHT, 0.06)
    qr_x = _fraction(ZONES[3][1], LEFT, 0.74)
    qr_y = _fraction(ZONES[3][1], TOP, 0.84)
    qr_width = _fraction(ZONES[3][1], WIDTH, 0.18)
    qr_height = _fraction(ZONES[3][1], HEIGHT, 0.13)
    event_x = _fraction(ZONES[4][1], LEFT, 0.08)
    event_y = _fraction(ZONES[4][1], TOP, 0.86)
    event_width = _fraction(ZONES[4][1], WIDTH, 0.62)
    event_height = _fraction(ZONES[4][1], HEIGHT, 0.08)

    panels = [
        FieldPanel("name"),
        FieldPanel("artwork"),
        FieldPanel("text_colour"),
        FieldPanel("is_active"),
        *[
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel(f"{prefix}_x"),
                            FieldPanel(f"{prefix}_y"),
                            FieldPanel(f"{prefix}_width"),
                            FieldPanel(f"{prefix}_height"),
                        ]
                    )
                ],
                heading=label,
            )
            for prefix, label in ZONES
        ],
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("modèle d'affiche")
        verbose_name_plural = _("modèles d'affiche")

    def __str__(self):
        return self.name

    def zone(self, prefix):
        return PosterZone(
            getattr(self, f"{prefix}_x"),
            getattr(self, f"{prefix}_y"),
            getattr(self, f"{prefix}_width"),
            getattr(self, f"{prefix}_height"),
        )

    @property
    def revision(self):
        """What changes the output: the zones and colour (updated_at) and the artwork file."""
        artwork_hash = self.artwork.file_hash if self.artwork_id else ""
        return f"{self.pk}:{self.updated_at.isoformat() if self.updated_at else ''}:{artwork_hash}"

    def clean(self):
        super().clean()
        errors = {}
        for prefix, label in ZONES:
            zone = self.zone(prefix)
            if None in (zone.x, zone.y, zone.width, zone.height):
                continue  # The field's own "required" error says it.
            if zone.width <= 0 or zone.height <= 0:
                errors[f"{prefix}_width"] = ValidationError(
                    _("La zone « %(zone)s » doit avoir une largeur et une hauteur positives."),
                    params={"zone": label},
                )
            elif (
                zone.x < 0
                or zone.y < 0
                or zone.x + zone.width > 1 + 1e-9
                or zone.y + zone.height > 1 + 1e-9
            ):
                errors[f"{prefix}_x"] = ValidationError(
                    _(
                        "La zone « %(zone)s » sort de l'illustration : gauche et haut doivent "
                        "être positifs, gauche + largeur et haut + hauteur au plus 1."
                    ),
                    params={"zone": label},
                )
        if self.text_colour and not _is_hex_colour(self.text_colour):
            errors["text_colour"] = ValidationError(
                _("Saisissez une couleur au format #rrggbb, par exemple #1d5c63.")
            )
        if self.artwork_id:
            width, height = self.artwork.width, self.artwork.height
            if width < MIN_ARTWORK_WIDTH:
                errors["artwork"] = ValidationError(
                    _(
                        "L'illustration fait %(width)s pixels de large : il en faut au moins "
                        "%(minimum)s pour imprimer une affiche A4 nette."
                    ),
                    params={"width": width, "minimum": MIN_ARTWORK_WIDTH},
                )
            elif abs(height / width - ISO_RATIO) > RATIO_TOLERANCE * ISO_RATIO:
                errors["artwork"] = ValidationError(
                    _(
                        "L'illustration doit être en portrait au format A (hauteur = 1,414 × "
                        "largeur, par exemple 2480 × 3508 pixels)."
                    )
                )
        if errors:
            raise ValidationError(errors)


def _is_hex_colour(value):
    return (
        len(value) == 7
        and value[0] == "#"
        and all(ch in "0123456789abcdefABCDEF" for ch in value[1:])
    )


class PersonalisedPosterQuerySet(models.QuerySet):
    def public(self):
        """Posters shown on their commune's page: approved by staff, for a commune whose
        engagement is approved."""
        return self.filter(
            status=PersonalisedPoster.Status.APPROVED,
            commune__engagements__status="approved",
        )

    def count_by_department(self):
        """(department code, department name, count) rows, most posters first."""
        return (
            self.values("commune__department__code", "commune__department__name")
            .annotate(total=models.Count("pk"))
            .order_by("-total", "commune__department__code")
        )


class PersonalisedPoster(models.Model):
    """A poster a mairie made: one row per distinct design (template, commune, logo, texts).

    Its A4/A3, colour/black-and-white files are rendered on demand and cached in the default
    storage under `key`. Counting these rows per commune (and per department through the
    commune) gives the campaign's headline figure. The contact line is the mairie's public
    contact, printed on the poster; no visitor data is kept.

    Whoever made it downloads its files at once; it shows on the commune's public page only
    once staff approved it (its contact and event lines are free text) and the commune's
    engagement is approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à vérifier")
        APPROVED = "approved", _("approuvée")
        WITHDRAWN = "withdrawn", _("retirée")

    key = models.CharField(_("empreinte"), max_length=64, unique=True, editable=False)
    template = models.ForeignKey(
        PosterTemplate,
        verbose_name=_("modèle"),
        on_delete=models.CASCADE,
        related_name="posters",
    )
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.PROTECT,
        related_name="posters",
    )
    logo_hash = models.CharField(_("empreinte du logo"), max_length=64, blank=True)
    contact_line = models.CharField(_("ligne de contact"), max_length=120)
    event_line = models.CharField(_("ligne d'événement"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    status = models.CharField(
        _("état"),
        max_length=12,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    reviewed_at = models.DateTimeField(_("vérifiée le"), null=True, blank=True, editable=False)

    objects = PersonalisedPosterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("affiche personnalisée")
        verbose_name_plural = _("affiches personnalisées")
        permissions = [
            ("moderate_personalisedposter", _("Peut approuver ou retirer une affiche")),
        ]
        indexes = [models.Index(fields=["commune", "-created_at"], name="kits_poster_commune")]

    def __str__(self):
        return f"{self.commune_id} – {self.template_id}"
