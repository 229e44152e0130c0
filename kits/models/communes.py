"""Communes that declared themselves engaged in the campaign."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token():
    return secrets.token_urlsafe(24)


class EngagedCommuneQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)


class EngagedCommune(models.Model):
    """A mairie's declaration. It shows publicly once its contact confirmed by email; the
    contact's name and email stay private (admin only)."""

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
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)

    objects = EngagedCommuneQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("commune engagée")
        verbose_name_plural = _("communes engagées")
        constraints = [
            # A commune is engaged once; further declarations stay pending for staff to see.
            models.UniqueConstraint(
                fields=["commune"],
                condition=models.Q(confirmed_at__isnull=False),
                name="kits_engaged_commune_once",
            ),
        ]

    def __str__(self):
        return str(self.commune)

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None
