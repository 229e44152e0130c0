"""Admin: the volunteers listing (filters, search, spreadsheet export), the assisted sign-up
(admin_views.py, its own menu item just below), the mairie accesses, the email templates, and
the dashboard panel. Mairie users see only the confirmed volunteers
of their communes who agreed to be shared, in every view that shows a volunteer. (The
mailings' admin is mailings/wagtail_hooks.py.)"""

from django.http import Http404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import IndexView, InspectView, SnippetViewSet

import django_filters

from campaign.exports import SafeSpreadsheetExportMixin
from campaign.geography.models import Department, Region

from . import admin_views
from .interests import interest_choices
from .models import AssistedSignup, EmailTemplate, MairieAccess, Volunteer
from .models.access import can_sign_up_on_behalf, is_mairie_user
from .selectors import dashboard_figures
from .services.assisted import LETTER_REISSUE_ACTION


class VolunteerPermissionPolicy(ModelPermissionPolicy):
    """Volunteers are read-only in the admin, for everyone: their data changes only through
    the services (the person's own links, the ESP's webhooks), which keep the consent
    records. Viewing one row also requires that row to be visible to the user."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and Volunteer.objects.visible_to(user).filter(pk=instance.pk).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        # Used by the generic guards (campaign/wagtail_hooks.py: wagtail-localize's snippet
        # API, the bulk actions): the rows the user may see, never the whole table.
        if self.user_has_any_permission(user, actions):
            return Volunteer.objects.visible_to(user)
        return Volunteer.objects.none()


# Before the viewset is registered, or Wagtail creates its default policy.
register_permission_policy(Volunteer, VolunteerPermissionPolicy(Volunteer))


def visible_volunteers(request):
    return Volunteer.objects.visible_to(request.user)


class VolunteerFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Statut"), choices=Volunteer.Status.choices)
    region = django_filters.ModelChoiceFilter(
        label=_("Région"),
        field_name="commune__region",
        queryset=Region.objects.all(),
        to_field_name="code",
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Département"),
        field_name="commune__department",
        queryset=Department.objects.all(),
        to_field_name="code",
    )
    commune = django_filters.CharFilter(
        label=_("Commune"),
        method="filter_commune",
        help_text=_("Code INSEE ou début du nom."),
    )
    interest = django_filters.ChoiceFilter(
        label=_("Centre d'intérêt"), method="filter_interest", choices=interest_choices
    )
    language = django_filters.ChoiceFilter(
        label=_("Langue"), choices=Volunteer._meta.get_field("language").choices
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Date d'inscription"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Volunteer
        fields = []

    def filter_commune(self, queryset, name, value):
        value = value.strip()
        if len(value) == 5 and value[:2].isalnum() and value[2:].isdigit():
            return queryset.filter(commune_id=value.upper())
        return queryset.filter(commune__name__istartswith=value)

    def filter_interest(self, queryset, name, value):
        return queryset.filter(interests__slug=value).distinct()


class VolunteerIndexView(SafeSpreadsheetExportMixin, IndexView):
    """The listing and its CSV/XLSX export (formulas neutralised), without bulk actions:
    volunteers are read-only in the admin, so no one is offered an action that would be
    refused."""

    @cached_property
    def columns(self):
        return [
            column
            for column in super().columns
            if not isinstance(column, BulkActionsCheckboxColumn)
        ]

    def get_base_queryset(self):
        return (
            visible_volunteers(self.request)
            .select_related("commune__department")
            .prefetch_related("interests")
        )


class VolunteerInspectView(InspectView):
    def get_object(self, queryset=None):
        # Another commune's volunteer does not exist for a mairie user: 404, not 403.
        try:
            return visible_volunteers(self.request).get(pk=self.pk)
        except (Volunteer.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    @cached_property
    def header_more_buttons(self):
        # An assisted sign-up still awaiting its person's confirmation: the way to print a
        # new letter, for those who may (AssistedSignup.objects.in_reach_of). One query.
        buttons = list(super().header_more_buttons)
        signup = (
            AssistedSignup.objects.in_reach_of(self.request.user)
            .awaiting_confirmation()
            .filter(volunteer=self.object)
            .only("pk", "channel")
            .first()
        )
        if signup is not None:
            label = (
                _("Imprimer une nouvelle lettre")
                if signup.channel == AssistedSignup.Channel.LETTER
                else _("Imprimer une lettre")
            )
            buttons.append(
                Button(
                    label,
                    url=reverse("assisted_signup:reissue", args=[signup.pk]),
                    icon_name="doc-full",
                    priority=30,
                )
            )
        return buttons


class VolunteerChooseView(ChooseView):
    def get_object_list(self):
        return visible_volunteers(self.request)


class VolunteerChooseResultsView(ChooseResultsView):
    def get_object_list(self):
        return visible_volunteers(self.request)


class VolunteerChosenView(SnippetChosenView):
    def get_object(self, pk):
        try:
            return visible_volunteers(self.request).get(pk=pk)
        except (Volunteer.DoesNotExist, ValueError) as exc:
            raise Http404 from exc


class VolunteerChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        # `?id=` of another commune's volunteer is ignored, as if it did not exist.
        pks = [pk for pk in pks if str(pk).isdigit()]
        return visible_volunteers(self.request).filter(pk__in=pks)


class VolunteerChooserViewSet(SnippetChooserViewSet):
    choose_view_class = VolunteerChooseView
    choose_results_view_class = VolunteerChooseResultsView
    chosen_view_class = VolunteerChosenView
    chosen_multiple_view_class = VolunteerChosenMultipleView


class VolunteerViewSet(SnippetViewSet):
    model = Volunteer
    icon = "group"
    menu_label = _("Bénévoles")
    menu_name = "volunteers"
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = VolunteerIndexView
    index_template_name = "volunteers/admin/volunteer_index.html"  # no bulk actions
    inspect_view_class = VolunteerInspectView
    chooser_viewset_class = VolunteerChooserViewSet
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = VolunteerFilterSet
    # Django's ORM, not the search index: personal data stays out of the index table.
    search_backend_name = None
    search_fields = ["email", "first_name", "last_name", "commune__name", "postcode"]
    list_display = ["__str__", "email", "commune", "status", "created_at"]
    list_per_page = 50
    list_export = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "postcode",
        "commune.insee_code",
        "commune.name",
        "commune.department.name",
        "interests_display",
        "availability_display",
        "hours_per_month",
        "language",
        "status",
        "consent_mairie",
        "created_at",
        "confirmed_at",
    ]
    export_headings = {
        "commune.insee_code": _("Code INSEE"),
        "commune.name": _("Commune"),
        "commune.department.name": _("Département"),
        "interests_display": _("Centres d'intérêt"),
        "availability_display": _("Disponibilités"),
    }
    export_filename = "benevoles"
    inspect_view_fields = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "postcode",
        "commune",
        "availability",
        "hours_per_month",
        "language",
        "status",
        "consent_emails",
        "consent_mairie",
        "consent_help_requests",
        "help_paused",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ]


class MairieAccessViewSet(SnippetViewSet):
    model = MairieAccess
    icon = "key"
    menu_label = _("Accès mairie")
    add_to_settings_menu = True
    list_display = ["user", "commune", "created_at"]
    search_fields = ["user__username", "commune__name", "commune__insee_code"]
    search_backend_name = None


class EmailTemplateViewSet(SnippetViewSet):
    model = EmailTemplate
    icon = "mail"
    menu_label = _("Modèles d'e-mails")
    add_to_settings_menu = True
    list_display = ["__str__", "subject", "locale"]


class AssistedSignupMenuItem(MenuItem):
    def is_shown(self, request):
        return can_sign_up_on_behalf(request.user)


class AssistedSignupViewSet(ViewSet):
    """The "inscription accompagnée" (admin_views.py): staff and mairie users only, the
    latter for their own communes. Its own menu item, just below "Bénévoles" (which stays a
    plain link to the listing, as staff and mairie users know it). Beside the form: the
    sign-ups awaiting confirmation (`pending/`) and the new letter of one of them
    (`<pk>/new-letter/`, also offered on the volunteer's page for staff)."""

    name = "assisted_signup"
    url_prefix = "volunteers/assisted-signup"
    icon = "user"
    menu_label = _("Inscription accompagnée")
    menu_name = "assisted_signup"
    menu_order = 251
    add_to_admin_menu = True
    menu_item_class = AssistedSignupMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.AssistedSignupFormView.as_view(), name="form"),
            path("done/", admin_views.AssistedSignupDoneView.as_view(), name="done"),
            path("letter/", admin_views.assisted_letter, name="letter"),
            path("pending/", admin_views.AssistedSignupPendingView.as_view(), name="pending"),
            path(
                "<int:pk>/new-letter/",
                admin_views.AssistedLetterReissueView.as_view(),
                name="reissue",
            ),
        ]


register_snippet(VolunteerViewSet)


@hooks.register("register_admin_viewset")
def register_assisted_signup_viewset():
    return AssistedSignupViewSet()


register_snippet(MairieAccessViewSet)
register_snippet(EmailTemplateViewSet)


@hooks.register("register_log_actions")
def register_volunteers_log_actions(actions):
    # Wagtail's history (ModelLogEntry): who printed a new letter, and when. The entry's
    # label is the sign-up's method and date (AssistedSignup.__str__): no personal data.
    actions.register_action(
        LETTER_REISSUE_ACTION,
        _("Nouvelle lettre d'inscription"),
        _("Nouvelle lettre imprimée : le code de l'ancienne ne fonctionne plus"),
    )


class VolunteersDashboardPanel(Component):
    name = "volunteers"
    template_name = "volunteers/admin/dashboard_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        figures = dashboard_figures(user=self.user)
        context["figures"] = figures
        context["chart"] = bar_chart(figures)
        context["is_mairie"] = is_mairie_user(self.user)
        return context


def bar_chart(figures, *, height=100, bar_width=8):
    """SVG geometry for two bars per week (no script, no style attribute)."""
    bars = []
    peak = figures["peak"]
    for i, row in enumerate(figures["weeks"]):
        for j, kind in enumerate(("signups", "confirmations")):
            value = row[kind]
            h = round(height * value / peak)
            label = _("%(week)s : %(count)s %(kind)s") % {
                "week": row["week"].strftime("%d/%m"),
                "count": value,
                "kind": _("inscriptions") if kind == "signups" else _("confirmations"),
            }
            bars.append(
                {
                    "x": i * (2 * bar_width + 6) + j * bar_width,
                    "y": height - h,
                    "height": h,
                    "kind": kind,
                    "label": label,
                }
            )
    return {
        "bars": bars,
        "bar_width": bar_width,
        "height": height,
        "width": len(figures["weeks"]) * (2 * bar_width + 6),
    }


@hooks.register("construct_homepage_panels")
def add_volunteers_panel(request, panels):
    user = request.user
    if user.is_superuser or is_mairie_user(user) or user.has_perm("volunteers.view_volunteer"):
        panels.append(VolunteersDashboardPanel(user))
