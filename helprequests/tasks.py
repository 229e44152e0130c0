"""Background work of the help requests: a task fetches what it needs and calls a function of
emails.py; nothing more. A row gone meanwhile (anonymised, withdrawn) sends nothing."""

from django_tasks import task

from campaign.tasks import PERSON_WAITING

from . import emails
from .models import HelpProposal, HelpRequest


def _request(request_id):
    return (
        HelpRequest.objects.select_related("commune", "commune__department")
        .filter(pk=request_id, anonymised_at__isnull=True)
        .first()
    )


def _proposal(proposal_id):
    return (
        HelpProposal.objects.select_related("request", "request__commune", "volunteer")
        .filter(pk=proposal_id, request__anonymised_at__isnull=True)
        .first()
    )


@task(priority=PERSON_WAITING)
def request_acknowledge_task(*, request_id):
    help_request = _request(request_id)
    if help_request is not None:
        emails.request_acknowledge(help_request=help_request)


@task(priority=PERSON_WAITING)
def request_notify_handlers_task(*, request_id):
    help_request = _request(request_id)
    if help_request is not None:
        emails.handlers_notify(help_request=help_request, event="new")


@task(priority=PERSON_WAITING)
def proposal_send_task(*, proposal_id):
    proposal = _proposal(proposal_id)
    if proposal is not None and proposal.status == HelpProposal.Status.PENDING:
        emails.proposal_send(proposal=proposal)


@task(priority=PERSON_WAITING)
def acceptance_send_task(*, proposal_id):
    proposal = _proposal(proposal_id)
    if proposal is not None and proposal.status == HelpProposal.Status.ACCEPTED:
        emails.acceptance_send(proposal=proposal)


@task(priority=PERSON_WAITING)
def handlers_told_declined_task(*, proposal_id):
    proposal = _proposal(proposal_id)
    if proposal is not None:
        emails.handlers_notify(help_request=proposal.request, event="declined")


@task(priority=PERSON_WAITING)
def handlers_told_expired_task(*, proposal_id):
    proposal = _proposal(proposal_id)
    if proposal is not None:
        emails.handlers_notify(help_request=proposal.request, event="expired")


@task(priority=PERSON_WAITING)
def volunteer_told_withdrawn_task(*, proposal_id):
    proposal = _proposal(proposal_id)
    if proposal is not None and proposal.volunteer_id:
        emails.volunteer_told_withdrawn(proposal=proposal)
