"""Background work of the network app: a task fetches what it needs and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import services
from .models import MeetingRegistration


def _registration(registration_id):
    return MeetingRegistration.objects.select_related("meeting").filter(pk=registration_id).first()


@task(priority=PERSON_WAITING)
def registration_send_confirmation_task(*, registration_id):
    registration = _registration(registration_id)
    if registration is None or registration.confirmed_at:
        return  # Cancelled, erased or confirmed meanwhile: nothing to send.
    services.registration_send_confirmation(registration=registration)


@task(priority=PERSON_WAITING)
def registration_send_already_task(*, registration_id):
    registration = _registration(registration_id)
    if registration is None:
        return
    services.registration_send_already(registration=registration)


@task()
def registration_send_reminder_task(*, registration_id):
    registration = _registration(registration_id)
    if registration is None or not registration.confirmed_at:
        return
    services.registration_send_reminder(registration=registration)
