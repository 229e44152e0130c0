"""Campaign mailings, their deliveries (the outbox: one row per recipient) and the ESP's
tracking events.

The tables keep the names they had when these models lived in `volunteers` (moved by
migrations that change no table: volunteers/0008, mailings/0001)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin

from .blocks import MailingBodyBlock


class Mailing(PreviewableMixin, models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manual", _("envoi")
        REMINDER = "reminder", _("rappel mensuel")

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SCHEDULED = "scheduled", _("programmé")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        CANCELLED = "cancelled", _("annulé")

    kind = models.CharField(
        _("type"), max_length=16, choices=Kind, default=Kind.MANUAL, editable=False
    )
    subject = models.CharField(_("objet"), max_length=150)
    preheader = models.CharField(
        _("texte d'aperçu"),
        max_length=150,
        blank=True,
        help_text=_("La ligne que les messageries montrent après l'objet."),
    )
    language = models.CharField(
        _("langue de l'e-mail"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    body = StreamField(MailingBodyBlock(), verbose_name=_("contenu"))

    # The audience. Places add up (this region, or that commune); the other filters narrow.
    audience_regions = models.ManyToManyField(
        "geography.Region", verbose_name=_("régions"), blank=True, related_name="+"
    )
    audience_departments = models.ManyToManyField(
        "geography.Department", verbose_name=_("départements"), blank=True, related_name="+"
    )
    audience_communes = models.TextField(
        _("communes (codes INSEE)"),
        blank=True,
        help_text=_("Codes INSEE séparés par des virgules ou des espaces, par exemple 77288."),
    )
    audience_interests = models.JSONField(_("centres d'intérêt"), default=list, blank=True)
    audience_language = models.CharField(
        _("langue des destinataires"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Laissez vide pour écrire à tous, quelle que soit leur langue."),
    )
    audience_signed_up_after = models.DateField(_("inscrits à partir du"), null=True, blank=True)
    audience_signed_up_before = models.DateField(_("inscrits avant le"), null=True, blank=True)

    status = models.CharField(
        _("statut"), max_length=16, choices=Status, default=Status.DRAFT, db_index=True
    )
    scheduled_at = models.DateTimeField(_("envoi programmé le"), null=True, blank=True)
    started_at = models.DateTimeField(_("envoi commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("envoi terminé le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    # Staff's last "resend what failed": the outage bound counts from it.
    resent_at = models.DateTimeField(_("échecs renvoyés le"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(_("destinataires"), default=0)
    # What was sent, fixed when sending starts: later edits to a story cannot change it.
    sent_subject = models.CharField(max_length=150, blank=True, editable=False)
    sent_html = models.TextField(blank=True, editable=False)
    sent_text = models.TextField(blank=True, editable=False)

    reminder_month = models.DateField(null=True, blank=True, editable=False)
    reminder_department = models.CharField(max_length=3, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        db_table = "volunteers_mailing"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("envoi d'e-mails")
        verbose_name_plural = _("envois d'e-mails")
        permissions = [("send_mailing", _("Peut envoyer un envoi d'e-mails"))]
        constraints = [
            # One monthly reminder per month, language and department: running the command
            # twice sends nothing more.
            models.UniqueConstraint(
                fields=["reminder_month", "language", "reminder_department"],
                condition=Q(kind="reminder"),
                name="volunteers_mailing_one_reminder_per_month",
            )
        ]

    def __str__(self):
        return self.subject

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    @property
    def is_cancellable(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.SENDING)

    def commune_codes(self) -> list[str]:
        return [code for code in self.audience_communes.replace(",", " ").split() if code]

    # Wagtail's preview: the exact email, or the audience's size while editing.
    preview_modes = [("", _("E-mail")), ("audience", _("Destinataires"))]

    def serve_preview(self, request, mode_name):
        from .admin_views import mailing_preview_serve

        return mailing_preview_serve(request, self, mode_name)


class DeliveryQuerySet(models.QuerySet):
    def counts(self) -> dict[str, int]:
        """Deliveries by status, in one query."""
        return dict(self.values_list("status").annotate(n=models.Count("id")).order_by())


class Delivery(models.Model):
    """One recipient of one mailing. Written when sending starts; the worker tasks send the
    pending ones and record the ESP's answer; the webhooks record what happened next."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENDING = "sending", _("envoi en cours")
        SENT = "sent", _("remis au prestataire")
        DELIVERED = "delivered", _("distribué")
        UNSUBSCRIBED = "unsubscribed", _("désinscrit")
        COMPLAINED = "complained", _("signalé comme indésirable")
        BOUNCED = "bounced", _("rejeté (adresse en échec)")
        FAILED = "failed", _("échec de l'envoi")
        SKIPPED = "skipped", _("non envoyé (plus destinataire)")
        CANCELLED = "cancelled", _("annulé")

    # A tracking event moves a delivery forward only: a late "delivered" never undoes a
    # bounce, whatever order the ESP's webhooks arrive in.
    RANK = {
        Status.PENDING: 0,
        Status.SENDING: 1,
        Status.SENT: 2,
        Status.DELIVERED: 3,
        Status.UNSUBSCRIBED: 4,
        Status.COMPLAINED: 5,
        Status.BOUNCED: 6,
    }

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The batch this delivery went out in; also the ESP's idempotency key for that call.
    batch_key = models.UUIDField(null=True, blank=True)
    # When the batch `batch_key` was first handed to the ESP: the ESP remembers its key
    # from then, for a while (mailings/services/esp.py).
    first_sent_at = models.DateTimeField(null=True, blank=True)
    esp_message_id = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    event_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    objects = DeliveryQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        db_table = "volunteers_delivery"
        verbose_name = _("envoi à un bénévole")
        verbose_name_plural = _("envois aux bénévoles")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "volunteer"], name="volunteers_delivery_once_per_volunteer"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="volunteers_delivery_status"),
            models.Index(fields=["status", "next_attempt_at"], name="volunteers_delivery_due"),
            models.Index(fields=["batch_key"], name="volunteers_delivery_batch"),
            models.Index(fields=["esp_message_id"], name="volunteers_delivery_message"),
        ]

    def __str__(self):
        return f"{self.mailing_id}/{self.volunteer_id}: {self.status}"


class DeliveryEvent(models.Model):
    """A tracking event received from the ESP, once: its key makes a replay a no-op."""

    key = models.CharField(max_length=64, unique=True)
    delivery = models.ForeignKey(
        Delivery, null=True, on_delete=models.CASCADE, related_name="events"
    )
    event_type = models.CharField(max_length=32)
    occurred_at = models.DateTimeField(null=True)
    received_at = models.DateTimeField(default=timezone.now)

    wagtail_reference_index_ignore = True

    class Meta:
        db_table = "volunteers_deliveryevent"
        ordering = ["received_at", "pk"]

    def __str__(self):
        return f"{self.event_type} {self.occurred_at}"


class EspForgetRequest(models.Model):
    """An erased person's address, waiting for the ESP to forget it (mailings/personal_data.py,
    services/forget.py). Deleted as soon as the ESP answered; the task that works on it is
    given this row's id, never the address, so no task result holds it."""

    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("demande d'oubli au prestataire d'envoi")
        verbose_name_plural = _("demandes d'oubli au prestataire d'envoi")

    def __str__(self):
        return f"{self.pk} ({self.created_at:%Y-%m-%d})"
