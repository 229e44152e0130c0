"""The network in the admin: referents as snippets; meeting registrations for staff only
(never mairie users), read-only, exported only with their own permission; mairie users
write practice sheets of their communes and nothing else of the network."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from campaign.exports import SafeSpreadsheetExportMixin
from volunteers.models.access import is_mairie_user
from volunteers.selectors import without_mairie_users

from .admin_forms import mairie_commune_codes
from .models import MeetingRegistration, PracticeSheetPage, Referent

EXPORT_PERMISSION = "network.export_meetingregistration"


class ReferentViewSet(SnippetViewSet):
    model = Referent
    icon = "group"
    menu_label = _("Référents régionaux")
    list_display = ["name", "kind", "region", "locale"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "role"]
    search_backend_name = None

    def get_queryset(self, request):
        return Referent.objects.select_related("region", "locale")


class RegistrationPermissionPolicy(ModelPermissionPolicy):
    """Registrations are personal data: staff who hold the permission view, export and
    delete them; mairie users never, whatever their groups; nobody adds or edits one (the
    person does, through the site's links)."""

    def user_has_permission(self, user, action):
        if action in {"add", "change"} or is_mairie_user(user):
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = set(actions) - {"add", "change"}
        if not actions:
            return get_user_model().objects.none()
        return without_mairie_users(super().users_with_any_permission(actions))


register_permission_policy(MeetingRegistration, RegistrationPermissionPolicy(MeetingRegistration))


class RegistrationIndexView(SafeSpreadsheetExportMixin, IndexView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not request.user.has_perm(EXPORT_PERMISSION) or is_mairie_user(request.user):
            self.is_export = False
            self.list_export = []


class MeetingRegistrationViewSet(SnippetViewSet):
    model = MeetingRegistration
    index_view_class = RegistrationIndexView
    icon = "user"
    menu_label = _("Inscriptions aux rencontres")
    add_to_admin_menu = False
    list_display = ["meeting", "name", "role", "confirmed_at", "created_at"]
    list_filter = ["meeting"]
    search_fields = ["name", "email"]
    search_backend_name = None  # the ORM: registrations stay out of the search index
    list_export = [
        "meeting",
        "name",
        "email",
        "commune",
        "role",
        "language",
        "created_at",
        "confirmed_at",
    ]
    inspect_view_enabled = True
    inspect_view_fields = [
        "meeting",
        "name",
        "email",
        "commune",
        "role",
        "language",
        "consent_wording",
        "consent_at",
        "created_at",
        "confirmed_at",
        "reminded_at",
    ]
    copy_view_enabled = False
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return MeetingRegistration.objects.select_related("meeting")


register_snippet(ReferentViewSet)
register_snippet(MeetingRegistrationViewSet)


# Mairie users hold "add" and "change" on the network's home (services.network_moderation_
# setup), which Wagtail applies to every page under it: these hooks narrow it to the practice
# sheets of their own communes. Pages of other apps are left to their own permissions.


def _is_network_page(page_or_class):
    return page_or_class._meta.app_label == "network"


def _refuse_unless_own_sheet(request, page):
    specific = page.specific_deferred
    if not is_mairie_user(request.user) or not _is_network_page(specific):
        return
    if not isinstance(specific, PracticeSheetPage):
        raise PermissionDenied
    if specific.commune_id not in mairie_commune_codes(request.user):
        raise PermissionDenied


@hooks.register("before_create_page")
def mairie_creates_sheets_only(request, parent_page, page_class):
    if (
        is_mairie_user(request.user)
        and _is_network_page(page_class)
        and page_class is not PracticeSheetPage
    ):
        raise PermissionDenied


@hooks.register("before_edit_page")
@hooks.register("before_delete_page")
def mairie_edits_own_sheets_only(request, page):
    _refuse_unless_own_sheet(request, page)


@hooks.register("before_copy_page")
@hooks.register("before_move_page")
def mairie_neither_copies_nor_moves(request, page, *args):
    if is_mairie_user(request.user) and _is_network_page(page.specific_deferred):
        raise PermissionDenied


@hooks.register("construct_explorer_page_queryset")
def mairie_sees_own_sheets_in_the_explorer(parent_page, pages, request):
    """Under the network's home, a mairie user's explorer lists their communes' sheets only."""
    if not is_mairie_user(request.user) or not _is_network_page(parent_page.specific_class):
        return pages
    own = PracticeSheetPage.objects.filter(
        commune_id__in=mairie_commune_codes(request.user)
    ).values("pk")
    return pages.filter(pk__in=own)
