"""Communes that declared themselves engaged in the campaign."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token():
    return secrets.token_urlsafe(24)


class EngagedCommuneQuerySet(models.QuerySet):
    def public(self):
        """The declarations shown on the site: approved by staff (and not withdrawn)."""
        return self.filter(status=EngagedCommune.Status.APPROVED)

    def confirmed(self):
        """Declarations whose contact confirmed their address, whatever staff decided."""
        return self.filter(confirmed_at__isnull=False)

    def awaiting_review(self):
        return self.filter(status=EngagedCommune.Status.PENDING)


class EngagedCommune(models.Model):
    """A mairie's declaration. Its contact confirms it from the emailed page (a POST), then
    staff approve it: only then does the commune show publicly. Staff can withdraw it at any
    time. The contact's name and email stay private (admin only)."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("adresse non confirmée")
        PENDING = "pending", _("à vérifier")
        APPROVED = "approved", _("approuvée")
        WITHDRAWN = "withdrawn", _("retirée")

    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.PROTECT,
        related_name="engagements",
    )
    contact_name = models.CharField(_("nom du contact"), max_length=120)
    role = models.CharField(_("fonction"), max_length=120)
    email = models.EmailField(_("adresse électronique"))
    token = models.CharField(
        _("jeton de confirmation"), max_length=64, default=new_token, editable=False
    )
    created_at = models.DateTimeField(_("déclarée le"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True)
    status = models.CharField(
        _("état"),
        max_length=12,
        choices=Status.choices,
        default=Status.UNCONFIRMED,
        db_index=True,
    )
    reviewed_at = models.DateTimeField(_("vérifiée le"), null=True, blank=True, editable=False)
    # The language the declarer wrote in: the emails about their declaration speak it.
    language = models.CharField(_("langue"), max_length=10, blank=True, editable=False)

    objects = EngagedCommuneQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("commune engagée")
        verbose_name_plural = _("communes engagées")
        permissions = [
            ("moderate_engagedcommune", _("Peut approuver ou retirer une commune engagée")),
        ]
        constraints = [
            # A commune is listed once; further declarations wait for staff to see.
            models.UniqueConstraint(
                fields=["commune"],
                condition=models.Q(status="approved"),
                name="kits_engaged_commune_once",
            ),
        ]

    def __str__(self):
        return str(self.commune)

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED
