"""Help requests' operations: asking, proposing to a volunteer, the volunteer's answer, the
help done, withdrawing, closing, expiring the proposals left unanswered, anonymising the
closed requests, and the figures. Views, admin views, tasks and commands call these; no
email is sent inside a request (tasks, after commit).

The state of a request only moves by conditional updates (``filter(status=…).update(…)``)
inside a transaction that locks the request's row: two referents proposing at once, or two
acceptances at once, give one outcome, and the other is told why (``HelpError.code``)."""

from __future__ import annotations

import datetime
import math
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaign.purge import purge_everything_on_commit
from campaign.site_address import public_url
from volunteers.models import Volunteer

from .models import REFERENT_GROUP, AccessRecord, HelpProposal, HelpRequest, Referent

# How long a volunteer has to answer a proposal, closed requests keep their personal data,
# and the access log is kept (docs/PRIVACY.md).
PROPOSAL_HOURS = getattr(settings, "HELP_PROPOSAL_HOURS", 48)
ANONYMISE_AFTER = datetime.timedelta(days=91)  # three months
ACCESS_LOG_RETENTION = datetime.timedelta(days=365)
# Volunteers of other communes are looked for within this distance of the commune's centre
# when the commune has none, nearest first.
NEIGHBOUR_KM = 15
CANDIDATES_MAX = 30

WITHDRAW_SALT = "helprequests.withdraw"
ANSWER_SALT = "helprequests.answer"
DONE_SALT = "helprequests.done"

Status = HelpRequest.Status


class HelpError(Exception):
    """An operation that cannot happen; ``code`` says why, for the visitor's message:
    "bad_link", "withdrawn", "closed", "taken" (another volunteer accepted), "expired",
    "answered" (this proposal was already answered), "already_proposed", "not_open",
    "not_available" (the volunteer can no longer be proposed), "not_accepted",
    "already_done"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


# --- durations ---------------------------------------------------------------------------


def duration_display(minutes: int | None) -> str:
    """ "1 h 30", "45 min", "2 h": the French way of writing a duration (the English
    catalogue gives "1 h 30" too: it reads the same)."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


def hours_display(minutes: int) -> str:
    """A public total in whole hours ("12 heures"), rounded down, never a fraction."""
    hours = int(minutes or 0) // 60
    return ngettext("%(count)s heure", "%(count)s heures", hours) % {
        "count": f"{hours:,}".replace(",", "\u202f")
    }


# --- tokens ------------------------------------------------------------------------------


def _token(obj, salt):
    return signing.dumps({"id": obj.pk, "t": obj.token}, salt=salt)


def _from_token(queryset, token, salt):
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature as error:
        raise HelpError("bad_link") from error
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise HelpError("bad_link")
    obj = queryset.filter(pk=data["id"], token=str(data.get("t"))).first()
    if obj is None:
        raise HelpError("bad_link")
    return obj


def withdraw_token(help_request):
    return _token(help_request, WITHDRAW_SALT)


def answer_token(proposal):
    return _token(proposal, ANSWER_SALT)


def done_token(proposal):
    return _token(proposal, DONE_SALT)


def request_from_withdraw_token(*, token) -> HelpRequest:
    """The request a withdrawal link names, changing nothing. Raises HelpError("bad_link")
    (an anonymised request's link names nothing any more)."""
    return _from_token(HelpRequest.objects.select_related("commune"), token, WITHDRAW_SALT)


def proposal_from_token(*, token, salt=ANSWER_SALT) -> HelpProposal:
    """The proposal an answer or "done" link names, changing nothing. Raises HelpError."""
    return _from_token(
        HelpProposal.objects.select_related("request", "request__commune", "volunteer"),
        token,
        salt,
    )


def _link(name, token, language):
    with translation.override(language or settings.LANGUAGE_CODE):
        return public_url(reverse(f"helprequests:{name}", kwargs={"token": token}))


def withdraw_url(help_request):
    return _link("withdraw", withdraw_token(help_request), help_request.language)


def answer_url(proposal):
    return _link("answer", answer_token(proposal), proposal.volunteer.language)


def done_url(proposal):
    return _link("done", done_token(proposal), proposal.volunteer.language)


# --- who handles a commune's requests ----------------------------------------------------


def referents_of(commune_id):
    return Referent.objects.filter(commune_id=commune_id).select_related("user")


def has_referent(commune) -> bool:
    return Referent.objects.filter(commune_id=getattr(commune, "insee_code", commune)).exists()


def staff_handlers():
    """Who handles the requests of a commune without a referent: active superusers and users
    granted "change" on requests who are referents of no commune."""
    users = get_user_model().objects.with_perm(
        "helprequests.change_helprequest", include_superusers=True
    )
    return (
        users.filter(is_active=True)
        .exclude(pk__in=Referent.objects.values("user_id"))
        .exclude(groups__name=REFERENT_GROUP)
    )


def handler_emails(commune_id) -> list[str]:
    """The addresses told of a new request or an answer: the commune's referents, or staff."""
    users = [r.user for r in referents_of(commune_id) if r.user.is_active]
    if not users:
        users = list(staff_handlers())
    return sorted({u.email for u in users if u.email})


def access_record(*, user, action, help_request=None, volunteer=None, commune=None):
    """Write one line of the access log (who saw whose data, when)."""
    if commune is None and help_request is not None:
        commune = help_request.commune_id
    return AccessRecord.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        request=help_request,
        volunteer=volunteer,
        commune_id=getattr(commune, "insee_code", commune),
    )


# --- asking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asker:
    """Who asks on the person's behalf (None of it when the person asks themselves)."""

    asked_by: str = HelpRequest.AskedBy.SELF
    name: str = ""
    email: str = ""


def request_create(
    *,
    commune,
    category: str,
    first_name: str,
    phone: str = "",
    email: str = "",
    availability=(),
    when_details: str = "",
    details: str = "",
    asker: Asker = Asker(),
    consent_wording: str,
    language: str,
    source: str = HelpRequest.Source.WEBSITE,
    created_by=None,
) -> HelpRequest:
    """Record a request (state "new") with the consent to be contacted and, after commit,
    send from tasks: the acknowledgement with the withdrawal link to whoever gave an address
    (the person, or who asked for them), and the notice to the commune's referents (or to
    staff when the commune has none). Personal data never leaves the database but in those
    emails."""
    from .tasks import request_acknowledge_task, request_notify_handlers_task

    now = timezone.now()
    with transaction.atomic():
        help_request = HelpRequest.objects.create(
            commune=commune,
            category=category,
            availability=list(availability),
            when_details=when_details,
            details=details,
            first_name=first_name,
            phone=phone,
            email=email,
            asked_by=asker.asked_by,
            requester_name=asker.name,
            requester_email=asker.email,
            consent_wording=consent_wording,
            consent_at=now,
            language=(language or settings.LANGUAGE_CODE)[:2],
            source=source,
            created_by=created_by,
            created_at=now,
            status_changed_at=now,
        )
        if created_by is not None:
            access_record(
                user=created_by,
                action=AccessRecord.Action.CREATE_REQUEST,
                help_request=help_request,
            )
        pk = help_request.pk
        transaction.on_commit(lambda: request_acknowledge_task.enqueue(request_id=pk))
        transaction.on_commit(lambda: request_notify_handlers_task.enqueue(request_id=pk))
    return help_request


def request_withdraw(*, token) -> HelpRequest:
    """Withdraw the request a withdrawal link names (from the POST of the page it opens). A
    pending proposal is cancelled; a volunteer who had accepted is told. Withdrawing twice
    changes nothing; a request already done or closed stays as it is (HelpError "closed")."""
    from .tasks import volunteer_told_withdrawn_task

    help_request = request_from_withdraw_token(token=token)
    now = timezone.now()
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if (
            locked.status == Status.CLOSED
            and locked.closed_reason == HelpRequest.ClosedReason.WITHDRAWN
        ):
            return locked
        if not locked.is_open:
            raise HelpError("closed")
        accepted = locked.proposals.filter(status=HelpProposal.Status.ACCEPTED).first()
        locked.proposals.filter(status=HelpProposal.Status.PENDING).update(
            status=HelpProposal.Status.CANCELLED, answered_at=now
        )
        _close(locked, reason=HelpRequest.ClosedReason.WITHDRAWN, now=now)
        if accepted is not None and accepted.volunteer_id:
            pk = accepted.pk
            transaction.on_commit(lambda: volunteer_told_withdrawn_task.enqueue(proposal_id=pk))
    return locked


def _close(help_request, *, reason, now):
    HelpRequest.objects.filter(pk=help_request.pk).update(
        status=Status.CLOSED, closed_reason=reason, closed_at=now, status_changed_at=now
    )
    help_request.refresh_from_db()


def request_close(*, help_request, user, reason) -> HelpRequest:
    """A referent (or staff) closes a request without help: withdrawn by phone, nobody
    available, solved otherwise, not for this service, or a fake. A pending proposal is
    cancelled. Raises HelpError("closed") when it was already done or closed."""
    from .tasks import volunteer_told_withdrawn_task

    if reason not in HelpRequest.ClosedReason.values:
        raise HelpError("bad_reason")
    now = timezone.now()
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if not locked.is_open:
            raise HelpError("closed")
        accepted = locked.proposals.filter(status=HelpProposal.Status.ACCEPTED).first()
        locked.proposals.filter(status=HelpProposal.Status.PENDING).update(
            status=HelpProposal.Status.CANCELLED, answered_at=now
        )
        _close(locked, reason=reason, now=now)
        if accepted is not None and accepted.volunteer_id:
            # The volunteer who accepted is told there is nothing more to do.
            pk = accepted.pk
            transaction.on_commit(lambda: volunteer_told_withdrawn_task.enqueue(proposal_id=pk))
        access_record(user=user, action=AccessRecord.Action.CLOSE, help_request=locked)
    return locked


# --- matching ----------------------------------------------------------------------------


@dataclass
class Candidate:
    volunteer: Volunteer
    distance_km: float | None  # None in the request's own commune
    helps_done: int

    @property
    def label(self):
        return volunteer_label(self.volunteer)


def volunteer_label(volunteer):
    """What the referent sees of a volunteer before both sides said yes: the first name and
    the initial of the last name, never an address or a phone."""
    initial = (volunteer.last_name or "")[:1]
    return f"{volunteer.first_name} {initial}." if initial else volunteer.first_name


def _distance_km(a, b):
    """Great-circle distance between two communes' centres (haversine), or None."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def candidates(*, help_request, interest=True, availability=True) -> list[Candidate]:
    """The volunteers the referent may propose this request to: confirmed, who agreed to be
    proposed requests and are not paused (``Volunteer.objects.proposable()``), of the
    request's commune, or of the communes within NEIGHBOUR_KM when it has none; filtered by
    the request's category among their interests and by a shared moment, when asked; without
    those who already declined or let this request's proposal expire. At most CANDIDATES_MAX,
    nearest first, then those who helped least. Four queries whatever the numbers."""
    from campaign.geography.models import Commune

    commune = help_request.commune
    base = Volunteer.objects.proposable().exclude(
        # Not NULL: `NOT IN` a list holding NULL excludes everyone (an erased volunteer's
        # proposal keeps its row without them).
        pk__in=HelpProposal.objects.filter(request=help_request, volunteer__isnull=False).values(
            "volunteer_id"
        )
    )
    if interest and help_request.category:
        base = base.filter(interests__slug=help_request.category)
    wanted = set(help_request.availability or [])
    here = base.filter(commune_id=commune.insee_code)
    distances = {}
    volunteers = list(
        here.annotate(
            done_count=Count("help_requests", filter=Q(help_requests__status=Status.DONE))
        ).order_by("done_count", "pk")[: CANDIDATES_MAX * 3]
    )
    if not volunteers and commune.latitude is not None:
        # A box around the centre (one degree of latitude is 111 km), then the true distance.
        dlat = NEIGHBOUR_KM / 111.0
        dlon = NEIGHBOUR_KM / (111.0 * max(0.1, math.cos(math.radians(commune.latitude))))
        nearby = {
            c.insee_code: c
            for c in Commune.objects.filter(
                latitude__range=(commune.latitude - dlat, commune.latitude + dlat),
                longitude__range=(commune.longitude - dlon, commune.longitude + dlon),
            ).exclude(pk=commune.pk)
        }
        for code, other in nearby.items():
            km = _distance_km(commune, other)
            if km is not None and km <= NEIGHBOUR_KM:
                distances[code] = km
        volunteers = list(
            base.filter(commune_id__in=list(distances))
            .annotate(
                done_count=Count("help_requests", filter=Q(help_requests__status=Status.DONE))
            )
            .select_related("commune")[: CANDIDATES_MAX * 3]
        )
    if availability and wanted:
        volunteers = [v for v in volunteers if wanted & set(v.availability or [])]
    found = [
        Candidate(
            volunteer=v,
            distance_km=distances.get(v.commune_id),
            helps_done=v.done_count,
        )
        for v in volunteers
    ]
    found.sort(key=lambda c: (c.distance_km or 0.0, c.helps_done, c.volunteer.pk))
    return found[:CANDIDATES_MAX]


def request_propose(*, help_request, volunteer, user, hours=None) -> HelpProposal:
    """Propose the request to one volunteer, who gets an email with an accept and a decline
    link, answerable until the deadline. Two referents proposing the same request at once:
    the request's row is locked and a request already proposed refuses the second
    (HelpError "already_proposed"); the unique constraint on pending proposals backs it up on
    any database. Raises HelpError "not_open" for a request accepted, done or closed, and
    "not_available" for a volunteer who can no longer be proposed."""
    from .tasks import proposal_send_task

    now = timezone.now()
    with transaction.atomic():
        locked = (
            HelpRequest.objects.select_for_update(of=("self",))
            .select_related("commune")
            .get(pk=help_request.pk)
        )
        if locked.status == Status.PROPOSED:
            raise HelpError("already_proposed")
        if locked.status not in (Status.NEW, Status.SEARCHING):
            raise HelpError("not_open")
        if not Volunteer.objects.proposable().filter(pk=volunteer.pk).exists():
            raise HelpError("not_available")
        if HelpProposal.objects.filter(request=locked, volunteer=volunteer).exists():
            raise HelpError("not_available")  # they were asked already and said no
        try:
            with transaction.atomic():
                proposal = HelpProposal.objects.create(
                    request=locked,
                    volunteer=volunteer,
                    proposed_by=user,
                    created_at=now,
                    deadline=now + datetime.timedelta(hours=hours or PROPOSAL_HOURS),
                )
        except IntegrityError as error:
            raise HelpError("already_proposed") from error
        HelpRequest.objects.filter(pk=locked.pk).update(
            status=Status.PROPOSED, status_changed_at=now
        )
        access_record(
            user=user, action=AccessRecord.Action.PROPOSE, help_request=locked, volunteer=volunteer
        )
        transaction.on_commit(lambda: proposal_send_task.enqueue(proposal_id=proposal.pk))
    return proposal


def proposal_cancel(*, proposal, user) -> None:
    """The referent takes back a proposal still waiting for its answer (the request looks
    for someone again). Raises HelpError("answered") when it was answered meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        HelpRequest.objects.select_for_update().filter(pk=proposal.request_id).exists()
        changed = HelpProposal.objects.filter(
            pk=proposal.pk, status=HelpProposal.Status.PENDING
        ).update(status=HelpProposal.Status.CANCELLED, answered_at=now)
        if not changed:
            raise HelpError("answered")
        HelpRequest.objects.filter(pk=proposal.request_id, status=Status.PROPOSED).update(
            status=Status.SEARCHING, status_changed_at=now
        )


def proposal_refusal(proposal, locked_request, now):
    """Why this proposal cannot be answered now, or None."""
    if proposal.status == HelpProposal.Status.ACCEPTED:
        return "answered"
    if locked_request.status == Status.CLOSED:
        return "withdrawn" if locked_request.closed_reason == "withdrawn" else "closed"
    if locked_request.status in (Status.ACCEPTED, Status.DONE):
        return "taken"
    if proposal.status != HelpProposal.Status.PENDING:
        return "expired" if proposal.status == HelpProposal.Status.EXPIRED else "answered"
    if proposal.deadline <= now:
        return "expired"
    return None


def proposal_accept(*, token) -> HelpProposal:
    """The volunteer accepts (the POST of the page the link opens). Exactly one acceptance
    wins: the request's row is locked, and both the proposal and the request move by
    conditional updates. After commit: the volunteer gets the person's contact, the
    referents are told, and the person (or who asked for them) is told who will come.
    Accepting twice, after the deadline, after another volunteer, or once the request was
    withdrawn raises HelpError with the reason; nothing changes then."""
    from .tasks import acceptance_send_task

    proposal = proposal_from_token(token=token)
    now = timezone.now()
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update(of=("self",)).get(pk=proposal.request_id)
        proposal.refresh_from_db(fields=["status", "deadline"])
        refusal = proposal_refusal(proposal, locked, now)
        if refusal:
            raise HelpError(refusal)
        if (
            proposal.volunteer_id is None
            or not Volunteer.objects.confirmed().filter(pk=proposal.volunteer_id).exists()
        ):
            raise HelpError("not_available")
        won = HelpProposal.objects.filter(
            pk=proposal.pk, status=HelpProposal.Status.PENDING
        ).update(status=HelpProposal.Status.ACCEPTED, answered_at=now)
        moved = HelpRequest.objects.filter(pk=locked.pk, status=Status.PROPOSED).update(
            status=Status.ACCEPTED,
            volunteer_id=proposal.volunteer_id,
            matched_at=now,
            status_changed_at=now,
        )
        if not (won and moved):
            transaction.set_rollback(True)
            raise HelpError("taken")
        transaction.on_commit(lambda: acceptance_send_task.enqueue(proposal_id=proposal.pk))
    proposal.refresh_from_db()
    return proposal


def proposal_decline(*, token, pause=False) -> HelpProposal:
    """The volunteer declines (and may pause the proposals for now): the request looks for
    someone else, and its referents are told. Declining twice changes nothing."""
    from volunteers.services import volunteer_help_pause

    from .tasks import handlers_told_declined_task

    proposal = proposal_from_token(token=token)
    now = timezone.now()
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update(of=("self",)).get(pk=proposal.request_id)
        proposal.refresh_from_db(fields=["status", "deadline"])
        if proposal.status == HelpProposal.Status.DECLINED:
            # Declined already (a second click, a stale page): the pause still applies.
            if pause and proposal.volunteer_id:
                volunteer_help_pause(volunteer=proposal.volunteer, paused=True)
            return proposal
        refusal = proposal_refusal(proposal, locked, now)
        if refusal == "expired" and proposal.status == HelpProposal.Status.PENDING:
            refusal = None  # declining late still frees the request at once
        if refusal:
            raise HelpError(refusal)
        HelpProposal.objects.filter(pk=proposal.pk, status=HelpProposal.Status.PENDING).update(
            status=HelpProposal.Status.DECLINED, answered_at=now
        )
        HelpRequest.objects.filter(pk=locked.pk, status=Status.PROPOSED).update(
            status=Status.SEARCHING, status_changed_at=now
        )
        if pause and proposal.volunteer_id:
            volunteer_help_pause(volunteer=proposal.volunteer, paused=True)
        transaction.on_commit(lambda: handlers_told_declined_task.enqueue(proposal_id=proposal.pk))
    proposal.refresh_from_db()
    return proposal


def request_done(*, token, minutes: int) -> HelpRequest:
    """The volunteer says the help was given, and how long it took (the "done" link of the
    acceptance email). Recorded once; the public hours figure changes at once (the pages
    that show it are purged after commit)."""
    from .models import MAX_MINUTES

    proposal = proposal_from_token(token=token, salt=DONE_SALT)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError) as error:
        raise HelpError("bad_minutes") from error
    if not 1 <= minutes <= MAX_MINUTES:
        raise HelpError("bad_minutes")
    now = timezone.now()
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update(of=("self",)).get(pk=proposal.request_id)
        proposal.refresh_from_db(fields=["status"])
        if proposal.status != HelpProposal.Status.ACCEPTED:
            raise HelpError("not_accepted")
        if locked.status == Status.DONE:
            raise HelpError("already_done")
        if locked.status != Status.ACCEPTED:
            raise HelpError("withdrawn" if locked.closed_reason == "withdrawn" else "closed")
        HelpRequest.objects.filter(pk=locked.pk, status=Status.ACCEPTED).update(
            status=Status.DONE,
            minutes=int(minutes),
            done_at=now,
            closed_at=now,
            status_changed_at=now,
        )
        purge_everything_on_commit()
    locked.refresh_from_db()
    return locked


def proposals_expire(*, now=None) -> int:
    """Mark expired the proposals left unanswered past their deadline; their requests look
    for someone again and their referents are told (tasks). Returns how many expired."""
    from .tasks import handlers_told_expired_task

    now = now or timezone.now()
    count = 0
    due = HelpProposal.objects.filter(status=HelpProposal.Status.PENDING, deadline__lte=now)
    for pk, request_id in list(due.values_list("pk", "request_id")):
        with transaction.atomic():
            HelpRequest.objects.select_for_update().filter(pk=request_id).exists()
            if HelpProposal.objects.filter(pk=pk, status=HelpProposal.Status.PENDING).update(
                status=HelpProposal.Status.EXPIRED, answered_at=now
            ):
                HelpRequest.objects.filter(pk=request_id, status=Status.PROPOSED).update(
                    status=Status.SEARCHING, status_changed_at=now
                )
                count += 1
                transaction.on_commit(
                    lambda pk=pk: handlers_told_expired_task.enqueue(proposal_id=pk)
                )
    return count


# --- retention ---------------------------------------------------------------------------

PERSONAL_FIELDS = {
    "first_name": "",
    "phone": "",
    "email": "",
    "requester_name": "",
    "requester_email": "",
    "when_details": "",
    "details": "",
    "consent_wording": "",
    "availability": [],
}


def requests_anonymise(*, now=None, dry_run=False) -> dict[str, int]:
    """Blank the personal data of the requests closed more than three months ago (kept: the
    commune, the category, the dates, the state and the time given; the link to the
    volunteer goes too, and the withdrawal link's secret is renewed), and delete the access
    log's lines older than a year. Returns the counts; `dry_run` only counts."""
    from .models import new_token

    now = now or timezone.now()
    due = HelpRequest.objects.anonymisable(now=now)
    old_log = AccessRecord.objects.filter(at__lt=now - ACCESS_LOG_RETENTION)
    counts = {"requests": due.count(), "access_records": old_log.count()}
    if dry_run:
        return counts
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            HelpRequest.objects.filter(pk=pk, anonymised_at__isnull=True).update(
                **PERSONAL_FIELDS, volunteer=None, anonymised_at=now, token=new_token()
            )
            HelpProposal.objects.filter(request_id=pk).update(volunteer=None, token=new_token())
            AccessRecord.objects.filter(request_id=pk).update(volunteer=None)
    old_log.delete()
    return counts


# --- figures -----------------------------------------------------------------------------


def public_minutes(*, commune=None) -> dict:
    """The public, anonymous figure of time given: {"total": minutes, "commune": minutes,
    "department": minutes} (the last two when `commune` is given). One query."""
    done = HelpRequest.objects.filter(status=Status.DONE)
    aggregates = {"total": Sum("minutes")}
    if commune is not None:
        # Aliases that are not field names: "commune" would shadow the relation.
        aggregates["in_commune"] = Sum("minutes", filter=Q(commune_id=commune.insee_code))
        aggregates["in_department"] = Sum(
            "minutes", filter=Q(commune__department=commune.department_id)
        )
    values = done.aggregate(**aggregates)
    return {key.removeprefix("in_"): value or 0 for key, value in values.items()}


def staff_figures(*, user, weeks=12, now=None) -> dict:
    """The dashboard's figures, over the requests `user` may see: per week, the requests
    received and how they ended (done, closed without help, still open); the median time
    from request to acceptance; the time given, by department. Four queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday())
    starts = [monday - datetime.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    since = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time.min))
    visible = HelpRequest.objects.visible_to(user)
    table = {
        start: {"week": start, "received": 0, "done": 0, "closed": 0, "open": 0} for start in starts
    }
    # Counted by week in the database (Monday, in the site's time zone): one row per week and
    # state, whatever the number of requests.
    recent = visible.filter(created_at__gte=since)
    weekly = (
        recent.annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
        .values("week", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in weekly:
        week = row["week"]
        week = week.date() if hasattr(week, "date") else week
        cells = table.get(week)
        if cells is None:
            continue
        cells["received"] += row["count"]
        if row["status"] == Status.DONE:
            cells["done"] += row["count"]
        elif row["status"] == Status.CLOSED:
            cells["closed"] += row["count"]
        else:
            cells["open"] += row["count"]
    # The median needs the waits themselves: those of the matched requests only.
    waits = [
        (matched_at - created_at).total_seconds() / 3600
        for created_at, matched_at in recent.filter(matched_at__isnull=False).values_list(
            "created_at", "matched_at"
        )
    ]
    by_department = list(
        visible.filter(status=Status.DONE)
        .values(code=F("commune__department"), name=F("commune__department__name"))
        .annotate(minutes=Sum("minutes"), requests=Count("pk"))
        .order_by("-minutes", "code")
    )
    totals = visible.aggregate(
        received=Count("pk"),
        done=Count("pk", filter=Q(status=Status.DONE)),
        minutes=Sum("minutes", filter=Q(status=Status.DONE)),
        open=Count("pk", filter=~Q(status__in=HelpRequest.CLOSED_STATUSES)),
    )
    weeks_rows = list(table.values())
    return {
        "weeks": weeks_rows,
        "peak": max([1] + [r["received"] for r in weeks_rows]),
        "median_hours_to_match": round(statistics.median(waits), 1) if waits else None,
        "matched": len(waits),
        "by_department": by_department,
        "totals": {key: value or 0 for key, value in totals.items()},
    }
