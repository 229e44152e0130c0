"""Registrations to the network's meetings: personal data, kept until the meeting is over
plus a set period (docs/PRIVACY.md), then erased by `network_purge_registrations`."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token():
    return secrets.token_urlsafe(24)


class MeetingRegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def for_meeting(self, meeting):
        return self.filter(meeting_id=meeting.pk)


class MeetingRegistration(models.Model):
    """One person registered for one meeting (the meeting page of the site's first language,
    whatever the language of the page they registered on: one list of seats per meeting).
    The address confirms by a signed link; `token` is the secret those links carry (renewed
    on erasure, so that an old link opens nothing)."""

    meeting = models.ForeignKey(
        "network.MeetingPage",
        verbose_name=_("rencontre"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("adresse e-mail"))
    commune = models.CharField(_("commune ou collectivité"), max_length=120, blank=True)
    role = models.CharField(_("fonction"), max_length=120, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    consent_at = models.DateTimeField(_("accord donné le"))
    consent_wording = models.TextField(_("texte de l'accord"))
    created_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    token = models.CharField(max_length=64, default=new_token, editable=False)

    objects = MeetingRegistrationQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("inscription à une rencontre")
        verbose_name_plural = _("inscriptions aux rencontres")
        ordering = ["-created_at"]
        permissions = [("export_meetingregistration", _("Peut exporter les inscriptions"))]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"], name="network_registration_unique_meeting_email"
            )
        ]

    def __str__(self):
        # Never the person's name or address: this string reaches admin messages and logs.
        return str(_("Inscription n° %(pk)s")) % {"pk": self.pk}
