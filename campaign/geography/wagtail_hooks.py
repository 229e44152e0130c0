from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Commune

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


class CommuneViewSet(SnippetViewSet):
    model = Commune
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
