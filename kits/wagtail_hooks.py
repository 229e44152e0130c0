"""The kits app in the admin: poster templates, personalised posters and engaged communes as
snippets, and the downloads report under Reports."""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import EngagedCommune, PersonalisedPoster, PosterTemplate


class PosterTemplateViewSet(SnippetViewSet):
    model = PosterTemplate
    icon = "image"
    menu_label = _("Modèles d'affiche")
    list_display = ["name", "is_active", "updated_at"]
    copy_view_enabled = True


class EngagedCommuneViewSet(SnippetViewSet):
    model = EngagedCommune
    icon = "group"
    menu_label = _("Communes engagées")
    list_display = ["commune", "contact_name", "role", "confirmed_at", "created_at"]
    list_filter = {"confirmed_at": ["isnull"]}
    search_fields = ["contact_name", "email"]
    search_backend_name = None  # a few thousand rows at most; plain lookups suffice
    list_export = ["commune", "contact_name", "role", "email", "created_at", "confirmed_at"]
    panels = [
        # 35,000 communes make no select box: staff type the INSEE code.
        FieldPanel(
            "commune",
            widget=forms.TextInput(attrs={"inputmode": "text", "maxlength": 5}),
            help_text=_("Le code INSEE de la commune, par exemple 77288."),
        ),
        FieldPanel("contact_name"),
        FieldPanel("role"),
        FieldPanel("email"),
        FieldPanel("confirmed_at"),
    ]

    def get_queryset(self, request):
        return EngagedCommune.objects.select_related("commune__department")


class PosterRecordPermissionPolicy(ModelPermissionPolicy):
    """A personalised poster is a record of what a mairie made (its files are cached under
    the hash of its inputs): staff view it, or delete it, but never edit or add one."""

    def user_has_permission(self, user, action):
        return action not in {"add", "change"} and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = set(actions) - {"add", "change"}
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


register_permission_policy(PersonalisedPoster, PosterRecordPermissionPolicy(PersonalisedPoster))


class PersonalisedPosterViewSet(SnippetViewSet):
    model = PersonalisedPoster
    icon = "doc-full"
    menu_label = _("Affiches personnalisées")
    list_display = ["commune", "template", "created_at"]
    list_filter = ["template"]
    add_to_admin_menu = False
    search_backend_name = None
    search_fields = ["commune__name"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request):
        return PersonalisedPoster.objects.select_related("commune__department", "template")


register_snippet(PosterTemplateViewSet)
register_snippet(EngagedCommuneViewSet)
register_snippet(PersonalisedPosterViewSet)


@hooks.register("register_admin_urls")
def register_report_url():
    return [
        path("rapports/telechargements/", admin_views.download_report, name="kits_downloads"),
    ]


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return MenuItem(
        _("Téléchargements des kits"),
        reverse("kits_downloads"),
        icon_name="download",
        order=700,
    )
