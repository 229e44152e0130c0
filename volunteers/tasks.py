"""Emails to volunteers, sent by the task worker, never inside a web request. Each task
fetches the volunteer and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import services
from .models import EmailTemplate, Volunteer


def _volunteer(volunteer_id):
    return Volunteer.objects.select_related("commune").filter(pk=volunteer_id).first()


@task(priority=PERSON_WAITING)
def send_confirmation_email(*, volunteer_id: int) -> None:
    volunteer = _volunteer(volunteer_id)
    if volunteer and volunteer.status == Volunteer.Status.PENDING and volunteer.email:
        services.volunteer_email_send(volunteer=volunteer, kind=EmailTemplate.Kind.CONFIRMATION)


@task(priority=PERSON_WAITING)
def send_welcome_email(*, volunteer_id: int) -> None:
    volunteer = _volunteer(volunteer_id)
    if volunteer and volunteer.status == Volunteer.Status.CONFIRMED and volunteer.email:
        services.volunteer_email_send(volunteer=volunteer, kind=EmailTemplate.Kind.WELCOME)


@task(priority=PERSON_WAITING)
def send_preferences_link_email(*, volunteer_id: int) -> None:
    volunteer = _volunteer(volunteer_id)
    if volunteer and volunteer.status != Volunteer.Status.ERASED and volunteer.email:
        services.volunteer_email_send(volunteer=volunteer, kind=EmailTemplate.Kind.PREFERENCES_LINK)


@task(priority=PERSON_WAITING)
def send_erasure_done_email(*, volunteer_id: int) -> None:
    volunteer = _volunteer(volunteer_id)
    if volunteer and volunteer.status == Volunteer.Status.ERASED and volunteer.email:
        services.volunteer_erasure_notify(volunteer=volunteer)
