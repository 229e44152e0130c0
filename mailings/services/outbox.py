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
   idempotency key where it has one, and a tag naming it (`esp.batch_tag`). The time of its
   first call is noted on its rows (`first_sent_at`) before the call.
4. ESP errors, time-outs and workers that died keep the batch (same rows, same key) for a
   later try, with exponential backoff; the rest of the mailing waits behind it (a circuit
   breaker). Within the key's lifetime (`esp.key_window`) the batch is sent again with its
   key: Brevo refuses a key it has processed with `duplicate_parameter`, read here as
   "already accepted". Past it, the batch is reconciled: the ESP's record (`esp_accepted`)
   says who it took, they are sent, the others go out as a new batch with a new key. A
   batch is split (into new batches) only when the ESP refuses an address in it.
5. There is no last try: an outage loses nobody. Past MAILING_OUTAGE_HOURS after the
   mailing's start, what the ESP is known not to have taken fails, and staff can resend it
   (`mailing_failed_resend`), which reconciles first and never resends a sent row.
6. The ESP's webhooks move each delivery forward (delivered, bounced...), never back.

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
    EspProfile,
    EspUnreachable,
    MailingError,
    _setting,
    batch_tag,
    esp_accepted,
    esp_profile,
    key_window,
    lease_seconds,
    outage_seconds,
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
    """One message to every recipient of the batch, merged by the ESP. It carries the
    batch's key as the ESP's idempotency key and the batch's tag, by which the ESP's record
    of it is found (`esp_accepted`)."""
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
    message.tags = [batch_tag(key), "mailing"]
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


def _esp_error(error) -> tuple[str, str]:
    """The `code` and `message` of the ESP's JSON error answer, or empty strings."""
    response = getattr(error, "response", None)
    if response is None:
        return "", ""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("code") or ""), str(body.get("message") or "")


def _accepted_anyway(error, profile: EspProfile) -> bool:
    """Anymail raised, yet the ESP took the call: it answered 2xx with a body that is not
    JSON, or (Brevo) it refused the batch's key as `duplicate_parameter`, which it does only
    for a key whose call it processed (https://developers.brevo.com/docs/heterogenous-
    versions-batch-emails)."""
    code = _status_code(error)
    if code is not None and 200 <= code < 300:
        return True
    return (
        bool(profile.idempotency_header)
        and code == 400
        and _esp_error(error)[0] == "duplicate_parameter"
    )


def _is_address_refusal(error, profile: EspProfile) -> bool:
    """The ESP refused the call because of a recipient's address: sending it again as is
    would fail again, so the batch is split to find the culprit. Brevo says so with
    `invalid_parameter` about an email; for other ESPs, any 400 or 422."""
    code = _status_code(error)
    if profile.name == "brevo":
        esp_code, message = _esp_error(error)
        return code == 400 and esp_code == "invalid_parameter" and "email" in message.lower()
    return code in (400, 422)


def _is_refusal(error) -> bool:
    """A 4xx that no retry cures (not authentication, time-out or rate limit)."""
    code = _status_code(error)
    return code is not None and 400 <= code < 500 and code not in (401, 403, 408, 429)


def _rate_limit_wait(error) -> float:
    """Seconds the ESP asked us to wait (Brevo's x-sib-ratelimit-reset, or Retry-After)."""
    response = getattr(error, "response", None)
    if response is None or _status_code(error) != 429:
        return 0.0
    for header in ("x-sib-ratelimit-reset", "Retry-After"):
        try:
            return max(0.0, float(response.headers.get(header, "")))
        except ValueError:
            continue
    return 0.0


def _chunks(pks, size=500):
    pks = list(pks)
    for start in range(0, len(pks), size):
        yield pks[start : start + size]


def _mark_sent(key, results: dict[int, str], now) -> None:
    """Record the ESP's message ids for the rows of batch `key` in `results`. A row a
    webhook already moved forward keeps its status (the ESP can be faster than our write).
    Two statements whatever the batch size: Django's bulk_update builds a CASE per row,
    which costs more than the ESP call for a batch of 1,000."""
    if not results:
        return
    pks = sorted(results)
    with transaction.atomic():
        # The rows of `results` are the rows of the batch still "sending" (the others were
        # failed or moved to another batch first), in primary key order: a range, not a
        # list of ids.
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
        with_ids = [(message_id, pk) for pk, message_id in results.items() if message_id]
        if with_ids:
            table = connection.ops.quote_name(Delivery._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET esp_message_id = %s WHERE id = %s",  # noqa: S608
                    with_ids,
                )


def _mark_failed(pks, error_text: str) -> None:
    for chunk in _chunks(pks):
        Delivery.objects.filter(pk__in=chunk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED, claimed_at=None, error=error_text[:300]
        )


def _new_batch(pks, now) -> uuid.UUID:
    """Move rows still "sending" into a new batch, due now, never handed to the ESP: a new
    key, and the filter of a first try (whoever unsubscribed meanwhile is left out)."""
    key = uuid.uuid4()
    for chunk in _chunks(pks):
        Delivery.objects.filter(pk__in=chunk, status=Delivery.Status.SENDING).update(
            batch_key=key, first_sent_at=None, claimed_at=None, next_attempt_at=now, attempts=0
        )
    return key


def _schedule_retry(key, rows, error_text: str, *, wait: float = 0.0) -> datetime:
    """Keep the batch (same rows, same key) for a later try, and return its time. There is
    no last try: past the key's lifetime the batch is reconciled (`_reconcile_batch`), and
    past the outage bound what the ESP did not take is failed there."""
    attempts = max(row.attempts for row in rows)
    retry_at = timezone.now() + timezone.timedelta(seconds=max(retry_delay(attempts), wait))
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


def _past_outage(mailing: Mailing, now: datetime) -> bool:
    """Whether the mailing has waited for the ESP longer than MAILING_OUTAGE_HOURS, counted
    from its start or from staff's last "resend what failed"."""
    since = max(filter(None, (mailing.started_at, mailing.resent_at)), default=None)
    return since is not None and (now - since).total_seconds() > outage_seconds()


def _outage_text() -> str:
    hours = round(outage_seconds() / 3600)
    return _(
        "Non remis : le prestataire n'a pas pris cet envoi en %(hours)d h. "
        "« Renvoyer les échecs » le renvoie."
    ) % {"hours": hours}


def _send_merged(mailing, rows, key, profile, sender, reply_to, esp) -> None:
    """Send `rows` (the batch `key`) in one ESP call. On a refusal of an address, split the
    batch in two new batches (new keys, sent by the next turns of the dispatch loop) until
    the refused address is alone: it fails, the others go."""
    message = _build_batch_message(mailing, rows, key, profile, sender, reply_to)
    try:
        esp.send_messages([message])
    except AnymailAPIError as error:
        if _accepted_anyway(error, profile):
            # Taken; the message ids are unknown (webhooks find the rows by their metadata).
            _mark_sent(key, {row.pk: "" for row in rows}, timezone.now())
            return
        if _is_address_refusal(error, profile):
            if len(rows) == 1:
                _mark_failed([rows[0].pk], _("Adresse refusée par le prestataire"))
                return
            now = timezone.now()
            middle = len(rows) // 2
            for half in (rows[:middle], rows[middle:]):
                _new_batch([row.pk for row in half], now)
            return
        if profile.name == "brevo" and _is_refusal(error):
            # Any other refusal of the call itself would come again: staff see it, and
            # "resend what failed" once it is fixed.
            _mark_failed(
                [row.pk for row in rows],
                _("Envoi refusé par le prestataire (%(code)s)")
                % {"code": _esp_error(error)[0] or _status_code(error)},
            )
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
    # Refused rows first: `_mark_sent` marks the rest of the range.
    if refused:
        _mark_failed(refused, _("Adresse refusée par le prestataire"))
    _mark_sent(key, results, now)


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
            if _status_code(error) in (400, 422):
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


def _reconcile_batch(mailing, key, rows, profile, first_sent_at):
    """The batch's key may be forgotten by the ESP: sending it again could deliver it
    twice. Ask the ESP which recipients it took; those are sent. The others go out as a
    new batch with a new key, or, past the outage bound, fail (we know they were not
    taken). If the ESP cannot say, try again later: nothing is concluded."""
    try:
        taken = esp_accepted(profile=profile, key=key, since=first_sent_at)
    except EspUnreachable as error:
        logger.warning(
            "Mailing %s: batch %s could not be reconciled (%s); retry planned",
            mailing.pk,
            key,
            error,
        )
        text = _("Vérification auprès du prestataire impossible pour le moment")
        return len(rows), _schedule_retry(key, rows, text)
    now = timezone.now()
    results = {
        row.pk: taken[row.volunteer.email.lower()]
        for row in rows
        if _has_address(row.volunteer) and row.volunteer.email.lower() in taken
    }
    rest = [row.pk for row in rows if row.pk not in results]
    if rest:
        if _past_outage(mailing, now):
            _mark_failed(rest, _outage_text())
        else:
            _new_batch(rest, now)
    _mark_sent(key, results, now)
    return len(results), None


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
    now = timezone.now()
    tried = [row.first_sent_at for row in rows if row.first_sent_at is not None]
    first_sent_at = min(tried) if tried else None
    if first_sent_at is not None:
        window = key_window(profile)
        expired = window is None or (now - first_sent_at).total_seconds() >= window
        if expired and profile.reconciles:
            return _reconcile_batch(mailing, key, rows, profile, first_sent_at)
        if expired and _past_outage(mailing, now):
            # No way to ask this ESP what it took: past the bound, failed (perhaps taken).
            _mark_failed([row.pk for row in rows], _outage_text())
            return len(rows), None
    # Whoever unsubscribed since the mailing started is left out. Only on a first try: a
    # try again must repeat the same call for the ESP to recognise its key (only someone
    # erased since, whose address is gone, is left out then).
    keep = _is_mailable if first_sent_at is None else _has_address
    gone = {row.pk for row in rows if not keep(row.volunteer)}
    if gone:
        Delivery.objects.filter(pk__in=gone).update(status=Delivery.Status.SKIPPED, claimed_at=None)
        rows = [row for row in rows if row.pk not in gone]
    if not rows:
        return len(gone), None
    if first_sent_at is None:
        # Noted before the call, so that a worker killed during it leaves the time the key
        # was first used.
        Delivery.objects.filter(batch_key=key, status=Delivery.Status.SENDING).update(
            first_sent_at=now
        )
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
            return len(rows), _schedule_retry(
                key, remaining, _error_text(error), wait=_rate_limit_wait(error)
            )
    return len(rows), None


def mailing_dispatch(*, mailing_id: int, time_budget: float | None = None) -> int:
    """Send the mailing's due batches until none is left or `time_budget` seconds have
    passed; then plan what follows (the next run, or the next retry). Several workers may
    run it at once for one mailing. A mailing cancelled meanwhile takes no new batch, but
    the batches already handed to the ESP are seen through (sent or reconciled), so that
    the report says who got it. Returns the number of deliveries handled."""
    from .. import tasks

    mailing = Mailing.objects.filter(pk=mailing_id).first()
    if mailing is None or mailing.status not in (Mailing.Status.SENDING, Mailing.Status.CANCELLED):
        return 0
    profile = esp_profile()
    budget = time_budget if time_budget is not None else _setting("MAILING_TASK_SECONDS", 120)
    deadline = time.monotonic() + budget
    handled = 0
    with translation.override(mailing.language), get_connection() as esp:
        while time.monotonic() < deadline:
            status = Mailing.objects.filter(pk=mailing_id).values_list("status", flat=True)[0]
            now = timezone.now()
            key = _claim_resumable(mailing_id, now)
            if key is None and status == Mailing.Status.SENDING:
                if _past_outage(mailing, now):
                    # What was never handed over fails too: staff decide whether a
                    # mailing that late still goes ("resend what failed").
                    Delivery.objects.filter(
                        mailing_id=mailing_id, status=Delivery.Status.PENDING
                    ).update(status=Delivery.Status.FAILED, error=_outage_text()[:300])
                else:
                    key = _claim_fresh(mailing_id, profile.batch_size, now)
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


def _dispatch_waiting(mailing_id: int, now: datetime) -> bool:
    """Whether a dispatch task of the mailing is queued (due or deferred) or running, as the
    database task queue records it. A task RUNNING for longer than a dispatch can last is
    a killed worker's: it does not count. Other backends cannot tell: False."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .. import tasks

    if not isinstance(tasks.dispatch_mailing.get_backend(), DatabaseBackend):
        return False
    longest = _setting("MAILING_TASK_SECONDS", 120) + lease_seconds()
    alive = DBTaskResult.objects.filter(task_path=tasks.dispatch_mailing.module_path).filter(
        Q(status=TaskResultStatus.READY)
        | Q(
            status=TaskResultStatus.RUNNING,
            started_at__gte=now - timezone.timedelta(seconds=longest),
        )
    )
    return any(
        (args or {}).get("kwargs", {}).get("mailing_id") == mailing_id
        for args in alive.values_list("args_kwargs", flat=True)
    )


def mailings_recover(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic safety net (docs/OPERATIONS.md): start scheduled mailings whose task was
    lost, and hand back to the workers the mailings with deliveries left pending, due for a
    retry, or held by a worker that died, unless a dispatch of theirs is already queued or
    running (so that runs of this command never multiply the dispatch chains). Safe to run
    at any time, as often as wanted."""
    from .. import tasks

    now = now or timezone.now()
    started = 0
    for mailing in Mailing.objects.filter(
        status=Mailing.Status.SCHEDULED, scheduled_at__lte=now
    ).only("pk", "scheduled_at"):
        if mailing_start(mailing_id=mailing.pk, scheduled_at=mailing.scheduled_at.isoformat()):
            started += 1
    stale = now - timezone.timedelta(seconds=lease_seconds())
    going = [Mailing.Status.SENDING, Mailing.Status.CANCELLED]
    due = (
        Delivery.objects.filter(
            Q(mailing__status=Mailing.Status.SENDING, status=Delivery.Status.PENDING)
            & Q(next_attempt_at__lte=now)
            | Q(
                mailing__status__in=going,
                status=Delivery.Status.SENDING,
                claimed_at__isnull=True,
                next_attempt_at__lte=now,
            )
            | Q(mailing__status__in=going, status=Delivery.Status.SENDING, claimed_at__lt=stale)
        )
        .values_list("mailing_id", flat=True)
        .distinct()
    )
    resumed = 0
    for mailing_id in list(due):
        with transaction.atomic():
            # A write first: two runs at once queue one after the other (SQLite included),
            # and the second sees the task the first queued.
            Mailing.objects.filter(pk=mailing_id).update(updated_at=F("updated_at"))
            if _dispatch_waiting(mailing_id, now):
                continue
            tasks.dispatch_mailing.enqueue(mailing_id=mailing_id)
        resumed += 1
    # A mailing whose last rows were settled by a worker that then died stays "sending".
    settled = Mailing.objects.filter(status=Mailing.Status.SENDING).exclude(
        deliveries__status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    for mailing_id in settled.values_list("pk", flat=True):
        _mailing_settle(mailing_id)
    return {"started": started, "resumed": resumed}


def mailing_failed_resend(*, mailing: Mailing) -> int:
    """Send again what failed (staff's "resend what failed"). First the ESP is asked, where
    it can be, which of those recipients it took after all: they become sent. Only the
    others are handed back to the workers, as new batches. A delivery in any other state
    (sent, delivered, bounced...) is never touched. Returns the number handed back; refused
    (MailingError) for a mailing that has not gone out or when the ESP cannot say."""
    from .. import tasks

    if mailing.status not in (Mailing.Status.SENDING, Mailing.Status.SENT):
        raise MailingError(_("Seul un envoi parti peut renvoyer ses échecs."))
    failed = Delivery.objects.filter(mailing_id=mailing.pk, status=Delivery.Status.FAILED)
    profile = esp_profile()
    now = timezone.now()
    if profile.reconciles:
        batches = (
            failed.exclude(batch_key=None)
            .exclude(first_sent_at=None)
            .values_list("batch_key", "first_sent_at")
            .order_by()
            .distinct()
        )
        for key, first_sent_at in list(batches):
            try:
                taken = esp_accepted(profile=profile, key=key, since=first_sent_at)
            except EspUnreachable:
                raise MailingError(
                    _("Le prestataire ne répond pas : rien n'a été renvoyé. Réessayez plus tard.")
                ) from None
            for pk, email in failed.filter(batch_key=key).values_list("pk", "volunteer__email"):
                if email and email.lower() in taken:
                    Delivery.objects.filter(pk=pk, status=Delivery.Status.FAILED).update(
                        status=Delivery.Status.SENT,
                        esp_message_id=taken[email.lower()],
                        sent_at=now,
                        error="",
                    )
    with transaction.atomic():
        count = failed.update(
            status=Delivery.Status.PENDING,
            batch_key=None,
            first_sent_at=None,
            claimed_at=None,
            attempts=0,
            next_attempt_at=now,
            error="",
        )
        if count:
            Mailing.objects.filter(pk=mailing.pk).update(resent_at=now, updated_at=now)
            Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENT).update(
                status=Mailing.Status.SENDING, finished_at=None
            )
            transaction.on_commit(lambda: tasks.dispatch_mailing.enqueue(mailing_id=mailing.pk))
    mailing.refresh_from_db()
    return count


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
        "in_flight": counts.get(s.SENDING, 0),
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
