"""The kits app in the admin: poster templates, personalised posters and engaged communes as
snippets, and the downloads report under Reports."""

from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from campaign.exports import SafeSpreadsheetExportMixin

from . import admin_views
from .models import EngagedCommune, PersonalisedPoster, PosterTemplate


class PosterTemplateViewSet(SnippetViewSet):
    model = PosterTemplate
    icon = "image"
    menu_label = _("Modèles d'affiche")
    list_display = ["name", "is_active", "updated_at"]
    copy_view_enabled = True


class ModerationIndexView(SafeSpreadsheetExportMixin, IndexView):
    """The listing, with "Approuver" and "Retirer" beside each row for staff who moderate."""

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not self.request.user.has_perm(self.moderate_permission):
            return buttons
        next_url = self.request.get_full_path()
        for action, label, icon, allowed in [
            ("approve", _("Approuver"), "check", self.can_approve(instance)),
            ("withdraw", _("Retirer"), "cross", self.can_withdraw(instance)),
        ]:
            if allowed:
                url = reverse(self.moderate_url_name, args=[instance.pk, action])
                buttons.append(
                    ListingMenuItem(
                        label, url=f"{url}?{urlencode({'next': next_url})}", icon_name=icon
                    )
                )
        return buttons


class ModerationMixin:
    """A `moderer/<pk>/<approve|withdraw>/` admin view for the viewset's model."""

    moderate_permission = ""

    @property
    def index_view_class(self):
        mixin = self

        class View(ModerationIndexView):
            moderate_permission = mixin.moderate_permission
            moderate_url_name = mixin.get_url_name("moderate")
            can_approve = staticmethod(mixin.can_approve)
            can_withdraw = staticmethod(mixin.can_withdraw)

        return View

    def can_approve(self, instance):
        return instance.status not in ("approved",)

    def can_withdraw(self, instance):
        return instance.status != "withdrawn"

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "moderer/<int:pk>/<str:action>/",
                partial(
                    admin_views.moderate,
                    model_name=self.model._meta.model_name,
                    list_url_name=self.get_url_name("list"),
                ),
                name="moderate",
            ),
        ]


class EngagedCommuneViewSet(ModerationMixin, SnippetViewSet):
    """The queue of declarations: unconfirmed, to check (confirmed by their address),
    approved (listed), withdrawn. Staff approve or withdraw from the listing."""

    model = EngagedCommune
    icon = "group"
    menu_label = _("Communes engagées")
    moderate_permission = "kits.moderate_engagedcommune"
    list_display = ["commune", "status", "contact_name", "role", "confirmed_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["contact_name", "email"]
    search_backend_name = None  # a few thousand rows at most; plain lookups suffice
    list_export = [
        "commune",
        "status",
        "contact_name",
        "role",
        "email",
        "created_at",
        "confirmed_at",
        "reviewed_at",
    ]
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
    ]

    def can_approve(self, instance):
        # The address must have confirmed the declaration: staff approve, never confirm.
        return instance.confirmed_at is not None and instance.status != "approved"

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


class PersonalisedPosterViewSet(ModerationMixin, SnippetViewSet):
    """Posters mairies made: staff approve one before it shows on its commune's page (its
    contact and event lines are free text), or withdraw it."""

    model = PersonalisedPoster
    icon = "doc-full"
    menu_label = _("Affiches personnalisées")
    moderate_permission = "kits.moderate_personalisedposter"
    list_display = ["commune", "status", "contact_line", "event_line", "template", "created_at"]
    list_filter = ["status", "template"]
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


class DownloadReportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_see_download_report(request.user)


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return DownloadReportMenuItem(
        _("Téléchargements des kits"),
        reverse("kits_downloads"),
        icon_name="download",
        order=700,
    )
