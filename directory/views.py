"""Public views of the directory: the search by place and need, an actor's page, a commune's
page, and an actor's proposal with its emailed confirmation. The three public pages are the
same for every anonymous visitor and are cached (campaign/cache.py), as is a commune's
iCalendar feed of help points; directory/signals.py purges them when an actor or a help point
changes."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from campaign import ratelimit
from campaign.cache import cacheable
from campaign.geography.forms import CommuneSearchForm
from campaign.geography.models import INSEE_CODE_RE, Commune
from campaign.site_address import public_url
from helprequests import selectors as helprequests_selectors
from stories import selectors as stories_selectors
from volunteers import selectors as volunteers_selectors

from . import feeds, selectors, services
from .forms import ActorCheckForm, ActorProposalForm, DirectorySearchForm
from .models import Actor, HelpPoint


def _language():
    return (get_language() or "fr")[:2]


def _needs():
    needs = selectors.needs(_language())
    return needs, dict(needs)


@cacheable
@require_GET
def directory_search(request):
    needs, labels = _needs()
    form = DirectorySearchForm(request.GET or None, needs=needs)
    place, need, page, page_valid = selectors.Place(), "", None, True
    searched = place_unknown = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        need = data["besoin"]
        commune_code = data["commune"]
        place = selectors.place_for(query=data["q"], commune_code=commune_code)
        searched = bool(data["q"] or commune_code or need)
        wants_place = bool(data["q"] or commune_code)
        place_unknown = wants_place and not place.found and not place.choices
        if place.found or not wants_place:
            page, page_valid = selectors.page_of(
                selectors.search(communes=place.communes, need=need),
                request.GET.get("page"),
                labels=labels,
            )
    elif not form.is_bound:
        page, page_valid = selectors.page_of(
            selectors.search(communes=[]), request.GET.get("page"), labels=labels
        )
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "place": place,
            "need": need,
            "need_label": labels.get(need, ""),
            "page": page,
            "page_valid": page_valid,
            "searched": searched,
            "place_unknown": place_unknown,
            "query_string": _query_without_page(request),
        },
    )


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@cacheable
@require_GET
def actor_detail(request, slug):
    actor = selectors.actor_detail(slug)
    if actor is None:
        raise Http404
    _needs_list, labels = _needs()
    selectors._cards([actor], labels)
    # The help points it organises, wherever they are held (one query).
    help_points = selectors.upcoming_help_points(
        today=timezone.localdate(), actor=actor, limit=selectors.HELP_POINTS_MAX
    )
    return render(
        request, "directory/actor_detail.html", {"actor": actor, "help_points": help_points}
    )


def _commune_help_points(commune, *, limit=selectors.HELP_POINTS_MAX):
    """The commune's upcoming help points (one query): each with the dates held there and
    the other communes it stops in."""
    return [
        (
            point,
            selectors.held_in(permanences, commune),
            selectors.held_elsewhere(permanences, commune),
        )
        for point, permanences in selectors.upcoming_help_points(
            today=timezone.localdate(), communes=[commune], limit=limit
        )
    ]


@cacheable
@require_GET
def commune_detail(request, slug):
    commune = get_object_or_404(
        Commune.objects.select_related("department", "intercommunality"), slug=slug
    )
    _needs_list, labels = _needs()
    page, page_valid = selectors.page_of(
        selectors.commune_actors(commune), request.GET.get("page"), labels=labels
    )
    help_points = _commune_help_points(commune)
    # Actors who said they host a help point (the public proposal form asks) but organise
    # none with its dates in the admin: still named, so that nothing they told us is lost,
    # without hours (one query).
    also_hosting = list(
        selectors.commune_actors(commune)
        .filter(hosts_help_point=True)
        .exclude(pk__in=HelpPoint.objects.published().exclude(actor=None).values("actor_id"))
        .prefetch_related(None)[: selectors.HELP_POINTS_MAX]
    )
    return render(
        request,
        "directory/commune_detail.html",
        {
            "commune": commune,
            "page": page,
            "page_valid": page_valid,
            "help_points": help_points,
            "also_hosting": also_hosting,
            "stories": stories_selectors.commune_stories(
                commune=commune, language=_language(), limit=6
            ),
            "volunteer_count": volunteers_selectors.commune_volunteer_count(commune=commune),
            # The hours given here and in the department (one query; fresh after a request
            # is marked done, which purges the cached pages).
            "help_hours": helprequests_selectors.public_hours(commune=commune),
            "query_string": "",
        },
    )


@cacheable
@require_GET
def commune_help_points_calendar(request, slug):
    """The commune's upcoming permanences as an iCalendar file (directory/feeds.py), in the
    language of its address: all of them (the page shows the first HELP_POINTS_MAX points),
    in two queries whatever their number."""
    commune = get_object_or_404(Commune.objects.only("insee_code", "name", "slug"), slug=slug)
    permanences = [
        permanence
        for _point, permanences, _elsewhere in _commune_help_points(commune, limit=None)
        for permanence in permanences
    ]
    body = feeds.help_points_calendar(
        commune=commune,
        permanences=permanences,
        page_url=public_url(reverse("directory:commune", kwargs={"slug": commune.slug})),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="points-entraide-{commune.slug}.ics"'
    return response


def _commune_choices(request):
    """The commune search (GET) and the communes it offers to the proposal form."""
    search = CommuneSearchForm(request.GET if "q" in request.GET else None)
    query = ""
    if search.is_bound and search.is_valid():
        query = search.cleaned_data["q"]
    communes = []
    if query:
        communes = list(Commune.objects.search(query)[:30])
    else:
        code = str(request.POST.get("commune") or request.GET.get("commune") or "")
        code = code.strip().upper()
        if INSEE_CODE_RE.fullmatch(code):
            communes = list(Commune.objects.filter(insee_code=code).select_related("department"))
    return search, query, communes


@require_http_methods(["GET", "POST"])
def proposal_form(request):
    search, query, communes = _commune_choices(request)
    needs, _labels = _needs()
    if request.method == "POST":
        verdict = ratelimit.consume(request, "actor_proposal")
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        form = ActorProposalForm(request.POST, communes=communes, needs=needs)
        if form.is_valid():
            data = form.cleaned_data
            # The form emails the address typed: each address gets only a few emails a day.
            verdict = ratelimit.consume(
                request, "actor_proposal_email", key=data["proposer_email"].strip().lower()
            )
            if not verdict.allowed:
                return ratelimit.too_many_requests(request, verdict)
            services.actor_propose(
                data=form.actor_data(),
                communes=[data["commune"]],
                categories=selectors.french_categories(data["besoins"]),
                proposer_email=data["proposer_email"],
                language=_language(),
            )
            return redirect("directory:thanks")
        if not communes and form.cleaned_data.get("commune"):
            communes = [form.cleaned_data["commune"]]
            form.fields["commune"].widget.choices = [(c.insee_code, str(c)) for c in communes]
    else:
        initial = {"commune": communes[0].insee_code} if len(communes) == 1 else {}
        form = ActorProposalForm(initial=initial, communes=communes, needs=needs)
    return render(
        request,
        "directory/proposal_form.html",
        {"form": form, "search": search, "query": query, "communes": communes},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def proposal_thanks(request):
    return render(request, "directory/proposal_thanks.html")


@require_http_methods(["GET", "HEAD", "POST"])
def proposal_confirm(request, token):
    """The emailed link opens a page with a button (a GET changes nothing: mail scanners
    follow links); the button's POST confirms the address. The entry then waits for
    moderation."""
    try:
        if request.method == "POST":
            actor = services.actor_confirm(token=token)
        else:
            actor = services.actor_from_token(token=token)
    except services.ConfirmationError:
        return render(request, "directory/proposal_confirm_failed.html", status=400)
    if request.method != "POST" and actor.status == Actor.Status.UNCONFIRMED:
        return render(request, "directory/proposal_confirm.html", {"actor": actor})
    return render(request, "directory/proposal_confirmed.html", {"actor": actor})


@require_http_methods(["GET", "HEAD", "POST"])
def actor_check(request, token):
    """The yearly check's emailed link: a page where the actor confirms its entry (nothing
    changed) or proposes changes (moderated before they show). A GET changes nothing (mail
    scanners follow links); a link expired, tampered with or already answered opens a page
    that says so."""
    try:
        actor = services.actor_from_check_token(token=token)
    except services.CheckLinkError as error:
        return render(request, "directory/check_failed.html", {"reason": error.reason}, status=400)
    needs, _labels = _needs()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm":
        services.actor_check_confirm(actor=actor)
        return render(request, "directory/check_done.html", {"actor": actor, "changes": {}})
    if action == "update":
        form = ActorCheckForm(request.POST, needs=needs)
        if form.is_valid():
            changes = services.actor_check_propose_changes(
                actor=actor, values=form.changed_values()
            )
            return render(
                request, "directory/check_done.html", {"actor": actor, "changes": changes}
            )
    else:
        form = ActorCheckForm(initial=services.actor_check_initial(actor=actor), needs=needs)
    return render(
        request,
        "directory/check.html",
        {"actor": actor, "form": form},
        status=400 if request.method == "POST" else 200,
    )
