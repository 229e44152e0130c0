"""An "inscription accompagnée" (issue 15): a mairie agent or a help-point volunteer signed
someone up on their behalf. The row says who did it, how the person gave their consent and
how they get their confirmation; the consents themselves are ConsentRecords (source
"assisted") with the exact wording read to the person."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssistedSignupQuerySet(models.QuerySet):
    def in_reach_of(self, user):
        """The sign-ups `user` may act on (print a new letter): the same rule as for making
        one (access.assisted_signup_communes), every commune for staff granted it, a mairie
        user's own communes, none for anyone else. An erased person has no commune any more,
        so no mairie user reaches their row."""
        from .access import assisted_signup_communes

        communes = assisted_signup_communes(user)
        if communes is None:
            return self
        return self.filter(volunteer__commune__in=communes.values("insee_code"))

    def awaiting_confirmation(self, *, now=None):
        """Those whose person has not confirmed yet and still may: pending, and younger than
        the retention of unconfirmed sign-ups (after it their code leads nowhere and the
        daily purge deletes them)."""
        from .. import conf
        from .volunteers import Volunteer

        since = (now or timezone.now()) - timezone.timedelta(days=conf.UNCONFIRMED_RETENTION_DAYS)
        return self.filter(
            volunteer__status=Volunteer.Status.PENDING, volunteer__created_at__gte=since
        )


class AssistedSignup(models.Model):
    class Method(models.TextChoices):
        PAPER = "paper", _("formulaire papier signé, conservé à la mairie")
        IN_PERSON = "in_person", _("texte lu à voix haute, accord donné en personne")
        PHONE = "phone", _("texte lu à voix haute, accord donné par téléphone")

    class Channel(models.TextChoices):
        EMAIL = "email", _("par e-mail")
        LETTER = "letter", _("par une lettre à imprimer")

    volunteer = models.OneToOneField(
        "volunteers.Volunteer",
        verbose_name=_("bénévole"),
        on_delete=models.CASCADE,
        related_name="assisted_signup",
    )
    # Who did it: kept as the proof's author. SET_NULL: deleting an agent's account must not
    # delete the sign-ups they made.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("recueil du consentement"), max_length=16, choices=Method)
    paper_reference = models.CharField(
        _("référence du formulaire papier"), max_length=50, blank=True
    )
    channel = models.CharField(_("confirmation"), max_length=16, choices=Channel)
    # The letter's code is printed, never stored: only its keyed fingerprint
    # (services.assisted: letter_code_hash), so that the table gives nobody a key.
    letter_code_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    objects = AssistedSignupQuerySet.as_manager()
    # A new letter (services.assisted.assisted_letter_reissue) is recorded in Wagtail's
    # ModelLogEntry, not here: who and when, as the admin's history shows them.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inscription accompagnée")
        verbose_name_plural = _("inscriptions accompagnées")

    def __str__(self):
        return f"{self.get_method_display()} – {self.created_at:%Y-%m-%d %H:%M}"
