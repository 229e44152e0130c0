"""Every upload path refuses what is too big, too many pixels, not an image or able to run
script, with a message; what is kept is re-encoded and named by the server."""

import io
import struct
import zlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form
from wagtail.images import get_image_model

import pytest
from PIL import Image

from campaign.uploads import safe_image
from kits.forms import verified_logo
from stories.models import Nomination
from tests.stories import conftest as stories_fixtures

# The stories fixtures (a story index, communes with their postcodes).
geography = stories_fixtures.geography
story_index = stories_fixtures.story_index

NOMINATE = "/histoires/proposer-un-heros/"
NOMINATE_EN = "/en/stories/nominate-a-hero/"
SCRIPT = b"<script>alert(document.domain)</script>"


def png_chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def polyglot_png():
    """A real, valid PNG whose tEXt chunk holds a script: an image to Pillow, a page to a
    browser that is told (or guesses) it is HTML."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 80)).save(out, "PNG")
    data = out.getvalue()
    iend = data.rindex(b"IEND") - 4
    text = png_chunk(b"tEXt", b"Comment\x00<html><body>" + SCRIPT + b"</body></html>")
    return data[:iend] + text + data[iend:]


def bomb_png(width=30_000, height=30_000):
    """A few bytes whose header announces 900 million pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def jpeg_with_gps():
    """A phone-like JPEG: EXIF with a GPS position and a rotation."""
    image = Image.new("RGB", (60, 40), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 32.0, 25.0)
    gps[3] = "E"
    gps[4] = (2.0, 39.0, 40.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def nomination_data(**overrides):
    data = {
        "hero_first_name": "Josiane",
        "postcode": "29200",
        "commune_name": "",
        "what_they_did": "Elle porte les courses de ses voisins du cinquième depuis dix ans.",
        "hero_agreed": "on",
        "proposer_name": "Odile Bernard",
        "proposer_email": "odile@example.org",
    }
    data.update(overrides)
    return data


# The nomination photo ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_polyglot_png_named_html_is_stored_as_a_png_without_its_script(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("hero.html", polyglot_png(), "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NOMINATE, nomination_data(photo=upload))
    assert response.status_code == 302
    photo = Nomination.objects.get().photo
    # The name and extension are the server's, from the verified format.
    assert photo.name.startswith("nominations/") and photo.name.endswith(".png")
    assert "hero" not in photo.name and ".html" not in photo.name
    with photo.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored and b"tEXt" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (40, 30)
        assert not getattr(image, "text", {})


@pytest.mark.django_db
def test_a_phone_photo_loses_its_gps_position_and_stays_upright(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NOMINATE, nomination_data(photo=upload))
    photo = Nomination.objects.get().photo
    assert photo.name.endswith(".jpg")
    with photo.open("rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825) and 0x0112 not in exif
        # The rotation EXIF asked for is applied to the pixels before EXIF is dropped.
        assert image.size == (40, 60)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("hero.svg", SVG, "image/svg+xml"), "pas une photo"),
        (lambda: SimpleUploadedFile("hero.html", SCRIPT, "text/html"), "pas une photo"),
        (lambda: _saved("hero.bmp", "BMP"), "pas une photo"),
        (lambda: SimpleUploadedFile("bombe.png", bomb_png(), "image/png"), "trop de pixels"),
    ],
    ids=["svg", "html", "bmp", "bomb"],
)
def test_a_refused_photo_gets_a_message_and_nothing_is_saved(
    client, story_index, geography, upload, message
):
    response = client.post(NOMINATE, nomination_data(photo=upload()))
    assert response.status_code == 400  # refused with the form (99502d2: every form says 400)
    assert message in response.content.decode()
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_the_english_form_refuses_in_english(client, story_index, geography, english_home):
    english_index = story_index.copy_for_translation(english_home.locale)
    english_index.slug = "stories"
    english_index.save_revision().publish()
    upload = SimpleUploadedFile("bombe.png", bomb_png(), "image/png")
    response = client.post(NOMINATE_EN, nomination_data(photo=upload))
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()


def _saved(name, fmt):
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), "application/octet-stream")


# safe_image itself ------------------------------------------------------------------------


def test_safe_image_checks_the_size_before_reading_anything():
    class Unreadable(io.BytesIO):
        size = 6 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    with pytest.raises(ValidationError) as refused:
        safe_image(Unreadable(), max_bytes=5 * 1024 * 1024, max_pixels=10_000_000)
    assert refused.value.code == "too_heavy"
    assert "plus de 5 Mo" in refused.value.messages[0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_safe_image_keeps_each_accepted_format_and_names_it_from_its_content(fmt):
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(out, fmt)
    upload = SimpleUploadedFile("whatever.exe", out.getvalue())
    safe = safe_image(upload, max_bytes=1024 * 1024, max_pixels=1000)
    assert safe.extension == {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}[fmt]
    with Image.open(io.BytesIO(safe.content)) as image:
        assert image.format == {"GIF": "PNG"}.get(fmt, fmt) and image.size == (20, 10)


def test_safe_image_counts_pixels_before_decoding():
    with pytest.raises(ValidationError) as refused:
        safe_image(
            SimpleUploadedFile("b.png", bomb_png(3000, 3000)), max_bytes=10**6, max_pixels=10**6
        )
    assert refused.value.code == "too_many_pixels"


# The poster logo ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("logo.svg", SVG, "image/svg+xml"), "pas une image PNG ou JPEG"),
        (
            lambda: SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024)),
            "plus de 5 Mo",
        ),
        (lambda: SimpleUploadedFile("logo.png", bomb_png()), "plus de 25 millions de pixels"),
    ],
    ids=["svg", "too-heavy", "bomb"],
)
def test_a_poster_logo_is_refused_with_a_message(upload, message):
    with pytest.raises(ValidationError) as refused:
        verified_logo(upload())
    assert message in refused.value.messages[0]


def test_a_poster_logo_loses_its_text_chunks():
    image = verified_logo(SimpleUploadedFile("logo.png", polyglot_png()))
    assert not image.info.get("Comment")


# Wagtail images and documents (the admin) --------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chef", password="x"))
    return client


def _image_bytes(size=(50, 50)):
    out = io.BytesIO()
    Image.new("RGB", size, (5, 6, 7)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
@override_settings(WAGTAILIMAGES_MAX_UPLOAD_SIZE=1000)
def test_a_wagtail_image_over_the_limit_is_refused_with_a_message(staff_client):
    big = _image_bytes((400, 400)) + b"\x00" * 2000
    response = staff_client.post(
        "/admin/images/add/",
        {"title": "Trop lourde", "file": SimpleUploadedFile("big.png", big, "image/png")},
    )
    assert response.status_code == 200
    assert "Ce fichier est trop gros" in response.content.decode()
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"), [("bombe.png", bomb_png()), ("hero.svg", SVG)], ids=["bomb", "svg"]
)
def test_a_wagtail_image_bomb_or_svg_is_refused_without_a_500(staff_client, name, content):
    response = staff_client.post(
        "/admin/images/add/",
        {"title": "Refusée", "file": SimpleUploadedFile(name, content, "image/png")},
    )
    assert response.status_code == 200
    assert 'class="error-message"' in response.content.decode()
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
def test_documents_have_a_size_limit():
    # Without WAGTAILDOCS_MAX_UPLOAD_SIZE, Wagtail's document form takes any size.
    form = get_document_form(get_document_model())()
    assert form.fields["file"].max_upload_size == 50 * 1024 * 1024


@pytest.mark.django_db
@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=1000)
def test_a_document_over_the_limit_is_refused_with_a_message(staff_client):
    response = staff_client.post(
        "/admin/documents/add/",
        {"title": "Gros", "file": SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * 2000)},
    )
    assert response.status_code == 200
    assert "La taille de fichier maximale est de 1000" in response.content.decode()
    assert not get_document_model().objects.exists()


@pytest.mark.django_db
@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=1000)
def test_the_multiple_document_uploader_has_the_same_limit(staff_client):
    response = staff_client.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * 2000)},
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert not get_document_model().objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["page.html", "page.htm", "dessin.svg", "flux.xml", "code.js"])
def test_a_document_that_a_browser_could_run_is_refused(staff_client, name):
    response = staff_client.post(
        "/admin/documents/add/",
        {"title": "Script", "file": SimpleUploadedFile(name, b"<script>alert(1)</script>")},
    )
    assert response.status_code == 200
    assert "n’est pas autorisée" in response.content.decode()
    assert not get_document_model().objects.exists()


# Photos received before the fix ------------------------------------------------------------


@pytest.mark.django_db
def test_photos_received_before_are_reencoded_under_a_new_name(geography):
    from importlib import import_module

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from stories.factories import NominationFactory

    migration = import_module("stories.migrations.0005_nomination_photos_reencoded")
    old = default_storage.save("nominations/ancienne.html", ContentFile(polyglot_png()))
    nomination = NominationFactory(commune=geography["brest"], photo=old)
    kept = default_storage.save("nominations/pas-une-image.bin", ContentFile(SCRIPT))
    other = NominationFactory(commune=geography["brest"], photo=kept)
    migration.reencode_photos(apps, None)
    nomination.refresh_from_db()
    assert nomination.photo.name.endswith(".png") and "ancienne" not in nomination.photo.name
    with nomination.photo.open("rb") as handle:
        assert b"<script" not in handle.read()
    assert not default_storage.exists(old)
    # What is no image we accept stays as it was (never served: not an image extension).
    other.refresh_from_db()
    assert other.photo.name == kept
    default_storage.delete(kept)
