"""The catalogue page and the gesture pages."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import path
from wagtail.models import PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from campaign.csrf import cross_origin_protect
from campaign.models import BasePage
from campaign.routes import TranslatedRoutablePageMixin

from ..choices import AUDIENCE_CHOICES, PLACE_CHOICES, TIME_CHOICES, split_values
from ..forms import GesturePageForm
from .snippets import GestureCategory


def _contains_value(field, value):
    # Comma-separated values: match the whole value, never a part of another one. Plain
    # LIKE lookups, so it works the same on SQLite and PostgreSQL.
    return (
        Q(**{field: value})
        | Q(**{f"{field}__startswith": f"{value},"})
        | Q(**{f"{field}__endswith": f",{value}"})
        | Q(**{f"{field}__contains": f",{value},"})
    )


class GesturePageQuerySet(PageQuerySet):
    def for_audience(self, value):
        return self.filter(_contains_value("audiences", value))

    def for_place(self, value):
        return self.filter(_contains_value("places", value))

    def civic_hour(self):
        return self.filter(heure_civique=True)


GesturePageManager = PageManager.from_queryset(GesturePageQuerySet)


# The categories' stylesheet, a sub-route of the catalogue (the same in both languages).


class GestureIndexPage(TranslatedRoutablePageMixin, BasePage):
    """The catalogue of the 100 gestures of one language, and the booklet."""

    introduction = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = [*BasePage.content_panels, FieldPanel("introduction")]
    search_fields = [*BasePage.search_fields, index.SearchField("introduction")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["gestures.GesturePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("catalogue des gestes")
        verbose_name_plural = _("catalogues des gestes")

    def get_meta_description(self):
        return self.search_description or self.introduction

    def get_context(self, request, *args, **kwargs):
        from gestures import selectors

        context = super().get_context(request, *args, **kwargs)
        # The cards are a fragment kept under the site data's generation
        # (gesture_index_page.html): on a hit, the catalogue's query and its hundred cards
        # are skipped, and only the live counts are read (templatetags/gesture_counts.py).
        categories = selectors.catalogue_categories(index_page=self, request=request)
        context["category_list"] = categories
        context["catalogue_key"] = selectors.catalogue_key(
            params=request.GET, categories=categories
        )
        context["catalogue"] = SimpleLazyObject(
            lambda: selectors.catalogue_for(index_page=self, params=request.GET)
        )
        return context

    @path("")
    def catalogue(self, request):
        return self.render(request)

    def get_cached_paths(self):
        return ["/", "/" + self.reverse_subpage("booklet")]

    # Wagtail serves page paths made of [\w-]+/ segments only, hence no ".pdf" here; the
    # download keeps its file name through Content-Disposition.
    @path(_("livret/"), name="booklet")
    def booklet(self, request):
        from gestures.views import booklet_serve

        return booklet_serve(request, index_page=self)


class GesturePage(TranslatedRoutablePageMixin, BasePage):
    """One gesture: what it is, how to do it, the stories that illustrate it."""

    number = models.PositiveSmallIntegerField(
        _("numéro"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("De 1 à 100, un seul geste par numéro dans chaque langue."),
    )
    description = models.CharField(_("description courte"), max_length=200)
    howto = models.TextField(
        _("comment faire"),
        max_length=1000,
        help_text=_("Une étape par ligne, chacune en une phrase complète."),
    )
    category = models.ForeignKey(
        GestureCategory,
        verbose_name=_("catégorie"),
        on_delete=models.PROTECT,
        related_name="gestures",
    )
    time_needed = models.CharField(_("temps nécessaire"), max_length=8, choices=TIME_CHOICES)
    audiences = models.CharField(
        _("pour qui"), max_length=200, help_text=_("Une ou plusieurs valeurs.")
    )
    places = models.CharField(_("où"), max_length=60, help_text=_("Une ou plusieurs valeurs."))
    heure_civique = models.BooleanField(
        _("convient à l'heure civique"),
        default=False,
        help_text=_("Un geste d'environ une heure, qui peut se répéter chaque mois."),
    )

    objects = GesturePageManager()
    base_form_class = GesturePageForm

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("number"),
        FieldPanel("description"),
        FieldPanel("howto"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldRowPanel([FieldPanel("time_needed"), FieldPanel("heure_civique")]),
                FieldPanel("audiences"),
                FieldPanel("places"),
            ],
            heading=_("Pour trouver le geste"),
        ),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("description"),
        index.SearchField("howto"),
        index.FilterField("number"),
        index.FilterField("heure_civique"),
    ]
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        SynchronizedField("share_image"),
        SynchronizedField("number"),
        TranslatableField("description"),
        TranslatableField("howto"),
        # The category is a translatable snippet: the English page points to its English
        # version.
        TranslatableField("category"),
        SynchronizedField("time_needed"),
        SynchronizedField("audiences"),
        SynchronizedField("places"),
        SynchronizedField("heure_civique"),
    ]
    parent_page_types = ["gestures.GestureIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("geste")
        verbose_name_plural = _("gestes")

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def anchor(self):
        return f"geste-{self.number}"

    @property
    def steps(self):
        text = (self.howto or "").replace("\r\n", "\n").replace("\r", "\n")
        return [line.strip() for line in text.split("\n") if line.strip()]

    @property
    def audience_list(self):
        return split_values(self.audiences)

    @property
    def place_list(self):
        return split_values(self.places)

    def get_audiences_display(self):
        labels = dict(AUDIENCE_CHOICES)
        return [labels[v] for v in self.audience_list if v in labels]

    def get_places_display(self):
        labels = dict(PLACE_CHOICES)
        return [labels[v] for v in self.place_list if v in labels]

    def get_meta_description(self):
        return self.search_description or self.description

    def clean(self):
        super().clean()
        errors = {}
        unknown = set(self.audience_list) - {v for v, _label in AUDIENCE_CHOICES}
        if unknown or not self.audience_list:
            errors["audiences"] = _("Choisissez au moins un public dans la liste.")
        unknown = set(self.place_list) - {v for v, _label in PLACE_CHOICES}
        if unknown or not self.place_list:
            errors["places"] = _("Choisissez au moins un lieu dans la liste.")
        if self.number and self.locale_id:
            taken = (
                GesturePage.objects.filter(number=self.number, locale_id=self.locale_id)
                .exclude(pk=self.pk)
                .exists()
            )
            if taken:
                errors["number"] = _("Un autre geste porte déjà ce numéro dans cette langue.")
        if errors:
            raise ValidationError(errors)

    def get_listing_pages(self):
        """The catalogue, home (the gesture of the month) and the stories that link to it."""
        stories = [link.story for link in self.stories.select_related("story")]
        return [self.get_parent(), self.get_home_page(), *stories]

    def get_context(self, request, *args, **kwargs):
        from gestures import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.gesture_page_context(page=self, request=request))
        return context

    @path("")
    def gesture(self, request):
        return self.render(request)

    @path(_("fait/"), name="done")
    @cross_origin_protect  # the gesture page is cached: no CSRF token (campaign/csrf.py)
    def done(self, request):
        from gestures.views import gesture_done

        return gesture_done(request, page=self)
