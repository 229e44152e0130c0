"""The navigation snippet, and the snippets' bulk delete for those who may delete.

Wagtail's bulk delete of snippets (`/admin/bulk/<app>/<model>/delete/?id=…`) listed the
names of the chosen rows to any admin user, then refused those without the permission: a
mairie user read other communes' volunteers there. Here it needs the model's delete
permission first, as Wagtail's own user bulk actions do. The other admin guards (the
choosers' `?id=`, wagtail-localize's snippet API) are URL overrides: campaign/admin_urls.py."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .cache import mark_cacheable
from .models import Navigation


class NavigationViewSet(SnippetViewSet):
    model = Navigation
    icon = "list-ul"
    menu_label = _("Navigation")
    add_to_settings_menu = True
    list_display = ["name", "locale"]


register_snippet(NavigationViewSet)


class PermittedDeleteBulkAction(PermissionCheckedMixin, DeleteBulkAction):
    """Wagtail's bulk delete of snippets, refused before anything is listed to a user
    without the model's delete permission."""

    permission_required = "delete"


# After wagtail.snippets' own registration (order 0): the registry keeps the last class
# registered for a model and action.
hooks.register("register_bulk_action", PermittedDeleteBulkAction, order=1)


@hooks.register("on_serve_page")
def anonymous_pages_cacheable(next_serve_page):
    """Wagtail's pages served to anonymous visitors may be stored by the page cache and
    shared caches; campaign/cache.py still refuses any that set a cookie, used the session,
    a CSRF token or a CSP nonce."""

    def serve(page, request, args, kwargs):
        response = next_serve_page(page, request, args, kwargs)
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated) and not getattr(
            request, "is_preview", False
        ):
            mark_cacheable(response)
        return response

    return serve
