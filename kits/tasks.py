"""Background work of the kits app: a task fetches what it needs and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import services
from .models import EngagedCommune


@task(priority=PERSON_WAITING)
def engaged_commune_send_confirmation_task(*, engaged_commune_id, language):
    engagement = (
        EngagedCommune.objects.select_related("commune")
        .filter(pk=engaged_commune_id, confirmed_at__isnull=True)
        .first()
    )
    if engagement is None:
        return  # Confirmed or deleted meanwhile: nothing to send.
    services.engaged_commune_send_confirmation(engagement=engagement, language=language)
