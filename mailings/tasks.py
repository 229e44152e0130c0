"""The mailings' worker tasks. Each fetches what it needs and calls a service."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import services
from .models import Mailing
from .services.forget import esp_forget_process


@task()
def start_mailing(*, mailing_id: int, scheduled_at: str | None = None) -> None:
    """A scheduled mailing's time has come (deferred to `scheduled_at`)."""
    services.mailing_start(mailing_id=mailing_id, scheduled_at=scheduled_at)


@task()
def dispatch_mailing(*, mailing_id: int) -> None:
    services.mailing_dispatch(mailing_id=mailing_id)


@task()
def send_mailing_test(*, mailing_id: int, to: str) -> None:
    mailing = Mailing.objects.filter(pk=mailing_id).first()
    if mailing is not None:
        services.mailing_test_send(mailing=mailing, to=to)


@task(priority=PERSON_WAITING)
def forget_contact(*, request_id: int) -> None:
    """Ask the ESP to forget an erased address (its id only: the address stays in the row)."""
    esp_forget_process(request_id=request_id)
