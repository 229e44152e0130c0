"""The help requests' emails, built from templates in templates/helprequests/emails/
(`<name>_subject.txt`, `<name>.txt`), each in its reader's language. Called by tasks only.

Who learns what: the person (or who asked for them) gets the acknowledgement with the
withdrawal link, then the first name of the volunteer who will come; the volunteer gets the
request without any contact, then, once they accepted, the person's first name and contact;
the referents (or staff) get the request's number and a link to the admin, never a name."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from campaign.site_address import public_url

from . import services


def category_label(slug, language):
    from volunteers.interests import interest_labels

    return interest_labels(language).get(slug, slug)


def admin_url(help_request):
    return public_url(reverse("helprequests_admin:detail", args=[help_request.pk]))


def _send(*, to, template, context, language):
    recipients = [address for address in to if address]
    if not recipients:
        return
    language = (language or settings.LANGUAGE_CODE)[:2]
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {**context, "site_url": public_url("/")}
        subject = render_to_string(f"helprequests/emails/{template}_subject.txt", context)
        body = render_to_string(f"helprequests/emails/{template}.txt", context)
    subject = " ".join(subject.split())
    # One email per recipient: nobody learns another's address.
    for address in recipients:
        EmailMultiAlternatives(subject, body, to=[address]).send()


def _request_context(help_request, language):
    return {
        "help_request": help_request,
        "commune": help_request.commune,
        "category": category_label(help_request.category, language),
    }


def request_acknowledge(*, help_request):
    """To the person's address and to whoever asked for them: the request is received, who
    will handle it and how long it may take, the withdrawal link."""
    language = help_request.language
    _send(
        to=sorted({help_request.email, help_request.requester_email} - {""}),
        template="acknowledge",
        context={
            **_request_context(help_request, language),
            "has_referent": services.has_referent(help_request.commune),
            "withdraw_url": services.withdraw_url(help_request),
        },
        language=language,
    )


def handlers_notify(*, help_request, event):
    """To the commune's referents (or staff): a request is new, declined or left unanswered.
    `event`: "new", "declined", "expired"."""
    language = settings.LANGUAGE_CODE
    _send(
        to=services.handler_emails(help_request.commune_id),
        template=f"handlers_{event}",
        context={
            **_request_context(help_request, language),
            "admin_url": admin_url(help_request),
            "has_referent": services.has_referent(help_request.commune),
        },
        language=language,
    )


def proposal_send(*, proposal):
    """To the volunteer: the request without any contact, the accept and decline link, the
    deadline."""
    volunteer = proposal.volunteer
    language = volunteer.language
    _send(
        to=[volunteer.email],
        template="proposal",
        context={
            **_request_context(proposal.request, language),
            "volunteer": volunteer,
            "proposal": proposal,
            "answer_url": services.answer_url(proposal),
        },
        language=language,
    )


def acceptance_send(*, proposal):
    """Once the volunteer accepted: the person's contact to the volunteer (with the "done"
    link), the news to the referents, and the volunteer's first name to the person."""
    help_request = proposal.request
    volunteer = proposal.volunteer
    _send(
        to=[volunteer.email],
        template="accepted_volunteer",
        context={
            **_request_context(help_request, volunteer.language),
            "volunteer": volunteer,
            "proposal": proposal,
            "done_url": services.done_url(proposal),
        },
        language=volunteer.language,
    )
    handlers_notify(help_request=help_request, event="accepted")
    _send(
        to=sorted({help_request.email, help_request.requester_email} - {""}),
        template="accepted_person",
        context={
            **_request_context(help_request, help_request.language),
            "volunteer_first_name": volunteer.first_name,
            "withdraw_url": services.withdraw_url(help_request),
        },
        language=help_request.language,
    )


def volunteer_told_withdrawn(*, proposal):
    """To a volunteer who had accepted: the request was withdrawn, nothing more to do."""
    volunteer = proposal.volunteer
    _send(
        to=[volunteer.email],
        template="withdrawn_volunteer",
        context={**_request_context(proposal.request, volunteer.language), "volunteer": volunteer},
        language=volunteer.language,
    )
