"""What the stories app does beyond CMS content: receive nominations, acknowledge them,
turn one into a draft story, set up the moderation of stories. Views, tasks, commands and
admin actions call these functions."""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.text import Truncator

from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from campaign import ratelimit
from campaign.translated import translated_only
from campaign.visibility import public_only

from .models import Nomination, StoryIndexPage, StoryPage

CONTRIBUTORS_GROUP = "Contributeurs mairie"
COMMUNICATION_GROUP = "Communication"
WORKFLOW_NAME = "Modération des histoires"
TASK_NAME = "Validation par l'équipe communication"

logger = logging.getLogger(__name__)

# Anti-abuse of the nomination form: the scopes "nomination" (per client address) and
# "nomination_email" (per proposer email) of campaign/ratelimit.py; an identical nomination
# sent again within the hour is recognised as already received (and the visitor told so).
REPEAT_WINDOW_SECONDS = 3600


def _digest(*parts):
    # Only digests go in the cache: no email or text in clear, even in Redis.
    text = "\x1f".join(str(p).strip().lower() for p in parts)
    return hmac.new(
        f"stories.nomination:{settings.SECRET_KEY}".encode(),
        text.encode("utf-8", "surrogatepass"),
        hashlib.sha256,
    ).hexdigest()[:40]


def _repeat_key(data):
    digest = _digest(
        data["proposer_email"], data["hero_first_name"], data["commune"].pk, data["what_they_did"]
    )
    return f"stories:nomination:same:{digest}"


def nomination_is_repeat(*, data) -> bool:
    """True when this very nomination was received within the hour (a double click, a
    reload); otherwise remember it, atomically, so that two simultaneous posts save one."""
    try:
        return not cache.add(_repeat_key(data), 1, REPEAT_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001 - a cache failure never refuses a nomination
        logger.warning("nominations: cache unavailable, repeat check skipped")
        return False


def nomination_forget_repeat(*, data):
    """Undo nomination_is_repeat's memory when the nomination was not saved after all, so
    that sending it again later is not answered "already received"."""
    try:
        cache.delete(_repeat_key(data))
    except Exception:  # noqa: BLE001
        logger.warning("nominations: cache unavailable, repeat memory not cleared")


def nomination_refused(*, request, data):
    """The rate limiter's refusal (a Verdict) when this client address or this proposer
    email has sent too many nominations this window, else None. Counts this one."""
    verdicts = [
        ratelimit.consume(request, "nomination"),
        ratelimit.consume(request, "nomination_email", key=data["proposer_email"].strip().lower()),
    ]
    refused = [v for v in verdicts if not v.allowed]
    return max(refused, key=lambda v: v.retry_after) if refused else None


def nomination_create(*, data, language):
    """Record a nomination from the form's cleaned data; once the transaction commits, a
    task sends the proposer an acknowledgement (never inside the request)."""
    from .tasks import nomination_acknowledge

    nomination = Nomination.objects.create(
        proposer_name=data["proposer_name"],
        proposer_email=data["proposer_email"],
        hero_first_name=data["hero_first_name"],
        commune=data["commune"],
        what_they_did=data["what_they_did"],
        photo=data.get("photo") or "",
        hero_agreed=data["hero_agreed"],
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: nomination_acknowledge.enqueue(nomination_id=nomination.pk))
    return nomination


def nomination_send_acknowledgement(*, nomination):
    """Thank the proposer, in the language they used, and say what happens next."""
    with translation.override(nomination.language):
        context = {"nomination": nomination}
        subject = render_to_string("stories/emails/nomination_ack_subject.txt", context)
        body = render_to_string("stories/emails/nomination_ack_body.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [nomination.proposer_email],
    )


def story_index_for(locale=None):
    """The story index of a language (the default language's when not given)."""
    locale = locale or Locale.get_default()
    return StoryIndexPage.objects.filter(locale=locale).first()


@transaction.atomic
def nomination_to_story(*, nomination, user=None):
    """Turn a nomination into a draft story under the story index, marked accepted. The
    draft has no consent ticked: staff must get the person's agreement to publish it.
    Returns the story (the existing one if the nomination was already turned)."""
    if nomination.story_id:
        return nomination.story.specific
    index = story_index_for()
    if index is None:
        raise StoryIndexPage.DoesNotExist
    story = StoryPage(
        title=f"{nomination.hero_first_name}, {nomination.commune.name}",
        hero_first_name=nomination.hero_first_name,
        commune=nomination.commune,
        summary=Truncator(nomination.what_they_did).chars(300),
        body=json.dumps(
            [{"type": "paragraph", "value": linebreaks(nomination.what_they_did, autoescape=True)}]
        ),
        consent_given=False,
        live=False,
        owner=user,
    )
    if nomination.photo:
        story.portrait = _image_from_nomination(nomination, user=user)
    index.add_child(instance=story)
    story.save_revision(user=user, clean=False, log_action=True)
    nomination.story = story
    nomination.status = Nomination.Status.ACCEPTED
    nomination.save(update_fields=["story", "status"])
    return story


def _image_from_nomination(nomination, *, user):
    image_model = get_image_model()
    with nomination.photo.open("rb") as handle:
        image = image_model(
            title=f"{nomination.hero_first_name} ({nomination.commune.name})",
            file=ImageFile(handle, name=nomination.photo.name.rsplit("/", 1)[-1]),
            uploaded_by_user=user,
            collection=Collection.get_first_root_node(),
        )
        image.save()
    return image


def story_gestures(*, story, locale):
    """The live gesture pages a story illustrates, in `locale`, in one query whatever their
    number. A story's links are synchronised by wagtail-localize (an English story points at
    the French gestures its editor chose), so match on the gestures' translation keys."""
    from gestures.models import GesturePage

    if not story.pk:
        return []
    keys = GesturePage.objects.filter(stories__story=story).values("translation_key")
    return list(
        translated_only(public_only(GesturePage.objects.live()))
        .filter(locale=locale, translation_key__in=keys)
        .order_by("number")
    )


@transaction.atomic
def moderation_workflow():
    """The stories' moderation workflow (one task: the "Communication" group approves and
    publishes), created or completed if needed. Other pages published under the same rule
    (the network's practice sheets) attach it to their own section. Idempotent."""
    communication, _ = Group.objects.get_or_create(name=COMMUNICATION_GROUP)
    task, _ = GroupApprovalTask.objects.get_or_create(name=TASK_NAME)
    task.groups.add(communication)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0}
    )
    return workflow


@transaction.atomic
def moderation_setup(*, index):
    """Create (or complete) the two groups and the moderation workflow of the stories.

    "Contributeurs mairie" may add and edit stories under the story index and submit them
    to moderation; only "Communication" publishes them, by approving the workflow's task.
    Idempotent: the set-up and the demo call it on every run."""
    contributors, _ = Group.objects.get_or_create(name=CONTRIBUTORS_GROUP)
    communication, _ = Group.objects.get_or_create(name=COMMUNICATION_GROUP)
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    page_perms = {
        contributors: ["add_page", "change_page"],
        communication: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    }
    for group, codenames in page_perms.items():
        group.permissions.add(admin_access)
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )
        # Both upload and choose portraits in the root collection.
        for codename in ("add_image", "choose_image"):
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=Collection.get_first_root_node(),
                permission=Permission.objects.get(
                    content_type__app_label="wagtailimages", codename=codename
                ),
            )
    # Communication manages nominations and themes in the admin.
    communication.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="stories",
            codename__in=[
                "view_nomination",
                "change_nomination",
                "add_storytheme",
                "change_storytheme",
            ],
        )
    )
    workflow = moderation_workflow()
    # The English index has its own tree; its stories follow the same rule.
    for page in StoryIndexPage.objects.filter(translation_key=index.translation_key):
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
        if page.pk != index.pk:
            for group, codenames in page_perms.items():
                for codename in codenames:
                    GroupPagePermission.objects.get_or_create(
                        group=group,
                        page=page,
                        permission=Permission.objects.get(
                            content_type__app_label="wagtailcore", codename=codename
                        ),
                    )
    return {"contributors": contributors, "communication": communication, "workflow": workflow}
