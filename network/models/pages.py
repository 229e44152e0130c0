"""The network's pages: its home (with one sub-page per region), practice sheets, thematic
dossiers and meetings."""

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.blocks import StructBlock, TextBlock
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.models import Orderable, PagePermissionTester, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from campaign.csrf import cross_origin_protect
from campaign.models import BasePage
from campaign.routes import TranslatedRoutablePageMixin

from ..admin_forms import PracticeSheetForm


class NetworkPagePermissionTester(PagePermissionTester):
    """What a mairie user may do with a page of the network. The "Mairie" group holds "add"
    and "change" on the network's home (services.network_moderation_setup), which Wagtail
    applies to every page beneath it: here a mairie user keeps them only on the practice
    sheets of their own communes, and "add" alone on the home (to write a sheet under it).
    Every admin view that reads this tester (edit, draft, preview, history, revisions,
    usage, lock, delete, move, copy) then refuses the rest."""

    def __init__(self, user, page):
        super().__init__(user, page)
        from volunteers.models.access import is_mairie_user

        if not is_mairie_user(user):
            return
        if isinstance(page, PracticeSheetPage):
            from ..admin_forms import mairie_commune_codes

            if page.commune_id not in mairie_commune_codes(user):
                self.permissions = set()
        elif isinstance(page, NetworkIndexPage):
            self.permissions = self.permissions & {"add"}
        else:
            self.permissions = set()


class MairieScopedPermissions:
    def permissions_for_user(self, user):
        return NetworkPagePermissionTester(user, self)


class NetworkIndexPage(MairieScopedPermissions, TranslatedRoutablePageMixin, BasePage):
    """The space's home: latest sheets, dossiers, next meetings, the regions; each region's
    referents at `regions/<region slug>/`."""

    introduction = models.TextField(_("introduction"), max_length=800, blank=True)

    content_panels = [*BasePage.content_panels, FieldPanel("introduction")]
    search_fields = [*BasePage.search_fields, index.SearchField("introduction")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["network.PracticeSheetPage", "network.DossierPage", "network.MeetingPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accueil du réseau des élus")
        verbose_name_plural = _("accueils du réseau des élus")

    def get_meta_description(self):
        return self.search_description or self.introduction

    def get_context(self, request, *args, **kwargs):
        from network.views import network_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(network_index_context(index=self))
        return context

    @path("")
    def index_route(self, request):
        return self.render(request)

    @path(_("regions/<slug:region>/"), name="region")
    def region_route(self, request, region):
        from network.views import region_page

        return region_page(request, index=self, region_slug=region)

    def region_url(self, region):
        return self.url + self.reverse_subpage("region", kwargs={"region": region.slug})


class PracticeSheetPage(MairieScopedPermissions, BasePage):
    """A fiche pratique: what a commune did about a problem, told by the elected official
    who did it, so that others can do the same."""

    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        to_field="insee_code",
        db_column="commune_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practice_sheets",
    )
    categories = ParentalManyToManyField(
        "gestures.GestureCategory",
        verbose_name=_("catégories"),
        blank=True,
        related_name="practice_sheets",
    )
    summary = models.TextField(
        _("résumé"), max_length=300, help_text=_("300 caractères au plus. Montré sur les cartes.")
    )
    problem = models.TextField(_("le problème"), max_length=2000)
    actions = models.TextField(_("ce qui a été fait"), max_length=4000)
    steps = StreamField(
        [
            (
                "step",
                StructBlock(
                    [
                        ("title", TextBlock(label=_("étape"), max_length=200)),
                        ("text", TextBlock(label=_("détail"), required=False, max_length=1000)),
                    ],
                    icon="list-ol",
                    label=_("étape"),
                ),
            )
        ],
        verbose_name=_("les étapes"),
        blank=True,
    )
    budget = models.CharField(_("budget"), max_length=300, blank=True)
    partners = models.TextField(_("partenaires"), max_length=1000, blank=True)
    results = models.TextField(_("résultats"), max_length=2000, blank=True)
    contact_name = models.CharField(_("nom de l'élu·e"), max_length=120, blank=True)
    contact_role = models.CharField(_("fonction"), max_length=160, blank=True)
    contact_email = models.EmailField(_("adresse e-mail professionnelle"), blank=True)
    contact_phone = models.CharField(_("téléphone professionnel"), max_length=30, blank=True)
    contact_agreed_on = models.DateField(
        _("accord de publication des coordonnées donné le"),
        null=True,
        blank=True,
        help_text=_(
            "La date où l'élu·e a accepté que ses coordonnées professionnelles soient "
            "publiées. Sans date, elles ne sont pas montrées."
        ),
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("summary"),
        FieldPanel(
            "commune",
            widget=forms.TextInput(attrs={"inputmode": "text", "maxlength": 5}),
            help_text=_("Le code INSEE de la commune, par exemple 77288."),
        ),
        FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
        FieldPanel("problem"),
        FieldPanel("actions"),
        FieldPanel("steps"),
        FieldPanel("budget"),
        FieldPanel("partners"),
        FieldPanel("results"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_role")]),
                FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
                FieldPanel("contact_agreed_on"),
            ],
            heading=_("Contact de l'élu·e"),
        ),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("problem"),
        index.SearchField("actions"),
        index.SearchField("results"),
    ]
    # Names and contacts are facts, the same in every language.
    override_translatable_fields = [
        SynchronizedField("contact_name"),
        SynchronizedField("contact_phone"),
    ]
    parent_page_types = ["network.NetworkIndexPage"]
    subpage_types = []
    base_form_class = PracticeSheetForm

    class Meta:
        verbose_name = _("fiche pratique")
        verbose_name_plural = _("fiches pratiques")

    @classmethod
    def route_queryset(cls):
        return cls.objects.select_related("commune__department")

    def get_meta_description(self):
        return self.search_description or self.summary

    @property
    def public_contact(self):
        """The official's contact, only once they agreed to its publication."""
        if not self.contact_agreed_on or not self.contact_name:
            return None
        return {
            "name": self.contact_name,
            "role": self.contact_role,
            "email": self.contact_email,
            "phone": self.contact_phone,
        }

    def get_listing_pages(self):
        """The network's home (latest sheets) and the dossiers that gather it."""
        dossiers = DossierPage.objects.filter(links__page_id=self.pk).distinct()
        return [self.get_parent(), *dossiers]

    def get_context(self, request, *args, **kwargs):
        from network.views import sheet_context

        context = super().get_context(request, *args, **kwargs)
        context.update(sheet_context(sheet=self))
        return context


class DossierPage(MairieScopedPermissions, BasePage):
    """A thematic dossier: an introduction and an ordered list of sheets, stories and kits."""

    introduction = models.TextField(_("introduction"), max_length=1500)

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("introduction"),
        InlinePanel("links", heading=_("Pages rassemblées"), label=_("Page")),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("introduction")]
    parent_page_types = ["network.NetworkIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("dossier thématique")
        verbose_name_plural = _("dossiers thématiques")

    def get_meta_description(self):
        return self.search_description or self.introduction

    def get_listing_pages(self):
        return [self.get_parent()]

    def get_context(self, request, *args, **kwargs):
        from network.views import dossier_context

        context = super().get_context(request, *args, **kwargs)
        context.update(dossier_context(dossier=self))
        return context


class DossierLink(TranslatableMixin, Orderable):
    """One page of a dossier. The link is synchronised by wagtail-localize (an English dossier
    points at the French page its editor chose): the dossier shows the page of its own
    language, matched on the translation key. Translatable, like StoryGesture, so that
    syncing a translation updates the links in place."""

    dossier = ParentalKey(DossierPage, on_delete=models.CASCADE, related_name="links")
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [
        PageChooserPanel(
            "page", page_type=["network.PracticeSheetPage", "stories.StoryPage", "kits.KitPage"]
        )
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("page du dossier")
        verbose_name_plural = _("pages du dossier")


class MeetingPage(MairieScopedPermissions, TranslatedRoutablePageMixin, BasePage):
    """A rencontre of the network: when, where, the agenda, and registration by email
    (confirmed by a signed link, reminded the day before)."""

    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    place = models.CharField(
        _("lieu"), max_length=200, help_text=_("Par exemple : Salle des fêtes, Melun.")
    )
    address = models.TextField(_("adresse"), max_length=400, blank=True)
    online = models.BooleanField(_("en ligne"), default=False)
    online_link = models.URLField(
        _("lien de la visioconférence"),
        blank=True,
        help_text=_("Envoyé seulement aux inscrits, dans le rappel de la veille."),
    )
    summary = models.TextField(_("résumé"), max_length=300)
    agenda = models.TextField(_("programme"), max_length=3000, help_text=_("Un point par ligne."))
    capacity = models.PositiveIntegerField(
        _("nombre de places"), null=True, blank=True, help_text=_("Laissez vide : sans limite.")
    )
    registration_open = models.BooleanField(_("inscriptions ouvertes"), default=True)

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldPanel("place"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("online"), FieldPanel("online_link")]),
        FieldPanel("agenda"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("registration_open")]),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("summary")]
    parent_page_types = ["network.NetworkIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("rencontre")
        verbose_name_plural = _("rencontres")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("La fin doit venir après le début.")})

    def get_meta_description(self):
        return self.search_description or self.summary

    def get_listing_pages(self):
        return [self.get_parent()]

    @property
    def is_past(self):
        return self.end <= timezone.now()

    def agenda_items(self):
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    @path("")
    @cross_origin_protect  # the page is cached: no CSRF token in its form (campaign/csrf.py)
    def register_route(self, request):
        from network.views import meeting_page

        return meeting_page(request, meeting=self)

    @path(_("inscription/merci/"), name="thanks")
    def thanks_route(self, request):
        from network.views import meeting_thanks

        return meeting_thanks(request, meeting=self)
