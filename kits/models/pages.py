"""The kits pages: an index and one page per kit, with its downloadable files."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, PageManager, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index

from campaign.models import BasePage
from campaign.translated import translated_only


class Theme(models.TextChoices):
    ISOLATION = "isolement", _("Rompre l'isolement")
    MUTUAL_AID = "entraide", _("Entraide au quotidien")
    WEATHER = "climat", _("Canicule et grand froid")
    CONVIVIALITY = "convivialite", _("Convivialité")
    CIVIC_HOUR = "heure-civique", _("L'heure civique")


class Season(models.TextChoices):
    ALL_YEAR = "toute-l-annee", _("Toute l'année")
    HEATWAVE = "canicule", _("Canicule")
    COLD = "grand-froid", _("Grand froid")
    NEIGHBOURS_DAY = "fete-des-voisins", _("Fête des voisins")
    BACK_TO_SCHOOL = "rentree", _("Rentrée")
    YEAR_END = "fin-d-annee", _("Fêtes de fin d'année")

    @classmethod
    def months(cls, season):
        """The months (1-12) when a season's kits are most useful."""
        return SEASON_MONTHS.get(season, ())

    @classmethod
    def current(cls, month=None):
        """The seasons in force this month (all-year kits are always in force)."""
        month = month or timezone.localdate().month
        return [season for season, months in SEASON_MONTHS.items() if month in months]


# Kept beside the choices so that an editor's question ("when does it show first?") has one
# answer. The Fête des voisins falls at the end of May or early June; kits go out weeks before.
SEASON_MONTHS = {
    Season.HEATWAVE: (6, 7, 8),
    Season.COLD: (12, 1, 2),
    Season.NEIGHBOURS_DAY: (4, 5, 6),
    Season.BACK_TO_SCHOOL: (8, 9, 10),
    Season.YEAR_END: (11, 12),
}

AUDIENCES = [
    ("mairies", _("Mairies")),
    ("associations", _("Associations")),
    ("habitants", _("Habitants")),
    ("presse", _("Presse")),
]


class KitPageQuerySet(PageQuerySet):
    def with_season_rank(self, month=None):
        """Annotate `season_rank`: 0 for kits in season this month, 1 for all-year kits,
        2 for the others, so that `order_by("season_rank", …)` puts kits in season first."""
        current = Season.current(month)
        return self.annotate(
            season_rank=models.Case(
                models.When(season__in=current, then=models.Value(0)),
                models.When(season=Season.ALL_YEAR, then=models.Value(1)),
                default=models.Value(2),
                output_field=models.IntegerField(),
            )
        )

    def in_season(self, month=None):
        return self.filter(season__in=[*Season.current(month), Season.ALL_YEAR])


KitPageManager = PageManager.from_queryset(KitPageQuerySet)


class KitIndexPage(BasePage):
    """Where mairies find every kit, and the poster and engagement tools."""

    introduction = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = [*BasePage.content_panels, FieldPanel("introduction")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["kits.KitPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("index des kits")
        verbose_name_plural = _("index des kits")

    def get_meta_description(self):
        return self.search_description or self.introduction

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        kits = (
            translated_only(KitPage.objects.child_of(self).live())
            .with_season_rank()
            .select_related("cover_image")
            .prefetch_related("cover_image__renditions")
            .order_by("season_rank", "-first_published_at", "pk")
        )
        context["kits"] = kits
        return context


class KitPage(BasePage):
    """One kit: what it is for, who it is for, and its files in each format."""

    description = models.TextField(_("description"), max_length=1200)
    audience = models.CharField(_("public"), max_length=20, choices=AUDIENCES, default="mairies")
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image de couverture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_image_alt = models.CharField(
        _("texte alternatif de l'image"),
        max_length=250,
        blank=True,
        help_text=_("Décrivez l'image. Laissez vide si elle est décorative."),
    )
    usage_terms = models.TextField(
        _("conditions d'utilisation"),
        max_length=1000,
        blank=True,
        help_text=_("Par exemple : libre d'utilisation par les mairies et les associations."),
    )
    theme = models.CharField(_("thème"), max_length=20, choices=Theme, default=Theme.MUTUAL_AID)
    season = models.CharField(_("saison"), max_length=20, choices=Season, default=Season.ALL_YEAR)

    objects = KitPageManager()

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("theme"), FieldPanel("season")],
            heading=_("Classement"),
        ),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading=_("Image")
        ),
        FieldPanel("usage_terms"),
        InlinePanel("files", label=_("fichiers"), min_num=0),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("description"),
        index.FilterField("season"),
        index.FilterField("theme"),
    ]
    parent_page_types = ["kits.KitIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("kit")
        verbose_name_plural = _("kits")

    def get_meta_description(self):
        return self.search_description or self.description

    @property
    def in_season(self):
        return self.season == Season.ALL_YEAR or self.season in Season.current()

    def get_listing_pages(self):
        """The kits index and home (featured kits)."""
        return [self.get_parent(), self.get_home_page()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["kit_files"] = self.files.select_related("document").order_by("sort_order")
        return context


class KitFile(TranslatableMixin, Orderable):
    """A file of a kit: a Wagtail document labelled with its format and language."""

    class Format(models.TextChoices):
        POSTER_A3 = "affiche-a3", _("Affiche A3 (PDF)")
        POSTER_A4 = "affiche-a4", _("Affiche A4 (PDF)")
        FLYER = "flyer", _("Flyer A5 (PDF)")
        SOCIAL = "reseaux-sociaux", _("Visuel réseaux sociaux 1080×1080 (PNG)")
        PRESS_KIT = "kit-presse", _("Kit presse (ZIP)")
        GUIDE = "guide", _("Guide pratique (PDF)")
        OTHER = "autre", _("Autre document")

    class Language(models.TextChoices):
        FR = "fr", _("français")
        EN = "en", _("anglais")

    page = ParentalKey(KitPage, related_name="files", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=20, choices=Format)
    language = models.CharField(
        _("langue du fichier"), max_length=2, choices=Language, default=Language.FR
    )

    panels = [FieldPanel("document"), FieldPanel("format"), FieldPanel("language")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("fichier du kit")
        verbose_name_plural = _("fichiers du kit")

    def __str__(self):
        return f"{self.page.title} – {self.get_format_display()}"

    @property
    def file_type(self):
        """What visitors read before downloading: "PDF", "ZIP", "PNG"."""
        return self.document.file_extension.upper()
