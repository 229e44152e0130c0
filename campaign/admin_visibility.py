"""Admin views scoped by `Model.objects.visible_to(user)`, for any app whose model has such a
queryset method (the directory's actors and help points, the help requests).

Another commune's row does not exist for whoever may not see it: every view that shows a row
finds it in `visible_to(user)` (404 otherwise, never 403, which would tell it exists), and
every listing, chooser and generic guard (wagtail-localize's snippet API, the bulk actions:
campaign/admin_urls.py and campaign/wagtail_hooks.py, through the permission policy) lists
only those rows. Nothing here knows an app: `campaign/` uses none."""

from django.core.exceptions import ValidationError
from django.http import Http404

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    SnippetViewSet,
    UsageView,
)


class VisiblePermissionPolicy(ModelPermissionPolicy):
    """The model permissions, and for one object, that it is in the model's
    `objects.visible_to(user)`. Register it for the model (`register_permission_policy`)
    before its viewset, or Wagtail creates its default policy."""

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.model.objects.visible_to(user).filter(pk=instance.pk).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return self.model.objects.visible_to(user)
        return self.model.objects.none()

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])


def visible(request, model):
    return model.objects.visible_to(request.user)


class VisibleObjectMixin:
    """A row the user may not see does not exist for them: 404, not 403 (the edit and
    delete views find their object in `get_queryset`)."""

    def get_queryset(self):
        return visible(self.request, self.model)


class VisibleBaseObjectMixin:
    """The same for the history and usage views, which find their object in
    `get_base_object_queryset`: their `get_queryset` is what they list (log entries,
    references), and must stay theirs."""

    def get_base_object_queryset(self):
        return visible(self.request, self.model)


class VisibleIndexView(IndexView):
    def get_base_queryset(self):
        return visible(self.request, self.model)


class VisibleEditView(VisibleObjectMixin, EditView):
    pass


class VisibleDeleteView(VisibleObjectMixin, DeleteView):
    pass


class VisibleHistoryView(VisibleBaseObjectMixin, HistoryView):
    pass


class VisibleUsageView(VisibleBaseObjectMixin, UsageView):
    pass


class VisibleChooseView(ChooseView):
    def get_object_list(self):
        return visible(self.request, self.model)


class VisibleChooseResultsView(ChooseResultsView):
    def get_object_list(self):
        return visible(self.request, self.model)


class VisibleChosenView(SnippetChosenView):
    def get_object(self, pk):
        try:
            return visible(self.request, self.model).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, ValidationError) as exc:
            raise Http404 from exc


class VisibleChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        pks = [pk for pk in pks if str(pk).isdigit()]
        return visible(self.request, self.model).filter(pk__in=pks)


class VisibleChooserViewSet(SnippetChooserViewSet):
    choose_view_class = VisibleChooseView
    choose_results_view_class = VisibleChooseResultsView
    chosen_view_class = VisibleChosenView
    chosen_multiple_view_class = VisibleChosenMultipleView


class VisibleSnippetViewSet(SnippetViewSet):
    """A snippet whose every admin view (listing, edit, delete, history, usage, chooser)
    shows only what `Model.objects.visible_to(user)` gives."""

    index_view_class = VisibleIndexView
    edit_view_class = VisibleEditView
    delete_view_class = VisibleDeleteView
    history_view_class = VisibleHistoryView
    usage_view_class = VisibleUsageView
    chooser_viewset_class = VisibleChooserViewSet
