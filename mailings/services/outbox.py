"""Sending a mailing through the `Delivery` outbox.

The audience is `audience.py`, the ESP's limits and timings `esp.py`; the ESP's tracking
events are `tracking.py`.

How a mailing goes out (docs/OPERATIONS.md has the operator's side):

1. `mailing_send` checks the audience and either schedules the mailing (a task deferred to
   the chosen time) or starts it.
2. `mailing_start` fixes what is sent (subject, HTML, text) and writes one `Delivery` row per
   recipient in one transaction. From then on the rows are the source of truth.
3. `mailing_dispatch` (a worker task) claims batches of rows and sends each batch in one ESP
   call with Anymail's batch sending. Each batch has a key, sent to the ESP as its
   idempotency key where it has one (Brevo remembers it 30 minutes): a batch sent again
   after a crash between the ESP's answer and our write is not delivered twice.
4. ESP errors and time-outs keep the batch (same rows, same key) and retry it later with
   exponential backoff, up to `MAX_ATTEMPTS`; then its rows are marked failed. A batch whose
   worker died keeps its rows in "sending": once their lease has expired, the next dispatch
   (or `mailings_recover`) sends the same batch again with the same key.
5. The ESP's webhooks move each delivery forward (delivered, bounced...), never back.

A row marked sent is never claimed again.
"""

import logging
import time
import uuid
from datetime import datetime
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anymail.exceptions import AnymailAPIError, AnymailError

from volunteers import emails
from volunteers.models import Volunteer

from .. import emails as mailing_emails
from ..models import Delivery, Mailing
from .audience import AudienceFilters, mailing_audience
from .esp import (
    MAX_ATTEMPTS,
    EspProfile,
    MailingError,
    _setting,
    esp_profile,
    lease_seconds,
    retry_delay,
)

logger = logging.getLogger(__name__)


def _sender_and_reply_to():
    """The mailings' From (the site settings' sender, else DEFAULT_FROM_EMAIL) and
    Reply-To."""
    _site, campaign = emails.default_site_settings()
    if campaign and campaign.sender_email:
        sender = formataddr((campaign.sender_name or campaign.campaign_name, campaign.sender_email))
    else:
        sender = settings.DEFAULT_FROM_EMAIL
    return sender, emails.reply_to(campaign)


def mailing_test_send(*, mailing: Mailing, to: str) -> None:
    """Send the mailing to one staff address, with sample values (no volunteer's data) and
    "[TEST]" before the subject. Called by a task."""
    rendered = mailing_emails.mailing_render(mailing)
    values = mailing_emails.sample_values(language=mailing.language)
    sender, reply_to = _sender_and_reply_to()
    with translation.override(mailing.language):
        subject = _("[TEST] %(subject)s") % {"subject": rendered.subject}
    message = EmailMultiAlternatives(
        subject=subject,
        body=mailing_emails.personalise(rendered.text, values, html=False),
        from_email=sender,
        to=[to],
        reply_to=reply_to,
    )
    message.attach_alternative(
        mailing_emails.personalise(rendered.html, values, html=True), "text/html"
    )
    message.send()


def mailing_send(*, mailing: Mailing, when: datetime | None = None) -> Mailing:
    """Send the mailing now, or at `when` if that is in the future: a worker task starts
    it (`mailing_start`). Refused (MailingError) when it has already gone or when nobody
    would receive it."""
    from .. import tasks

    if not mailing.is_editable:
        raise MailingError(_("Cet envoi est déjà parti ou a été annulé."))
    if not mailing_audience(filters=AudienceFilters.of(mailing)).exists():
        raise MailingError(
            _("Personne ne recevrait cet envoi : élargissez les critères des destinataires.")
        )
    now = timezone.now()
    later = when is not None and when > now
    # "Now" is scheduled for now: writing 100,000 deliveries takes seconds, which belongs
    # in a worker, not in the editor's request (nor in a transaction that holds SQLite).
    when = when if later else now
    mailing.status = Mailing.Status.SCHEDULED
    mailing.scheduled_at = when
    mailing.save(update_fields=["status", "scheduled_at", "updated_at"])
    transaction.on_commit(
        lambda: _enqueue(
            tasks.start_mailing,
            at=when if later else None,
            mailing_id=mailing.pk,
            scheduled_at=when.isoformat(),
        )
    )
    return mailing


def _enqueue(task, *, at: datetime | None = None, **kwargs) -> None:
    """Enqueue now, or at `at` where the task backend can defer. Where it cannot (the
    immediate backend of the tests), deferred work is left to `mailings_recover`."""
    if at is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    task.enqueue(**kwargs)


def mailing_start(*, mailing_id: int, scheduled_at: str | None = None) -> int:
    """Fix the mailing's content, write one delivery per recipient, and hand them to the
    workers. Returns the number of recipients. Does nothing for a mailing already started,
    cancelled, or rescheduled since this call was planned."""
    from .. import tasks

    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
        if mailing is None or mailing.status not in (
            Mailing.Status.DRAFT,
            Mailing.Status.SCHEDULED,
        ):
            return 0
        if scheduled_at is not None:
            if mailing.status != Mailing.Status.SCHEDULED or (
                mailing.scheduled_at is None
                or abs(
                    (mailing.scheduled_at - datetime.fromisoformat(scheduled_at)).total_seconds()
                )
                > 1
            ):
                return 0
        rendered = mailing_emails.mailing_render(mailing)
        now = timezone.now()
        recipients = mailing_audience(filters=AudienceFilters.of(mailing)).order_by("pk")
        ids = list(recipients.values_list("pk", flat=True))
        chunk = 5000
        for start in range(0, len(ids), chunk):
            Delivery.objects.bulk_create(
                [
                    Delivery(mailing_id=mailing.pk, volunteer_id=pk, next_attempt_at=now)
                    for pk in ids[start : start + chunk]
                ],
                ignore_conflicts=True,
            )
        mailing.sent_subject = rendered.subject
        mailing.sent_html = rendered.html
        mailing.sent_text = rendered.text
        mailing.recipients_count = len(ids)
        mailing.started_at = now
        if ids:
            mailing.status = Mailing.Status.SENDING
        else:
            mailing.status = Mailing.Status.SENT
            mailing.finished_at = now
        mailing.save()
        if ids:
            for _n in range(min(_setting("MAILING_PARALLEL_TASKS", 1), len(ids))):
                transaction.on_commit(lambda: tasks.dispatch_mailing.enqueue(mailing_id=mailing_id))
    return len(ids)


def mailing_cancel(*, mailing: Mailing) -> int:
    """Cancel a scheduled mailing, or stop one that is going out: what is not yet handed to
    the ESP is not sent. Returns the number of deliveries cancelled."""
    if not mailing.is_cancellable:
        raise MailingError(_("Cet envoi ne peut plus être annulé."))
    now = timezone.now()
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing.pk).update(
            status=Mailing.Status.CANCELLED, cancelled_at=now, updated_at=now
        )
        cancelled = Delivery.objects.filter(
            mailing_id=mailing.pk, status=Delivery.Status.PENDING
        ).update(status=Delivery.Status.CANCELLED)
    mailing.refresh_from_db()
    return cancelled


# --- claiming batches -------------------------------------------------------------------


def _claim_resumable(mailing_id: int, now: datetime) -> uuid.UUID | None:
    """A batch to send again: its retry is due, or its worker's lease has expired."""
    stale = now - timezone.timedelta(seconds=lease_seconds())
    resumable = Q(claimed_at__isnull=True, next_attempt_at__lte=now) | Q(claimed_at__lt=stale)
    candidates = Delivery.objects.filter(
        resumable, mailing_id=mailing_id, status=Delivery.Status.SENDING
    )
    key = candidates.values_list("batch_key", flat=True).first()
    if key is None:
        return None
    # Conditional: of two workers racing for this batch, one gets it.
    claimed = candidates.filter(batch_key=key).update(claimed_at=now, attempts=F("attempts") + 1)
    return key if claimed else None


def _claim_fresh(mailing_id: int, size: int, now: datetime) -> uuid.UUID | None:
    """Up to `size` pending deliveries, as a new batch."""
    with transaction.atomic():
        due = Delivery.objects.filter(
            mailing_id=mailing_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        pks = list(due.values_list("pk", flat=True)[:size])
        if not pks:
            return None
        key = uuid.uuid4()
        # A range, not a list of ids (SQLite limits the parameters of a query); the status
        # condition leaves out any row another worker took meanwhile.
        Delivery.objects.filter(
            mailing_id=mailing_id,
            status=Delivery.Status.PENDING,
            pk__gte=pks[0],
            pk__lte=pks[-1],
            next_attempt_at__lte=now,
        ).update(
            status=Delivery.Status.SENDING,
            batch_key=key,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    return key


# --- sending one batch ------------------------------------------------------------------


def _has_address(volunteer) -> bool:
    return volunteer is not None and bool(volunteer.email)


def _is_mailable(volunteer) -> bool:
    return (
        volunteer is not None
        and volunteer.status == Volunteer.Status.CONFIRMED
        and volunteer.consent_emails
        and bool(volunteer.email)
    )


def _build_batch_message(mailing, rows, key, profile, sender, reply_to):
    """One message to every recipient of the batch, merged by the ESP."""
    html = mailing_emails.merge_template(mailing.sent_html, profile.merge_field, html=True)
    text = mailing_emails.merge_template(mailing.sent_text, profile.merge_field, html=False)
    message = EmailMultiAlternatives(
        subject=mailing.sent_subject,
        body=text,
        from_email=sender,
        to=[row.volunteer.email for row in rows],
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    message.merge_data = {}
    message.merge_headers = {}
    message.merge_metadata = {}
    links = emails.LinkMaker()
    for row in rows:
        values = mailing_emails.recipient_values(
            row.volunteer, language=mailing.language, links=links
        )
        message.merge_data[row.volunteer.email] = mailing_emails.merge_data(values)
        message.merge_headers[row.volunteer.email] = emails.unsubscribe_headers(
            row.volunteer, values["lien_desinscription"]
        )
        message.merge_metadata[row.volunteer.email] = {"delivery": str(row.pk)}
    message.tags = ["mailing"]
    if profile.idempotency_header:
        message.extra_headers = {profile.idempotency_header: str(key)}
    return message


def _build_single_messages(mailing, rows, sender, reply_to):
    messages = []
    links = emails.LinkMaker()
    for row in rows:
        values = mailing_emails.recipient_values(
            row.volunteer, language=mailing.language, links=links
        )
        message = EmailMultiAlternatives(
            subject=mailing.sent_subject,
            body=mailing_emails.personalise(mailing.sent_text, values, html=False),
            from_email=sender,
            to=[row.volunteer.email],
            reply_to=reply_to,
            headers=emails.unsubscribe_headers(row.volunteer, values["lien_desinscription"]),
        )
        message.attach_alternative(
            mailing_emails.personalise(mailing.sent_html, values, html=True), "text/html"
        )
        message.metadata = {"delivery": str(row.pk)}
        messages.append(message)
    return messages


def _status_code(error) -> int | None:
    return getattr(error, "status_code", None)


def _is_content_rejection(error) -> bool:
    """The ESP refused the call itself (a bad address, usually): sending it again as is
    would fail again, so the batch is split to find the culprit."""
    return _status_code(error) in (400, 422)


def _mark_sent(key, results: dict[int, str], now) -> None:
    """Record the ESP's message ids for the rows of batch `key` in `results`. A row a
    webhook already moved forward keeps its status (the ESP can be faster than our write).
    Two statements whatever the batch size: Django's bulk_update builds a CASE per row,
    which costs more than the ESP call for a batch of 1,000."""
    if not results:
        return
    pks = sorted(results)
    with transaction.atomic():
        # The rows of `results` are a contiguous slice of the batch (a batch, or one half
        # of a split batch), in primary key order: a range, not a list of ids.
        rows = Delivery.objects.filter(batch_key=key, pk__gte=pks[0], pk__lte=pks[-1])
        rows.filter(status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SENT, sent_at=now, claimed_at=None, error=""
        )
        rows.filter(
            status__in=[
                Delivery.Status.DELIVERED,
                Delivery.Status.UNSUBSCRIBED,
                Delivery.Status.COMPLAINED,
                Delivery.Status.BOUNCED,
            ]
        ).update(sent_at=now, claimed_at=None)
        table = connection.ops.quote_name(Delivery._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET esp_message_id = %s WHERE id = %s",  # noqa: S608
                [(results[pk], pk) for pk in pks],
            )


def _mark_failed(pks, error_text: str) -> None:
    Delivery.objects.filter(pk__in=pks, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.FAILED, claimed_at=None, error=error_text[:300]
    )


def _schedule_retry(key, rows, error_text: str) -> datetime | None:
    """Keep the batch (same rows, same key) for a later try, and return its time; or,
    after the last try, give up on it (None)."""
    attempts = max(row.attempts for row in rows)
    if attempts >= MAX_ATTEMPTS:
        _mark_failed(
            [r.pk for r in rows],
            _("Prestataire indisponible après %(n)d essais : %(error)s")
            % {"n": attempts, "error": error_text},
        )
        return None
    retry_at = timezone.now() + timezone.timedelta(seconds=retry_delay(attempts))
    Delivery.objects.filter(batch_key=key, status=Delivery.Status.SENDING).update(
        claimed_at=None, next_attempt_at=retry_at, error=error_text[:300]
    )
    return retry_at


def _error_text(error) -> str:
    """What staff see: the ESP's status and our summary, never a recipient's address."""
    code = _status_code(error)
    if code:
        return _("Réponse %(code)d du prestataire") % {"code": code}
    return _("Pas de réponse du prestataire (%(kind)s)") % {"kind": type(error).__name__}


def _send_merged(mailing, rows, key, profile, sender, reply_to, esp) -> None:
    """Send `rows` in one ESP call. On a refusal of the call itself, split it in two (each
    half with a key derived from this one, so a repeat is still recognised) until the
    refused address is alone; it fails, the others go."""
    message = _build_batch_message(mailing, rows, key, profile, sender, reply_to)
    try:
        esp.send_messages([message])
    except AnymailAPIError as error:
        if _is_content_rejection(error):
            if len(rows) == 1:
                _mark_failed([rows[0].pk], _("Adresse refusée par le prestataire"))
                return
            middle = len(rows) // 2
            for half, part in ((rows[:middle], "a"), (rows[middle:], "b")):
                _send_merged(mailing, half, uuid.uuid5(key, part), profile, sender, reply_to, esp)
            return
        raise
    now = timezone.now()
    statuses = message.anymail_status.recipients
    results, refused = {}, []
    for row in rows:
        status = statuses.get(row.volunteer.email)
        if status is None or status.status in ("rejected", "invalid", "failed"):
            refused.append(row.pk)
        else:
            results[row.pk] = status.message_id or ""
    # Refused rows first: `_mark_sent` marks the rest of the range. `key` may be a half's
    # derived key: the rows keep their batch's own.
    if refused:
        _mark_failed(refused, _("Adresse refusée par le prestataire"))
    _mark_sent(rows[0].batch_key, results, now)


def _send_singles(mailing, rows, sender, reply_to, esp) -> None:
    """For backends that cannot merge: one message each, over one connection."""
    now = timezone.now()
    results, refused = {}, []
    for row, message in zip(
        rows, _build_single_messages(mailing, rows, sender, reply_to), strict=True
    ):
        try:
            sent = esp.send_messages([message])
        except AnymailAPIError as error:
            if _is_content_rejection(error):
                refused.append(row.pk)
                continue
            # Record what went before the error; the rest stays in the batch for a retry.
            if refused:
                _mark_failed(refused, _("Adresse refusée par le prestataire"))
            _mark_sent(row.batch_key, results, now)
            raise
        if sent:
            status = getattr(message, "anymail_status", None)
            results[row.pk] = (status.message_id if status else "") or ""
        else:
            refused.append(row.pk)
    if refused:
        _mark_failed(refused, _("Adresse refusée par le prestataire"))
    _mark_sent(rows[0].batch_key, results, now)


def _send_batch(mailing: Mailing, key, profile: EspProfile, esp):
    """Send the batch `key`. Returns the number of deliveries handed over or settled, and
    when the batch is retried if the ESP failed (else None)."""
    rows = list(
        Delivery.objects.filter(batch_key=key, status=Delivery.Status.SENDING)
        .select_related("volunteer__commune")
        .order_by("pk")
    )
    if not rows:
        return 0, None
    # Whoever unsubscribed since the mailing started is left out. Only on a first try: a
    # retry must repeat the same call for the ESP to recognise it (only someone erased
    # since, whose address is gone, is left out then).
    keep = _is_mailable if max(row.attempts for row in rows) <= 1 else _has_address
    gone = {row.pk for row in rows if not keep(row.volunteer)}
    if gone:
        Delivery.objects.filter(pk__in=gone).update(status=Delivery.Status.SKIPPED, claimed_at=None)
        rows = [row for row in rows if row.pk not in gone]
    if not rows:
        return len(gone), None
    sender, reply_to = _sender_and_reply_to()
    try:
        if profile.merge_field:
            _send_merged(mailing, rows, key, profile, sender, reply_to, esp)
        else:
            _send_singles(mailing, rows, sender, reply_to, esp)
    except AnymailError as error:
        logger.warning(
            "Mailing %s: batch %s not accepted by the ESP (%s); retry planned",
            mailing.pk,
            key,
            _status_code(error) or type(error).__name__,
        )
        remaining = list(
            Delivery.objects.filter(batch_key=key, status=Delivery.Status.SENDING).only(
                "pk", "attempts"
            )
        )
        if remaining:
            return len(rows), _schedule_retry(key, remaining, _error_text(error))
    return len(rows), None


def mailing_dispatch(*, mailing_id: int, time_budget: float | None = None) -> int:
    """Send the mailing's due batches until none is left or `time_budget` seconds have
    passed; then plan what follows (the next run, or the next retry). Several workers may
    run it at once for one mailing. Returns the number of deliveries handled."""
    from .. import tasks

    mailing = Mailing.objects.filter(pk=mailing_id).first()
    if mailing is None or mailing.status != Mailing.Status.SENDING:
        return 0
    profile = esp_profile()
    budget = time_budget if time_budget is not None else _setting("MAILING_TASK_SECONDS", 120)
    deadline = time.monotonic() + budget
    handled = 0
    with translation.override(mailing.language), get_connection() as esp:
        while time.monotonic() < deadline:
            if not Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).exists():
                return handled  # cancelled meanwhile
            now = timezone.now()
            key = _claim_resumable(mailing_id, now) or _claim_fresh(
                mailing_id, profile.batch_size, now
            )
            if key is None:
                break
            count, retry_at = _send_batch(mailing, key, profile, esp)
            handled += count
            if retry_at is not None and retry_at > timezone.now():
                # The ESP is failing: the rest of the mailing waits for this batch's retry
                # instead of spending its own tries (a circuit breaker), so an outage costs
                # one batch's attempts, not every batch's.
                Delivery.objects.filter(
                    mailing_id=mailing_id,
                    status=Delivery.Status.PENDING,
                    next_attempt_at__lt=retry_at,
                ).update(next_attempt_at=retry_at)
                break
        else:
            # Out of time with work left: a fresh task carries on, so that one long mailing
            # does not hold a worker for good.
            transaction.on_commit(lambda: tasks.dispatch_mailing.enqueue(mailing_id=mailing_id))
            return handled
    _mailing_settle(mailing_id)
    return handled


def _mailing_settle(mailing_id: int) -> None:
    """Close the mailing when every delivery is settled; else plan the next retry."""
    from .. import tasks

    open_rows = Delivery.objects.filter(
        mailing_id=mailing_id, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    next_due = open_rows.aggregate(at=Min("next_attempt_at"))["at"]
    if next_due is None:
        now = timezone.now()
        Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.SENT, finished_at=now, updated_at=now
        )
        return
    in_flight = open_rows.filter(claimed_at__isnull=False).exists()
    if not in_flight:
        _enqueue(tasks.dispatch_mailing, at=max(next_due, timezone.now()), mailing_id=mailing_id)


def mailings_recover(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic safety net (docs/OPERATIONS.md): start scheduled mailings whose task was
    lost, and hand back to the workers the mailings with deliveries left pending, due for a
    retry, or held by a worker that died. Safe to run at any time, as often as wanted."""
    from .. import tasks

    now = now or timezone.now()
    started = 0
    for mailing in Mailing.objects.filter(
        status=Mailing.Status.SCHEDULED, scheduled_at__lte=now
    ).only("pk", "scheduled_at"):
        if mailing_start(mailing_id=mailing.pk, scheduled_at=mailing.scheduled_at.isoformat()):
            started += 1
    stale = now - timezone.timedelta(seconds=lease_seconds())
    due = (
        Delivery.objects.filter(mailing__status=Mailing.Status.SENDING)
        .filter(
            Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__isnull=True, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=stale)
        )
        .values_list("mailing_id", flat=True)
        .distinct()
    )
    resumed = 0
    for mailing_id in list(due):
        tasks.dispatch_mailing.enqueue(mailing_id=mailing_id)
        resumed += 1
    # A mailing whose last rows were settled by a worker that then died stays "sending".
    settled = Mailing.objects.filter(status=Mailing.Status.SENDING).exclude(
        deliveries__status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    for mailing_id in settled.values_list("pk", flat=True):
        _mailing_settle(mailing_id)
    return {"started": started, "resumed": resumed}


def mailing_progress(*, mailing: Mailing) -> dict:
    """The figures of the mailing's report, from one query."""
    counts = mailing.deliveries.counts()
    s = Delivery.Status
    handed = sum(
        counts.get(k, 0) for k in (s.SENT, s.DELIVERED, s.BOUNCED, s.COMPLAINED, s.UNSUBSCRIBED)
    )
    settled = handed + sum(counts.get(k, 0) for k in (s.FAILED, s.SKIPPED, s.CANCELLED))
    total = sum(counts.values())
    return {
        "status": mailing.status,
        "recipients": total,
        "pending": counts.get(s.PENDING, 0) + counts.get(s.SENDING, 0),
        "sent": handed,
        "delivered": counts.get(s.DELIVERED, 0),
        "bounced": counts.get(s.BOUNCED, 0),
        "complained": counts.get(s.COMPLAINED, 0),
        "unsubscribed": counts.get(s.UNSUBSCRIBED, 0),
        "failed": counts.get(s.FAILED, 0),
        "skipped": counts.get(s.SKIPPED, 0),
        "cancelled": counts.get(s.CANCELLED, 0),
        "settled": settled,
        "percent": round(100 * settled / total) if total else 0,
    }
