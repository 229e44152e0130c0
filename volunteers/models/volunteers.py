"""A volunteer and the proof of their consents."""

import hashlib
import hmac
import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

AVAILABILITY_CHOICES = [
    ("weekday", _("En semaine, en journée")),
    ("evening", _("En soirée")),
    ("weekend", _("Le week-end")),
]


def normalize_email(value: str) -> str:
    """One spelling per address: NFC, no surrounding spaces, lower case.

    The local part is case-sensitive in theory; no mail provider treats it so, and two rows
    for "Anne@…" and "anne@…" would mean two confirmation emails to one person."""
    return unicodedata.normalize("NFC", value or "").strip().lower()


def email_hash_legacy(value: str) -> str:
    """The fingerprint used before issue 13: an unkeyed SHA-256 of the address, which anyone
    holding the address can recompute. Never stored any more; the keyed hash is built on it,
    so that stored rows could be converted without their addresses (migration 0009), and
    links sent before the change are still recognised (tokens.py)."""
    return hashlib.sha256(f"tousvoisins:{normalize_email(value)}".encode()).hexdigest()


def suppression_key() -> bytes:
    key = getattr(settings, "SUPPRESSION_HASH_KEY", "")
    if not key:
        raise ImproperlyConfigured("SUPPRESSION_HASH_KEY must be set.")
    return key.encode()


def email_hash_from_legacy(legacy_hex: str, *, key: bytes | None = None) -> str:
    return hmac.new(key or suppression_key(), legacy_hex.encode(), hashlib.sha256).hexdigest()


def email_hash(value: str) -> str:
    """The address's fingerprint, kept after erasure to honour an unsubscribe: an
    HMAC-SHA256 keyed with SUPPRESSION_HASH_KEY, so that nobody without the server's key can
    tell whether an address was ever here. Its own key, not SECRET_KEY: rotating SECRET_KEY
    (sessions, signed links) must not forget who left."""
    return email_hash_from_legacy(email_hash_legacy(value))


class VolunteerQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Volunteer.Status.PENDING)

    def confirmed(self):
        return self.filter(status=Volunteer.Status.CONFIRMED)

    def not_erased(self):
        return self.exclude(status=Volunteer.Status.ERASED)

    def mailable(self):
        """Who may receive a campaign email: confirmed, still consenting, with an address."""
        return self.confirmed().filter(consent_emails=True, email__isnull=False)

    def proposable(self):
        """Who a commune's referent may propose a neighbour's help request to, by email:
        confirmed, agreeing to be asked (a consent of its own), not pausing, with an
        address."""
        return self.confirmed().filter(
            consent_help_requests=True, help_paused=False, email__isnull=False
        )

    def shared_with_mairie(self):
        return self.confirmed().filter(consent_mairie=True)

    def in_communes(self, communes):
        return self.filter(commune__in=communes)

    def for_mairie(self, user):
        """What a mairie user may see: the confirmed volunteers of their communes who agreed
        to be shared with their mairie. Nobody else, whatever the filters added after."""
        from .access import MairieAccess

        codes = MairieAccess.objects.filter(user=user).values("commune_id")
        return self.shared_with_mairie().filter(commune_id__in=codes)

    def visible_to(self, user):
        """The admin's view of the table: everything for staff who are not mairie users,
        `for_mairie()` for mairie users, nothing for anyone else."""
        from .access import is_mairie_user

        if user.is_superuser:
            return self
        if is_mairie_user(user):
            return self.for_mairie(user)
        if user.has_perm("volunteers.view_volunteer") or user.has_perm(
            "volunteers.change_volunteer"
        ):
            return self
        return self.none()

    def with_interest(self, slug):
        return self.filter(interests__slug=slug)

    def signed_up_between(self, start=None, end=None):
        qs = self
        if start:
            qs = qs.filter(created_at__gte=start)
        if end:
            qs = qs.filter(created_at__lt=end)
        return qs

    def unconfirmed_since(self, days):
        return self.pending().filter(created_at__lt=timezone.now() - timezone.timedelta(days=days))

    def inactive_since(self, days):
        return self.not_erased().filter(
            last_activity_at__lt=timezone.now() - timezone.timedelta(days=days)
        )


class Volunteer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de confirmation")
        CONFIRMED = "confirmed", _("confirmé")
        UNSUBSCRIBED = "unsubscribed", _("désinscrit")
        BOUNCED = "bounced", _("adresse en échec")
        COMPLAINED = "complained", _("signalé comme indésirable")
        ERASED = "erased", _("effacé")

    # NULL once erased: the unique constraint ignores NULLs, so an erased person may sign up
    # again later.
    email = models.EmailField(_("adresse e-mail"), max_length=254, null=True, blank=True)
    email_hash = models.CharField(
        _("empreinte de l'adresse"), max_length=64, db_index=True, editable=False
    )
    first_name = models.CharField(_("prénom"), max_length=80, blank=True)
    last_name = models.CharField(_("nom"), max_length=80, blank=True)
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
    )
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    availability = models.JSONField(_("disponibilités"), default=list, blank=True)
    hours_per_month = models.PositiveSmallIntegerField(
        _("heures par mois"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
    )
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    status = models.CharField(
        _("statut"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    # Current consents, for fast filters; ConsentRecord keeps the proof and the history.
    consent_emails = models.BooleanField(_("accepte les e-mails"), default=False)
    consent_mairie = models.BooleanField(_("accepte le partage avec sa mairie"), default=False)
    consent_help_requests = models.BooleanField(
        _("accepte d'être sollicité pour des coups de main"), default=False
    )
    # Not a consent: a pause of the proposals, which keeps the consent (and needs no record).
    help_paused = models.BooleanField(_("propositions de coups de main en pause"), default=False)

    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("en échec le"), null=True, blank=True)
    complained_at = models.DateTimeField(_("signalé le"), null=True, blank=True)
    erased_at = models.DateTimeField(_("effacé le"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("statut changé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    last_activity_at = models.DateTimeField(
        _("dernière activité"),
        default=timezone.now,
        help_text=_("Inscription, confirmation ou changement de préférences."),
    )
    # At most one of each email per 24 hours: anyone can type someone else's address.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    preferences_link_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    source_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page d'inscription"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    utm_source = models.CharField(_("source (utm_source)"), max_length=100, blank=True)
    utm_medium = models.CharField(_("support (utm_medium)"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("campagne (utm_campaign)"), max_length=100, blank=True)
    utm_content = models.CharField(_("contenu (utm_content)"), max_length=100, blank=True)
    utm_term = models.CharField(_("terme (utm_term)"), max_length=100, blank=True)

    objects = VolunteerQuerySet.as_manager()
    # Nothing links to a volunteer from content: no reference-index task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bénévole")
        verbose_name_plural = _("bénévoles")
        constraints = [
            # With the check below, one row per address whatever its case.
            models.UniqueConstraint(fields=["email"], name="volunteers_volunteer_unique_email"),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")) | models.Q(email__isnull=True),
                name="volunteers_volunteer_email_lower_case",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "commune"], name="volunteers_status_commune"),
        ]

    def __str__(self):
        if self.status == self.Status.ERASED:
            return str(_("Bénévole effacé n° %(pk)s") % {"pk": self.pk})
        return " ".join(filter(None, [self.first_name, self.last_name])) or self.email or ""

    @property
    def full_name(self):
        return " ".join(filter(None, [self.first_name, self.last_name]))

    @property
    def interest_slugs(self):
        return [i.slug for i in self.interests.all()]

    @property
    def interests_display(self):
        from volunteers.interests import interest_labels

        labels = interest_labels()
        return ", ".join(str(labels.get(slug, slug)) for slug in self.interest_slugs)

    @property
    def availability_display(self):
        labels = dict(AVAILABILITY_CHOICES)
        return ", ".join(str(labels.get(a, a)) for a in self.availability)

    @property
    def department(self):
        return self.commune.department if self.commune_id else None


class VolunteerInterest(models.Model):
    """One interest: a gesture category's slug. A slug, not a foreign key, so that the list
    works before the gesture categories exist and survives their edits."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="interests")
    slug = models.SlugField(_("centre d'intérêt"), max_length=100)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["slug"]
        verbose_name = _("centre d'intérêt")
        verbose_name_plural = _("centres d'intérêt")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "slug"], name="volunteers_interest_unique_volunteer_slug"
            )
        ]
        indexes = [models.Index(fields=["slug"], name="volunteers_interest_slug")]

    def __str__(self):
        return self.slug


class ConsentRecord(models.Model):
    """Proof of a consent given or withdrawn: what the person saw, in which words, when.
    Never edited; a change of mind adds a row."""

    class Purpose(models.TextChoices):
        EMAILS = "emails", _("recevoir les e-mails de la campagne")
        SHARE_WITH_MAIRIE = "share_with_mairie", _("partager ses coordonnées avec sa mairie")
        HELP_REQUESTS = "help_requests", _("être sollicité pour des coups de main près de chez soi")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("formulaire d'inscription")
        PREFERENCES = "preferences", _("centre de préférences")
        UNSUBSCRIBE = "unsubscribe", _("lien de désinscription")
        ONE_CLICK = "one_click", _("désinscription en un clic")
        ERASURE = "erasure", _("effacement")
        STAFF = "staff", _("équipe de la campagne")
        ASSISTED = "assisted", _("inscription accompagnée")
        HELP_REQUEST_LINK = "help_request_link", _("lien d'une proposition de coup de main")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="consents", verbose_name=_("bénévole")
    )
    purpose = models.CharField(_("finalité"), max_length=32, choices=Purpose)
    granted = models.BooleanField(_("accordé"), help_text=_("Décoché : retrait du consentement."))
    wording_version = models.CharField(_("version du texte"), max_length=32)
    wording = models.TextField(_("texte montré"))
    language = models.CharField(_("langue"), max_length=8)
    source = models.CharField(_("origine"), max_length=32, choices=Source)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("preuve de consentement")
        verbose_name_plural = _("preuves de consentement")

    def __str__(self):
        return f"{self.get_purpose_display()} – {self.created_at:%Y-%m-%d %H:%M}"
