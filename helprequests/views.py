"""The public side of the help requests: the request form and its thanks, the person's
withdrawal link, the volunteer's answer and "done" links, and the page that says what
happens to the data.

No page here is ever stored by a cache (`never_stored`): the form carries a CSRF token, the
thanks and the signed links' pages are one person's, and the data page is cheap to render.
Those of one person are not indexed either (`private`); the form and the data page are, so
that people find them.

A GET never changes anything (mail scanners open every link); the buttons POST. Each
HelpError of the services becomes a page that says what happened, in the visitor's language:
400 for a link that names nothing, 409 when the request or the proposal moved on."""

import functools

from django.core import signing
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from campaign import ratelimit
from volunteers.forms import HELP_LEAVE_LABEL, form_timestamp_make
from volunteers.interests import interest_labels
from volunteers.models import Volunteer
from volunteers.services import volunteer_help_leave

from . import services
from .forms import DoneForm, HelpRequestForm
from .models import HelpProposal, HelpRequest
from .services import HelpError

Status = HelpRequest.Status

# The thanks page learns whether the commune has a referent and whether an email went out
# from a signed value of its address: two letters, nothing about the person.
THANKS_SALT = "helprequests.thanks"
THANKS_MAX_AGE = 24 * 3600

# What the person holding a withdrawal link is told.
PERSON_MESSAGES = {
    "bad_link": (
        _("Ce lien n'est pas valide"),
        _(
            "Il est peut-être incomplet : copiez-le en entier depuis l'e-mail reçu. Une demande "
            "close depuis plus de trois mois est effacée, et son lien ne mène plus à rien."
        ),
    ),
    "closed": (
        _("Cette demande est close"),
        _(
            "Le ou la référent·e de votre commune l'a close : il n'y a rien à retirer. Si vous "
            "avez encore besoin d'un coup de main, faites une nouvelle demande."
        ),
    ),
    "done": (
        _("Ce coup de main a été donné"),
        _(
            "La demande est close : il n'y a rien à retirer. Merci d'avoir fait appel à vos "
            "voisins."
        ),
    ),
}

# What the volunteer holding an answer or "done" link is told.
VOLUNTEER_MESSAGES = {
    "bad_link": PERSON_MESSAGES["bad_link"],
    "withdrawn": (
        _("Cette demande a été retirée"),
        _(
            "La personne n'a plus besoin de ce coup de main : vous n'avez rien à faire. Merci "
            "d'avoir été disponible."
        ),
    ),
    "closed": (
        _("Cette demande est close"),
        _(
            "Le ou la référent·e de la commune l'a close : vous n'avez rien à faire. Merci "
            "d'avoir été disponible."
        ),
    ),
    "taken": (
        _("Un·e autre bénévole a déjà accepté"),
        _(
            "Quelqu'un a accepté cette demande avant vous : la personne sera aidée. Merci "
            "d'avoir voulu aider ; d'autres demandes pourront vous être proposées."
        ),
    ),
    "expired": (
        _("Le délai de réponse est passé"),
        _(
            "Sans réponse dans le délai, le ou la référent·e cherche quelqu'un d'autre pour "
            "cette demande. Merci quand même ; d'autres demandes pourront vous être proposées."
        ),
    ),
    "answered": (
        _("Vous avez déjà répondu"),
        _("Votre réponse à cette proposition est enregistrée. Il n'y a rien d'autre à faire."),
    ),
    "declined": (
        _("Vous avez déjà répondu"),
        _(
            "Vous avez répondu que vous ne pouviez pas : le ou la référent·e cherche quelqu'un "
            "d'autre. Merci d'avoir répondu."
        ),
    ),
    "cancelled": (
        _("Cette proposition a été reprise"),
        _(
            "Le ou la référent·e de la commune a repris cette demande : vous n'avez rien à "
            "faire. Merci d'avoir été disponible."
        ),
    ),
    "not_available": (
        _("Votre inscription n'est plus active"),
        _(
            "Vous ne recevez plus de propositions de coups de main : vous ne pouvez pas "
            "accepter celle-ci. Si c'est une erreur, écrivez-nous."
        ),
    ),
    "not_accepted": (
        _("Cette demande ne vous est pas confiée"),
        _(
            "Vous n'avez pas accepté cette demande, ou elle a été confiée à quelqu'un "
            "d'autre : il n'y a rien à enregistrer."
        ),
    ),
    "already_done": (
        _("Déjà enregistré"),
        _("Ce coup de main est déjà enregistré comme fait. Merci pour le temps donné !"),
    ),
}
OTHER = (
    _("Ce n'est plus possible"),
    _("La demande a changé entre-temps : rechargez la page pour voir où elle en est."),
)


def never_stored(view):
    """Never stored by the page cache (campaign/cache.py stores only what a view marks
    cacheable, and never a `private`/`no-store` answer) nor by a browser or proxy: the form
    carries a CSRF token, and its thanks and errors are this visitor's."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)  # max-age=0, no-cache, no-store, private
        return response

    return wrapped


def private(view):
    """A page of one person (a signed link's, or the thanks after a request): never stored,
    never indexed, and its address (which may hold a token) sent as a referrer to this site
    only. Not "no-referrer": browsers then post the page's forms with `Origin: null`, which
    Django's CSRF check refuses."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def _language():
    return (get_language() or "fr")[:2]


def _message(request, messages, code, *, status):
    title, text = messages.get(code, OTHER)
    return render(
        request, "helprequests/message.html", {"title": title, "text": text}, status=status
    )


def _summary(help_request):
    return {
        "help_request": help_request,
        "commune": help_request.commune,
        "category": interest_labels(_language()).get(help_request.category, ""),
    }


# --- the request form -----------------------------------------------------------------------


def _refused(request, form):
    """The refusal when this client address, the person's contact or the address of who asks
    for them was given too many times this window, else None. Counted only for a request
    that would be recorded: correcting the form, or choosing the commune of a shared
    postcode, costs nothing."""
    verdict = ratelimit.consume(request, "help_request")
    if not verdict.allowed:
        return verdict
    verdicts = [
        ratelimit.consume(request, "help_request_contact", key=key) for key in form.contact_keys
    ]
    refused = [v for v in verdicts if not v.allowed]
    return max(refused, key=lambda v: v.retry_after) if refused else None


def _thanks_url(help_request):
    flags = "r" if services.has_referent(help_request.commune_id) else ""
    flags += "e" if (help_request.email or help_request.requester_email) else ""
    value = signing.dumps(flags or "-", salt=THANKS_SALT)
    return reverse("helprequests:thanks") + "?" + urlencode({"suite": value})


@require_http_methods(["GET", "HEAD", "POST"])
@never_stored
def request_form(request):
    """ "Demander un coup de main": POST, then redirect to the thanks page (a reload never
    sends twice)."""
    status = 200
    if request.method == "POST":
        form = HelpRequestForm(request.POST)
        if form.is_spam:
            # Bots get the thanks page like everyone, and nothing is saved.
            return HttpResponseRedirect(reverse("helprequests:thanks"))
        if form.is_valid():
            refused = _refused(request, form)
            if refused:
                return ratelimit.too_many_requests(request, refused)
            data = form.cleaned_data
            help_request = services.request_create(
                commune=data["commune"],
                category=data["category"],
                first_name=data["first_name"],
                phone=data["phone"],
                email=data["email"],
                availability=data["availability"],
                when_details=data["when_details"],
                details=data["details"],
                asker=services.Asker(
                    asked_by=data["asked_by"],
                    name=data["requester_name"],
                    email=data["requester_email"],
                ),
                consent_wording=form.consent_wording,
                language=_language(),
                source=HelpRequest.Source.WEBSITE,
            )
            return HttpResponseRedirect(_thanks_url(help_request))
        status = 400
        if form.started_refused and not form.too_fast:
            # Expired or forged: a fresh one, so that the next try can pass.
            form.data = form.data.copy()
            form.data["started"] = form_timestamp_make()
    else:
        form = HelpRequestForm(initial={"started": form_timestamp_make()})
    return render(request, "helprequests/request_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD"])
@private
def request_thanks(request):
    try:
        flags = signing.loads(
            request.GET.get("suite", ""), salt=THANKS_SALT, max_age=THANKS_MAX_AGE
        )
    except signing.BadSignature:
        flags = None
    if not isinstance(flags, str):
        flags = None
    return render(
        request,
        "helprequests/request_thanks.html",
        {
            "known": flags is not None,
            "has_referent": "r" in (flags or ""),
            "emailed": "e" in (flags or ""),
        },
    )


# --- the person's withdrawal link -----------------------------------------------------------


def _withdrawn(help_request):
    return (
        help_request.status == Status.CLOSED
        and help_request.closed_reason == HelpRequest.ClosedReason.WITHDRAWN
    )


def _closed_code(help_request):
    return "done" if help_request.status == Status.DONE else "closed"


@require_http_methods(["GET", "HEAD", "POST"])
@private
def withdraw(request, token):
    """The link of the acknowledgement: GET shows the request and a button, the POST
    withdraws it (twice is fine)."""
    try:
        help_request = services.request_from_withdraw_token(token=token)
    except HelpError:
        return _message(request, PERSON_MESSAGES, "bad_link", status=400)
    if request.method == "POST" and not _withdrawn(help_request):
        try:
            help_request = services.request_withdraw(token=token)
        except HelpError as error:
            if error.code == "bad_link":
                return _message(request, PERSON_MESSAGES, "bad_link", status=400)
            help_request.refresh_from_db()
            return _message(request, PERSON_MESSAGES, _closed_code(help_request), status=409)
        return render(
            request, "helprequests/withdrawn.html", {**_summary(help_request), "already": False}
        )
    if _withdrawn(help_request):
        return render(
            request, "helprequests/withdrawn.html", {**_summary(help_request), "already": True}
        )
    if not help_request.is_open:
        return _message(request, PERSON_MESSAGES, _closed_code(help_request), status=200)
    return render(request, "helprequests/withdraw.html", _summary(help_request))


# --- the volunteer's answer -----------------------------------------------------------------


def _answer_state(proposal):
    """Where this proposal stands for its volunteer: None when it may be answered now,
    "accepted" when they accepted it and the help is still to give, else the code of the
    message that says why not."""
    help_request = proposal.request
    volunteer = proposal.volunteer
    if volunteer is None or volunteer.status != Volunteer.Status.CONFIRMED:
        return "not_available"
    if proposal.status == HelpProposal.Status.ACCEPTED:
        if help_request.status == Status.ACCEPTED and (
            help_request.volunteer_id == proposal.volunteer_id
        ):
            return "accepted"
        if help_request.status == Status.DONE:
            return "already_done"
        if _withdrawn(help_request):
            return "withdrawn"
        return "closed"
    if proposal.status == HelpProposal.Status.DECLINED:
        return "declined"
    if proposal.status == HelpProposal.Status.CANCELLED and help_request.status in (
        Status.NEW,
        Status.SEARCHING,
        Status.PROPOSED,
    ):
        return "cancelled"
    return services.proposal_refusal(proposal, help_request, timezone.now())


def _accepted_page(request, proposal):
    """The person's first name and contact, shown to the volunteer who accepted: the one
    place of the site where they appear, besides the email."""
    done_path = reverse("helprequests:done", kwargs={"token": services.done_token(proposal)})
    return render(
        request,
        "helprequests/answer_accepted.html",
        {**_summary(proposal.request), "proposal": proposal, "done_path": done_path},
    )


def _accept(request, token):
    try:
        services.proposal_accept(token=token)
    except HelpError as error:
        if error.code == "bad_link":
            return _message(request, VOLUNTEER_MESSAGES, "bad_link", status=400)
        try:
            proposal = services.proposal_from_token(token=token)
        except HelpError:
            return _message(request, VOLUNTEER_MESSAGES, "bad_link", status=400)
        if _answer_state(proposal) == "accepted":
            # Accepting twice (a second click, the page reloaded): the same page again.
            return _accepted_page(request, proposal)
        return _message(request, VOLUNTEER_MESSAGES, error.code, status=409)
    return _accepted_page(request, services.proposal_from_token(token=token))


def _decline(request, token, choice):
    try:
        with transaction.atomic():
            proposal = services.proposal_decline(token=token, pause=choice == "pause")
            if choice == "leave" and proposal.volunteer is not None:
                volunteer_help_leave(volunteer=proposal.volunteer, language=_language())
    except HelpError as error:
        status = 400 if error.code == "bad_link" else 409
        return _message(request, VOLUNTEER_MESSAGES, error.code, status=status)
    return render(request, "helprequests/answer_declined.html", {"choice": choice})


ANSWERS = ("accept", "decline", "pause", "leave")


@require_http_methods(["GET", "HEAD", "POST"])
@private
def answer(request, token):
    """The link of a proposal: GET shows the request without the person's first name or
    contact, and the buttons; each button POSTs its answer."""
    try:
        proposal = services.proposal_from_token(token=token)
    except HelpError:
        return _message(request, VOLUNTEER_MESSAGES, "bad_link", status=400)
    status = 200
    if request.method == "POST":
        choice = request.POST.get("answer")
        if choice == "accept":
            return _accept(request, token)
        if choice in ANSWERS:
            return _decline(request, token, choice)
        status = 400
    state = _answer_state(proposal)
    if state not in (None, "accepted"):
        return _message(request, VOLUNTEER_MESSAGES, state, status=200 if status == 200 else 409)
    return render(
        request,
        "helprequests/answer.html",
        {
            **_summary(proposal.request),
            "proposal": proposal,
            "accepted": state == "accepted",
            "no_choice": status == 400,
            "leave_label": HELP_LEAVE_LABEL,
        },
        status=status,
    )


# --- the volunteer's "done" -----------------------------------------------------------------


def _done_state(proposal):
    help_request = proposal.request
    if proposal.status != HelpProposal.Status.ACCEPTED:
        return "not_accepted"
    if help_request.status == Status.DONE:
        return "already_done"
    if _withdrawn(help_request):
        return "withdrawn"
    if help_request.status == Status.CLOSED:
        return "closed"
    if help_request.status != Status.ACCEPTED:
        return "not_accepted"
    return None


def _done_page(request, help_request, *, already, status=200):
    return render(
        request,
        "helprequests/done_thanks.html",
        {**_summary(help_request), "already": already},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@private
def done(request, token):
    """The link of the acceptance email: the volunteer says the help was given and how long
    it took. Recorded once."""
    try:
        proposal = services.proposal_from_token(token=token, salt=services.DONE_SALT)
    except HelpError:
        return _message(request, VOLUNTEER_MESSAGES, "bad_link", status=400)
    conflict = 409 if request.method == "POST" else 200
    state = _done_state(proposal)
    if state == "already_done":
        return _done_page(request, proposal.request, already=True, status=conflict)
    if state:
        return _message(request, VOLUNTEER_MESSAGES, state, status=conflict)
    status = 200
    if request.method == "POST":
        form = DoneForm(request.POST)
        if form.is_valid():
            try:
                help_request = services.request_done(
                    token=token, minutes=form.cleaned_data["minutes"]
                )
            except HelpError as error:
                if error.code == "already_done":
                    proposal.request.refresh_from_db()
                    return _done_page(request, proposal.request, already=True, status=409)
                status = 400 if error.code in ("bad_link", "bad_minutes") else 409
                return _message(request, VOLUNTEER_MESSAGES, error.code, status=status)
            return _done_page(request, help_request, already=False)
        status = 400
    else:
        form = DoneForm()
    return render(
        request,
        "helprequests/done.html",
        {**_summary(proposal.request), "form": form},
        status=status,
    )


# --- what happens to the data ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@never_stored
def data_page(request):
    return render(request, "helprequests/data.html")
