from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from .models import Commune, Postcode

WRITE_ACTIONS = {"add", "change", "delete"}


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Reference data: `import_communes` is its only writer, so nobody, superusers included,
    adds, edits or deletes it in the admin. Viewing still needs the "view" permission."""

    def user_has_permission(self, user, action):
        return action not in WRITE_ACTIONS and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = set(actions) - WRITE_ACTIONS
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


register_permission_policy(Commune, ReadOnlyPermissionPolicy(Commune))


def _communes():
    return Commune.objects.select_related("department").prefetch_related(
        Prefetch("postcodes", queryset=Postcode.objects.order_by("code"))
    )


class CommuneSearchForm(BaseFilterForm):
    """The chooser's search box (Wagtail's modal script sends the field named `q`)."""

    q = forms.CharField(
        label=_("Nom, code postal ou code INSEE"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Melun, 77000 ou 77288")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()[:100]
        if query:
            objects = objects.lookup(query)
            self.is_searching = True
            self.search_query = query
        return objects


class CommuneChooseViewMixin:
    filter_form_class = CommuneSearchForm

    def get_object_list(self):
        return _communes()

    @property
    def columns(self):
        # Name and department code, department name, postcodes and INSEE code: enough to tell
        # the 20-odd "Saint-Martin" apart.
        return [
            *super().columns,
            Column("department", label=_("département"), accessor="department.name"),
            Column(
                "postcodes",
                label=_("codes postaux"),
                accessor=lambda commune: ", ".join(p.code for p in commune.postcodes.all()),
            ),
            Column("insee_code", label=_("code INSEE")),
        ]


class CommuneChooseView(CommuneChooseViewMixin, ChooseView):
    pass


class CommuneChooseResultsView(CommuneChooseViewMixin, ChooseResultsView):
    pass


class CommuneChooserViewSet(SnippetChooserViewSet):
    choose_view_class = CommuneChooseView
    choose_results_view_class = CommuneChooseResultsView


class CommuneIndexView(IndexView):
    def search_queryset(self, queryset):
        # The same lookup as the chooser: folded names, postcodes, INSEE codes.
        if not self.is_searching:
            return queryset
        return queryset.lookup(self.search_query)


class CommuneViewSet(SnippetViewSet):
    model = Commune
    index_view_class = CommuneIndexView
    chooser_viewset_class = CommuneChooserViewSet
    chooser_per_page = 20
    icon = "site"
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["name", "insee_code", "department", "population"]
    list_filter = ["kind", "region"]
    # Plain database lookups: 35,000 reference rows have no business in the search index.
    search_backend_name = None
    search_fields = ["name", "search_name", "insee_code"]
    inspect_view_fields = [
        "name",
        "insee_code",
        "kind",
        "parent",
        "department",
        "region",
        "population",
    ]

    def get_queryset(self, request):
        return Commune.objects.select_related("department")

    def get_permissions_to_register(self):
        # Only "view" means anything here; the group editor need not offer the others.
        return Permission.objects.filter(
            content_type__app_label="geography", codename="view_commune"
        )


register_snippet(CommuneViewSet)
