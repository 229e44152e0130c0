"""What is site-wide: site settings, navigation and footer, the abstract base page and the
generic content page. Geography lives in campaign.geography."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction, TranslatableMixin
from wagtail.search import index

from .blocks import BodyBlock, NavigationLinksBlock
from .datacache import CachedSiteSettingMixin, any_view_restriction, children_by_slug, watch


@register_setting(icon="site")
class CampaignSettings(CachedSiteSettingMixin, BaseSiteSetting):
    """Site-wide identity. Wagtail's site settings are not translatable, so the two texts
    that visitors read carry one field per language."""

    campaign_name = models.CharField(
        _("nom de la campagne"), max_length=120, default="Tous Voisins – Tous Solidaires"
    )
    tagline_fr = models.CharField(
        _("slogan (français)"),
        max_length=200,
        default="Une heure par mois pour ses voisins.",
    )
    tagline_en = models.CharField(
        _("slogan (anglais)"),
        max_length=200,
        default="One hour a month for your neighbours.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_email = models.EmailField(
        _("adresse de contact"), default="bonjour@tousvoisins.example"
    )
    reply_to_email = models.EmailField(_("adresse de réponse des courriels"), blank=True)
    sender_name = models.CharField(
        _("nom de l'expéditeur des envois"),
        max_length=100,
        blank=True,
        help_text=_("Laissez vide pour utiliser le nom de la campagne."),
    )
    sender_email = models.EmailField(
        _("adresse de l'expéditeur des envois"),
        blank=True,
        help_text=_(
            "Une adresse d'un domaine vérifié chez le prestataire d'envoi. Laissez vide pour "
            "l'adresse par défaut du serveur."
        ),
    )
    mastodon_url = models.URLField(_("Mastodon"), blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    default_share_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image de partage par défaut"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Montrée quand une page est partagée et n'a pas d'image propre."),
    )
    # Named here so that the apps that link to the sign-up page (gestures) need not know
    # the app that provides it (volunteers); DESIGN.md "Layout".
    signup_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page d'inscription à l'heure civique"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "La page française ; chaque langue affiche sa traduction. Laissez vide pour ne "
            "pas montrer de lien d'inscription sur les pages des gestes."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("campaign_name"),
                FieldPanel("tagline_fr"),
                FieldPanel("tagline_en"),
                FieldPanel("logo"),
                FieldPanel("default_share_image"),
            ],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("sender_name"),
                FieldPanel("sender_email"),
                FieldPanel("reply_to_email"),
            ],
            heading=_("Contact et e-mails"),
        ),
        PageChooserPanel("signup_page"),
        MultiFieldPanel(
            [
                FieldPanel("mastodon_url"),
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("linkedin_url"),
            ],
            heading=_("Réseaux sociaux"),
        ),
    ]

    class Meta:
        verbose_name = _("réglages de la campagne")

    @property
    def tagline(self):
        return self.tagline_en if (get_language() or "fr").startswith("en") else self.tagline_fr

    def social_links(self):
        return [
            (label, url)
            for label, url in (
                ("Mastodon", self.mastodon_url),
                ("Facebook", self.facebook_url),
                ("Instagram", self.instagram_url),
                ("LinkedIn", self.linkedin_url),
            )
            if url
        ]


class Navigation(TranslatableMixin, models.Model):
    """The header menu and the footer of one language; wagtail-localize translates it."""

    name = models.CharField(_("nom"), max_length=80, default="Navigation")
    header_links = StreamField(
        NavigationLinksBlock(), verbose_name=_("menu principal"), blank=True, max_num=7
    )
    footer_text = RichTextField(
        _("texte du pied de page"), features=["bold", "italic", "link"], blank=True
    )
    footer_links = StreamField(
        NavigationLinksBlock(), verbose_name=_("liens du pied de page"), blank=True
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("header_links"),
        FieldPanel("footer_text"),
        FieldPanel("footer_links"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("navigation et pied de page")
        verbose_name_plural = _("navigation et pied de page")

    def __str__(self):
        return f"{self.name} ({self.locale.language_code})"

    def clean(self):
        super().clean()
        others = Navigation.objects.filter(locale_id=self.locale_id).exclude(pk=self.pk)
        if self.locale_id and others.exists():
            raise ValidationError(_("Cette langue a déjà sa navigation : modifiez-la."))


# The resolved menus (link texts and addresses) are kept in Django's cache, one entry per
# language, with the other site-wide data (campaign/datacache.py): saving or deleting a
# navigation, or any change to a page (its title, address or publication), starts a new
# generation.
watch(Navigation)


class BasePage(Page):
    """Every public page: a share image and the meta that goes with it."""

    share_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image de partage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Montrée sur les réseaux sociaux quand on partage la page."),
    )

    promote_panels = [
        *Page.promote_panels,
        FieldPanel("share_image"),
    ]

    class Meta:
        abstract = True

    def get_share_image(self):
        return self.share_image

    def get_listing_pages(self):
        """The pages that show this one (a title, a card, a link), purged with it from the
        caches when it is published, unpublished, moved or deleted (campaign/purge.py); each
        in every language. Page classes that appear in listings say which."""
        return []

    def get_home_page(self):
        """The home page of this page's tree (the site root of its language)."""
        return Page.objects.ancestor_of(self).filter(depth=2).specific().first()

    def get_meta_description(self):
        return self.search_description

    def get_view_restrictions(self):
        """Wagtail's, in one query instead of two (it lists the ancestors first): the
        restrictions of this page and its ancestors, an alias's being its source's. Read by
        Wagtail before serving every page."""
        if not any_view_restriction():
            # No page of the site is private (cached, campaign/datacache.py): no query.
            return PageViewRestriction.objects.none()
        steplen = self.steplen
        paths = [self.path[:end] for end in range(steplen, len(self.path) + 1, steplen)]
        chain = Page.objects.filter(path__in=paths)
        return PageViewRestriction.objects.filter(
            Q(page__in=chain.filter(alias_of__isnull=True).values("pk"))
            | Q(page__in=chain.filter(alias_of__isnull=False).values("alias_of"))
        )

    @classmethod
    def route_queryset(cls):
        """The query that reads a page of this class when a visitor asks for it: a page
        class adds what its view always shows (a story's commune)."""
        return cls.objects.all()

    def route(self, request, path_components):
        """Wagtail's routing to a child in one query instead of two: the child's id and class
        come from the cached map of this page's children (campaign/datacache.py), then its
        row is read in its own class. Anything unexpected falls back to Wagtail's."""
        if not path_components:
            return super().route(request, path_components)
        child = children_by_slug(self, request).get(path_components[0])
        if child is None:
            raise Http404
        pk, content_type_id = child
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not issubclass(model, BasePage):
            return super().route(request, path_components)
        subpage = model.route_queryset().filter(pk=pk).first()
        if subpage is None or subpage.slug != path_components[0]:
            return super().route(request, path_components)
        subpage._cached_parent_obj = self
        return subpage.route(request, path_components[1:])

    @cached_property
    def untranslated_source(self):
        """The page of another language this page shows as it is: set when this page is the
        alias wagtail-localize keeps until someone translates it (see campaign/translated.py),
        None otherwise. One query, for aliases only."""
        if self.alias_of_id is None:
            return None
        source = Page.objects.select_related("locale").filter(pk=self.alias_of_id).first()
        if source is None or source.locale_id == self.locale_id:
            return None
        return source


class ContentPage(BasePage):
    """A generic page: about, legal notices, help."""

    introduction = models.TextField(_("introduction"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    parent_page_types = ["home.HomePage", "campaign.ContentPage"]

    class Meta:
        verbose_name = _("page de contenu")
        verbose_name_plural = _("pages de contenu")

    def get_meta_description(self):
        return self.search_description or self.introduction
