"""The admin's "inscription accompagnée" (issue 15): a staff or mairie user signs someone up
on their behalf (services/assisted.py), then downloads the letter if the person gets their
confirmation by post.

Post, redirect, get: the form's POST saves and redirects to a page that says what was done
and offers the letter. The letter is drawn on each download and never stored; what it needs
(first name, commune, language and the code) waits in the agent's session, signed and for
LETTER_MAX_AGE only, so that no address of the admin carries anything about the person."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from campaign.models import CampaignSettings
from campaign.site_address import base_url

from .forms import CONSENT_EMAILS_LABEL, CONSENT_MAIRIE_LABEL, AssistedSignupForm, consent_wording
from .letter import assisted_letter_pdf
from .models import AssistedSignup
from .models.access import assisted_signup_communes, can_sign_up_on_behalf
from .services.assisted import assisted_signup_create, letter_code_display, letter_urls

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
        self.request.session[SESSION_KEY] = signing.dumps(
            {
                "first_name": result.first_name,
                "commune": result.commune_name,
                "language": result.language,
                "channel": result.channel,
                "code": result.letter_code,
            },
            salt=SESSION_SALT,
        )
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
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="lettre-inscription.pdf"'
    add_never_cache_headers(response)
    return response
