"""The local solidarity directory ("Annuaire de la solidarité locale"): the actors of a place
(associations, CCAS, public services, residents' collectives, places such as a médiathèque)
with what they do, the area they serve and their public contact.

An actor is proposed by the actor itself (directory/services.py: `actor_propose`), confirms its
address from the emailed link, then waits for moderation by the mairie users of the communes
it serves, or by staff. Only published actors are shown publicly.

The area served is three many-to-many links, each through a table keyed by the official code
(`commune_code`, `intercommunality_code`, `department_code`, like geography's own foreign
keys): the search reaches an actor from the codes of the visitor's communes without a join to
the geography tables.
"""

import datetime
import secrets

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from campaign.geography.models import search_key

NAME_MAX_LENGTH = 150
DESCRIPTION_MAX_LENGTH = 600
# Only web addresses: `javascript:`, `data:`, `mailto:` (the email has its own field), `ftp:`
# are refused.
WEB_SCHEMES = ["http", "https"]


def new_token():
    return secrets.token_urlsafe(24)


class ActorQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Actor.Status.PUBLISHED)

    def check_due(self, *, today, now):
        """Published actors whose information was last checked more than a year ago (or
        never) and who were not asked in the last year: the yearly check's recipients."""
        year_ago = today - datetime.timedelta(days=365)
        return (
            self.published()
            .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=year_ago))
            .filter(
                Q(check_requested_at__isnull=True)
                | Q(check_requested_at__lte=now - datetime.timedelta(days=365))
            )
        )

    def long_unchecked(self, *, today):
        """Published actors not checked for two years (or never): flagged in the admin."""
        two_years_ago = today - datetime.timedelta(days=2 * 365)
        return self.published().filter(
            Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=two_years_ago)
        )

    def serving(self, *, commune_codes=(), intercommunality_codes=(), department_codes=()):
        """Actors serving one of the communes, intercommunalities or departments named by
        their codes: one condition per link, each a subquery on its table (no join, no
        DISTINCT)."""
        condition = Q(pk__in=[])
        if commune_codes:
            condition |= Q(
                pk__in=ActorCommune.objects.filter(commune_id__in=commune_codes).values("actor_id")
            )
        if intercommunality_codes:
            condition |= Q(
                pk__in=ActorIntercommunality.objects.filter(
                    intercommunality_id__in=intercommunality_codes
                ).values("actor_id")
            )
        if department_codes:
            condition |= Q(
                pk__in=ActorDepartment.objects.filter(department_id__in=department_codes).values(
                    "actor_id"
                )
            )
        return self.filter(condition)

    def serving_communes(self, communes):
        """Actors serving one of `communes` (Commune objects), their intercommunality or
        their department: the communes' own fields give the codes, no query."""
        communes = list(communes)
        return self.serving(
            commune_codes={c.insee_code for c in communes},
            intercommunality_codes={
                c.intercommunality_id for c in communes if c.intercommunality_id
            },
            department_codes={c.department_id for c in communes},
        )

    def in_category(self, slug):
        # The actors link to the French categories; the slug is the same in every language.
        return self.filter(categories__slug=slug, categories__locale__language_code="fr")

    def visible_to(self, user):
        """The admin's view of the table: everything for staff with a permission on actors,
        the actors directly serving one of their communes for mairie users, nothing for
        anyone else. (An actor serving a whole intercommunality or department is staff's:
        one mairie does not speak for its neighbours.)"""
        from volunteers.models.access import MairieAccess, is_mairie_user

        if user.is_superuser:
            return self
        if is_mairie_user(user):
            mine = MairieAccess.objects.filter(user=user).values("commune_id")
            return self.filter(
                pk__in=ActorCommune.objects.filter(commune_id__in=mine).values("actor_id")
            )
        if any(
            user.has_perm(f"directory.{action}_actor") for action in ("view", "change", "delete")
        ):
            return self
        return self.none()


class Actor(models.Model):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("association")
        CCAS = "ccas", _("CCAS ou CIAS")
        PUBLIC_SERVICE = "public_service", _("service public")
        FRANCE_SERVICES = "france_services", _("espace France services")
        COLLECTIVE = "collective", _("collectif d'habitants")
        SOCIAL_CENTRE = "social_centre", _("centre social")
        NEIGHBOURHOOD_HOUSE = "neighbourhood_house", _("maison de quartier")
        LIBRARY = "library", _("médiathèque ou bibliothèque")
        OTHER_PLACE = "other_place", _("autre lieu")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("adresse à confirmer")
        PENDING = "pending", _("à modérer")
        PUBLISHED = "published", _("publiée")
        REJECTED = "rejected", _("refusée")

    name = models.CharField(_("nom"), max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    # The name folded (search_key), for the duplicate check and the search by name.
    search_name = models.CharField(max_length=NAME_MAX_LENGTH, editable=False, default="")
    kind = models.CharField(_("type"), max_length=24, choices=Kind)
    description = models.TextField(
        _("ce que fait l'acteur"),
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("En quelques phrases simples, 600 caractères au plus."),
    )
    categories = models.ManyToManyField(
        "gestures.GestureCategory",
        verbose_name=_("besoins auxquels il répond"),
        related_name="directory_actors",
        blank=True,
        help_text=_("Les catégories des 100 gestes, dans leur version française."),
    )
    communes = models.ManyToManyField(
        "geography.Commune",
        verbose_name=_("communes servies"),
        through="ActorCommune",
        related_name="directory_actors",
        blank=True,
    )
    intercommunalities = models.ManyToManyField(
        "geography.Intercommunality",
        verbose_name=_("intercommunalités servies"),
        through="ActorIntercommunality",
        related_name="directory_actors",
        blank=True,
    )
    departments = models.ManyToManyField(
        "geography.Department",
        verbose_name=_("départements servis"),
        through="ActorDepartment",
        related_name="directory_actors",
        blank=True,
    )
    # Public contact: the organisation's, shown on its page.
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    email = models.EmailField(_("adresse électronique publique"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(
        _("site web"),
        max_length=300,
        blank=True,
        validators=[URLValidator(schemes=WEB_SCHEMES)],
        help_text=_("Une adresse qui commence par https:// ou http://."),
    )
    opening_hours = models.TextField(_("horaires d'ouverture"), max_length=500, blank=True)
    step_free_access = models.BooleanField(_("accès de plain-pied ou adapté"), default=False)
    hearing_loop = models.BooleanField(_("boucle magnétique"), default=False)
    accessibility_notes = models.CharField(
        _("autres informations d'accessibilité"), max_length=300, blank=True
    )
    languages = models.CharField(
        _("langues parlées"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : français, anglais, arabe, langue des signes française."),
    )
    hosts_help_point = models.BooleanField(_("accueille un point d'entraide"), default=False)
    status = models.CharField(
        _("état"), max_length=12, choices=Status, default=Status.UNCONFIRMED, db_index=True
    )
    last_checked_at = models.DateField(_("informations vérifiées le"), null=True, blank=True)
    # The yearly check (services.actor_request_check): when the last email asking the actor
    # to confirm or update its entry was sent, so that it goes once a year per actor.
    check_requested_at = models.DateTimeField(
        _("vérification demandée le"), null=True, blank=True, editable=False
    )
    # Changes the actor proposed from the yearly check's page, waiting for a moderator
    # (shown in the admin's edit view, applied or discarded there): field name -> value,
    # the categories as their slugs. The published entry is unchanged meanwhile.
    pending_changes = models.JSONField(
        _("modifications proposées"), default=dict, blank=True, editable=False
    )
    # Personal data: the proposer's address, used only for the confirmation email and the
    # yearly update request, never shown publicly (nor in the admin's forms). Emptied when
    # the entry is rejected (services.actor_reject) and by the person's erasure request
    # (directory/personal_data.py); gone with the row when the actor is deleted.
    proposer_email = models.EmailField(_("adresse de la personne qui a proposé"), blank=True)
    token = models.CharField(max_length=64, default=new_token, editable=False)
    # The language the proposer wrote in: the emails about their entry speak it.
    language = models.CharField(_("langue"), max_length=10, blank=True, editable=False)
    created_at = models.DateTimeField(_("proposé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("acteur de la solidarité")
        verbose_name_plural = _("acteurs de la solidarité")
        indexes = [
            # The public listings: published actors, by name.
            models.Index(fields=["status", "name"], name="directory_actor_status_name"),
            # The duplicate check and a search by name prefix (see geography's own index).
            models.Index(
                fields=["search_name"],
                name="directory_actor_search",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A derived column, kept with the name it folds (as geography's search_name).
        self.search_name = search_key(self.name)[:NAME_MAX_LENGTH]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED


class ActorCommune(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(
        "geography.Commune",
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("commune servie")
        constraints = [
            models.UniqueConstraint(fields=["actor", "commune"], name="directory_actor_commune")
        ]

    def __str__(self):
        return f"{self.actor_id} – {self.commune_id}"


class ActorIntercommunality(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    intercommunality = models.ForeignKey(
        "geography.Intercommunality",
        to_field="code",
        db_column="intercommunality_code",
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("intercommunalité servie")
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "intercommunality"], name="directory_actor_intercommunality"
            )
        ]

    def __str__(self):
        return f"{self.actor_id} – {self.intercommunality_id}"


class ActorDepartment(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "geography.Department",
        to_field="code",
        db_column="department_code",
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("département servi")
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "department"], name="directory_actor_department"
            )
        ]

    def __str__(self):
        return f"{self.actor_id} – {self.department_id}"


class HelpPointQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Staff with a permission on help points see them all; a mairie user sees the help
        points of their communes (where the permanence is held, or one of its dates); anyone
        else, none."""
        from volunteers.models.access import MairieAccess, is_mairie_user

        if user.is_superuser:
            return self
        if is_mairie_user(user):
            mine = MairieAccess.objects.filter(user=user).values("commune_id")
            return self.filter(
                Q(commune_id__in=mine)
                | Q(
                    pk__in=HelpPointDate.objects.filter(commune_id__in=mine).values("help_point_id")
                )
            )
        if any(
            user.has_perm(f"directory.{action}_helppoint")
            for action in ("view", "change", "delete")
        ):
            return self
        return self.none()


class HelpPoint(ClusterableModel):
    """A "point d'entraide": a permanence where someone helps residents with a form, a
    sign-up or the digital world. Fixed (the same place, usually every week) or itinerant
    (a bus, a van, an agent going from village to village: each date has its own place).
    Created in the admin by the commune's mairie users or by staff, not proposed publicly."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("permanence fixe")
        ITINERANT = "itinerant", _("permanence itinérante")

    name = models.CharField(_("nom"), max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind, default=Kind.FIXED)
    actor = models.ForeignKey(
        Actor,
        verbose_name=_("acteur qui l'organise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_points",
    )
    # Where it is held (fixed), or the commune it starts from (itinerant: each date names its
    # own commune and place).
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(
        _("lieu"),
        max_length=150,
        blank=True,
        help_text=_("Par exemple : salle du conseil de la mairie, médiathèque."),
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    # What help is given.
    helps_with_forms = models.BooleanField(_("aide à remplir un formulaire"), default=False)
    helps_sign_up = models.BooleanField(_("aide à s'inscrire à l'heure civique"), default=False)
    digital_mediation = models.BooleanField(_("médiation numérique"), default=False)
    other_help = models.CharField(
        _("autre aide proposée"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : lecture d'un courrier, prise de rendez-vous."),
    )
    description = models.TextField(
        _("ce qu'il faut savoir"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_("Ce qu'il faut apporter, s'il faut prendre rendez-vous, etc."),
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    step_free_access = models.BooleanField(_("accès de plain-pied ou adapté"), default=False)
    published = models.BooleanField(_("publié"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = HelpPointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("point d'entraide")
        verbose_name_plural = _("points d'entraide")

    def __str__(self):
        return self.name

    def help_given(self):
        """What help is given, in the active language, one phrase each: the commune page,
        the actor page and the iCalendar feed say it the same way."""
        given = []
        if self.helps_with_forms:
            given.append(gettext("Aide pour remplir un formulaire"))
        if self.helps_sign_up:
            given.append(gettext("Aide pour s'inscrire à l'heure civique"))
        if self.digital_mediation:
            given.append(gettext("Médiation numérique : ordinateur, téléphone, démarches en ligne"))
        if self.other_help.strip():
            given.append(" ".join(self.other_help.split()))
        return given


class HelpPointDate(models.Model):
    """One date of a permanence, with its hours; repeated every week until `repeat_until`
    when set (a fixed permanence: "tous les mardis, de 14 h à 17 h"). An itinerant
    permanence's date names its own commune and place."""

    # A ParentalKey: the admin edits a point with its dates in one form (InlinePanel).
    help_point = ParentalKey(
        HelpPoint, on_delete=models.CASCADE, related_name="dates", verbose_name=_("point")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    repeat_until = models.DateField(
        _("chaque semaine jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Laissez vide pour une seule date."),
    )
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune de ce jour"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Pour une permanence itinérante ; sinon celle du point."),
    )
    place = models.CharField(
        _("lieu de ce jour"),
        max_length=150,
        blank=True,
        help_text=_("Pour une permanence itinérante ; sinon celui du point."),
    )
    # Kept stable across edits: the iCalendar UID of this date (a calendar that subscribed
    # updates the event instead of adding a second one).
    uid = models.CharField(max_length=64, default=new_token, editable=False, unique=True)

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        verbose_name = _("date de permanence")
        verbose_name_plural = _("dates de permanence")
        indexes = [models.Index(fields=["date"], name="directory_helppointdate_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="directory_helppointdate_ends_after_start",
                violation_error_message=_("La permanence doit finir après son début."),
            ),
            models.CheckConstraint(
                condition=Q(repeat_until__isnull=True) | Q(repeat_until__gte=models.F("date")),
                name="directory_helppointdate_repeat_after_date",
                violation_error_message=_(
                    "La dernière semaine ne peut pas précéder la première date."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.help_point} – {self.date} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def last_date(self):
        return self.repeat_until or self.date

    def next_occurrence(self, today):
        """The first day on or after `today` this permanence is held (a weekly one: the
        same weekday), or None once it is over."""
        if self.last_date < today:
            return None
        if self.date >= today or not self.repeat_until:
            return self.date if self.date >= today else None
        weeks = -(-(today - self.date).days // 7)  # ceiling
        day = self.date + datetime.timedelta(weeks=weeks)
        return day if day <= self.repeat_until else None
