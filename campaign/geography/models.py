"""France's administrative geography: regions, departments, communes and their postcodes.

Reference data, not content: rows come from the INSEE Code officiel géographique through
`services.communes_import()` and nobody edits them by hand.

Foreign keys between these tables point at the official codes (`to_field`), not at surrogate
ids: `commune.department_id` is "77", `arrondissement.parent_id` is "75056". The importer then
needs no id lookups, and `str(commune)` needs no query for its department code.
"""

import re
import unicodedata

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# ASCII digits only: \d would also accept "٧٧٠٠٠".
POSTCODE_RE = re.compile(r"[0-9]{5}")
INSEE_CODE_RE = re.compile(r"[0-9][0-9AB][0-9]{3}")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# NFKD does not split these ligatures, and commune names use them (Œuilly, Bœurs-en-Othe).
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def search_key(text: str) -> str:
    """Fold a name for matching: no accents, lower case, words separated by one space.

    "Saint-Étienne" and "saint etienne" both give "saint etienne"; "L'Haÿ-les-Roses" gives
    "l hay les roses".
    """
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NOT_ALNUM.sub(" ", text).strip()


def normalize_postcode(text: str) -> str:
    """Drop every kind of space from a typed postcode (" 77 000 " -> "77000")."""
    return "".join(text.split())


def commune_slug(name: str, insee_code: str) -> str:
    # The INSEE code keeps the slug unique (there are 20-odd "Saint-Martin") and stable
    # when a homonym appears.
    return f"{slugify(name)}-{insee_code.lower()}"


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("région")
        verbose_name_plural = _("régions")

    def __str__(self):
        return self.name


class Department(models.Model):
    """A department, or an overseas collectivity (Polynésie française…), which has no region."""

    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("région"),
        to_field="code",
        db_column="region_code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Intercommunality(models.Model):
    """An intercommunality with its own taxation (EPCI à fiscalité propre: communauté de
    communes, d'agglomération, urbaine, métropole). Nearly every commune belongs to exactly
    one, which is why the link is a foreign key on the commune."""

    class Kind(models.TextChoices):
        CC = "CC", _("communauté de communes")
        CA = "CA", _("communauté d'agglomération")
        CU = "CU", _("communauté urbaine")
        METRO = "METRO", _("métropole")
        MET69 = "MET69", _("métropole de Lyon")

    code = models.CharField(_("numéro SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("type"), max_length=8, choices=Kind)

    class Meta:
        ordering = ["name"]
        verbose_name = _("intercommunalité")
        verbose_name_plural = _("intercommunalités")

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def communes(self):
        return self.filter(kind=Commune.Kind.COMMUNE)

    def arrondissements(self):
        return self.filter(kind=Commune.Kind.ARRONDISSEMENT)

    def for_postcode(self, code: str):
        """Communes (and municipal arrondissements) served by a postcode, by name; none for
        a malformed code (never sent to the database: PostgreSQL refuses a NUL byte with an
        error, where a form must say "unknown postcode")."""
        code = normalize_postcode(code)
        if not POSTCODE_RE.fullmatch(code):
            return self.none()
        return (
            self.filter(postcodes__code=code)
            .select_related("department")
            .distinct()
            .order_by("name", "insee_code")
        )

    def search(self, text: str):
        """Communes whose name contains `text`, accents and case ignored; exact names first,
        then names starting with it. Five digits search by postcode instead."""
        if POSTCODE_RE.fullmatch(normalize_postcode(text)):
            return self.for_postcode(text)
        key = search_key(text)
        if not key:
            return self.none()
        rank = models.Case(
            models.When(search_name=key, then=models.Value(0)),
            models.When(search_name__startswith=key, then=models.Value(1)),
            default=models.Value(2),
        )
        return (
            self.filter(search_name__contains=key)
            .select_related("department")
            .alias(rank=rank)
            .order_by("rank", "name", "insee_code")
        )

    def lookup(self, text: str):
        """What a person typing in the admin's commune chooser means: a name (accents, case
        and hyphens ignored, "saint-etienne" finds "Saint-Étienne"), a postcode ("77000") or
        an INSEE code ("77288", "2A004"). Exact INSEE matches come first. Indexed lookups, or
        a LIKE on the folded name of 35,000 rows: no search index to rebuild."""
        code = normalize_postcode(text).upper()
        if INSEE_CODE_RE.fullmatch(code):
            served = Postcode.objects.filter(code=code).values("commune_id")
            return (
                self.filter(models.Q(insee_code=code) | models.Q(insee_code__in=served))
                .select_related("department")
                .alias(
                    rank=models.Case(
                        models.When(insee_code=code, then=models.Value(0)),
                        default=models.Value(1),
                    )
                )
                .order_by("rank", "name", "insee_code")
            )
        return self.search(text)


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        ARRONDISSEMENT = "arrondissement", _("arrondissement municipal")

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    search_name = models.CharField(
        _("nom pour la recherche"),
        max_length=100,
        editable=False,
        help_text=_("Le nom sans accents ni majuscules, pour la recherche."),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind, default=Kind.COMMUNE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="parent_code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrondissements",
        help_text=_("La commune d'un arrondissement municipal (Paris, Lyon, Marseille)."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("département"),
        to_field="code",
        db_column="department_code",
        on_delete=models.PROTECT,
        related_name="communes",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("région"),
        to_field="code",
        db_column="region_code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    intercommunality = models.ForeignKey(
        Intercommunality,
        verbose_name=_("intercommunalité"),
        to_field="code",
        db_column="intercommunality_code",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
    )
    # The commune's centre (geo.api.gouv.fr's, see data/README.md), in WGS 84 decimal degrees,
    # for the directory's map; empty where the data file gives none (municipal arrondissements,
    # overseas collectivities). Floats: four decimals (ten metres) is all the source holds.
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["name", "insee_code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' whatever the
            # database collation; other databases ignore opclasses. Django requires a name
            # for an index with opclasses.
            models.Index(
                fields=["search_name"],
                name="geography_commune_search",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.department_id})"


class Postcode(models.Model):
    """A La Poste postcode served by a commune. A postcode often covers several communes and a
    commune can have several postcodes (Marseille has 16)."""

    code = models.CharField(_("code postal"), max_length=5)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        on_delete=models.CASCADE,
        related_name="postcodes",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [
            # Its index starts with `code`, so it also serves the lookups by postcode: no
            # separate db_index on `code`, which would only slow the import down.
            models.UniqueConstraint(
                fields=["code", "commune"], name="geography_postcode_unique_code_commune"
            ),
        ]

    def __str__(self):
        return self.code
