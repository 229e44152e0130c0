"""Sign-up, confirmation, preferences, consent, data export, erasure and retention.

Views, tasks, commands and the admin call these functions; emails are never sent here but by
the tasks in `tasks.py`, enqueued once the transaction has committed."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from campaign.personal_data import (
    Person,
    Section,
    personal_data_erase,
    personal_data_export,
)

from .. import conf, emails
from ..models import (
    ConsentRecord,
    EmailTemplate,
    Volunteer,
    VolunteerInterest,
    email_hash,
    normalize_email,
)

logger = logging.getLogger(__name__)

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


@dataclass(frozen=True)
class Wording:
    """The exact text a consent box showed, and the version of that text."""

    version: str
    text: str
    language: str


@dataclass(frozen=True)
class SignupResult:
    volunteer: Volunteer
    created: bool


def _enqueue(task, volunteer_id):
    transaction.on_commit(lambda: task.enqueue(volunteer_id=volunteer_id))


def _claim_email_slot(volunteer_id: int, field: str) -> bool:
    """True when no email of this kind went to this person in the last 24 hours; the slot is
    then taken in one UPDATE, so two concurrent requests cannot both get it."""
    now = timezone.now()
    since = now - timezone.timedelta(hours=conf.EMAIL_RESEND_INTERVAL_HOURS)
    claimed = (
        Volunteer.objects.filter(pk=volunteer_id)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": since}))
        .update(**{field: now})
    )
    return claimed == 1


def _record_consent(*, volunteer, purpose, granted, wording: Wording, source, now=None):
    return ConsentRecord.objects.create(
        volunteer=volunteer,
        purpose=purpose,
        granted=granted,
        wording_version=wording.version,
        wording=wording.text,
        language=wording.language,
        source=source,
        created_at=now or timezone.now(),
    )


# An address the ESP reported as undeliverable (hard bounce) or whose owner reported us as
# spam (complaint) gets no email at all, transactional ones included: writing again harms the
# sender's reputation and, for a complaint, the person's explicit wish. An unsubscribe only
# withdraws the campaign emails: such a person still gets what they ask for (a preferences
# link), and the welcome email never, since it follows a confirmation.
SUPPRESSED = (Volunteer.Status.BOUNCED, Volunteer.Status.COMPLAINED, Volunteer.Status.ERASED)


def volunteer_is_suppressed(volunteer: Volunteer) -> bool:
    """True when nothing may be sent to this person, whatever the kind of email."""
    return volunteer.status in SUPPRESSED or not volunteer.email


def _known_address_respond(volunteer: Volunteer) -> None:
    """Someone signed up with an address we know. Same answer on screen; by email, the
    confirmation again if it was never confirmed, else a link to the preferences. At most
    one of each per 24 hours. A suppressed address gets nothing (same answer on screen)."""
    from .. import tasks

    if volunteer_is_suppressed(volunteer):
        return
    if volunteer.status == Volunteer.Status.PENDING:
        if _claim_email_slot(volunteer.pk, "confirmation_sent_at"):
            _enqueue(tasks.send_confirmation_email, volunteer.pk)
    elif _claim_email_slot(volunteer.pk, "preferences_link_sent_at"):
        _enqueue(tasks.send_preferences_link_email, volunteer.pk)


def volunteer_preferences_link_request(*, email: str) -> None:
    """Someone asks for a link to the preferences of `email` (a used confirmation link's
    page). The same as a sign-up with a known address: the confirmation again if it was never
    confirmed, else a preferences link, at most one of each per 24 hours; nothing for an
    unknown or suppressed address. The caller answers the same whatever happened."""
    volunteer = Volunteer.objects.filter(email=normalize_email(email)).first()
    if volunteer is not None:
        with transaction.atomic():
            _known_address_respond(volunteer)


def volunteer_signup(
    *,
    email: str,
    first_name: str,
    last_name: str = "",
    commune=None,
    postcode: str = "",
    phone: str = "",
    interests=(),
    availability=(),
    hours_per_month: int = 1,
    language: str = "fr",
    consent_emails_wording: Wording,
    consent_mairie_wording: Wording | None = None,
    source_page=None,
    utm: dict | None = None,
    source: str = ConsentRecord.Source.SIGNUP,
    confirmation_email: bool = True,
) -> SignupResult:
    """Register a sign-up (pending) with its consent records, and have the confirmation email
    sent after commit. The emails consent is required: its wording is the proof.

    A known address changes nothing in the database except the email throttle: anyone can
    type anyone's address, so the data of a registered person is never overwritten here.
    Two identical sign-ups at the same moment give one row: the unique constraint decides,
    and the loser is answered as a known address.

    `source` is the consent records' origin; without `confirmation_email` (an assisted
    sign-up confirmed by letter, services/assisted.py) no confirmation email is sent for a
    new address. A known address is answered as always."""
    from .. import tasks

    email = normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        existing = Volunteer.objects.filter(email=email).first()
        if existing is not None:
            _known_address_respond(existing)
            return SignupResult(volunteer=existing, created=False)
        volunteer = Volunteer(
            email=email,
            email_hash=email_hash(email),
            first_name=first_name,
            last_name=last_name,
            commune=commune,
            postcode=postcode,
            phone=phone,
            availability=list(availability),
            hours_per_month=hours_per_month,
            language=language,
            consent_emails=True,
            consent_mairie=consent_mairie_wording is not None,
            created_at=now,
            status_changed_at=now,
            last_activity_at=now,
            confirmation_sent_at=now if confirmation_email else None,
            source_page=source_page,
            **{k: (utm or {}).get(k, "")[:100] for k in UTM_FIELDS},
        )
        try:
            with transaction.atomic():
                volunteer.save()
        except IntegrityError:
            # Another request created this address between our read and our insert.
            existing = Volunteer.objects.filter(email=email).first()
            if existing is None:
                raise
            _known_address_respond(existing)
            return SignupResult(volunteer=existing, created=False)
        VolunteerInterest.objects.bulk_create(
            [VolunteerInterest(volunteer=volunteer, slug=s) for s in dict.fromkeys(interests)]
        )
        _record_consent(
            volunteer=volunteer,
            purpose=ConsentRecord.Purpose.EMAILS,
            granted=True,
            wording=consent_emails_wording,
            source=source,
            now=now,
        )
        if consent_mairie_wording is not None:
            _record_consent(
                volunteer=volunteer,
                purpose=ConsentRecord.Purpose.SHARE_WITH_MAIRIE,
                granted=True,
                wording=consent_mairie_wording,
                source=source,
                now=now,
            )
        if confirmation_email:
            _enqueue(tasks.send_confirmation_email, volunteer.pk)
    return SignupResult(volunteer=volunteer, created=True)


def volunteer_confirm(*, volunteer: Volunteer) -> bool:
    """Confirm a pending sign-up and have the welcome email sent. True if the volunteer is
    confirmed afterwards; a second click changes nothing and sends nothing."""
    from .. import tasks

    now = timezone.now()
    with transaction.atomic():
        updated = Volunteer.objects.filter(pk=volunteer.pk, status=Volunteer.Status.PENDING).update(
            status=Volunteer.Status.CONFIRMED,
            confirmed_at=now,
            status_changed_at=now,
            last_activity_at=now,
        )
        if updated:
            _enqueue(tasks.send_welcome_email, volunteer.pk)
    volunteer.refresh_from_db()
    return volunteer.status == Volunteer.Status.CONFIRMED


def _set_consent(*, volunteer, purpose, granted, wording, source, now):
    field = {
        ConsentRecord.Purpose.EMAILS: "consent_emails",
        ConsentRecord.Purpose.SHARE_WITH_MAIRIE: "consent_mairie",
        ConsentRecord.Purpose.HELP_REQUESTS: "consent_help_requests",
    }[purpose]
    if getattr(volunteer, field) == granted:
        return False
    setattr(volunteer, field, granted)
    _record_consent(
        volunteer=volunteer,
        purpose=purpose,
        granted=granted,
        wording=wording,
        source=source,
        now=now,
    )
    return True


def volunteer_withdraw_consent(
    *, volunteer: Volunteer, purpose: str, wording: Wording, source: str
) -> bool:
    """Withdraw one consent and record it. Withdrawing the emails consent unsubscribes.
    Returns False when it was not given."""
    now = timezone.now()
    with transaction.atomic():
        changed = _set_consent(
            volunteer=volunteer,
            purpose=purpose,
            granted=False,
            wording=wording,
            source=source,
            now=now,
        )
        if changed and purpose == ConsentRecord.Purpose.EMAILS:
            if volunteer.status in (Volunteer.Status.CONFIRMED, Volunteer.Status.PENDING):
                volunteer.status = Volunteer.Status.UNSUBSCRIBED
                volunteer.unsubscribed_at = now
                volunteer.status_changed_at = now
        if changed:
            volunteer.last_activity_at = now
            volunteer.save()
    return changed


def volunteer_unsubscribe(*, volunteer: Volunteer, wording: Wording, source: str) -> None:
    """Stop every campaign email to this person (the unsubscribe link and the one-click
    header), and the help requests' proposals with them: those are emails too, and the person
    asked for no more. Each withdrawal is recorded. Idempotent; an erased person stays
    erased."""
    if volunteer.status == Volunteer.Status.ERASED:
        return
    with transaction.atomic():
        for purpose in (ConsentRecord.Purpose.EMAILS, ConsentRecord.Purpose.HELP_REQUESTS):
            volunteer_withdraw_consent(
                volunteer=volunteer, purpose=purpose, wording=wording, source=source
            )


def volunteer_help_pause(*, volunteer: Volunteer, paused: bool) -> None:
    """Pause (or resume) the help requests' proposals to this person, from an emailed
    proposal's link. The consent stays as it is, so no record: `proposable()` needs both.
    Nothing changes for an erased person."""
    now = timezone.now()
    Volunteer.objects.filter(pk=volunteer.pk).exclude(status=Volunteer.Status.ERASED).update(
        help_paused=paused, last_activity_at=now, updated_at=now
    )
    if volunteer.status != Volunteer.Status.ERASED:
        volunteer.help_paused = paused
        volunteer.last_activity_at = now


def volunteer_help_leave(*, volunteer: Volunteer, language: str) -> bool:
    """Withdraw the consent to be proposed help requests, from an emailed proposal's link,
    and record it with the words of that link's button (HELP_LEAVE_LABEL) in `language`.
    The pause is left as it is. Returns False when the consent was not given (or the person
    is erased)."""
    from ..forms import CONSENT_WORDING_VERSION, HELP_LEAVE_LABEL  # forms import services

    if volunteer.status == Volunteer.Status.ERASED:
        return False
    language = language if language in dict(settings.LANGUAGES) else volunteer.language
    with translation.override(language):
        text = str(HELP_LEAVE_LABEL)
    wording = Wording(version=CONSENT_WORDING_VERSION, text=text, language=language)
    return volunteer_withdraw_consent(
        volunteer=volunteer,
        purpose=ConsentRecord.Purpose.HELP_REQUESTS,
        wording=wording,
        source=ConsentRecord.Source.HELP_REQUEST_LINK,
    )


def volunteer_suppress(*, volunteer: Volunteer, status: str) -> None:
    """A hard bounce or a complaint reported by the ESP: no more emails, at once. (For the
    mailing workflow's webhooks.)"""
    now = timezone.now()
    date_field = {
        Volunteer.Status.BOUNCED: "bounced_at",
        Volunteer.Status.COMPLAINED: "complained_at",
        Volunteer.Status.UNSUBSCRIBED: "unsubscribed_at",
    }[status]
    Volunteer.objects.filter(pk=volunteer.pk).exclude(status=Volunteer.Status.ERASED).update(
        status=status, status_changed_at=now, **{date_field: now}
    )


def volunteer_update_preferences(
    *,
    volunteer: Volunteer,
    first_name: str,
    last_name: str,
    phone: str,
    commune,
    postcode: str,
    interests,
    availability,
    hours_per_month: int,
    language: str,
    consent_emails: bool,
    consent_mairie: bool,
    consent_help_requests: bool,
    help_paused: bool,
    consent_emails_wording: Wording,
    consent_mairie_wording: Wording,
    consent_help_requests_wording: Wording,
) -> None:
    """Save what the person changed in their preference centre, and record each consent
    given or withdrawn. Giving the emails consent back resubscribes an unsubscribed person:
    they reached this page through a link sent to their address, which proves it is theirs.
    The pause of the help requests' proposals is a setting, not a consent: no record."""
    now = timezone.now()
    with transaction.atomic():
        volunteer.first_name = first_name
        volunteer.last_name = last_name
        volunteer.phone = phone
        volunteer.commune = commune
        volunteer.postcode = postcode
        volunteer.availability = list(availability)
        volunteer.hours_per_month = hours_per_month
        volunteer.language = language
        volunteer.help_paused = help_paused
        volunteer.last_activity_at = now
        for purpose, granted, wording in (
            (ConsentRecord.Purpose.EMAILS, consent_emails, consent_emails_wording),
            (ConsentRecord.Purpose.SHARE_WITH_MAIRIE, consent_mairie, consent_mairie_wording),
            (
                ConsentRecord.Purpose.HELP_REQUESTS,
                consent_help_requests,
                consent_help_requests_wording,
            ),
        ):
            changed = _set_consent(
                volunteer=volunteer,
                purpose=purpose,
                granted=granted,
                wording=wording,
                source=ConsentRecord.Source.PREFERENCES,
                now=now,
            )
            if changed and purpose == ConsentRecord.Purpose.EMAILS:
                if granted and volunteer.status != Volunteer.Status.PENDING:
                    volunteer.status = Volunteer.Status.CONFIRMED
                    volunteer.confirmed_at = volunteer.confirmed_at or now
                    volunteer.status_changed_at = now
                elif not granted and volunteer.status == Volunteer.Status.CONFIRMED:
                    volunteer.status = Volunteer.Status.UNSUBSCRIBED
                    volunteer.unsubscribed_at = now
                    volunteer.status_changed_at = now
        volunteer.save()
        wanted = list(dict.fromkeys(interests))
        volunteer.interests.exclude(slug__in=wanted).delete()
        have = set(volunteer.interests.values_list("slug", flat=True))
        VolunteerInterest.objects.bulk_create(
            [VolunteerInterest(volunteer=volunteer, slug=s) for s in wanted if s not in have]
        )


def volunteer_person(volunteer: Volunteer) -> Person:
    return Person(email=normalize_email(volunteer.email or ""), volunteer_id=volunteer.pk)


def volunteer_export_sections(*, volunteer: Volunteer) -> list[Section]:
    """Everything kept about a person by every app (GDPR art. 15 and 20), as titled tables
    for the "Vos données" page: the registry (campaign/personal_data.py) asks each app."""
    return personal_data_export(person=volunteer_person(volunteer))


def volunteer_export_data(*, volunteer: Volunteer) -> dict:
    """The same as JSON-ready data (the download): section key -> list of rows."""
    return {s.key: s.as_json() for s in volunteer_export_sections(volunteer=volunteer)}


def volunteer_erase(*, volunteer: Volunteer, notify: bool = True, source=None) -> None:
    """Erase a person: every personal field emptied, the row kept as "erased" with only the
    address's keyed fingerprint, so that an unsubscribe stays honoured; every other app
    forgets what it keeps about the address (campaign/personal_data.py: interests,
    nominations, declarations, deliveries, the ESP's contact).

    With `notify`, the address and first name stay until the task has sent the "your data
    is erased" email, which then empties them (whether the email went out or not). A
    suppressed address is never notified."""
    from .. import tasks

    now = timezone.now()
    source = source or ConsentRecord.Source.ERASURE
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.status == Volunteer.Status.ERASED and not volunteer.email:
            return
        for purpose, field in (
            (ConsentRecord.Purpose.EMAILS, "consent_emails"),
            (ConsentRecord.Purpose.SHARE_WITH_MAIRIE, "consent_mairie"),
            (ConsentRecord.Purpose.HELP_REQUESTS, "consent_help_requests"),
        ):
            if getattr(volunteer, field):
                _set_consent(
                    volunteer=volunteer,
                    purpose=purpose,
                    granted=False,
                    wording=Wording(version="erasure", text="", language=volunteer.language),
                    source=source,
                    now=now,
                )
        notify = notify and not volunteer_is_suppressed(volunteer)
        if notify:
            # Enqueued first: after the commit it runs before anything the other apps asked
            # for (the ESP forgetting the address must come after the notice).
            _enqueue(tasks.send_erasure_done_email, volunteer.pk)
        person = volunteer_person(volunteer)
        personal_data_erase(person=person)
        volunteer.last_name = ""
        volunteer.phone = ""
        volunteer.commune = None
        volunteer.postcode = ""
        volunteer.availability = []
        volunteer.hours_per_month = 1
        volunteer.help_paused = False
        volunteer.source_page = None
        for field in UTM_FIELDS:
            setattr(volunteer, field, "")
        volunteer.status = Volunteer.Status.ERASED
        volunteer.erased_at = now
        volunteer.status_changed_at = now
        if not notify:
            volunteer.email = None
            volunteer.first_name = ""
        volunteer.save()


def volunteer_erase_finish(*, volunteer: Volunteer) -> None:
    """The last step of an erasure: forget the address and the first name."""
    Volunteer.objects.filter(pk=volunteer.pk, status=Volunteer.Status.ERASED).update(
        email=None, first_name=""
    )


def volunteers_purge(*, dry_run: bool = False, now=None) -> dict[str, int]:
    """Retention (CNIL): delete sign-ups left unconfirmed for 30 days; erase volunteers with
    no activity for 3 years; finish erasures whose email task never ran (after a day).
    Returns the counts; `dry_run` counts without changing anything."""
    now = now or timezone.now()
    unconfirmed = Volunteer.objects.pending().filter(
        created_at__lt=now - timezone.timedelta(days=conf.UNCONFIRMED_RETENTION_DAYS)
    )
    inactive = Volunteer.objects.not_erased().filter(
        last_activity_at__lt=now - timezone.timedelta(days=conf.INACTIVE_RETENTION_DAYS)
    )
    leftovers = Volunteer.objects.filter(
        status=Volunteer.Status.ERASED,
        email__isnull=False,
        erased_at__lt=now - timezone.timedelta(days=1),
    )
    counts = {
        "unconfirmed": unconfirmed.count(),
        "inactive": inactive.exclude(pk__in=unconfirmed.values("pk")).count(),
        "erasures_finished": leftovers.count(),
    }
    if dry_run:
        return counts
    unconfirmed.delete()
    for volunteer in inactive.iterator(chunk_size=500):
        volunteer_erase(volunteer=volunteer, notify=False)
    leftovers.update(email=None, first_name="")
    return counts


def volunteer_email_send(*, volunteer: Volunteer, kind: str) -> None:
    """Send one transactional email of `kind` to `volunteer` in their language, through
    Django's email API (Anymail's backend in production). Called by the tasks only. The
    welcome email is the first campaign email, so it carries the one-click unsubscribe
    headers and link.

    Nothing goes to a suppressed address (hard bounce, complaint, erased: see SUPPRESSED),
    whatever the kind, except the erasure notice, which `volunteer_erase` only asks for when
    the address was not suppressed before."""
    if kind != EmailTemplate.Kind.ERASURE_DONE and volunteer_is_suppressed(volunteer):
        logger.info("volunteers: %s email not sent, the address is suppressed", kind)
        return
    values = emails.volunteer_values(volunteer)
    headers = None
    if kind == EmailTemplate.Kind.CONFIRMATION:
        values["lien"] = emails.confirmation_url(volunteer)
    elif kind == EmailTemplate.Kind.PREFERENCES_LINK:
        values["lien"] = emails.preferences_url(volunteer)
    elif kind == EmailTemplate.Kind.WELCOME:
        values["lien_preferences"] = emails.preferences_url(volunteer)
        values["lien_desinscription"] = emails.unsubscribe_url(volunteer)
        headers = emails.unsubscribe_headers(volunteer)
    message = emails.message_build(
        to=volunteer.email,
        kind=kind,
        language=volunteer.language,
        values=values,
        headers=headers,
    )
    message.send()


def volunteer_erasure_notify(*, volunteer: Volunteer) -> None:
    """Tell the person their data is gone, then forget their address, even if sending
    failed: the erasure matters more than the notice."""
    try:
        volunteer_email_send(volunteer=volunteer, kind=EmailTemplate.Kind.ERASURE_DONE)
    finally:
        volunteer_erase_finish(volunteer=volunteer)
