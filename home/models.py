from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from campaign.blocks import BodyBlock
from campaign.models import BasePage
from helprequests import selectors as helprequests_selectors

from . import sections


class HomePage(BasePage):
    """The home page of one language: the campaign's message and what to do now."""

    hero_title = models.CharField(_("titre d'accroche"), max_length=120)
    hero_text = models.TextField(_("texte d'accroche"), max_length=400, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image d'accroche"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(
        _("texte alternatif de l'image"),
        max_length=250,
        blank=True,
        help_text=_("Décrivez l'image. Laissez vide si elle est décorative."),
    )
    cta_label = models.CharField(
        _("libellé du bouton"), max_length=60, default="Je donne une heure par mois"
    )
    cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page du bouton"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("La page d'inscription à l'heure civique."),
    )
    civic_hour_title = models.CharField(
        _("titre de l'heure civique"), max_length=120, default="L'heure civique"
    )
    civic_hour_text = models.TextField(_("texte de l'heure civique"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("contenu libre"), blank=True)

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_image_alt"),
                FieldPanel("cta_label"),
                FieldPanel("cta_page"),
            ],
            heading=_("Accroche"),
        ),
        MultiFieldPanel(
            [FieldPanel("civic_hour_title"), FieldPanel("civic_hour_text")],
            heading=_("L'heure civique"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("hero_title"),
        index.SearchField("hero_text"),
    ]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("page d'accueil")
        verbose_name_plural = _("pages d'accueil")

    def get_meta_description(self):
        return self.search_description or self.hero_text

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: the template keeps each section in the site-data cache ({% datacache %}), so
        # that a visit after the first of a generation runs none of their queries.
        context["featured_stories"] = SimpleLazyObject(
            lambda: sections.featured_stories(page=self, request=request)
        )
        context["gesture_of_the_month"] = SimpleLazyObject(
            lambda: sections.gesture_of_the_month(page=self, request=request)
        )
        context["featured_kits"] = SimpleLazyObject(
            lambda: sections.featured_kits(page=self, request=request)
        )
        # The gesture of the month and the kits in season change with the month: their
        # fragments' keys have it.
        context["this_month"] = timezone.localdate().strftime("%Y-%m")
        context["cta_url"] = self.cta_url(request)
        # Read at each render, not kept in the site-data cache: marking a request done purges
        # the cached pages (helprequests.services.request_done), not that cache. One query.
        context["help_hours"] = helprequests_selectors.public_hours()
        return context

    def cta_url(self, request):
        """The address of the button's page in this page's language (its live translation,
        else the page chosen), in one query: `cta_page.localized` took three."""
        if not self.cta_page_id:
            return None
        pages = Page.objects.filter(
            Q(pk=self.cta_page_id)
            | Q(
                translation_key__in=Page.objects.filter(pk=self.cta_page_id).values(
                    "translation_key"
                ),
                locale_id=self.locale_id,
                live=True,
            )
        )
        by_pk = {page.pk: page for page in pages}
        chosen = by_pk.get(self.cta_page_id)
        translated = next(
            (p for p in by_pk.values() if p.locale_id == self.locale_id and p.live), None
        )
        target = translated or chosen
        return target.get_url(request) if target is not None else None
