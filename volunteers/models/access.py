"""Mairie users: staff of a town hall who see their own communes' volunteers, nobody else."""

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel

MAIRIE_GROUP_NAME = "Mairie"


def is_mairie_user(user) -> bool:
    """A member of the "Mairie" group who is not a superuser. The answer is cached on the
    user object for the request."""
    if not user.is_authenticated or user.is_superuser:
        return False
    cached = getattr(user, "_volunteers_is_mairie", None)
    if cached is None:
        cached = user.groups.filter(name=MAIRIE_GROUP_NAME).exists()
        user._volunteers_is_mairie = cached
    return cached


class MairieAccess(models.Model):
    """Links a mairie user to one commune they may see the volunteers of."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="mairie_accesses",
    )
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.CASCADE,
        related_name="mairie_accesses",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    panels = [
        FieldPanel("user"),
        # A text input for the INSEE code: a list of 35,000 communes is no form for anyone.
        FieldPanel(
            "commune",
            widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
        ),
    ]

    class Meta:
        ordering = ["user", "commune"]
        verbose_name = _("accès mairie")
        verbose_name_plural = _("accès mairie")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "commune"], name="volunteers_mairieaccess_unique_user_commune"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.commune}"


def assisted_signup_communes(user):
    """Where `user` may sign someone up on their behalf ("inscription accompagnée"): None
    for any commune (superusers, staff granted "volunteers.add_assistedsignup"), the
    communes of their MairieAccess rows for a mairie user (none: they may not), an empty
    queryset for everyone else."""
    from campaign.geography.models import Commune

    if not user.is_authenticated:
        return Commune.objects.none()
    if is_mairie_user(user):
        return Commune.objects.filter(mairie_accesses__user=user).order_by("name")
    if user.is_superuser or user.has_perm("volunteers.add_assistedsignup"):
        return None
    return Commune.objects.none()


def can_sign_up_on_behalf(user) -> bool:
    communes = assisted_signup_communes(user)
    return communes is None or communes.exists()
