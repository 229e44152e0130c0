"""The admin view that turns a nomination into a draft story."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.media import image_type, private_file_response

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


def nomination_can_view(user):
    """Who may see nominations (and so their photos): staff with the snippet's view or
    change permission (Communication, editors); never a mairie user."""
    return user.has_perm("stories.view_nomination") or user.has_perm("stories.change_nomination")


def nomination_photo_view(request, pk):
    """The photo sent with a nomination, to staff who may see that nomination only: never
    under a public /media/ address (it is an unpublished picture of a third party). Served
    with its true type, nosniff and a sandboxing CSP (campaign/media.py)."""
    if not nomination_can_view(request.user):
        raise Http404  # not a redirect to the dashboard: nothing says the photo exists
    nomination = get_object_or_404(Nomination, pk=pk)
    content_type = image_type(nomination.photo.name) if nomination.photo else None
    if content_type is None:
        raise Http404
    return private_file_response(nomination.photo, content_type=content_type)
