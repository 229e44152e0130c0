"""Serving uploaded files: only what is public, always with its true type and no way to run.

Django no longer serves the whole MEDIA_ROOT. Under MEDIA_URL it answers for Wagtail's image
renditions (`images/`) only: every image a public page, a feed or an email shows is a
rendition (the admin's "original" link too: `{% image image original %}` is a rendition). Not
served there, each with the view that checks who may see it:

- `original_images/`: the files editors uploaded, as sent (only renditions are shown);
- `documents/`: Wagtail's `/documents/<id>/<name>` view (WAGTAILDOCS_SERVE_METHOD =
  "serve_view"), which applies the collections' privacy (password, logged-in users);
- `nominations/`: the photos visitors send with a hero nomination, unpublished and of third
  parties: the nomination's admin page (stories/admin_views.py, permission checked);
- `kits/` (logos, posters, artwork) and the gestures booklet: the kits and gestures views.

Every file answered here or by those views carries `file_headers()`: its content type from
the extension the server chose (never guessed from the bytes), `nosniff`, a CSP that forbids
everything and sandboxes the document (even opened directly, nothing in it can run in the
site's origin), and `attachment` for anything that is not an image.
"""

import posixpath
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.views.static import serve

IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}
PUBLIC_PREFIXES = ("images/",)
FILE_CSP = "default-src 'none'; sandbox"


def file_headers(response, *, content_type, filename=None):
    """The headers every served file carries; a non-image is always an attachment."""
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        name = filename or "fichier"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def image_type(name):
    """The content type of a stored image from the extension the server gave it, or None."""
    return IMAGE_TYPES.get(PurePosixPath(name).suffix.lower().lstrip("."))


def serve_public_media(request, path):
    """MEDIA_URL when Django serves local media: image renditions only, 404 for the rest."""
    path = posixpath.normpath(path).lstrip("/")
    if path.startswith("..") or not path.startswith(PUBLIC_PREFIXES):
        raise Http404
    content_type = image_type(path)
    if content_type is None:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    return file_headers(response, content_type=content_type)


ACCEL_REDIRECT_PREFIX = "/_protected_media/"


def private_file_response(field_file, *, content_type):
    """A stored file answered by a view that has checked the permission: never cached by
    a shared cache, same headers as public media.

    Behind the nginx of deploy/ (MEDIA_ACCEL_REDIRECT=true, local storage), the answer is
    empty and names the file in `X-Accel-Redirect`: nginx sends it from an `internal`
    location that nobody can ask for directly; otherwise the file is streamed from here."""
    if settings.MEDIA_ACCEL_REDIRECT:
        name = posixpath.normpath(field_file.name).lstrip("/")
        if not name or name.startswith(".."):
            raise Http404
        if not field_file.storage.exists(name):
            raise Http404
        response = HttpResponse()
        response["X-Accel-Redirect"] = ACCEL_REDIRECT_PREFIX + quote(name)
        response["Cache-Control"] = "private, no-store"
        return file_headers(response, content_type=content_type, filename=PurePosixPath(name).name)
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["Cache-Control"] = "private, no-store"
    return file_headers(
        response,
        content_type=content_type,
        filename=PurePosixPath(field_file.name).name,
    )
