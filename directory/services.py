"""The directory's operations that are not plain content: an actor proposes its entry,
confirms its address from a signed link, and a moderator publishes or rejects it. Views,
tasks, the admin and the demo call these; no email is sent inside a web request (a task does,
once the transaction commits)."""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from campaign.geography.models import search_key
from campaign.site_address import public_url

from .models import Actor, ActorCommune, new_token

logger = logging.getLogger(__name__)
CONFIRMATION_SALT = "directory.actor.confirm"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600


class ConfirmationError(Exception):
    pass


def actor_slug(*, name, commune=None):
    """A unique slug: the name, then the commune's name when taken, then a number."""
    base = slugify(name)[:150] or "acteur"
    candidates = [base]
    if commune is not None:
        candidates.append(f"{base}-{commune.slug}"[:170])
    for candidate in candidates:
        if not Actor.objects.filter(slug=candidate).exists():
            return candidate
    taken = set(
        Actor.objects.filter(slug__startswith=candidates[-1]).values_list("slug", flat=True)
    )
    number = 2
    while f"{candidates[-1]}-{number}" in taken:
        number += 1
    return f"{candidates[-1]}-{number}"


def actor_duplicate_exists(*, name, communes):
    """True when an actor of the same name (accents, case and punctuation ignored) already
    serves one of `communes`, published or waiting for moderation: proposing it again would
    only make a second entry. (A proposal never confirmed is replaced by a new one; a
    rejected one may be proposed again.)"""
    codes = [c.insee_code for c in communes]
    return (
        Actor.objects.filter(search_name=search_key(name))
        .filter(pk__in=ActorCommune.objects.filter(commune_id__in=codes).values("actor_id"))
        .filter(status__in=[Actor.Status.PENDING, Actor.Status.PUBLISHED])
        .exists()
    )


def actor_propose(*, data, communes, categories, proposer_email, language):
    """Record an actor's proposal (waiting for its address to be confirmed, never public)
    and, once the transaction commits, send the confirmation email from a task. `data`
    holds the actor's own fields (name, kind, description, contact…). Returns the actor."""
    from .tasks import actor_send_confirmation_task

    with transaction.atomic():
        # Earlier proposals of the same actor that were never confirmed (a lost or expired
        # link): this one replaces them.
        Actor.objects.filter(
            status=Actor.Status.UNCONFIRMED,
            search_name=search_key(data["name"]),
            pk__in=ActorCommune.objects.filter(
                commune_id__in=[c.insee_code for c in communes]
            ).values("actor_id"),
        ).delete()
        actor = Actor(
            **data,
            slug=actor_slug(name=data["name"], commune=communes[0] if communes else None),
            status=Actor.Status.UNCONFIRMED,
            proposer_email=proposer_email,
            language=language,
        )
        actor.save()
        actor.communes.set(communes)
        actor.categories.set(categories)
        transaction.on_commit(
            lambda: actor_send_confirmation_task.enqueue(actor_id=actor.pk, language=language)
        )
    return actor


def actor_confirmation_token(*, actor):
    return signing.dumps({"id": actor.pk, "t": actor.token}, salt=CONFIRMATION_SALT)


def actor_send_confirmation(*, actor, language):
    """Send the email whose signed link confirms the proposal."""
    with translation.override(language):
        link = public_url(
            reverse("directory:confirm", kwargs={"token": actor_confirmation_token(actor=actor)})
        )
        context = {"actor": actor, "link": link}
        subject = render_to_string("directory/emails/confirm_subject.txt", context).strip()
        body = render_to_string("directory/emails/confirm.txt", context)
    EmailMultiAlternatives(subject, body, to=[actor.proposer_email]).send()


def actor_from_token(*, token):
    """The proposal a signed link names, changing nothing (mail scanners follow links).
    Raises ConfirmationError for a tampered, expired or stale link."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature as error:
        raise ConfirmationError("bad link") from error
    if not isinstance(data, dict):
        raise ConfirmationError("bad link")
    actor = Actor.objects.filter(pk=data.get("id"), token=str(data.get("t"))).first()
    if actor is None:
        raise ConfirmationError("unknown")
    return actor


def actor_confirm(*, token):
    """Confirm the proposer's address (from the POST of the emailed page): the entry then
    waits for moderation. Confirming twice changes nothing a moderator decided. Raises
    ConfirmationError for a bad link."""
    from .tasks import actor_notify_moderators_task

    actor = actor_from_token(token=token)
    with transaction.atomic():
        updated = Actor.objects.filter(pk=actor.pk, status=Actor.Status.UNCONFIRMED).update(
            status=Actor.Status.PENDING, updated_at=timezone.now()
        )
        if updated:
            # Only the click that confirmed tells the moderators (a second click does not).
            transaction.on_commit(lambda: actor_notify_moderators_task.enqueue(actor_id=actor.pk))
    actor.refresh_from_db(fields=["status"])
    return actor


def actor_moderator_addresses(*, actor):
    """Who moderates `actor`: the active mairie users with a MairieAccess to one of the
    communes it serves, and the staff who may change any actor, found as kits finds the
    moderators of engaged communes (kits.services.moderator_addresses: through a group,
    directly or as superusers, mairie accounts left out)."""
    from django.contrib.auth import get_user_model

    from kits.services import moderator_addresses
    from volunteers.models.access import MairieAccess

    communes = ActorCommune.objects.filter(actor=actor).values("commune_id")
    mairie = (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=MairieAccess.objects.filter(commune_id__in=communes).values("user_id"),
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    staff = moderator_addresses(permission="directory.change_actor")
    return sorted({*mairie, *staff}, key=str.lower)


def actor_notify_moderators(*, actor):
    """Tell the actor's moderators that an entry waits for them (a confirmed proposal, or
    changes proposed from the yearly check), with a link to the admin's queue. One message
    per address: a mairie does not see who else moderates. In the site's language; the
    email names the actor and its communes, never the proposer."""
    recipients = actor_moderator_addresses(actor=actor)
    if not recipients:
        logger.warning("actor %s waits for moderation: no moderator to notify", actor.pk)
        return
    changes = bool(actor.pending_changes) and actor.status == Actor.Status.PUBLISHED
    query = "?pending_changes=true" if changes else f"?status={Actor.Status.PENDING}"
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "actor": actor,
            "communes": list(actor.communes.order_by("name")),
            "changes": changes,
            "link": public_url(reverse("wagtailsnippets_directory_actor:list") + query),
        }
        subject = render_to_string("directory/emails/review_subject.txt", context).strip()
        body = render_to_string("directory/emails/review.txt", context)
    for address in recipients:
        EmailMultiAlternatives(subject, body, to=[address]).send()


def actor_publish(*, actor, checked_on=None):
    """Publish an entry and record the day its information was checked."""
    actor.status = Actor.Status.PUBLISHED
    actor.last_checked_at = checked_on or timezone.localdate()
    actor.save(update_fields=["status", "last_checked_at", "updated_at"])
    return actor


def actor_reject(*, actor):
    """Reject an entry; the proposer's address is no longer needed and is erased."""
    actor.status = Actor.Status.REJECTED
    actor.proposer_email = ""
    actor.save(update_fields=["status", "proposer_email", "updated_at"])
    return actor


# The yearly check ("régulièrement actualisé") -------------------------------------------

CHECK_SALT = "directory.actor.check"
CHECK_MAX_AGE = 60 * 24 * 3600
# The public fields an actor may change from the yearly check's page (its area is the
# mairie's and staff's to change); "categories" holds the French categories' slugs.
CHECKED_FIELDS = (
    "name",
    "kind",
    "description",
    "address",
    "postcode",
    "email",
    "phone",
    "website",
    "opening_hours",
    "step_free_access",
    "hearing_loop",
    "accessibility_notes",
    "languages",
    "hosts_help_point",
)


class CheckLinkError(Exception):
    """A yearly check's link that opens nothing: `reason` is "invalid" (tampered or
    incomplete), "expired" (older than 60 days) or "used" (already answered, or a newer
    link was sent)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def actor_language(actor):
    """The language the proposer wrote in, or the site's first language."""
    languages = {code for code, _name in settings.LANGUAGES}
    return actor.language if actor.language in languages else settings.LANGUAGE_CODE


def actor_check_recipient(*, actor):
    """Whom the yearly check asks: the proposer, or failing that the public address."""
    return actor.proposer_email or actor.email


def actor_check_token(*, actor):
    # The actor's random token is renewed once the link is answered: a used link opens
    # nothing. The URL carries only this signed id and token, no name nor address.
    return signing.dumps({"id": actor.pk, "t": actor.token}, salt=CHECK_SALT)


def actor_from_check_token(*, token):
    """The published actor a yearly check's link names, changing nothing. Raises
    CheckLinkError with the reason the link opens nothing."""
    try:
        data = signing.loads(token, salt=CHECK_SALT, max_age=CHECK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise CheckLinkError("expired") from error
    except signing.BadSignature as error:
        raise CheckLinkError("invalid") from error
    if not isinstance(data, dict):
        raise CheckLinkError("invalid")
    actor = Actor.objects.filter(pk=data.get("id")).first()
    if actor is None or actor.status != Actor.Status.PUBLISHED:
        raise CheckLinkError("invalid")
    if actor.token != str(data.get("t")):
        raise CheckLinkError("used")
    return actor


def actor_check_request(*, actor):
    """Send `actor` the yearly email asking it to confirm or update its entry, in the
    proposer's language, with a signed link valid 60 days. Raises what the mail backend
    raises."""
    with translation.override(actor_language(actor)):
        link = public_url(
            reverse("directory:check", kwargs={"token": actor_check_token(actor=actor)})
        )
        context = {
            "actor": actor,
            "link": link,
            "page": public_url(reverse("directory:actor", args=[actor.slug])),
        }
        subject = render_to_string("directory/emails/check_subject.txt", context).strip()
        body = render_to_string("directory/emails/check.txt", context)
    EmailMultiAlternatives(subject, body, to=[actor_check_recipient(actor=actor)]).send()


def actor_checks_send(*, now=None, dry_run=False):
    """Ask every published actor not checked for a year (or never), and not asked in the
    last year, to check its entry. Each actor is first claimed (its `check_requested_at`
    set by a conditional update: two runs at once never both send), then emailed; a failed
    send gives the claim back, so the next run tries again. Returns (sent, failed)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        Actor.objects.check_due(today=today, now=now)
        .exclude(proposer_email="", email="")
        .order_by("pk")
    )
    if dry_run:
        return due.count(), 0
    sent = failed = 0
    for actor in due.iterator(chunk_size=200):
        previous = actor.check_requested_at
        claimed = (
            Actor.objects.check_due(today=today, now=now)
            .filter(pk=actor.pk)
            .update(check_requested_at=now)
        )
        if not claimed:
            continue  # Another run took it.
        try:
            actor_check_request(actor=actor)
        except Exception as error:
            # The error's class only: an SMTP refusal's text quotes the address, and personal
            # data stays out of the logs (the actor's id says which one).
            logger.warning(
                "yearly check of actor %s not sent (%s); retried next run",
                actor.pk,
                type(error).__name__,
            )
            Actor.objects.filter(pk=actor.pk, check_requested_at=now).update(
                check_requested_at=previous
            )
            failed += 1
        else:
            sent += 1
    return sent, failed


def _current_values(actor):
    values = {name: getattr(actor, name) for name in CHECKED_FIELDS}
    values["categories"] = sorted(actor.categories.values_list("slug", flat=True))
    return values


def actor_check_initial(*, actor):
    """The check form's initial values: the entry as published."""
    values = _current_values(actor)
    values["besoins"] = values.pop("categories")
    return values


def actor_check_confirm(*, actor):
    """The actor says nothing changed: its entry is checked today (its pages show the
    date, so they are purged, by directory/signals.py) and the link is used."""
    actor.last_checked_at = timezone.localdate()
    actor.token = new_token()
    actor.save(update_fields=["last_checked_at", "token", "updated_at"])
    return actor


def actor_check_propose_changes(*, actor, values):
    """The actor proposes changes to its entry (`values`: the public fields, "categories"
    as French slugs). The published entry stays as it is; what differs waits for a
    moderator in `pending_changes` (applied or discarded in the admin), and the moderators
    are told by a task once committed. Nothing differs: the same as `actor_check_confirm`.
    Returns the changes."""
    from .tasks import actor_notify_moderators_task

    current = _current_values(actor)
    values = {**values, "categories": sorted(values.get("categories", []))}
    changes = {
        name: values[name] for name in current if name in values and values[name] != current[name]
    }
    if not changes:
        actor_check_confirm(actor=actor)
        return changes
    with transaction.atomic():
        # An update, not save(): the public entry did not change, nothing to purge.
        Actor.objects.filter(pk=actor.pk).update(
            pending_changes=changes, token=new_token(), updated_at=timezone.now()
        )
        transaction.on_commit(lambda: actor_notify_moderators_task.enqueue(actor_id=actor.pk))
    actor.refresh_from_db(fields=["pending_changes", "token"])
    return changes


# Retention ---------------------------------------------------------------------------

UNCONFIRMED_RETENTION_DAYS = 30


def actors_purge(*, now=None, dry_run=False):
    """The directory's retention (docs/PRIVACY.md): proposals never confirmed after 30 days
    go, their proposer's address with them; a rejected entry keeps no proposer's address
    (actor_reject empties it already; this catches any left). Returns (deleted, emptied)."""
    now = now or timezone.now()
    stale = Actor.objects.filter(
        status=Actor.Status.UNCONFIRMED,
        created_at__lt=now - timezone.timedelta(days=UNCONFIRMED_RETENTION_DAYS),
    )
    rejected = Actor.objects.filter(status=Actor.Status.REJECTED).exclude(proposer_email="")
    if dry_run:
        return stale.count(), rejected.count()
    # The queryset's delete sends each row's signals (an unconfirmed entry purges nothing).
    deleted = stale.delete()[1].get(Actor._meta.label, 0)
    emptied = rejected.update(proposer_email="")
    return deleted, emptied
