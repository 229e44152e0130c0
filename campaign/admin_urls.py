"""Admin addresses answered here before Wagtail's own (campaign/urls.py includes these
patterns ahead of `wagtail.admin.urls`), each behind Wagtail's admin access check.

- wagtail-localize's snippet API (`localize/api/snippets/<app>/<model>/[<pk>/]`, which its
  translation editor reads to name a chosen snippet) listed every row of any snippet model to
  any admin user: 230 of 230 volunteers to a mairie user. Here it answers with the rows the
  user's permission policy gives them (`instances_user_has_any_permission_for`): a mairie
  user gets their own communes' shared volunteers, a user without permission nothing.
- `?id=` of the choosers' chosen-multiple views and of the bulk actions: Wagtail passes each
  value to `filter(pk__in=…)`, and a value that cannot be a key of the model ("x", "1.5", a
  number beyond 64 bits) answered 500; the page chooser also answered 500 for the tree's root
  (a page without a parent). Here such a value gets Django's 400 page (handler400, in the
  visitor's language) and the rest goes on to Wagtail's own views.
- the snippet choosers of nominations, engaged communes, personalised posters, mairie
  accesses and mailings listed their rows (names, addresses) to any admin user: they now need
  a permission on the model (PRIVATE_SNIPPETS below)."""

from django.apps import apps
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path

from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import chooser as page_chooser
from wagtail.admin.views.bulk_action import dispatcher as bulk_dispatcher
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.snippets.models import get_snippet_models
from wagtail_localize.views import snippets_api

# ---------------------------------------------------------------------------------------
# wagtail-localize's snippet API, limited to what the user may see

SEEING_ACTIONS = ["add", "change", "delete", "view"]


class PermittedSnippetAPI(snippets_api.SnippetViewSet):
    def get_queryset(self):
        model = self.get_model()  # 404 for a model that is not a snippet
        policy = policy_registry.get_by_type(model)
        return policy.instances_user_has_any_permission_for(self.request.user, SEEING_ACTIONS)


# ---------------------------------------------------------------------------------------
# `?id=` values no model has

LARGEST_KEY = 2**63 - 1


def bad_ids(model, values, *, allow_all=False):
    """True when one `id` value cannot be a primary key of `model`."""
    field = model._meta.pk
    for value in values:
        if allow_all and value == "all":
            continue
        try:
            key = field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            return True
        if key in (None, ""):
            return True
        if isinstance(key, int) and not -LARGEST_KEY <= key <= LARGEST_KEY:
            return True
    return False


def bad_request():
    return BadRequest("an id parameter that is no key of the model")


def _model(app_label, model_name):
    try:
        return apps.get_model(app_label, model_name)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc


def bulk_action(request, app_label, model_name, action):
    if bad_ids(_model(app_label, model_name), request.GET.getlist("id"), allow_all=True):
        raise bad_request()
    return bulk_dispatcher.index(request, app_label, model_name, action)


# ---------------------------------------------------------------------------------------
# Snippet choosers of personal or staff-only data. Wagtail's snippet choosers list a model's
# rows to any admin user (a chooser serves forms whose users may not edit the model): right
# for communes, themes, categories and poster templates, which forms choose; wrong for these,
# which no form chooses and which hold people's names and addresses. Their choosers need a
# permission on the model, as their listings do. (Volunteers have their own, narrower
# chooser views: volunteers/wagtail_hooks.py.)

PRIVATE_SNIPPETS = {
    "stories.nomination",
    "kits.engagedcommune",
    "kits.personalisedposter",
    "volunteers.mairieaccess",
    "volunteers.mailing",
}


def _chooser_of(request, app_label, model_name):
    model = _model(app_label, model_name)
    if model not in get_snippet_models():
        raise Http404
    if model._meta.label_lower in PRIVATE_SNIPPETS:
        policy = policy_registry.get_by_type(model)
        if not policy.user_has_any_permission(request.user, SEEING_ACTIONS):
            raise PermissionDenied
    return model, model.snippet_viewset.chooser_viewset


def snippet_choose(request, app_label, model_name):
    return _chooser_of(request, app_label, model_name)[1].choose_view(request)


def snippet_choose_results(request, app_label, model_name):
    return _chooser_of(request, app_label, model_name)[1].choose_results_view(request)


def snippet_chosen(request, app_label, model_name, pk):
    return _chooser_of(request, app_label, model_name)[1].chosen_view(request, pk=pk)


def snippet_chosen_multiple(request, app_label, model_name):
    model, chooser = _chooser_of(request, app_label, model_name)
    if bad_ids(model, request.GET.getlist("id")):
        raise bad_request()
    return chooser.chosen_multiple_view(request)


def image_chosen_multiple(request):
    from wagtail.images import get_image_model
    from wagtail.images.views.chooser import viewset

    if bad_ids(get_image_model(), request.GET.getlist("id")):
        raise bad_request()
    return viewset.chosen_multiple_view(request)


def document_chosen_multiple(request):
    from wagtail.documents import get_document_model
    from wagtail.documents.views.chooser import viewset

    if bad_ids(get_document_model(), request.GET.getlist("id")):
        raise bad_request()
    return viewset.chosen_multiple_view(request)


class PageChosenMultipleView(page_chooser.ChosenMultipleView):
    def get(self, request):
        if bad_ids(Page, request.GET.getlist("id")):
            raise bad_request()
        # The root of the tree is no page anyone chooses (and has no parent to name).
        keys = {int(value) for value in request.GET.getlist("id")}
        roots = set(Page.objects.filter(pk__in=keys, depth=1).values_list("pk", flat=True))
        request.GET = request.GET.copy()
        request.GET.setlist("id", [str(key) for key in sorted(keys - roots)])
        return super().get(request)


urlpatterns = [
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
    path(
        "bulk/<str:app_label>/<str:model_name>/<str:action>/",
        bulk_action,
        name="campaign_bulk_action",
    ),
    path(
        "snippets/choose/<slug:app_label>/<slug:model_name>/",
        snippet_choose,
        name="campaign_snippet_choose",
    ),
    path(
        "snippets/choose/<slug:app_label>/<slug:model_name>/results/",
        snippet_choose_results,
        name="campaign_snippet_choose_results",
    ),
    path(
        "snippets/choose/<slug:app_label>/<slug:model_name>/chosen/<str:pk>/",
        snippet_chosen,
        name="campaign_snippet_chosen",
    ),
    path(
        "snippets/choose/<slug:app_label>/<slug:model_name>/chosen-multiple/",
        snippet_chosen_multiple,
        name="campaign_snippet_chosen_multiple",
    ),
    path(
        "images/chooser/chosen-multiple/",
        image_chosen_multiple,
        name="campaign_image_chosen_multiple",
    ),
    path(
        "documents/chooser/chosen-multiple/",
        document_chosen_multiple,
        name="campaign_document_chosen_multiple",
    ),
    path(
        "choose-page/chosen-multiple/",
        PageChosenMultipleView.as_view(),
        name="campaign_choose_page_chosen_multiple",
    ),
]

for pattern in urlpatterns:
    pattern.callback = require_admin_access(pattern.callback)
