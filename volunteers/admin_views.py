"""The admin's "inscription accompagnée" (issue 15): a staff or mairie user signs someone up
on their behalf (services/assisted.py), then downloads the letter if the person gets their
confirmation by post.

Post, redirect, get: the form's POST saves and redirects to a page that says what was done
and offers the letter. The letter is drawn on each download and never stored; what it needs
(first name, commune, language and the code) waits in the agent's session, signed and for
LETTER_MAX_AGE only, so that no address of the admin carries anything about the person.

A letter lost or never received: the sign-ups awaiting confirmation are listed for the agents
entitled to them (AssistedSignupPendingView), each with "Imprimer une nouvelle lettre", a page
that says what will happen and asks for a POST (AssistedLetterReissueView). The new letter
then waits in the session like the first one. Its address carries only the sign-up's primary
key: not personal data, and the access rule is checked on every request (another commune's
sign-up answers 404), which a signed id would not make any stronger."""

from datetime import datetime

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import registry as log_registry

from campaign.models import CampaignSettings
from campaign.site_address import base_url

from .forms import CONSENT_EMAILS_LABEL, CONSENT_MAIRIE_LABEL, AssistedSignupForm, consent_wording
from .letter import assisted_letter_pdf
from .models import AssistedSignup
from .models.access import assisted_signup_communes, can_sign_up_on_behalf
from .services.assisted import (
    LETTER_REISSUE_ACTION,
    LetterReissueRefused,
    assisted_letter_deadline,
    assisted_letter_reissue,
    assisted_letter_reissue_refusal,
    assisted_signup_create,
    letter_code_display,
    letter_urls,
)

SESSION_KEY = "volunteers.assisted_letter"
SESSION_SALT = "volunteers.assisted-letter-session"
LETTER_MAX_AGE = 30 * 60


class AssistedSignupMixin(WagtailAdminTemplateMixin):
    header_icon = "user"
    page_title = gettext_lazy("Inscription accompagnée")

    def dispatch(self, request, *args, **kwargs):
        if not can_sign_up_on_behalf(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("assisted_signup:form"), "label": self.page_title}
        ]


def _letter_keep(request, result):
    """Put the letter to download in the agent's session, signed: what it needs, no more."""
    request.session[SESSION_KEY] = signing.dumps(
        {
            "first_name": result.first_name,
            "commune": result.commune_name,
            "language": result.language,
            "channel": result.channel,
            "code": result.letter_code,
            "deadline": result.deadline.isoformat() if result.deadline else None,
            "reissued": result.reissued,
        },
        salt=SESSION_SALT,
    )


def _pending_letter(request):
    """The letter waiting in the session, or None when there is none or it is too old."""
    value = request.session.get(SESSION_KEY)
    if not value:
        return None
    try:
        return signing.loads(value, salt=SESSION_SALT, max_age=LETTER_MAX_AGE)
    except signing.BadSignature:
        request.session.pop(SESSION_KEY, None)
        return None


class AssistedSignupFormView(AssistedSignupMixin, FormView):
    template_name = "volunteers/admin/assisted_signup.html"
    form_class = AssistedSignupForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["communes"] = assisted_signup_communes(self.request.user)
        return kwargs

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        data = form.cleaned_data
        result = assisted_signup_create(
            agent=self.request.user,
            email=data["email"],
            first_name=data["first_name"],
            commune=data["commune"],
            interests=data["interests"],
            language=data["language"],
            # The words on the agent's screen, in the admin's language: what was read.
            consent_emails_wording=consent_wording(CONSENT_EMAILS_LABEL),
            consent_mairie_wording=(
                consent_wording(CONSENT_MAIRIE_LABEL) if data["consent_mairie"] else None
            ),
            method=data["method"],
            paper_reference=data["paper_reference"],
            channel=data["channel"],
        )
        _letter_keep(self.request, result)
        return redirect("assisted_signup:done")


class AssistedSignupDoneView(AssistedSignupMixin, TemplateView):
    template_name = "volunteers/admin/assisted_signup_done.html"

    def get(self, request, *args, **kwargs):
        letter = _pending_letter(request)
        if letter is None:
            return redirect("assisted_signup:form")
        return self.render_to_response(
            self.get_context_data(
                letter=letter, by_letter=letter["channel"] == AssistedSignup.Channel.LETTER
            )
        )


def assisted_letter(request):
    """The letter as a PDF download, drawn now from the session: never stored, never cached."""
    if not can_sign_up_on_behalf(request.user):
        raise PermissionDenied
    letter = _pending_letter(request)
    if letter is None or not letter.get("code"):
        messages.warning(
            request,
            _(
                "La lettre n'est plus disponible : elle ne se télécharge que dans les 30 minutes "
                "qui suivent l'inscription."
            ),
        )
        return redirect("assisted_signup:form")
    short_url, qr_url = letter_urls(code=letter["code"], language=letter["language"])
    settings = CampaignSettings.for_request(request)
    pdf = assisted_letter_pdf(
        first_name=letter["first_name"],
        commune_name=letter["commune"],
        language=letter["language"],
        code_display=letter_code_display(letter["code"]),
        short_url=short_url,
        qr_url=qr_url,
        site_url=base_url(),
        contact_email=settings.contact_email,
        campaign_name=settings.campaign_name,
        deadline=datetime.fromisoformat(letter["deadline"]) if letter.get("deadline") else None,
        replaces=bool(letter.get("reissued")),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="lettre-inscription.pdf"'
    add_never_cache_headers(response)
    return response


# --- a new letter -----------------------------------------------------------------------

PENDING_PER_PAGE = 50


def refusal_message(reason):
    """Why no new letter, in the agent's words."""
    return {
        "confirmed": _(
            "Cette personne a déjà confirmé son inscription : elle n'a plus besoin de lettre."
        ),
        "closed": _(
            "Cette inscription n'est plus active (désinscription, effacement ou adresse "
            "refusée) : il n'y a plus de lettre à imprimer."
        ),
        "expired": _(
            "Cette inscription n'a pas été confirmée dans les 30 jours : elle va être effacée "
            "et aucun code ne peut plus la confirmer. Si la personne le souhaite, refaites "
            "l'inscription avec elle."
        ),
    }[reason]


class AssistedSignupPendingView(AssistedSignupMixin, TemplateView):
    """The sign-ups awaiting their person's confirmation, among those the agent may act on:
    where to find the one whose letter was lost. First name, commune, date, agent and
    channel only (no address: the agent does not need it to recognise the person)."""

    template_name = "volunteers/admin/assisted_signup_pending.html"
    page_title = gettext_lazy("Inscriptions en attente de confirmation")

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [
            {"url": reverse("assisted_signup:pending"), "label": self.page_title}
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signups = (
            AssistedSignup.objects.in_reach_of(self.request.user)
            .awaiting_confirmation()
            .select_related("volunteer__commune", "agent")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(signups, PENDING_PER_PAGE).get_page(self.request.GET.get("p"))
        context["page"] = page
        context["rows"] = [
            {"signup": signup, "deadline": assisted_letter_deadline(signup.volunteer)}
            for signup in page
        ]
        return context


class AssistedLetterReissueView(AssistedSignupMixin, TemplateView):
    """ "Imprimer une nouvelle lettre": GET explains (the old letter's code will stop
    working) and offers one button; POST draws the new code (services/assisted.py) and sends
    the agent to the download, as after a sign-up. A sign-up out of the agent's reach is
    404; one whose person has confirmed, left or let it expire answers why, without the
    person's name, and offers no button."""

    template_name = "volunteers/admin/assisted_letter_reissue.html"
    page_title = gettext_lazy("Imprimer une nouvelle lettre")
    http_method_names = ["get", "post", "head", "options"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.signup = None

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("assisted_signup:form"), "label": _("Inscription accompagnée")},
            {
                "url": reverse("assisted_signup:pending"),
                "label": _("Inscriptions en attente de confirmation"),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_signup(self):
        try:
            return (
                AssistedSignup.objects.in_reach_of(self.request.user)
                .select_related("volunteer__commune", "agent")
                .get(pk=self.kwargs["pk"])
            )
        except AssistedSignup.DoesNotExist as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signup = self.signup
        reason = assisted_letter_reissue_refusal(volunteer=signup.volunteer)
        context["signup"] = signup
        context["refusal"] = refusal_message(reason) if reason else None
        if reason is None:
            deadline = assisted_letter_deadline(signup.volunteer)
            context["deadline"] = deadline
            context["days_left"] = max((deadline - timezone.now()).days, 0)
            context["reissues"] = list(
                log_registry.get_logs_for_instance(signup)
                .filter(action=LETTER_REISSUE_ACTION)
                .select_related("user")
                .order_by("-timestamp", "-pk")[:5]
            )
        return context

    def get(self, request, *args, **kwargs):
        self.signup = self.get_signup()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.signup = self.get_signup()
        try:
            result = assisted_letter_reissue(assisted_signup=self.signup, agent=request.user)
        except LetterReissueRefused:
            # The person confirmed (or left) since the page was shown: nothing changed.
            self.signup.volunteer.refresh_from_db()
            response = self.render_to_response(self.get_context_data())
            response.status_code = 409
            return response
        _letter_keep(request, result)
        return redirect("assisted_signup:done")
