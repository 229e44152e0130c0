"""The two views that are not plain page rendering: "J'ai fait ce geste" and the booklet.
Wagtail routes to them through the pages' RoutablePageMixin."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseNotAllowed, HttpResponseNotModified
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from campaign import ratelimit

from . import selectors, services

DONE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
BOOKLET_MAX_AGE = 60 * 10


def gesture_done(request, *, page):
    """POST only (CSRF-checked by Django's middleware): counts one person once per gesture,
    within reason. A person is recognised by a signed cookie that lists gesture numbers and
    nothing else, and, for visitors without it (a fresh session, a script), by their client
    address: one count per gesture per address per window of the "gesture_done_once" rate
    limit (a day). Either way the visitor gets the same honest answer ("already counted").
    A burst of posts from one address over the "gesture_done" limit gets the 429 page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    burst = ratelimit.consume(request, "gesture_done")
    if not burst.allowed:
        return ratelimit.too_many_requests(request, burst)
    done = selectors.done_numbers(request=request)
    if page.number in done or not services.gesture_done_first_time(request=request, page=page):
        messages.info(request, _("Merci, c'est déjà compté."))
    else:
        services.gesture_mark_done(page=page)
        messages.success(request, _("Merci ! Votre geste est compté."))
    done.add(page.number)
    response = redirect(page.url + "#fait", permanent=False)
    response.status_code = 303
    response.set_signed_cookie(
        selectors.DONE_COOKIE,
        selectors.done_cookie_value(done),
        salt=selectors.DONE_COOKIE_SALT,
        max_age=DONE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def booklet_serve(request, *, index_page):
    """The booklet of the catalogue's language, from its file in the default storage (see
    services.booklet_get: an outdated file is served while the new one is drawn)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    language_code = index_page.locale.language_code
    name = services.booklet_get(
        language_code=language_code, index_page=index_page, allow_stale=True
    )
    etag = '"{}"'.format(name.rsplit("-", 1)[-1].removesuffix(".pdf"))
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = FileResponse(
            default_storage.open(name, "rb"),
            as_attachment=True,
            filename=_("100-gestes-solidaires.pdf"),
            content_type="application/pdf",
        )
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BOOKLET_MAX_AGE}"
    return response
