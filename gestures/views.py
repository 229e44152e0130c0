"""The two views that are not plain page rendering: "J'ai fait ce geste" and the booklet.
Wagtail routes to them through the pages' RoutablePageMixin."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseNotAllowed, HttpResponseNotModified
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import selectors, services

DONE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
BOOKLET_MAX_AGE = 60 * 10


def gesture_done(request, *, page):
    """POST only (CSRF-checked by Django's middleware): counts the visitor once per gesture,
    remembered in a signed cookie that lists gesture numbers and nothing else."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    done = selectors.done_numbers(request=request)
    if page.number in done:
        messages.info(request, _("Vous avez déjà indiqué avoir fait ce geste. Merci encore !"))
    else:
        services.gesture_mark_done(page=page)
        done.add(page.number)
        messages.success(request, _("Merci ! Votre geste est compté."))
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
