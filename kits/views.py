"""Public views of the kits app: counted downloads, the poster maker, engaged communes."""

import mimetypes
import re

from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from campaign import ratelimit
from campaign.geography.models import Commune

from . import selectors, services
from .forms import EngagementForm, PosterForm, commune_search_form, communes_for_choice
from .models import EngagedCommune, KitFile, PersonalisedPoster

# A poster's key is a SHA-256 in hex (services.poster_key): anything else is a 404 before
# any query (a NUL byte would make PostgreSQL fail).
_POSTER_KEY = re.compile(r"[0-9a-f]{64}")


def _poster_or_404(queryset, key):
    if not _POSTER_KEY.fullmatch(key):
        raise Http404
    return get_object_or_404(queryset, key=key)


@require_GET
def download(request, pk):
    """Count one download of a kit file, then stream it.

    FileResponse sends the file in blocks (and through the server's sendfile where the WSGI
    server offers `wsgi.file_wrapper`, as gunicorn does): a 100 MB press kit is never read
    whole into memory. Only live kits' files are served."""
    kit_file = get_object_or_404(
        KitFile.objects.select_related("document", "page").filter(page__live=True), pk=pk
    )
    document = kit_file.document
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    services.download_count_increment(kit_file=kit_file)
    content_type = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _commune_choices(request):
    """The commune search (GET) and the communes it offers, for the two mairie forms."""
    search = commune_search_form(request.GET if "q" in request.GET else None)
    query = ""
    if search.is_bound and search.is_valid():
        query = search.cleaned_data["q"]
    selected = request.POST.get("commune") or request.GET.get("commune") or ""
    return search, query, communes_for_choice(query=query, selected_code=selected)


@require_http_methods(["GET", "POST"])
def poster_form(request):
    search, query, communes = _commune_choices(request)
    if request.method == "POST":
        # Counted before the upload is read: a flood of posters is refused cheaply.
        verdict = ratelimit.consume(request, "poster")
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        form = PosterForm(request.POST, request.FILES, communes=communes)
        if form.is_valid():
            data = form.cleaned_data
            poster = services.poster_create(
                template=data["template"],
                commune=data["commune"],
                logo_hash=form.logo_hash,
                contact_line=data["contact_line"],
                event_line=data["event_line"],
                request=request,
            )
            return redirect(
                "kits:poster_result", key=poster.key, size=data["size"], variant=data["variant"]
            )
        # The choices shown again must include the commune already picked.
        if not communes and form.cleaned_data.get("commune"):
            communes = [form.cleaned_data["commune"]]
            form.fields["commune"].widget.choices = [(c.insee_code, str(c)) for c in communes]
    else:
        initial = {}
        if len(communes) == 1:
            initial["commune"] = communes[0].insee_code
        templates = list(services.poster_template_choices()[:2])
        if len(templates) == 1:
            initial["template"] = templates[0].pk
        form = PosterForm(initial=initial, communes=communes)
    return render(
        request,
        "kits/poster_form.html",
        {
            "form": form,
            "search": search,
            "query": query,
            "communes": communes,
            "templates": list(form.fields["template"].queryset),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def poster_result(request, key, size, variant):
    poster = _poster_or_404(PersonalisedPoster.objects.select_related("commune"), key)
    if size not in services.SIZES or variant not in services.VARIANTS:
        raise Http404
    links = [
        {
            "size": other_size,
            "variant": other_variant,
            "current": (other_size, other_variant) == (size, variant),
        }
        for other_size in services.SIZES
        for other_variant in services.VARIANTS
    ]
    return render(
        request,
        "kits/poster_result.html",
        {"poster": poster, "size": size, "variant": variant, "links": links},
    )


@require_GET
def poster_file(request, key, size, variant, extension):
    poster = _poster_or_404(
        PersonalisedPoster.objects.select_related("commune", "template__artwork"), key
    )
    if (
        size not in services.SIZES
        or variant not in services.VARIANTS
        or extension not in services.EXTENSIONS
    ):
        raise Http404
    poster_file = services.poster_file_get(
        poster=poster, size=size, variant=variant, extension=extension, request=request
    )
    filename = f"affiche-{poster.commune.slug}-{size.lower()}-{variant}.{extension}"
    response = FileResponse(
        default_storage.open(poster_file.path, "rb"),
        as_attachment=extension == "pdf",
        filename=filename,
        content_type="application/pdf" if extension == "pdf" else "image/png",
    )
    # The same URL always gives the same bytes.
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_http_methods(["GET", "POST"])
def engagement_form(request):
    search, query, communes = _commune_choices(request)
    if request.method == "POST":
        verdict = ratelimit.consume(request, "engagement")
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        form = EngagementForm(request.POST, communes=communes)
        if form.is_valid():
            data = form.cleaned_data
            # The form emails the address typed: each address gets only a few emails a day.
            verdict = ratelimit.consume(
                request, "engagement_email", key=data["email"].strip().lower()
            )
            if not verdict.allowed:
                return ratelimit.too_many_requests(request, verdict)
            services.engaged_commune_declare(
                commune=data["commune"],
                contact_name=data["contact_name"],
                role=data["role"],
                email=data["email"],
                language=get_language() or "fr",
            )
            return redirect("kits:engaged_thanks")
        if not communes and form.cleaned_data.get("commune"):
            communes = [form.cleaned_data["commune"]]
            form.fields["commune"].widget.choices = [(c.insee_code, str(c)) for c in communes]
    else:
        initial = {"commune": communes[0].insee_code} if len(communes) == 1 else {}
        form = EngagementForm(initial=initial, communes=communes)
    return render(
        request,
        "kits/engagement_form.html",
        {"form": form, "search": search, "query": query, "communes": communes},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def engagement_thanks(request):
    return render(request, "kits/engagement_thanks.html")


@require_http_methods(["GET", "HEAD", "POST"])
def engagement_confirm(request, token):
    """The emailed link opens a page with a button (a GET changes nothing: mail scanners
    follow links); the button's POST confirms the address. The commune is then listed only
    once staff approved it."""
    try:
        if request.method == "POST":
            engagement = services.engaged_commune_confirm(token=token)
        else:
            engagement = services.engaged_commune_from_token(token=token)
    except services.ConfirmationError:
        return render(request, "kits/engagement_confirm_failed.html", status=400)
    if request.method == "GET" and engagement.status == EngagedCommune.Status.UNCONFIRMED:
        return render(request, "kits/engagement_confirm.html", {"engagement": engagement})
    return render(request, "kits/engagement_confirmed.html", {"engagement": engagement})


@require_GET
def engaged_communes(request):
    regions, total = selectors.engaged_communes_by_region()
    return render(request, "kits/engaged_communes.html", {"regions": regions, "total": total})


@require_GET
def engaged_commune_detail(request, slug):
    commune = get_object_or_404(Commune.objects.select_related("department", "region"), slug=slug)
    engagement = (
        EngagedCommune.objects.public()
        .filter(commune=commune)
        .only("confirmed_at", "reviewed_at")
        .first()
    )
    if engagement is None:
        raise Http404
    # Only posters staff approved: their contact and event lines are free text.
    approved = PersonalisedPoster.objects.filter(
        commune=commune, status=PersonalisedPoster.Status.APPROVED
    )
    posters = list(approved.order_by("-created_at")[:6])
    return render(
        request,
        "kits/engaged_commune_detail.html",
        {
            "commune": commune,
            "engagement": engagement,
            "posters": posters,
            "poster_count": approved.aggregate(n=Count("pk"))["n"],
            "volunteer_count": selectors.commune_volunteer_count(commune),
            "stories": selectors.commune_stories(commune, language=get_language() or "fr"),
            "signup_url": services.signup_url(commune=commune, request=request),
        },
    )
