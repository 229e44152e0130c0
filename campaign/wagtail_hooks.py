"""The navigation snippet, and two guards over generic admin views that Wagtail and
wagtail-localize serve for every snippet model, whoever asks:

- wagtail-localize's snippet API (`/admin/localize/api/snippets/<app>/<model>/[<pk>/]`, used by
  its translation editor to name a chosen snippet) listed every row of any snippet model to
  any admin user: 230 of 230 volunteers to a mairie user. Here it answers with the rows the
  user's permission policy gives them (`instances_user_has_any_permission_for`): a mairie user
  gets their own communes' shared volunteers, others none.
- the snippets' bulk delete (`/admin/bulk/<app>/<model>/delete/?id=…`) showed the names of the
  chosen rows to a user without the delete permission before refusing. Here it needs the
  model's delete permission first, as Wagtail's own user bulk actions do."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail_localize.views import snippets_api

from .models import Navigation


class NavigationViewSet(SnippetViewSet):
    model = Navigation
    icon = "list-ul"
    menu_label = _("Navigation")
    add_to_settings_menu = True
    list_display = ["name", "locale"]


register_snippet(NavigationViewSet)


# ---------------------------------------------------------------------------------------
# wagtail-localize's snippet API, limited to what the user may see

SEEING_ACTIONS = ["add", "change", "delete", "view"]


class PermittedSnippetAPI(snippets_api.SnippetViewSet):
    def get_queryset(self):
        model = self.get_model()  # 404 for a model that is not a snippet
        policy = policy_registry.get_by_type(model)
        return policy.instances_user_has_any_permission_for(self.request.user, SEEING_ACTIONS)


@hooks.register("register_admin_urls", order=-1)
def register_permitted_snippet_api():
    # Registered before wagtail-localize's own patterns (same paths): these answer, and
    # reversing "wagtail_localize:snippets_api_*" still gives the same addresses.
    return [
        path(
            "localize/api/snippets/<slug:app_label>/<slug:model_name>/",
            PermittedSnippetAPI.as_view({"get": "list"}),
            name="campaign_snippets_api_listing",
        ),
        path(
            "localize/api/snippets/<slug:app_label>/<slug:model_name>/<str:pk>/",
            PermittedSnippetAPI.as_view({"get": "retrieve"}),
            name="campaign_snippets_api_detail",
        ),
    ]


# ---------------------------------------------------------------------------------------
# The snippets' bulk delete, for those who may delete


class PermittedDeleteBulkAction(PermissionCheckedMixin, DeleteBulkAction):
    """Wagtail's bulk delete of snippets, refused (403) before anything is listed to a user
    without the model's delete permission."""

    permission_required = "delete"


# After wagtail.snippets' own registration (order 0): the registry keeps the last class
# registered for a model and action.
hooks.register("register_bulk_action", PermittedDeleteBulkAction, order=1)
