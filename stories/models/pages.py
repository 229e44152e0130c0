"""The story index and the story pages."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, PageManager, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from campaign.blocks import BodyBlock
from campaign.csrf import cross_origin_protect
from campaign.datacache import remember
from campaign.models import BasePage
from campaign.routes import TranslatedRoutablePageMixin
from campaign.translated import translated_only
from campaign.visibility import public_only

from ..admin_forms import StoryPageForm
from .snippets import StoryTheme

STORIES_PER_PAGE = 12
RELATED_STORIES = 3
CONSENT_REQUIRED = _(
    "Cochez « La personne présentée a accepté cette publication » avant de publier. "
    "Sans son accord, l'histoire reste un brouillon."
)


class StoryPageQuerySet(PageQuerySet):
    def for_cards(self):
        """What a story card shows, in a fixed number of queries whatever the number of
        stories: the commune with its department and region, the themes, the portrait with
        every rendition already made (so `{% picture %}` runs no query per card)."""
        images = get_image_model().objects.prefetch_renditions()
        return self.select_related("commune__department", "commune__region").prefetch_related(
            Prefetch("portrait", queryset=images),
            Prefetch("themes", queryset=StoryTheme.objects.order_by("name")),
        )

    def with_theme(self, slug):
        # Theme slugs are the same in every language, so this matches a story whichever
        # language's themes its editor picked.
        return self.filter(themes__slug=slug).distinct()

    def in_region(self, code):
        return self.filter(commune__region_id=code)

    def in_department(self, code):
        return self.filter(commune__department_id=code)

    def newest_first(self):
        return self.order_by("-publication_date", "-pk")


StoryPageManager = PageManager.from_queryset(StoryPageQuerySet)


def themes_in(locale, request=None):
    """The themes of `locale` (a Locale or its id), from the cache (campaign/datacache.py;
    saving a theme starts a new generation)."""
    locale_id = getattr(locale, "pk", locale)
    return remember(
        f"story-themes:{locale_id}",
        lambda: list(StoryTheme.objects.filter(locale_id=locale_id)),
        request,
    )


def localize_themes(stories, locale, *, themes=None):
    """Give each story a `display_themes` list in `locale`, in one query.

    A story's themes are synchronised, not translated, by wagtail-localize (it copies
    many-to-many fields as they are), so an English story may point at French themes:
    match them on their translation key instead of asking for each theme's translation.
    `themes`, when given, are the themes of `locale` already fetched; else they come from
    the cache (no query once it holds them)."""
    stories = list(stories)
    if themes is None:
        themes = themes_in(locale)
    by_key = {t.translation_key: t for t in themes}
    for story in stories:
        story.display_themes = [by_key.get(t.translation_key, t) for t in story.themes.all()]
    return stories


class StoryIndexPage(TranslatedRoutablePageMixin, BasePage):
    """The list of stories of one language, with its filters, its feed and the nomination
    form ("Proposer un héros") as sub-routes."""

    introduction = models.TextField(_("introduction"), max_length=600, blank=True)
    nomination_intro = models.TextField(
        _("introduction du formulaire « Proposer un héros »"), max_length=800, blank=True
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("introduction"),
        FieldPanel("nomination_intro"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("introduction")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["stories.StoryPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("liste des histoires")
        verbose_name_plural = _("listes des histoires")

    def get_meta_description(self):
        return self.search_description or self.introduction

    def stories(self):
        return translated_only(public_only(StoryPage.objects.live()).child_of(self))

    def get_cached_paths(self):
        # The feed is purged with the list (campaign/purge.py).
        return ["/", "/" + self.reverse_subpage("feed_route")]

    def get_context(self, request, *args, **kwargs):
        from stories.views import story_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(story_index_context(index=self, request=request))
        return context

    @path("")
    def index_route(self, request):
        return self.render(request)

    @path(_("flux/"))
    def feed_route(self, request):
        from stories.feeds import StoryFeed

        return StoryFeed(index=self)(request)

    @path(_("proposer-un-heros/"))
    @cross_origin_protect  # the form's page is cached: no CSRF token (campaign/csrf.py)
    def nominate_route(self, request):
        from stories.views import nominate

        return nominate(request, index=self)

    @path(_("proposer-un-heros/merci/"))
    def nominate_thanks_route(self, request):
        from stories.views import nominate_thanks

        return nominate_thanks(request, index=self)


class StoryPage(BasePage):
    """The portrait of a "héros du civisme ordinaire": a private person, so their first name
    and an initial by default, and never published without their agreement."""

    hero_first_name = models.CharField(_("prénom du héros"), max_length=60)
    hero_initial = models.CharField(
        _("initiale du nom"),
        max_length=3,
        blank=True,
        help_text=_("Une lettre, par exemple « M ». Le point est ajouté à l'affichage."),
    )
    hero_display_name = models.CharField(
        _("nom affiché (facultatif)"),
        max_length=80,
        blank=True,
        help_text=_(
            "Laissez vide pour afficher le prénom et l'initiale. Un nom complet seulement si "
            "la personne l'a demandé."
        ),
    )
    portrait = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("portrait"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    portrait_alt = models.CharField(
        _("texte alternatif du portrait"),
        max_length=250,
        help_text=_("Décrivez ce que montre l'image pour les personnes qui ne la voient pas."),
    )
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        null=True,
        on_delete=models.PROTECT,
        related_name="stories",
    )
    themes = ParentalManyToManyField(StoryTheme, verbose_name=_("thèmes"), related_name="stories")
    summary = models.TextField(
        _("résumé"),
        max_length=300,
        # TextField's max_length only reaches forms; the validator guards publishing in code.
        validators=[MaxLengthValidator(300)],
        help_text=_("300 caractères au plus. Montré sur les cartes et quand on partage la page."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("récit"), blank=True)
    pull_quote = models.TextField(_("citation mise en avant"), max_length=400, blank=True)
    publication_date = models.DateField(_("date de publication"), default=datetime.date.today)
    credit = models.CharField(
        _("crédits"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : Texte : mairie de Melun. Illustration : Camille R."),
    )
    consent_given = models.BooleanField(
        _("La personne présentée a accepté cette publication"),
        default=False,
        help_text=_(
            "Obligatoire pour publier. Vous pouvez enregistrer un brouillon sans cet accord."
        ),
    )

    objects = StoryPageManager()

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("hero_first_name"), FieldPanel("hero_initial")]),
                FieldPanel("hero_display_name"),
                FieldPanel("commune"),
            ],
            heading=_("Le héros"),
        ),
        MultiFieldPanel(
            [FieldPanel("portrait"), FieldPanel("portrait_alt")], heading=_("Portrait")
        ),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple, required_on_save=False),
        MultipleChooserPanel(
            "gesture_links",
            chooser_field_name="gesture",
            heading=_("Gestes illustrés"),
            label=_("Geste"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("pull_quote"),
        FieldRowPanel([FieldPanel("publication_date"), FieldPanel("credit")]),
        FieldPanel("consent_given"),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("pull_quote"),
        index.FilterField("publication_date"),
    ]
    # Names are not translated; the commune, the portrait and the consent are facts.
    override_translatable_fields = [
        SynchronizedField("hero_first_name"),
        SynchronizedField("hero_initial"),
        SynchronizedField("hero_display_name"),
    ]
    parent_page_types = ["stories.StoryIndexPage"]
    subpage_types = []
    base_form_class = StoryPageForm

    class Meta:
        verbose_name = _("histoire")
        verbose_name_plural = _("histoires")

    @property
    def hero_name(self):
        if self.hero_display_name:
            return self.hero_display_name
        initial = self.hero_initial.strip().rstrip(".")
        return f"{self.hero_first_name} {initial}." if initial else self.hero_first_name

    def save(self, *args, clean=True, **kwargs):
        # Every way of publishing (the admin, a workflow approval, scheduled publishing,
        # revision.publish() in code) ends in page.save() with live=True: refusing here
        # means no path can publish a story without the person's agreement. Drafts are
        # written with live=False, or with clean=False by save_revision(), so they pass.
        # Not in clean(): the admin form validates new pages while `live` still holds its
        # default (True); StoryPageForm gives the editor the message there.
        if clean and self.live and not self.consent_given:
            raise ValidationError({"consent_given": CONSENT_REQUIRED})
        return super().save(*args, clean=clean, **kwargs)

    def get_share_image(self):
        self.prefetch_images()
        return self.share_image or self.portrait

    def prefetch_images(self):
        """The portrait (and share image) and all their renditions: the picture at the top, the
        Open Graph image and the JSON-LD then read them without one query each. One query once
        the renditions exist (the renditions with their image, joined); the first visitor's view,
        before any rendition, takes two. Done once per instance: the Open Graph image of the
        page's head (get_share_image) may ask first."""
        if self.__dict__.get("_images_prefetched"):
            return
        self._images_prefetched = True
        ids = {pk for pk in (self.portrait_id, self.share_image_id) if pk}
        if not ids:
            return
        images = {}
        renditions = {}
        rendition_model = get_image_model().get_rendition_model()
        for rendition in rendition_model.objects.filter(image_id__in=ids).select_related("image"):
            image = images.setdefault(rendition.image_id, rendition.image)
            rendition.image = image
            renditions.setdefault(image.pk, []).append(rendition)
        for image in images.values():
            # What prefetch_related("renditions") leaves: Wagtail's get_rendition reads it.
            prefetched = image.renditions.all()
            prefetched._result_cache = renditions[image.pk]
            prefetched._prefetch_done = True
            image._prefetched_objects_cache = {"renditions": prefetched}
        missing = ids - images.keys()
        if missing:
            for image in get_image_model().objects.prefetch_renditions().filter(pk__in=missing):
                images[image.pk] = image
        if self.portrait_id in images:
            self.portrait = images[self.portrait_id]
        if self.share_image_id in images:
            self.share_image = images[self.share_image_id]

    def get_meta_description(self):
        return self.search_description or self.summary

    def related_stories(self, *, themes=None):
        """Up to three other live stories of the same language sharing a theme or the
        department, newest first, ready for cards. `themes`: this story's, if already
        fetched."""
        theme_slugs = [t.slug for t in (self.themes.all() if themes is None else themes)]
        match = Q(themes__slug__in=theme_slugs)
        if self.commune_id:
            match |= Q(commune__department_id=self.commune.department_id)
        matching = (
            translated_only(public_only(StoryPage.objects.live()))
            .filter(locale_id=self.locale_id)
            .exclude(pk=self.pk)
            .filter(match)
        )
        # The matching ids as a subquery (the theme join may repeat a story: IN does not),
        # the cards ordered and cut outside it: one query where listing the ids first took
        # two.
        return list(
            StoryPage.objects.filter(pk__in=matching.values("pk"))
            .for_cards()
            .newest_first()[:RELATED_STORIES]
        )

    def siblings(self):
        return translated_only(public_only(StoryPage.objects.live())).sibling_of(
            self, inclusive=False
        )

    @classmethod
    def route_queryset(cls):
        # The header shows the commune and its department.
        return cls.objects.select_related("commune__department")

    def neighbours(self):
        """(the story published just before this one, the one just after), in one query: both
        ids as subqueries of it. A story without a date yet (a draft whose date the editor
        cleared, seen in the preview panel) has no place among the others: (None, None). A
        story not saved yet (a new page's preview) will get the highest id, so stories of the
        same date come before it."""
        if self.publication_date is None:
            return None, None
        before = Q(publication_date__lt=self.publication_date)
        after = Q(publication_date__gt=self.publication_date)
        if self.pk is not None:
            before |= Q(publication_date=self.publication_date, pk__lt=self.pk)
            after |= Q(publication_date=self.publication_date, pk__gt=self.pk)
        else:
            before |= Q(publication_date=self.publication_date)
        siblings = self.siblings()
        previous_id = siblings.filter(before).newest_first().values("pk")[:1]
        next_id = siblings.filter(after).order_by("publication_date", "pk").values("pk")[:1]
        found = list(
            StoryPage.objects.filter(Q(pk=Subquery(previous_id)) | Q(pk=Subquery(next_id)))
        )
        mine = (self.publication_date, self.pk if self.pk is not None else float("inf"))
        previous = [s for s in found if (s.publication_date, s.pk) < mine]
        following = [s for s in found if (s.publication_date, s.pk) > mine]
        return (previous[0] if previous else None, following[0] if following else None)

    def get_listing_pages(self):
        """Home (latest stories), the story index and its feed, the gestures it illustrates
        ("Ils l'ont fait")."""
        gestures = [link.gesture for link in self.gesture_links.select_related("gesture")]
        return [self.get_home_page(), self.get_parent(), *gestures]

    def get_context(self, request, *args, **kwargs):
        from stories.views import story_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(story_page_context(story=self, request=request))
        return context


class StoryGesture(TranslatableMixin, Orderable):
    """A gesture a story illustrates. A gesture page reaches its stories through the
    reverse relation `gesture.stories` (these links, each with its `.story`), so that
    gestures/ never imports this app.

    Translatable (like KitFile): wagtail-localize then updates the English story's links in
    place when it syncs the translation, instead of deleting and recreating them, which left
    Wagtail's reference-index tasks of the deleted rows failing."""

    story = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="gesture_links")
    gesture = models.ForeignKey(
        "gestures.GesturePage",
        verbose_name=_("geste"),
        on_delete=models.CASCADE,
        related_name="stories",
    )

    # A ForeignKey to GesturePage: the page chooser only offers gesture pages.
    panels = [FieldPanel("gesture")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("geste illustré")
        verbose_name_plural = _("gestes illustrés")
