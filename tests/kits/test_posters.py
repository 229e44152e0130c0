import io
from unittest import mock

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageChops

from kits import rendering, services
from kits.models import PersonalisedPoster
from kits.rendering import Box, fit_text, text_width

from .conftest import LONG_NAME


def _png(size=(300, 200), mode="RGBA", fmt="PNG", colour=(166, 61, 37, 255)):
    out = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGBA" else colour[:3]).save(out, fmt)
    return out.getvalue()


def _poster(template, commune, **kwargs):
    kwargs.setdefault("logo_hash", "")
    kwargs.setdefault("contact_line", "Mairie – 03 26 72 00 00 – accueil@mairie.fr")
    kwargs.setdefault("event_line", "Samedi 12 juin, 10 h, place de l’Église")
    return services.poster_create(template=template, commune=commune, **kwargs)


def _pdf_bytes(poster, size="A4", variant="couleur"):
    result = services.poster_file_get(poster=poster, size=size, variant=variant, extension="pdf")
    from django.core.files.storage import default_storage

    with default_storage.open(result.path, "rb") as handle:
        return handle.read()


def _page_text(pdf):
    document = pdfium.PdfDocument(pdf)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    # PDFium reports a hyphen that ends a line as U+FFFE, and lines end with CR LF.
    return text.replace("\ufffe", "-").replace("\r\n", "")


@pytest.mark.parametrize(
    ("size", "expected"), [("A4", (595.28, 841.89)), ("A3", (841.89, 1190.55))]
)
def test_poster_pdf_has_the_page_size_and_the_commune_name_as_text(
    poster_template, commune, home_page, size, expected
):
    pdf = _pdf_bytes(_poster(poster_template, commune), size=size)
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    width, height = document[0].get_size()
    document.close()
    assert (round(width, 2), round(height, 2)) == expected
    text = _page_text(pdf)
    assert LONG_NAME in text
    assert "Mairie – 03 26 72 00 00 – accueil@mairie.fr" in text.replace("\u00a0", " ")
    assert "place de l’Église" in text


def test_poster_qr_code_reads_back_as_the_signup_url_with_the_commune(
    poster_template, commune, home_page
):
    pdf = _pdf_bytes(_poster(poster_template, commune))
    document = pdfium.PdfDocument(pdf)
    bitmap = document[0].render(scale=2).to_pil()
    document.close()
    codes = zxingcpp.read_barcodes(bitmap)
    assert [code.text for code in codes] == ["http://testserver/?commune=51513"]


def test_poster_qr_code_leads_to_the_signup_page_when_there_is_one(
    poster_template, commune, home_page
):
    # The volunteers app is written in parallel; a page of that content type stands in for it.
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Page

    content_type, _ = ContentType.objects.get_or_create(
        app_label="volunteers", model="volunteersignuppage"
    )
    signup = Page(title="Je m'inscris", slug="je-m-inscris", content_type=content_type)
    home_page.add_child(instance=signup)
    assert services.signup_url(commune=commune) == "http://testserver/je-m-inscris/?commune=51513"


def test_artwork_is_embedded_at_300_dpi(poster_template, commune, home_page):
    poster = _poster(poster_template, commune)
    for size, pixels in (("A4", (2480, 3508)), ("A3", (3508, 4961))):
        inputs, jpeg = services.poster_inputs(poster=poster, size=size, variant="couleur")
        assert Image.open(io.BytesIO(jpeg)).size == pixels


def test_long_names_wrap_to_two_lines_and_are_never_cut():
    box = Box(0, 0, 500, 84)
    block = fit_text(LONG_NAME, box, bold=True)
    assert len(block.lines) == 2
    assert "".join(block.lines) == LONG_NAME  # broken after a hyphen, no letter lost
    for line in block.lines:
        assert text_width(line, True, block.size) <= box.width + 0.01
    assert block.size * rendering.LINE_HEIGHT * 2 <= box.height + 0.01
    # Wrapping keeps it much larger than squeezing it on one line would.
    assert block.size > box.width / text_width(LONG_NAME, True, 1) * 1.5


def test_short_names_stay_on_one_line_and_a_name_without_breaks_shrinks():
    box = Box(0, 0, 500, 84)
    assert fit_text("Melun", box, bold=True).lines == ("Melun",)
    block = fit_text("Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch", box, bold=True)
    assert len(block.lines) == 1
    assert text_width(block.lines[0], True, block.size) <= box.width + 0.01


def test_same_inputs_give_the_same_bytes(poster_template, commune, home_page, settings, tmp_path):
    poster = _poster(poster_template, commune)
    first = _pdf_bytes(poster)
    settings.MEDIA_ROOT = tmp_path / "other-media"  # an empty cache: a second real render
    assert _pdf_bytes(poster) == first


def test_second_request_is_served_from_the_cache(poster_template, commune, home_page, client):
    poster = _poster(poster_template, commune)
    url = reverse(
        "kits:poster_file",
        kwargs={"key": poster.key, "size": "A4", "variant": "couleur", "extension": "pdf"},
    )
    with mock.patch.object(rendering, "render_pdf", wraps=rendering.render_pdf) as render:
        first = client.get(url)
        second = client.get(url)
    assert render.call_count == 1
    assert first.status_code == second.status_code == 200
    assert b"".join(first.streaming_content) == b"".join(second.streaming_content)
    # Asking again with the same inputs finds the same poster: counted once.
    assert _poster(poster_template, commune).pk == poster.pk
    assert PersonalisedPoster.objects.count() == 1


def test_black_and_white_variant_has_no_colour(poster_template, commune, home_page):
    poster = _poster(poster_template, commune)
    pdf = _pdf_bytes(poster, variant="nb")
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=0.5).to_pil().convert("RGB")
    document.close()
    red, green, blue = image.split()
    assert ImageChops.difference(red, green).getbbox() is None
    assert ImageChops.difference(green, blue).getbbox() is None
    assert LONG_NAME in _page_text(pdf)


def test_png_preview(poster_template, commune, home_page):
    poster = _poster(poster_template, commune, logo_hash=_stored_logo())
    result = services.poster_file_get(poster=poster, size="A3", variant="couleur", extension="png")
    from django.core.files.storage import default_storage

    with default_storage.open(result.path, "rb") as handle:
        image = Image.open(handle)
        image.load()
    assert image.format == "PNG"
    assert image.size == (800, 1131)
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == ["http://testserver/?commune=51513"]


def _stored_logo():
    return services.logo_store(image=Image.open(io.BytesIO(_png())))


@translation.override("fr")  # a request in English earlier in the run leaves "en" active
def test_template_zones_outside_the_artwork_are_refused(poster_template):
    poster_template.qr_x = 0.9
    poster_template.qr_width = 0.2
    with pytest.raises(ValidationError) as error:
        poster_template.full_clean()
    assert "qr_x" in error.value.message_dict
    assert "sort de l'illustration" in error.value.message_dict["qr_x"][0]
    poster_template.qr_x, poster_template.qr_width = 0.7, 0.2
    poster_template.name_height = 0
    with pytest.raises(ValidationError) as error:
        poster_template.full_clean()
    assert "name_width" in error.value.message_dict


def test_admin_refuses_a_template_with_a_zone_outside_the_artwork(admin_client, poster_template):
    from django.forms.models import model_to_dict

    url = reverse("wagtailsnippets_kits_postertemplate:edit", args=[poster_template.pk])
    data = {k: v for k, v in model_to_dict(poster_template).items() if v is not None}
    data.update({"event_y": 0.95, "event_height": 0.1, "is_active": "on"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "sort de l&#x27;illustration" in response.content.decode()
    poster_template.refresh_from_db()
    assert poster_template.event_y != 0.95
