"""The admin view that turns a nomination into a draft story."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services
from .models import Nomination, StoryIndexPage


def nomination_to_story_view(request, pk):
    """GET: a confirmation; POST: create the draft story and open it in the editor."""
    nomination = get_object_or_404(Nomination.objects.select_related("commune"), pk=pk)
    index = services.story_index_for()
    if not request.user.has_perm("stories.change_nomination"):
        raise PermissionDenied
    if index is None:
        messages.error(request, _("Créez d'abord la page des histoires."))
        return redirect(reverse("wagtailsnippets_stories_nomination:list"))
    if not index.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    if nomination.story_id:
        return redirect("wagtailadmin_pages:edit", nomination.story_id)
    if request.method == "POST":
        story = services.nomination_to_story(nomination=nomination, user=request.user)
        messages.success(
            request,
            _("L'histoire de %(name)s est créée en brouillon. Complétez-la avant de la publier.")
            % {"name": nomination.hero_first_name},
        )
        return redirect("wagtailadmin_pages:edit", story.pk)
    return TemplateResponse(
        request,
        "stories/admin/nomination_to_story.html",
        {"nomination": nomination, "index": index, "page_class": StoryIndexPage},
    )
