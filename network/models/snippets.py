"""The regional referents, ambassadors and pilots of the network."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField


class Referent(TranslatableMixin, models.Model):
    """An elected official (or an agent) the network names for a region. Their role and
    expertise are translated; their name and professional contact are the same in every
    language, and the contact is shown only with their recorded agreement."""

    class Kind(models.TextChoices):
        REFERENT = "referent", _("référent")
        AMBASSADOR = "ambassador", _("ambassadeur")
        PILOT = "pilot", _("pilote")

    name = models.CharField(_("nom"), max_length=120)
    role = models.CharField(
        _("fonction"), max_length=160, help_text=_("Par exemple : adjointe aux solidarités.")
    )
    kind = models.CharField(_("rôle dans le réseau"), max_length=20, choices=Kind.choices)
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="network_referents",
    )
    region = models.ForeignKey(
        "geography.Region",
        verbose_name=_("région"),
        to_field="code",
        db_column="region_code",
        on_delete=models.PROTECT,
        related_name="network_referents",
    )
    expertise = models.TextField(
        _("expertise"),
        max_length=600,
        help_text=_("Ce sur quoi ses collègues peuvent la ou le solliciter."),
    )
    contact_email = models.EmailField(_("adresse e-mail professionnelle"), blank=True)
    contact_phone = models.CharField(_("téléphone professionnel"), max_length=30, blank=True)
    contact_agreed = models.BooleanField(
        _("A accepté que ces coordonnées soient publiées"),
        default=False,
        help_text=_("Sans cet accord, le nom et l'expertise sont montrés, pas les coordonnées."),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
        FieldPanel("role"),
        # INSEE codes: a list of 35,000 communes is no form for anyone.
        FieldPanel(
            "commune",
            widget=forms.TextInput(attrs={"inputmode": "text", "maxlength": 5}),
            help_text=_("Le code INSEE de la commune, par exemple 77288."),
        ),
        FieldPanel("region"),
        FieldPanel("expertise"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("contact_agreed"),
            ],
            heading=_("Coordonnées professionnelles"),
        ),
    ]
    translatable_fields = [
        SynchronizedField("name"),
        TranslatableField("role"),
        SynchronizedField("kind"),
        SynchronizedField("commune"),
        SynchronizedField("region"),
        TranslatableField("expertise"),
        SynchronizedField("contact_email"),
        SynchronizedField("contact_phone"),
        SynchronizedField("contact_agreed"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("référent régional")
        verbose_name_plural = _("référents régionaux")
        ordering = ["region", "kind", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def public_contact(self):
        """The contact shown to visitors: nothing without the person's agreement."""
        if not self.contact_agreed:
            return None
        return {"email": self.contact_email, "phone": self.contact_phone}
