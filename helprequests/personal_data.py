"""What the help requests keep about a person, for the registry in campaign/personal_data.py
(found by `autodiscover_modules`, nothing to register):

- the requests where their address is the person's or that of whoever asked for them: the
  date, the commune, the kind of help, the state, the first name and contact given, who asked,
  the consent's wording and date;
- for a volunteer, the requests they were proposed: the date, the commune, the kind of help,
  their answer and the time they gave, never the other person's name or contact.

Erasure. A request where they are the person or who asked is closed as withdrawn when still
open (services.request_withdraw: a pending proposal is cancelled, a volunteer who had accepted
is told), then its personal fields are blanked now, as services.PERSONAL_FIELDS lists them,
and the secret of its links renewed (an old link opens nothing). The commune, the kind of
help, the dates, the state and the time given stay, for the public figure; the anonymisation
three months after closing (services.requests_anonymise) then cuts the link to the volunteer,
as for every request. For a volunteer: their pending proposals are cancelled and a request
they had accepted and not yet done looks for someone else (its referents are told); then
every proposal, request and access-log line forgets them (volunteer emptied), the time they
gave staying in the figures."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaign.personal_data import Person, Section, iso

from . import services
from .models import AccessRecord, HelpProposal, HelpRequest, new_token

Status = HelpRequest.Status


def _categories():
    from volunteers.interests import interest_labels

    return interest_labels((get_language() or "fr")[:2])


def _requests(person: Person):
    """The requests this address made or is the contact of (none once anonymised: their
    addresses are blank)."""
    if not person.email:
        return HelpRequest.objects.none()
    return HelpRequest.objects.filter(
        Q(email__iexact=person.email) | Q(requester_email__iexact=person.email)
    )


def _proposals(person: Person):
    if person.volunteer_id is None:
        return HelpProposal.objects.none()
    return HelpProposal.objects.filter(volunteer_id=person.volunteer_id)


def _commune(commune):
    return {"insee_code": commune.insee_code, "name": commune.name}


def export(person: Person) -> list[Section]:
    requests = [
        {
            "date": iso(r.created_at),
            "commune": _commune(r.commune),
            "category": r.category,
            "status": r.status,
            "first_name": r.first_name,
            "phone": r.phone,
            "email": r.email,
            "asked_by": r.asked_by,
            "requester_name": r.requester_name,
            "requester_email": r.requester_email,
            "when": r.when_details,
            "details": r.details,
            "consent": r.consent_wording,
            "consent_at": iso(r.consent_at),
            "closed": iso(r.closed_at),
        }
        for r in _requests(person).select_related("commune").order_by("created_at", "pk")
    ]
    proposals = [
        {
            "date": iso(p.created_at),
            "commune": _commune(p.request.commune),
            "category": p.request.category,
            "answer": p.status,
            "answered": iso(p.answered_at),
            # The time they gave, once they said the help was done (theirs only).
            "minutes": (
                p.request.minutes
                if p.status == HelpProposal.Status.ACCEPTED
                and p.request.status == Status.DONE
                and p.request.volunteer_id == person.volunteer_id
                else None
            ),
        }
        for p in _proposals(person).select_related("request__commune").order_by("created_at", "pk")
    ]
    categories = _categories() if requests or proposals else {}
    return [
        Section(
            key="help_requests",
            title=_("Les demandes de coup de main faites par vous ou pour vous"),
            columns={
                "date": _("Date"),
                "commune": _("Commune"),
                "category": _("Type d'aide"),
                "status": _("État"),
                "first_name": _("Prénom"),
                "phone": _("Téléphone"),
                "email": _("Adresse e-mail"),
                "asked_by": _("Demande faite par"),
                "requester_name": _("Nom de qui demande"),
                "requester_email": _("Adresse de qui demande"),
                "when": _("Quand"),
                "details": _("En quelques mots"),
                "consent": _("Accord donné"),
                "consent_at": _("Accord donné le"),
                "closed": _("Close le"),
            },
            rows=requests,
            choices={
                "category": categories,
                "status": dict(Status.choices),
                "asked_by": dict(HelpRequest.AskedBy.choices),
            },
        ),
        Section(
            key="help_proposals",
            title=_("Les coups de main qui vous ont été proposés"),
            columns={
                "date": _("Proposé le"),
                "commune": _("Commune"),
                "category": _("Type d'aide"),
                "answer": _("Votre réponse"),
                "answered": _("Répondu le"),
                "minutes": _("Temps donné (minutes)"),
            },
            rows=proposals,
            choices={
                "category": categories,
                "answer": dict(HelpProposal.Status.choices),
            },
        ),
    ]


def _erase_requests(person: Person) -> None:
    for pk in list(_requests(person).values_list("pk", flat=True)):
        with transaction.atomic():
            locked = HelpRequest.objects.select_for_update().get(pk=pk)
            if locked.is_open:
                # As if they withdrew it with their link: one way to close, one set of
                # notices (the volunteer who had accepted is told, from a task).
                services.request_withdraw(token=services.withdraw_token(locked))
            HelpRequest.objects.filter(pk=pk).update(**services.PERSONAL_FIELDS, token=new_token())


def _erase_volunteer(person: Person, now) -> None:
    from .tasks import handlers_told_declined_task

    proposals = _proposals(person)
    # What they still had to do goes back to the referents: a pending proposal is cancelled,
    # a request accepted and not done looks for someone else (its accepted proposal is
    # cancelled, so that another volunteer may accept it).
    for pk, request_id in list(
        proposals.filter(
            status__in=(HelpProposal.Status.PENDING, HelpProposal.Status.ACCEPTED),
            request__status__in=(Status.PROPOSED, Status.ACCEPTED),
        ).values_list("pk", "request_id")
    ):
        with transaction.atomic():
            HelpRequest.objects.select_for_update().filter(pk=request_id).exists()
            cancelled = HelpProposal.objects.filter(
                pk=pk, status__in=(HelpProposal.Status.PENDING, HelpProposal.Status.ACCEPTED)
            ).update(status=HelpProposal.Status.CANCELLED, answered_at=now)
            moved = HelpRequest.objects.filter(
                pk=request_id,
                status__in=(Status.PROPOSED, Status.ACCEPTED),
                proposals__pk=pk,
            ).update(
                status=Status.SEARCHING, volunteer=None, matched_at=None, status_changed_at=now
            )
            if cancelled and moved:
                transaction.on_commit(
                    lambda pk=pk: handlers_told_declined_task.enqueue(proposal_id=pk)
                )
    proposals.update(volunteer=None, token=new_token())
    HelpRequest.objects.filter(volunteer_id=person.volunteer_id).update(volunteer=None)
    AccessRecord.objects.filter(volunteer_id=person.volunteer_id).update(volunteer=None)


def erase(person: Person) -> None:
    now = timezone.now()
    if person.email:
        _erase_requests(person)
    if person.volunteer_id is not None:
        _erase_volunteer(person, now)
