"""Admin of the stories app: themes and nominations as snippets, and the one-click
"turn this nomination into a draft story" action."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet

from . import admin_views, selectors, services
from .models import Nomination, StoryTheme
from .models.nominations import nomination_photo_html


class StoryThemeViewSet(SnippetViewSet):
    model = StoryTheme
    icon = "tag"
    menu_label = _("Thèmes d'histoire")
    list_display = ["name", "slug", "locale"]
    search_fields = ["name"]
    add_to_admin_menu = False


class NominationInspectView(InspectView):
    def get_photo_display_value(self):
        # The photo through the admin view that checks the permission, never /media/.
        return nomination_photo_html(self.object)


class NominationViewSet(SnippetViewSet):
    model = Nomination
    inspect_view_class = NominationInspectView
    icon = "user"
    menu_label = _("Propositions de héros")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["hero_first_name", "commune", "proposer_name", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["hero_first_name", "proposer_name", "what_they_did"]
    search_backend_name = None  # the ORM: nominations stay out of the search index
    inspect_view_enabled = True
    inspect_view_fields = [
        "status",
        "hero_first_name",
        "commune",
        "what_they_did",
        "photo",
        "hero_agreed",
        "proposer_name",
        "proposer_email",
        "language",
        "created_at",
        "story",
        "staff_notes",
    ]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return Nomination.objects.select_related("commune")


register_snippet(StoryThemeViewSet)
register_snippet(NominationViewSet)


@hooks.register("register_admin_urls")
def register_nomination_urls():
    return [
        path(
            "stories/nominations/<int:pk>/histoire/",
            admin_views.nomination_to_story_view,
            name="stories_nomination_to_story",
        ),
        path(
            "stories/nominations/<int:pk>/photo/",
            admin_views.nomination_photo_view,
            name="stories_nomination_photo",
        ),
    ]


def _can_turn_into_story(user):
    """Whether the user may create stories under the story index (page permissions are
    per page, not global): computed once per user object, not once per listing row."""
    if not hasattr(user, "_stories_can_add_story"):
        index = services.story_index_for()
        user._stories_can_add_story = bool(
            index and index.permissions_for_user(user).can_add_subpage()
        )
    return user._stories_can_add_story


@hooks.register("register_snippet_listing_buttons")
def nomination_listing_buttons(snippet, user, next_url=None):
    if (
        isinstance(snippet, Nomination)
        and not snippet.story_id
        and user.has_perm("stories.change_nomination")
        and _can_turn_into_story(user)
    ):
        yield ListingButton(
            _("Créer une histoire en brouillon"),
            reverse("stories_nomination_to_story", args=[snippet.pk]),
            icon_name="doc-empty-inverse",
            priority=5,
        )


@hooks.register("kits_commune_stories")
def commune_stories(*, commune, language, limit):
    # The engaged-commune page (kits/) lists these without importing stories/.
    return selectors.commune_stories(commune=commune, language=language, limit=limit)
