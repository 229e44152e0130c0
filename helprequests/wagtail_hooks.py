"""Admin of the help requests ("Coups de main" in the menu): the requests' queue and pages
(admin_views.py), the referents (staff only), the access log (staff only) and the dashboard
panel.

The requests are no snippet: a snippet brings an edit form of every field (a state moved by
hand, outside services.py), a chooser, bulk actions and wagtail-localize's API, none of which
a request needs. Their views form one viewset, "helprequests_admin", each view scoped by
`HelpRequest.objects.visible_to` (campaign.admin_visibility). The referents are a snippet
for staff: a referent never reaches it, its chooser included."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from . import admin_views
from .admin_forms import ReferentAdminForm, referents_group_sync
from .models import HelpRequest, Referent, is_referent
from .services import duration_display, staff_figures

register_permission_policy(HelpRequest, admin_views.request_policy)
referent_policy = ModelPermissionPolicy(Referent)
register_permission_policy(Referent, referent_policy)


# --- the requests ------------------------------------------------------------------------


class RequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_see_requests(request.user)


class HelpRequestViewSet(ViewSet):
    """The queue, a request's page and its actions, the candidates, the request taken by a
    mairie agent. Every address with a request's number answers 404 for a request the user
    may not see (admin_views.RequestMixin)."""

    name = "helprequests_admin"
    url_prefix = "help-requests"
    icon = "help"
    menu_label = _("Demandes")
    menu_name = "help-requests"
    menu_item_class = RequestsMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.HelpRequestIndexView.as_view(), name="index"),
            path(
                "results/",
                admin_views.HelpRequestIndexView.as_view(results_only=True),
                name="index_results",
            ),
            path("add/", admin_views.AddView.as_view(), name="add"),
            path("<int:pk>/", admin_views.HelpRequestDetailView.as_view(), name="detail"),
            path(
                "<int:pk>/candidates/",
                admin_views.CandidatesView.as_view(),
                name="candidates",
            ),
            path("<int:pk>/propose/", admin_views.ProposeView.as_view(), name="propose"),
            path(
                "<int:pk>/cancel-proposal/",
                admin_views.CancelProposalView.as_view(),
                name="cancel_proposal",
            ),
            path("<int:pk>/close/", admin_views.CloseView.as_view(), name="close"),
        ]


# --- the access log ----------------------------------------------------------------------


class AccessLogMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.access_log_policy.user_has_permission(request.user, "view")


class AccessLogViewSet(ViewSet):
    """Read-only: a listing and its results, nothing to add, edit or delete."""

    name = "helprequests_access_log"
    url_prefix = "help-requests-access-log"
    icon = "history"
    menu_label = _("Journal des accès")
    menu_name = "help-requests-access-log"
    menu_item_class = AccessLogMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.AccessLogIndexView.as_view(), name="index"),
            path(
                "results/",
                admin_views.AccessLogIndexView.as_view(results_only=True),
                name="index_results",
            ),
        ]


# --- the referents -----------------------------------------------------------------------


class StaffOnlyChooserMixin:
    """The referents' chooser (no form uses it) is for those who may see the referents,
    like their listing: nobody else learns who is a referent of what."""

    def dispatch(self, request, *args, **kwargs):
        if not referent_policy.user_has_any_permission(
            request.user, ["add", "change", "delete", "view"]
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReferentChooseView(StaffOnlyChooserMixin, ChooseView):
    pass


class ReferentChooseResultsView(StaffOnlyChooserMixin, ChooseResultsView):
    pass


class ReferentChosenView(StaffOnlyChooserMixin, SnippetChosenView):
    pass


class ReferentChosenMultipleView(StaffOnlyChooserMixin, SnippetChosenMultipleView):
    pass


class ReferentChooserCreateView(StaffOnlyChooserMixin, SnippetCreateView):
    pass


class ReferentChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ReferentChooseView
    choose_results_view_class = ReferentChooseResultsView
    chosen_view_class = ReferentChosenView
    chosen_multiple_view_class = ReferentChosenMultipleView
    create_view_class = ReferentChooserCreateView


class ReferentIndexView(IndexView):
    def get_base_queryset(self):
        # The user's and the commune's names in each row: one query, not one per row.
        return super().get_base_queryset().select_related("user", "commune")


class ReferentViewSet(SnippetViewSet):
    """Who handles which commune's requests: a user and a commune (its INSEE code), for
    staff granted the referents' permissions (migrations/0002_groups.py) and superusers.
    Saving a row puts its user in the referents' group; deleting their last row takes them
    out (admin_forms.referents_group_sync)."""

    model = Referent
    icon = "user"
    menu_label = _("Référent·es")
    menu_name = "help-referents"
    # Its own item in the "Coups de main" menu: not listed again under "Snippets".
    menu_item_is_registered = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ReferentIndexView
    chooser_viewset_class = ReferentChooserViewSet
    search_backend_name = None
    search_fields = ["user__username", "user__last_name", "commune__name", "commune__insee_code"]
    list_display = ["user", "commune", "organisation", "created_at"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel(
                "user",
                help_text=_(
                    "Son compte d'administration (créez-le d'abord dans Paramètres › "
                    "Utilisateurs). Il est ajouté au groupe « Référents coups de main »."
                ),
            ),
            FieldPanel("commune"),
            FieldPanel("organisation"),
        ],
        base_form_class=ReferentAdminForm,
    )


@hooks.register("after_delete_snippet")
def referents_deleted(request, instances):
    # The single and the bulk delete both run this hook: who has no commune left leaves the
    # referents' group (admin_forms.referents_group_sync says why).
    users = [i.user for i in instances if isinstance(i, Referent)]
    if users:
        referents_group_sync(users)


class HelpRequestsMenu(ViewSetGroup):
    menu_label = _("Coups de main")
    menu_icon = "help"
    menu_name = "help-requests-menu"
    menu_order = 252
    items = (HelpRequestViewSet, ReferentViewSet, AccessLogViewSet)


# register_snippet registers each viewset of the group (the referents' as a snippet, the
# others as plain viewsets), then the group's menu item.
register_snippet(HelpRequestsMenu)


# --- the dashboard -----------------------------------------------------------------------


class HelpRequestsDashboardPanel(Component):
    name = "help_requests"
    template_name = "helprequests/admin/dashboard_panel.html"
    order = 55

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        figures = staff_figures(user=self.user)
        context["figures"] = figures
        context["chart"] = bar_chart(figures)
        context["is_referent"] = is_referent(self.user) and not self.user.is_superuser
        context["departments"] = [
            {**row, "time": duration_display(row["minutes"]) or "—"}
            for row in figures["by_department"]
        ]
        context["total_time"] = duration_display(figures["totals"]["minutes"]) or "—"
        return context


def bar_chart(figures, *, height=100, bar_width=14, gap=10, label_height=14):
    """SVG geometry of one stacked bar per week (the requests received: done at the bottom,
    closed without help, then still open), its count above it and the week below. No
    script, no style attribute (the CSP forbids inline styles): presentation attributes."""
    peak = figures["peak"]
    top = label_height  # room for the counts above the bars
    weeks = []
    for i, row in enumerate(figures["weeks"]):
        x = i * (bar_width + gap)
        y = top + height
        segments = []
        for kind in ("done", "closed", "open"):
            value = row[kind]
            if not value:
                continue
            h = round(height * value / peak, 1)
            y -= h
            segments.append(
                {
                    "kind": kind,
                    "y": round(y, 1),
                    "height": h,
                    "label": _("Semaine du %(week)s : %(count)s %(kind)s")
                    % {
                        "week": row["week"].strftime("%d/%m"),
                        "count": value,
                        "kind": KIND_LABELS[kind],
                    },
                }
            )
        weeks.append(
            {
                "x": x,
                "middle": x + bar_width / 2,
                "received": row["received"],
                "count_y": round(y - 3, 1),
                "week": row["week"].strftime("%d/%m"),
                "segments": segments,
            }
        )
    return {
        "weeks": weeks,
        "bar_width": bar_width,
        "axis_y": top + height,
        "week_y": top + height + label_height,
        "height": top + height + label_height + 2,
        "width": max(len(weeks) * (bar_width + gap) - gap, 1),
    }


KIND_LABELS = {
    "done": _("faites"),
    "closed": _("closes sans aide"),
    "open": _("en cours"),
}


@hooks.register("construct_homepage_panels")
def add_help_requests_panel(request, panels):
    if admin_views.can_see_requests(request.user):
        panels.append(HelpRequestsDashboardPanel(request.user))
