"""Background work of the kits app: a task fetches what it needs and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import services
from .models import EngagedCommune


@task(priority=PERSON_WAITING)
def engaged_commune_send_confirmation_task(*, engaged_commune_id, language):
    engagement = (
        EngagedCommune.objects.select_related("commune")
        .filter(pk=engaged_commune_id, status=EngagedCommune.Status.UNCONFIRMED)
        .first()
    )
    if engagement is None:
        return  # Confirmed or deleted meanwhile: nothing to send.
    services.engaged_commune_send_confirmation(engagement=engagement, language=language)


@task(priority=PERSON_WAITING)
def engaged_commune_notify_staff_task(*, engaged_commune_id):
    engagement = (
        EngagedCommune.objects.select_related("commune__department")
        .filter(pk=engaged_commune_id, status=EngagedCommune.Status.PENDING)
        .first()
    )
    if engagement is None:
        return  # Already reviewed or deleted meanwhile: nothing to tell.
    services.engaged_commune_notify_staff(engagement=engagement)


@task(priority=PERSON_WAITING)
def engaged_commune_tell_approved_task(*, engaged_commune_id):
    """Tell the declarer their commune is listed, if it still is."""
    _tell_outcome(engaged_commune_id, EngagedCommune.Status.APPROVED)


@task(priority=PERSON_WAITING)
def engaged_commune_tell_withdrawn_task(*, engaged_commune_id):
    """Tell the declarer their commune is no longer listed, if it still is not."""
    _tell_outcome(engaged_commune_id, EngagedCommune.Status.WITHDRAWN)


def _tell_outcome(engaged_commune_id, status):
    engagement = (
        EngagedCommune.objects.select_related("commune")
        .filter(pk=engaged_commune_id, status=status)
        .first()
    )
    if engagement is None:
        return  # Decided otherwise or deleted meanwhile: the last decision's email tells.
    services.engaged_commune_tell_outcome(engagement=engagement, outcome=str(status))
