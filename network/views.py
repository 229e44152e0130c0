"""What the network's pages show, and the registration to a meeting. Every page runs a fixed
number of queries whatever the number of sheets, dossiers, meetings or referents."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from wagtail.models import Page

from campaign import ratelimit
from campaign.geography.models import Region
from campaign.translated import translated_only
from campaign.visibility import public_only

from . import services
from .forms import CONSENT_LABEL, RegistrationForm
from .models import DossierPage, MeetingPage, PracticeSheetPage, Referent

LATEST_SHEETS = 6
NEXT_MEETINGS = 5

REFUSALS = {
    "closed": _("Les inscriptions à cette rencontre sont fermées."),
    "past": _("Cette rencontre a déjà commencé ou a eu lieu : on ne peut plus s'y inscrire."),
    "full": _("Cette rencontre est complète : il n'y a plus de place."),
}


def _children(model, index):
    return translated_only(public_only(model.objects.live())).child_of(index)


def network_index_context(*, index):
    """Latest sheets, dossiers, next meetings and the regions that have referents."""
    sheets = list(
        _children(PracticeSheetPage, index)
        .select_related("commune__department")
        .order_by("-first_published_at", "-pk")[:LATEST_SHEETS]
    )
    dossiers = list(_children(DossierPage, index).order_by("title"))
    meetings = list(
        _children(MeetingPage, index)
        .filter(end__gte=timezone.now())
        .order_by("start")[:NEXT_MEETINGS]
    )
    regions = list(
        Region.objects.filter(network_referents__locale_id=index.locale_id)
        .distinct()
        .order_by("name")
    )
    for region in regions:
        region.url = index.region_url(region)
    return {"sheets": sheets, "dossiers": dossiers, "meetings": meetings, "regions": regions}


def sheet_context(*, sheet):
    """The sheet's categories in its own language (they are synchronised, not translated, by
    wagtail-localize: an English sheet points at the French ones), in one query."""
    from gestures.models import GestureCategory

    if not sheet.pk:
        return {"categories": []}
    keys = sheet.categories.values("translation_key")
    categories = GestureCategory.objects.filter(locale_id=sheet.locale_id, translation_key__in=keys)
    return {"categories": list(categories.order_by("name"))}


def dossier_context(*, dossier):
    """The dossier's pages, in its order and in its language (the links are synchronised:
    match on the translation key), live, public and translated only. Three queries plus one
    per page type shown (sheets, stories, kits), whatever their number."""
    page_ids = [link.page_id for link in dossier.links.all()]
    keys = dict(Page.objects.filter(pk__in=page_ids).values_list("pk", "translation_key"))
    order = {keys[pk]: n for n, pk in enumerate(page_ids) if pk in keys}
    pages = (
        translated_only(public_only(Page.objects.live()))
        .filter(locale_id=dossier.locale_id, translation_key__in=list(order))
        .specific()
    )
    return {"items": sorted(pages, key=lambda page: order[page.translation_key])}


def region_page(request, *, index, region_slug):
    region = Region.objects.filter(slug=region_slug).first()
    if region is None:
        raise Http404
    referents = list(
        Referent.objects.filter(region=region, locale_id=index.locale_id)
        .select_related("commune")
        .order_by("kind", "name")
    )
    return render(
        request,
        "network/region_page.html",
        {"page": index, "self": index, "region": region, "referents": referents},
    )


def _thanks_url(meeting):
    return meeting.url + meeting.reverse_subpage("thanks")


def meeting_page(request, *, meeting):
    """The meeting and its registration form (POST, redirect, GET: a reload never posts
    twice). The answer is the same whether the address was registered or not."""
    status = 200
    refusal = None
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_spam:
            return redirect(_thanks_url(meeting))
        verdict = ratelimit.consume(request, "network_registration")
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            # The form emails the address typed: each address gets only a few emails a day.
            verdict = ratelimit.consume(request, "network_registration_email", key=data["email"])
            if not verdict.allowed:
                return ratelimit.too_many_requests(request, verdict)
            try:
                services.registration_create(
                    meeting=meeting,
                    name=data["name"],
                    email=data["email"],
                    commune=data["commune"],
                    role=data["role"],
                    language=(get_language() or "fr")[:2],
                    consent_wording=str(CONSENT_LABEL),
                )
            except services.RegistrationRefused as refused:
                refusal = refused.code
            else:
                return redirect(_thanks_url(meeting))
    else:
        form = RegistrationForm()
    if refusal is None:
        refusal = services.meeting_refusal(meeting=meeting)
    return render(
        request,
        "network/meeting_page.html",
        {
            "page": meeting,
            "self": meeting,
            "form": form,
            "refusal": refusal,
            "refusal_message": REFUSALS.get(refusal, ""),
        },
        status=status,
    )


def meeting_thanks(request, *, meeting):
    return render(request, "network/meeting_thanks.html", {"page": meeting, "self": meeting})


def _registration_or_none(token, salt, max_age=None):
    try:
        return services.registration_from_token(token=token, salt=salt, max_age=max_age)
    except services.LinkError:
        return None


def _link_context(registration):
    meeting = services.meeting_in_language(
        meeting=registration.meeting, language=(get_language() or "fr")[:2]
    )
    return {"page": meeting, "self": meeting}


def _link_failed(request):
    return render(request, "network/link_failed.html", status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_confirm(request, token):
    """The emailed link opens a page with a button (mail scanners follow links and must
    confirm nothing); the button's POST confirms. Never cached: the form carries Django's
    CSRF token."""
    registration = _registration_or_none(
        token, services.CONFIRM_SALT, services.CONFIRMATION_MAX_AGE
    )
    if registration is None:
        return _link_failed(request)
    if request.method == "POST":
        registration = services.registration_confirm(token=token)
    template = "network/confirmed.html" if registration.confirmed_at else "network/confirm.html"
    return render(request, template, _link_context(registration))


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_cancel(request, token):
    registration = _registration_or_none(token, services.CANCEL_SALT)
    if registration is None:
        return _link_failed(request)
    context = _link_context(registration)
    if request.method == "POST":
        services.registration_cancel(token=token)
        return render(request, "network/cancelled.html", context)
    return render(request, "network/cancel.html", context)
