"""Background work of the directory: a task fetches what it needs and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import services
from .models import Actor


@task(priority=PERSON_WAITING)
def actor_send_confirmation_task(*, actor_id, language):
    actor = Actor.objects.filter(pk=actor_id, status=Actor.Status.UNCONFIRMED).first()
    if actor is None or not actor.proposer_email:
        return  # Confirmed, erased or deleted meanwhile: nothing to send.
    services.actor_send_confirmation(actor=actor, language=language)


@task(priority=PERSON_WAITING)
def actor_notify_moderators_task(*, actor_id):
    actor = Actor.objects.filter(pk=actor_id).first()
    if actor is None:
        return  # Deleted meanwhile.
    waiting = actor.status == Actor.Status.PENDING or (
        actor.status == Actor.Status.PUBLISHED and actor.pending_changes
    )
    if not waiting:
        return  # Already moderated meanwhile: nothing to tell.
    services.actor_notify_moderators(actor=actor)
