"""Background work of the stories app. A task fetches what it needs and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING


@task(priority=PERSON_WAITING)
def nomination_acknowledge(nomination_id):
    """Send the proposer the acknowledgement of their nomination."""
    from .models import Nomination
    from .services import nomination_send_acknowledgement

    nomination = Nomination.objects.select_related("commune").filter(pk=nomination_id).first()
    if nomination is None:  # deleted before the worker got to it: nothing to acknowledge
        return
    nomination_send_acknowledgement(nomination=nomination)
