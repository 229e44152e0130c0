"""Uploaded images made safe before they are stored.

`safe_image()` is the one gate every public image upload goes through (the hero nomination's
photo, the poster's logo). It never trusts what the visitor says about a file (its name, its
extension, its declared content type):

- the size is checked from the upload's length before anything is read;
- Pillow reads the header only, and the pixel count is checked before any pixel is decoded
  (a "decompression bomb" is a small file that decodes to gigabytes);
- only JPEG, PNG and WebP are accepted (and GIF, whose first frame becomes a PNG: visitors
  still send them); SVG never is (it is a document that can carry script, not an image);
- the picture is decoded and RE-ENCODED from its pixels alone: text chunks (where a
  "polyglot" PNG hides `<script>`), comments, EXIF (the GPS position where a phone photo was
  taken, the camera's serial number), XMP and anything appended after the image data are
  dropped. The EXIF orientation is applied first, so the photo stays the right way up;
- the stored file's extension comes from the verified format, never from the visitor's name.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from PIL import Image, ImageOps, UnidentifiedImageError

# Format Pillow verified -> (format written, extension, content type).
OUTPUT = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "PNG": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
    "GIF": ("PNG", "png", "image/png"),
}
CONTENT_TYPES = {ext: content_type for _format, ext, content_type in OUTPUT.values()}

NOT_AN_IMAGE = _(
    "Ce fichier n'est pas une image que nous savons lire. Envoyez une image JPEG, PNG ou WebP."
)
UNSUPPORTED_FORMAT = _(
    "Ce format d'image n'est pas accepté (%(format)s). Envoyez une image JPEG, PNG ou WebP."
)
TOO_HEAVY = _("Ce fichier pèse plus de %(limit)s. Envoyez une version plus légère.")
TOO_MANY_PIXELS = _(
    "Cette image a trop de pixels (plus de %(limit)s millions). "
    "Réduisez-la, ou envoyez une photo prise avec un téléphone."
)


@dataclass(frozen=True)
class SafeImage:
    """A re-encoded image: its bytes, the extension and content type of its true format."""

    content: bytes
    extension: str
    content_type: str
    width: int
    height: int


def size_label(limit):
    """'10 Mo' / '10 MB' in the active language."""
    megabytes, rest = divmod(limit, 1024 * 1024)
    if megabytes and not rest:
        return gettext("%(count)s Mo") % {"count": megabytes}
    return filesizeformat(limit).replace("\xa0", " ")


def check_size(upload, max_bytes, message=TOO_HEAVY):
    """Refuse an upload over `max_bytes` from its length alone (nothing read)."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(message, code="too_heavy", params={"limit": size_label(max_bytes)})


def safe_image(
    upload,
    *,
    max_bytes,
    max_pixels,
    formats=("JPEG", "PNG", "WEBP", "GIF"),
    max_side=None,
):
    """Check an uploaded image and return it re-encoded as a `SafeImage`, or raise a
    ValidationError with a message for the visitor (codes: too_heavy, not_an_image,
    unsupported_format, too_many_pixels). `max_side` shrinks a bigger picture to fit."""
    check_size(upload, max_bytes)
    not_an_image = ValidationError(NOT_AN_IMAGE, code="not_an_image")
    too_many_pixels = ValidationError(
        TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": max_pixels // 1_000_000}
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns past Image.MAX_IMAGE_PIXELS and raises past twice that: both are
            # a refusal here, whatever our own limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in formats or image.format not in OUTPUT:
                    raise ValidationError(
                        UNSUPPORTED_FORMAT,
                        code="unsupported_format",
                        params={"format": image.format or "?"},
                    )
                width, height = image.size
                if width * height > max_pixels:
                    raise too_many_pixels
                image.seek(0)  # an animated GIF or WebP: its first frame
                image.load()
                format_written, extension, content_type = OUTPUT[image.format]
                picture = _pixels_only(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise not_an_image from error
    finally:
        upload.seek(0)
    if max_side and max(picture.size) > max_side:
        picture.thumbnail((max_side, max_side))
    if format_written == "JPEG" and picture.mode not in ("L", "RGB"):
        picture = picture.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 90} if format_written in ("JPEG", "WEBP") else {}
    picture.save(out, format_written, **options)
    return SafeImage(out.getvalue(), extension, content_type, *picture.size)


def _pixels_only(image):
    """A new image holding the pixels only (orientation applied): no `info` (text chunks,
    EXIF, ICC, XMP, comments) travels to the encoder."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode not in ("1", "L", "RGB", "RGBA"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.info = {}
    return clean
