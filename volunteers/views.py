"""Public views: the sign-up form (served by VolunteerSignupPage), confirmation, the
preference centre, data download, erasure and unsubscribe, all reached by signed links."""

import json
import re

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaign import ratelimit
from campaign.geography.models import INSEE_CODE_RE

from . import services, tokens
from .forms import (
    CONSENT_EMAILS_LABEL,
    CONSENT_HELP_REQUESTS_LABEL,
    CONSENT_MAIRIE_LABEL,
    LetterCodeForm,
    PreferencesForm,
    PreferencesLinkForm,
    SignupForm,
    consent_wording,
    form_timestamp_make,
)
from .interests import interest_choices
from .models import ConsentRecord, Volunteer, VolunteerSignupPage
from .services.assisted import assisted_letter_volunteer, letter_token_code
from .services.volunteers import volunteer_export_sections, volunteer_preferences_link_request


def _private(response):
    """Pages reached by a signed link: never cached, never indexed, and their address (which
    holds the token) sent as a referrer to this site only. Not "no-referrer": browsers then
    post the page's forms with `Origin: null`, which Django's CSRF check refuses."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _signup_initial(request):
    """Preselection from the URL: ?interet=<slug>&commune=<INSEE code>, and the campaign
    parameters, which travel in hidden fields until the form is sent."""
    initial = {"hours_per_month": 1, "started": form_timestamp_make()}
    slug = request.GET.get("interet", "")
    if slug in dict(interest_choices()):
        initial["interests"] = [slug]
    code = request.GET.get("commune", "").strip().upper()
    if INSEE_CODE_RE.fullmatch(code):
        # The form looks it up, fills in its postcode and shows it (or drops an unknown one).
        initial["commune"] = code
    initial.update({k: v for k, v in _utm(request.GET).items() if v})
    return initial


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _utm(data):
    """Campaign parameters as one clean line each (a NUL byte would fail on PostgreSQL)."""
    return {
        k: " ".join(_CONTROL.sub(" ", str(data.get(k, ""))).split())[:100]
        for k in services.UTM_FIELDS
    }


def _signup_refused(request):
    """The refusal when this client address or the typed email address has sent too many
    sign-ups this window, else None. Both counters count this post."""
    verdicts = [ratelimit.consume(request, "signup")]
    email = request.POST.get("email", "")[:254].strip().lower()
    if email:
        verdicts.append(ratelimit.consume(request, "signup_email", key=email))
    refused = [v for v in verdicts if not v.allowed]
    return max(refused, key=lambda v: v.retry_after) if refused else None


def signup_page_serve(request, page: VolunteerSignupPage):
    status = 200
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_spam:
            # Bots get the same thank-you as everyone, and nothing is saved.
            return redirect(page.url + page.reverse_subpage("thanks"))
        # Every post counts towards the limits, valid or not; over them, the 429 page and
        # nothing is saved.
        refused = _signup_refused(request)
        if refused:
            return ratelimit.too_many_requests(request, refused)
        if form.is_valid():
            data = form.cleaned_data
            services.volunteer_signup(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                commune=data["commune"],
                postcode=data["postcode"],
                phone=data["phone"],
                interests=data["interests"],
                availability=data["availability"],
                hours_per_month=data["hours_per_month"],
                language=(get_language() or "fr")[:2],
                consent_emails_wording=consent_wording(CONSENT_EMAILS_LABEL),
                consent_mairie_wording=(
                    consent_wording(CONSENT_MAIRIE_LABEL) if data["consent_mairie"] else None
                ),
                source_page=page,
                utm=_utm(request.POST),
            )
            return redirect(page.url + page.reverse_subpage("thanks"))
        else:
            status = 400
        if form.started_refused and not form.too_fast:
            # Expired or forged: a fresh one, so that the next try can pass.
            form.data = form.data.copy()
            form.data["started"] = form_timestamp_make()
    else:
        form = SignupForm(initial=_signup_initial(request))
    response = render(
        request,
        "volunteers/volunteer_signup_page.html",
        {
            "page": page,
            "self": page,
            "form": form,
            "utm": _utm(request.POST if request.method == "POST" else form.initial),
        },
        status=status,
    )
    # Cacheable for anonymous visitors (campaign/cache.py): no CSRF token in the form (its
    # POST is checked for its origin, campaign/csrf.py), and the anti-bot timestamp is at most
    # PAGE_CACHE_SECONDS old, well within FORM_MAX_AGE.
    return response


def signup_page_thanks(request, page):
    return render(request, "volunteers/volunteer_signup_thanks.html", {"page": page, "self": page})


def _signup_page_url():
    language = (get_language() or "fr")[:2]
    page = VolunteerSignupPage.objects.live().filter(locale__language_code=language).first()
    return page.url if page else "/"


def _invalid_link(request, message=None):
    response = render(
        request,
        "volunteers/link_invalid.html",
        {"message": message, "signup_url": _signup_page_url()},
        status=400,
    )
    return _private(response)


def _resolve(token, purpose):
    volunteer = tokens.token_volunteer(token=token, purpose=purpose)
    if volunteer.status == Volunteer.Status.ERASED:
        raise tokens.InvalidLink
    return volunteer


def _link_used(request, status=200, form=None):
    """A confirmation link that already served: it says so and offers to email a link to the
    preferences. It never shows one: whoever holds an old confirmation link (a shared inbox,
    a forwarded email) must not get a fresh 400-day key to the person's data."""
    return _private(
        render(
            request,
            "volunteers/confirm_used.html",
            {"form": form or PreferencesLinkForm()},
            status=status,
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows one button; the POST confirms. Mail scanners that open every link (GET or
    HEAD) must not confirm in the person's place: the confirmation is the consent's proof.
    Only the POST that confirms shows the link to the preferences; a used link does not."""
    try:
        volunteer = _resolve(token, tokens.CONFIRM)
    except tokens.InvalidLink:
        return _invalid_link(request)
    if volunteer.status == Volunteer.Status.CONFIRMED:
        return _link_used(request)
    if volunteer.status != Volunteer.Status.PENDING:
        return _invalid_link(request, _("Cette inscription n'est plus active."))
    if request.method != "POST":
        return _private(render(request, "volunteers/confirm.html", {"token": token}))
    if not services.volunteer_confirm(volunteer=volunteer):
        return _invalid_link(request, _("Cette inscription n'est plus active."))
    preferences = tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES)
    return _private(
        render(
            request,
            "volunteers/confirmed.html",
            {"volunteer": volunteer, "preferences_token": preferences},
        )
    )


@require_http_methods(["POST"])
def preferences_link_request(request):
    """The form of a used confirmation link: a link to the preferences is emailed to the
    typed address if it is registered (the same answer whatever the address: nobody learns
    who signed up). Counted with the sign-up's limits: both send the same emails."""
    form = PreferencesLinkForm(request.POST)
    refused = _signup_refused(request)
    if refused:
        return ratelimit.too_many_requests(request, refused)
    if not form.is_valid():
        return _link_used(request, status=400, form=form)
    volunteer_preferences_link_request(email=form.cleaned_data["email"])
    return _private(render(request, "volunteers/preferences_link_sent.html"))


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    try:
        volunteer = _resolve(token, tokens.PREFERENCES)
    except tokens.InvalidLink:
        return _invalid_link(request)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, volunteer=volunteer)
        if form.is_valid():
            data = form.cleaned_data
            services.volunteer_update_preferences(
                volunteer=volunteer,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                commune=data["commune"],
                postcode=data["postcode"],
                interests=data["interests"],
                availability=data["availability"],
                hours_per_month=data["hours_per_month"],
                language=data["language"],
                consent_emails=data["consent_emails"],
                consent_mairie=data["consent_mairie"],
                consent_help_requests=data["consent_help_requests"],
                help_paused=data["help_paused"],
                consent_emails_wording=consent_wording(CONSENT_EMAILS_LABEL),
                consent_mairie_wording=consent_wording(CONSENT_MAIRIE_LABEL),
                consent_help_requests_wording=consent_wording(CONSENT_HELP_REQUESTS_LABEL),
            )
            messages.success(request, _("Vos préférences sont enregistrées."))
            return redirect("volunteers:preferences", token=token)
        status = 400
    else:
        form = PreferencesForm(volunteer=volunteer)
    return _private(
        render(
            request,
            "volunteers/preferences.html",
            {"volunteer": volunteer, "form": form, "token": token},
            status=status,
        )
    )


@require_http_methods(["GET", "HEAD"])
def data_download(request, token):
    try:
        volunteer = _resolve(token, tokens.PREFERENCES)
    except tokens.InvalidLink:
        return _invalid_link(request)
    data = services.volunteer_export_data(volunteer=volunteer)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-tous-voisins.json"'
    return _private(response)


@require_http_methods(["GET", "HEAD"])
def data_page(request, token):
    """ "Vos données": everything kept about the person, from every app, as tables in the
    visitor's language (the JSON download holds the same)."""
    try:
        volunteer = _resolve(token, tokens.PREFERENCES)
    except tokens.InvalidLink:
        return _invalid_link(request)
    sections = volunteer_export_sections(volunteer=volunteer)
    return _private(
        render(request, "volunteers/my_data.html", {"sections": sections, "token": token})
    )


@require_http_methods(["GET", "HEAD", "POST"])
def erase(request, token):
    try:
        volunteer = _resolve(token, tokens.PREFERENCES)
    except tokens.InvalidLink:
        return _invalid_link(request)
    if request.method == "POST":
        services.volunteer_erase(volunteer=volunteer)
        return _private(render(request, "volunteers/erased.html"))
    return _private(
        render(request, "volunteers/erase_confirm.html", {"volunteer": volunteer, "token": token})
    )


@csrf_exempt  # RFC 8058: mail clients POST here without a cookie; the signed token is the proof.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        volunteer = tokens.token_volunteer(token=token, purpose=tokens.UNSUBSCRIBE)
    except tokens.InvalidLink:
        return _invalid_link(request)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        services.volunteer_unsubscribe(
            volunteer=volunteer,
            wording=consent_wording(_("Me désinscrire")),
            source=(
                ConsentRecord.Source.ONE_CLICK if one_click else ConsentRecord.Source.UNSUBSCRIBE
            ),
        )
        if one_click:
            return _private(HttpResponse(_("Vous êtes désinscrit."), content_type="text/plain"))
        return _private(render(request, "volunteers/unsubscribed.html"))
    # A GET never unsubscribes: mail scanners open links; a person confirms with one button.
    return _private(render(request, "volunteers/unsubscribe_confirm.html", {"token": token}))


def _letter_to_confirm(volunteer, status=302):
    """On to the usual confirmation page (one button, the POST confirms), with a fresh
    link: the letter's code lives as long as the pending sign-up, not 7 days."""
    token = tokens.token_make(volunteer=volunteer, purpose=tokens.CONFIRM)
    response = redirect("volunteers:confirm", token=token)
    response.status_code = status
    return _private(response)


@require_http_methods(["GET", "HEAD", "POST"])
def letter(request):
    """The short address printed on an assisted sign-up's letter: the person types its code.
    Each try counts towards the sign-up's limit per client address, so that codes cannot be
    guessed by the thousand."""
    status = 200
    form = LetterCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        refused = ratelimit.consume(request, "signup")
        if not refused.allowed:
            return ratelimit.too_many_requests(request, refused)
        if form.is_valid():
            volunteer = assisted_letter_volunteer(code=form.cleaned_data["code"])
            if volunteer is not None:
                return _letter_to_confirm(volunteer, status=303)
            form.add_error("code", _letter_code_unknown())
        status = 400
    return _private(render(request, "volunteers/letter_code.html", {"form": form}, status=status))


def _letter_code_unknown():
    return _(
        "Ce code n'est pas (ou plus) valable. Vérifiez-le ; une inscription non confirmée est "
        "effacée après 30 jours. Si vous étiez déjà inscrit, vous avez reçu un e-mail."
    )


@require_http_methods(["GET", "HEAD"])
def letter_link(request, token):
    """The letter's QR code: the same code, signed (services/assisted.py)."""
    code = letter_token_code(token)
    volunteer = assisted_letter_volunteer(code=code) if code else None
    if volunteer is None:
        return _invalid_link(request, _letter_code_unknown())
    return _letter_to_confirm(volunteer)
