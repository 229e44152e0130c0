"""Help requests ("un coup de main"): a person asks for a small hand, the commune's referent
proposes the request to a volunteer who agreed to be asked, the volunteer accepts or
declines by a signed link, then says it is done and how long it took.

Personal data lives in `HelpRequest` (the person's first name and contact, who asked for
them) until `anonymised_at`: three months after the request is closed, those fields are
blanked (services.requests_anonymise) and only the commune, the category, the dates and the
time given remain, for the public figure and the staff's figures. Nothing here is ever in a
URL but a signed token, and no `__str__` holds a name."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The longest help the volunteer may record for one request: a day's work.
MAX_MINUTES = 8 * 60


def new_token():
    return secrets.token_urlsafe(24)


class Referent(models.Model):
    """A person (a mairie user, or a partner association's member named by the mairie) who
    handles the help requests of one commune: one row per user and commune."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="help_referents",
    )
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.CASCADE,
        related_name="help_referents",
    )
    organisation = models.CharField(
        _("structure"),
        max_length=120,
        blank=True,
        help_text=_("Vide pour la mairie ; sinon l'association partenaire que la mairie a nommée."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["commune", "user"]
        verbose_name = _("référent·e coups de main")
        verbose_name_plural = _("référent·es coups de main")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "commune"], name="helprequests_referent_unique_user_commune"
            )
        ]

    def __str__(self):
        return str(_("Référent·e n° %(pk)s")) % {"pk": self.pk}


class HelpRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=HelpRequest.CLOSED_STATUSES)

    def closed(self):
        return self.filter(status__in=HelpRequest.CLOSED_STATUSES)

    def for_referent(self, user):
        """The requests of the communes `user` is a referent of. Nobody else's."""
        return self.filter(commune_id__in=Referent.objects.filter(user=user).values("commune_id"))

    def without_referent(self):
        return self.exclude(commune_id__in=Referent.objects.values("commune_id"))

    def visible_to(self, user):
        """The admin's view: every request for superusers and staff granted the model's
        permissions who are not referents; a referent's communes' requests for a referent;
        nothing for anyone else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        # A member of the referents' group with no commune yet sees none, never everything.
        if is_referent(user) or user.groups.filter(name=REFERENT_GROUP).exists():
            return self.for_referent(user)
        if any(
            user.has_perm(f"helprequests.{action}_helprequest")
            for action in ("view", "change", "add")
        ):
            return self
        return self.none()

    def anonymisable(self, *, now=None):
        """Closed more than ANONYMISE_AFTER ago and not yet anonymised."""
        from .services import ANONYMISE_AFTER

        now = now or timezone.now()
        return self.closed().filter(anonymised_at__isnull=True, closed_at__lt=now - ANONYMISE_AFTER)


def is_referent(user) -> bool:
    """A user with at least one Referent row (cached on the user for the request)."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_helprequests_is_referent", None)
    if cached is None:
        cached = Referent.objects.filter(user=user).exists()
        user._helprequests_is_referent = cached
    return cached


class HelpRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("nouvelle")
        SEARCHING = "searching", _("recherche d'un·e bénévole")
        PROPOSED = "proposed", _("proposée à un·e bénévole")
        ACCEPTED = "accepted", _("acceptée")
        DONE = "done", _("faite")
        CLOSED = "closed", _("close sans aide")

    class ClosedReason(models.TextChoices):
        WITHDRAWN = "withdrawn", _("retirée par la personne")
        NO_VOLUNTEER = "no_volunteer", _("aucun·e bénévole disponible")
        SOLVED = "solved", _("réglée autrement")
        NOT_SUITABLE = "not_suitable", _("hors du cadre des coups de main")
        FAKE = "fake", _("fausse demande")

    class AskedBy(models.TextChoices):
        SELF = "self", _("la personne elle-même")
        NEIGHBOUR = "neighbour", _("un voisin ou une voisine")
        RELATIVE = "relative", _("un proche")
        PROFESSIONAL = "professional", _("un·e professionnel·le (travailleur social, soignant…)")
        MAIRIE = "mairie", _("la mairie (par téléphone ou à l'accueil)")
        HELP_POINT = "help_point", _("un point d'entraide")

    class Source(models.TextChoices):
        WEBSITE = "website", _("formulaire du site")
        ADMIN = "admin", _("saisie par la mairie")

    CLOSED_STATUSES = (Status.DONE, Status.CLOSED)

    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.PROTECT,
        related_name="help_requests",
    )
    # A gesture category's slug (the same in every language), like the volunteers' interests.
    category = models.SlugField(_("type d'aide"), max_length=100)
    availability = models.JSONField(_("moments possibles"), default=list, blank=True)
    when_details = models.CharField(_("quand"), max_length=200, blank=True)
    details = models.TextField(_("en quelques mots"), max_length=500, blank=True)

    # The person, until anonymised.
    first_name = models.CharField(_("prénom"), max_length=80, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("adresse e-mail"), max_length=254, blank=True)
    asked_by = models.CharField(
        _("demande faite par"), max_length=16, choices=AskedBy, default=AskedBy.SELF
    )
    requester_name = models.CharField(_("nom de qui demande"), max_length=120, blank=True)
    requester_email = models.EmailField(
        _("adresse e-mail de qui demande"), max_length=254, blank=True
    )
    consent_wording = models.TextField(_("texte de l'accord"), blank=True)
    consent_at = models.DateTimeField(_("accord donné le"), null=True, blank=True)
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    source = models.CharField(_("origine"), max_length=16, choices=Source, default=Source.WEBSITE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    status = models.CharField(
        _("état"), max_length=16, choices=Status, default=Status.NEW, db_index=True
    )
    closed_reason = models.CharField(
        _("raison de la clôture"), max_length=16, choices=ClosedReason, blank=True
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("bénévole"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_requests",
    )
    minutes = models.PositiveSmallIntegerField(
        _("temps donné (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES)],
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("état changé le"), default=timezone.now)
    matched_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)
    # The secret of the withdrawal link (renewed on anonymisation: an old link opens nothing).
    token = models.CharField(max_length=64, default=new_token, editable=False)

    objects = HelpRequestQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("demande de coup de main")
        verbose_name_plural = _("demandes de coup de main")
        indexes = [models.Index(fields=["commune", "status"], name="helprequests_commune_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=1, minutes__lte=MAX_MINUTES),
                name="helprequests_request_minutes_range",
            ),
        ]

    def __str__(self):
        # Never the person's name: this string reaches admin messages, logs and history.
        return str(_("Demande n° %(pk)s")) % {"pk": self.pk}

    @property
    def is_open(self):
        return self.status not in self.CLOSED_STATUSES

    @property
    def asked_on_behalf(self):
        return self.asked_by != self.AskedBy.SELF

    @property
    def hours_display(self):
        from .services import duration_display

        return duration_display(self.minutes)


class HelpProposal(models.Model):
    """One request proposed to one volunteer, answered by the signed links of the email."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de réponse")
        ACCEPTED = "accepted", _("acceptée")
        DECLINED = "declined", _("déclinée")
        EXPIRED = "expired", _("sans réponse dans le délai")
        CANCELLED = "cancelled", _("annulée")

    request = models.ForeignKey(
        HelpRequest,
        verbose_name=_("demande"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("bénévole"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="help_proposals",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("réponse"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    deadline = models.DateTimeField(_("réponse attendue avant le"))
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    token = models.CharField(max_length=64, default=new_token, editable=False)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposition de coup de main")
        verbose_name_plural = _("propositions de coup de main")
        constraints = [
            # One pending proposal per request at a time, and one accepted proposal ever:
            # two referents proposing at once, or two acceptances, cannot both succeed.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="pending"),
                name="helprequests_one_pending_proposal",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="accepted"),
                name="helprequests_one_accepted_proposal",
            ),
        ]

    def __str__(self):
        return str(_("Proposition n° %(pk)s")) % {"pk": self.pk}

    @property
    def is_overdue(self):
        return self.status == self.Status.PENDING and self.deadline <= timezone.now()


class AccessRecord(models.Model):
    """A referent (or staff) opened a request's personal data or a volunteer's contact: who,
    when, what. Read by staff only; kept ACCESS_LOG_RETENTION (services.py)."""

    class Action(models.TextChoices):
        VIEW_REQUEST = "view_request", _("a consulté la demande et les coordonnées de la personne")
        VIEW_CANDIDATES = "view_candidates", _("a consulté les bénévoles disponibles")
        VIEW_VOLUNTEER = "view_volunteer", _("a consulté les coordonnées du ou de la bénévole")
        CREATE_REQUEST = "create_request", _("a saisi une demande")
        PROPOSE = "propose", _("a proposé la demande à un·e bénévole")
        CLOSE = "close", _("a clos la demande")
        EXPORT = "export", _("a exporté des demandes")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=24, choices=Action)
    request = models.ForeignKey(
        HelpRequest,
        verbose_name=_("demande"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_records",
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("bénévole"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("accès aux données des coups de main")
        verbose_name_plural = _("journal des accès aux coups de main")

    def __str__(self):
        return str(_("Accès n° %(pk)s")) % {"pk": self.pk}


# The admin's groups (migrations/0002_groups.py).
REFERENT_GROUP = "Référents coups de main"
STAFF_GROUP = "Équipe coups de main"
