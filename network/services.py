"""Operations of the network app that are not CMS content: registering for a meeting,
confirming and cancelling, the reminder of the day before, and the retention of
registrations."""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from wagtail.models import Locale

from campaign.purge import purge_page
from campaign.site_address import page_public_url, public_url

from .models import MeetingPage, MeetingRegistration

logger = logging.getLogger(__name__)

CONFIRM_SALT = "network.registration.confirm"
CANCEL_SALT = "network.registration.cancel"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600
# Unconfirmed registrations go when their link expires; the others this long after the
# meeting's end (docs/PRIVACY.md).
UNCONFIRMED_RETENTION = datetime.timedelta(seconds=CONFIRMATION_MAX_AGE)
RETENTION_AFTER_MEETING = datetime.timedelta(days=30)


class RegistrationRefused(Exception):
    """The meeting takes no registration: `code` says why ("closed", "past", "full")."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class LinkError(Exception):
    """A confirmation or cancellation link that is bad, expired or for nobody."""


def meeting_source(*, meeting):
    """The meeting page of the site's first language, which registrations point at."""
    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    if default is None or meeting.locale_id == default.pk:
        return meeting
    return (
        MeetingPage.objects.filter(translation_key=meeting.translation_key, locale=default).first()
        or meeting
    )


def meeting_in_language(*, meeting, language):
    """The meeting's live page in `language`, or the meeting itself when it has none."""
    translated = (
        MeetingPage.objects.live()
        .filter(translation_key=meeting.translation_key, locale__language_code=language)
        .first()
    )
    return translated or meeting


def seats_taken(*, meeting):
    return MeetingRegistration.objects.filter(meeting=meeting_source(meeting=meeting)).count()


def meeting_refusal(*, meeting, now=None):
    """Why `meeting` takes no registration now ("closed", "past", "full"), or None."""
    now = now or timezone.now()
    if not meeting.registration_open:
        return "closed"
    if meeting.start <= now:
        return "past"
    if meeting.capacity is not None and seats_taken(meeting=meeting) >= meeting.capacity:
        return "full"
    return None


def registration_create(*, meeting, name, email, commune, role, language, consent_wording):
    """Register `email` for `meeting` (pending until its address confirms) and, after commit,
    send the confirmation email from a task. An address already registered gets an email
    saying so (with a new confirmation link if it never confirmed) and nothing changes: the
    visitor sees the same answer either way. Raises RegistrationRefused when the meeting is
    closed, past or full; with a capacity, two registrations for the last seat never both
    succeed."""
    from .tasks import registration_send_already_task, registration_send_confirmation_task

    source = meeting_source(meeting=meeting)
    with transaction.atomic():
        if source.capacity is not None:
            # Two visitors for the last seat: the meeting's row is locked until this
            # registration commits, so the second counts the first's seat (PostgreSQL; SQLite
            # has one writer at a time anyway). `of` locks the meeting's own row, not
            # Wagtail's page row, which editors' publishing takes.
            MeetingPage.objects.select_for_update(of=("self",)).filter(pk=source.pk).exists()
        refusal = meeting_refusal(meeting=source)
        existing = MeetingRegistration.objects.filter(meeting=source, email=email).first()
        if existing is None and refusal:
            raise RegistrationRefused(refusal)
        if existing is None:
            try:
                with transaction.atomic():
                    registration = MeetingRegistration.objects.create(
                        meeting=source,
                        name=name,
                        email=email,
                        commune=commune,
                        role=role,
                        language=language,
                        consent_at=timezone.now(),
                        consent_wording=consent_wording,
                    )
            except IntegrityError:  # the same address at the same moment: one row
                existing = MeetingRegistration.objects.get(meeting=source, email=email)
            else:
                transaction.on_commit(
                    lambda: registration_send_confirmation_task.enqueue(
                        registration_id=registration.pk
                    )
                )
                if source.capacity is not None:
                    purge_page(source)  # the page may now say it is full
                return
        transaction.on_commit(
            lambda: registration_send_already_task.enqueue(registration_id=existing.pk)
        )


def registration_token(*, registration, salt):
    return signing.dumps({"id": registration.pk, "t": registration.token}, salt=salt)


def registration_from_token(*, token, salt, max_age=None):
    """The registration a signed link names, changing nothing. Raises LinkError."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as error:
        raise LinkError("bad link") from error
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise LinkError("bad link")
    registration = (
        MeetingRegistration.objects.select_related("meeting")
        .filter(pk=data["id"], token=str(data.get("t")))
        .first()
    )
    if registration is None:
        raise LinkError("unknown")
    return registration


def registration_confirm(*, token):
    """Confirm the registration a confirmation link names (from the POST of the page the
    link opens). Confirming twice changes nothing. Raises LinkError."""
    registration = registration_from_token(
        token=token, salt=CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE
    )
    MeetingRegistration.objects.filter(pk=registration.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    registration.refresh_from_db(fields=["confirmed_at"])
    return registration


def registration_cancel(*, token):
    """Delete the registration a cancellation link names (its seat goes back). Raises
    LinkError."""
    registration = registration_from_token(token=token, salt=CANCEL_SALT)
    meeting = registration.meeting
    with transaction.atomic():
        MeetingRegistration.objects.filter(pk=registration.pk).delete()
        if meeting.capacity is not None:
            purge_page(meeting)
    return meeting


def _link(*, language, name, token):
    with translation.override(language):
        return public_url(reverse(f"network:{name}", kwargs={"token": token}))


def _send(*, registration, template, extra=None):
    language = registration.language or settings.LANGUAGE_CODE
    meeting = meeting_in_language(meeting=registration.meeting, language=language)
    context = {
        "registration": registration,
        "meeting": meeting,
        "meeting_url": page_public_url(meeting),
        "cancel_link": _link(
            language=language,
            name="cancel",
            token=registration_token(registration=registration, salt=CANCEL_SALT),
        ),
        **(extra or {}),
    }
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        subject = render_to_string(f"network/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"network/emails/{template}.txt", context)
    EmailMultiAlternatives(subject, body, to=[registration.email]).send()


def registration_send_confirmation(*, registration):
    """Send the email whose signed link confirms the registration."""
    language = registration.language or settings.LANGUAGE_CODE
    link = _link(
        language=language,
        name="confirm",
        token=registration_token(registration=registration, salt=CONFIRM_SALT),
    )
    _send(registration=registration, template="confirm", extra={"link": link})


def registration_send_already(*, registration):
    """Tell an address that registered again that it already is (with a new confirmation
    link when it never confirmed)."""
    link = ""
    if not registration.confirmed_at:
        language = registration.language or settings.LANGUAGE_CODE
        link = _link(
            language=language,
            name="confirm",
            token=registration_token(registration=registration, salt=CONFIRM_SALT),
        )
    _send(registration=registration, template="already", extra={"link": link})


def registration_send_reminder(*, registration):
    """The reminder of the day before: when, where, the online link, how to cancel."""
    _send(registration=registration, template="reminder")


def reminders_send(*, now=None):
    """Mark, then send from tasks, the reminders of the confirmed registrations to the
    meetings that start tomorrow (in the site's time zone). Each registration is reminded
    once (`reminded_at`, set by a conditional update): running it again, or twice at once,
    sends nothing more. Returns how many were marked."""
    from .tasks import registration_send_reminder_task

    now = now or timezone.now()
    local_now = timezone.localtime(now)
    tomorrow = local_now.date() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    due = MeetingRegistration.objects.confirmed().filter(
        reminded_at__isnull=True,
        meeting__live=True,
        meeting__start__gte=start,
        meeting__start__lt=end,
    )
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            marked = MeetingRegistration.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if marked:
                count += 1
                transaction.on_commit(
                    lambda pk=pk: registration_send_reminder_task.enqueue(registration_id=pk)
                )
    return count


def registrations_purge(*, now=None, dry_run=False):
    """Erase the registrations left unconfirmed when their link expired, and every
    registration to a meeting that ended more than RETENTION_AFTER_MEETING ago. Returns the
    counts ({"unconfirmed": n, "past": n}); `dry_run` only counts."""
    now = now or timezone.now()
    unconfirmed = MeetingRegistration.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - UNCONFIRMED_RETENTION
    )
    past = MeetingRegistration.objects.filter(
        meeting__end__lt=now - RETENTION_AFTER_MEETING
    ).exclude(pk__in=unconfirmed.values("pk"))
    counts = {"unconfirmed": unconfirmed.count(), "past": past.count()}
    if not dry_run:
        with transaction.atomic():
            unconfirmed.delete()
            past.delete()
    return counts


@transaction.atomic
def network_moderation_setup(*, index):
    """Put the network's pages under the stories' moderation workflow: mairie users (the
    "Mairie" group: the officials) write practice sheets of their communes and submit them;
    the "Communication" group approves and publishes, as for stories. Both languages' indexes.
    Idempotent: the demo calls it on every run."""
    from django.contrib.auth.models import Group, Permission

    from wagtail.models import GroupPagePermission, WorkflowPage

    from stories.services import COMMUNICATION_GROUP, moderation_workflow
    from volunteers.models.access import MAIRIE_GROUP_NAME

    from .models import NetworkIndexPage

    workflow = moderation_workflow()
    mairie, _ = Group.objects.get_or_create(name=MAIRIE_GROUP_NAME)
    communication, _ = Group.objects.get_or_create(name=COMMUNICATION_GROUP)
    page_perms = {
        mairie: ["add_page", "change_page"],
        communication: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    }
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for group in page_perms:
        group.permissions.add(admin_access)
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="wagtailcore",
            codename__in={c for codes in page_perms.values() for c in codes},
        )
    }
    for page in NetworkIndexPage.objects.filter(translation_key=index.translation_key):
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
        for group, codenames in page_perms.items():
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=permissions[codename]
                )
    return workflow
