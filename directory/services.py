"""The directory's operations that are not plain content: an actor proposes its entry,
confirms its address from a signed link, and a moderator publishes or rejects it. Views,
tasks, the admin and the demo call these; no email is sent inside a web request (a task does,
once the transaction commits)."""

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from campaign.geography.models import search_key
from campaign.site_address import public_url

from .models import Actor, ActorCommune

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
    actor = actor_from_token(token=token)
    Actor.objects.filter(pk=actor.pk, status=Actor.Status.UNCONFIRMED).update(
        status=Actor.Status.PENDING, updated_at=timezone.now()
    )
    actor.refresh_from_db(fields=["status"])
    return actor


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
