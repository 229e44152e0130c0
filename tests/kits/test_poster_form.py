import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from PIL import Image

from kits.models import PersonalisedPoster

URL = reverse("kits:poster_form")


def _image_upload(name="logo.png", size=(300, 200), fmt="PNG", mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _data(poster_template, **overrides):
    data = {
        "template": poster_template.pk,
        "commune": "77288",
        "contact_line": "Mairie de Melun – 01 64 52 33 00",
        "event_line": "",
        "size": "A4",
        "variant": "couleur",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_search_without_javascript_offers_the_communes_as_choices(client, melun, poster_template):
    response = client.get(URL, {"q": "77000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="77288"' in html and "Melun (77)" in html
    response = client.get(URL, {"q": "mel"})
    assert 'value="77288"' in response.content.decode()


def test_a_valid_poster_leads_to_its_preview_and_downloads(
    client, melun, poster_template, home_page
):
    response = client.post(URL, _data(poster_template, logo=_image_upload()))
    poster = PersonalisedPoster.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "kits:poster_result", kwargs={"key": poster.key, "size": "A4", "variant": "couleur"}
    )
    assert poster.commune_id == "77288" and poster.logo_hash
    page = client.get(response["Location"]).content.decode()
    assert f"/affiche-personnalisee/{poster.key}/A4-couleur.png" in page
    assert f"/affiche-personnalisee/{poster.key}/A4-couleur.pdf" in page
    png = client.get(f"/affiche-personnalisee/{poster.key}/A4-couleur.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commune": "99999"}, "commune", "Cette commune est inconnue"),
        ({"commune": "<script>"}, "commune", "Cette commune est inconnue"),
        ({"commune": None}, "commune", "Cherchez votre commune"),
        ({"contact_line": ""}, "contact_line", "Indiquez comment vous joindre"),
        ({"contact_line": "   "}, "contact_line", "Indiquez comment vous joindre"),
        ({"contact_line": "x" * 91}, "contact_line", "doit tenir en 90 caractères"),
        ({"contact_line": "Mairie\x07"}, "contact_line", "caractères invisibles"),
        ({"contact_line": "Mairie\x00"}, "contact_line", "Le caractère nul"),
        ({"event_line": "y" * 200}, "event_line", "doit tenir en 90 caractères"),
        ({"template": "12345"}, "template", "Choisissez l&#x27;un des modèles"),
        ({"size": "A0"}, "size", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_clear_message(client, melun, poster_template, overrides, field, message):
    response = client.post(URL, _data(poster_template, **overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'role="alert"' in html
    assert not PersonalisedPoster.objects.exists()


def _bomb():
    # 1-bit, 6000 × 6000: a few kilobytes on disk, 36 million pixels once decoded.
    out = io.BytesIO()
    Image.new("1", (6000, 6000), 0).save(out, "PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", "image/png"),
            "n&#x27;est pas une image PNG ou JPEG",
        ),
        (lambda: _image_upload("logo.png", fmt="GIF", mode="P"), "n&#x27;est pas une image PNG"),
        (
            lambda: SimpleUploadedFile("logo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, "image/jpeg"),
            "n&#x27;est pas une image PNG",
        ),
        (
            lambda: SimpleUploadedFile(
                "logo.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), "image/png"
            ),
            "plus de 5 Mo",
        ),
        (_bomb, "trop grande"),
    ],
)
def test_bad_logos_are_refused_with_a_clear_message(
    client, melun, poster_template, upload, message
):
    response = client.post(URL, _data(poster_template, logo=upload()))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PersonalisedPoster.objects.exists()


def test_a_jpeg_named_png_is_accepted_for_what_it_is(client, melun, poster_template, home_page):
    response = client.post(URL, _data(poster_template, logo=_image_upload("logo.png", fmt="JPEG")))
    assert response.status_code == 302


def test_the_logo_is_not_lost_when_another_field_has_an_error(
    client, melun, poster_template, home_page
):
    response = client.post(URL, _data(poster_template, contact_line="", logo=_image_upload()))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Votre logo est bien reçu" in html
    logo_ref = re.search(r'name="logo_ref" value="([^"]+)"', html).group(1)
    # The mairie fixes the contact line only; the logo comes back through the signed reference.
    response = client.post(URL, _data(poster_template, logo_ref=logo_ref))
    assert response.status_code == 302
    assert PersonalisedPoster.objects.get().logo_hash


def test_a_forged_logo_reference_asks_for_the_logo_again(client, melun, poster_template):
    response = client.post(URL, _data(poster_template, logo_ref="../../etc/passwd"))
    assert response.status_code == 400
    assert "Envoyez-le à nouveau" in response.content.decode()


def test_an_unknown_poster_is_a_404(client, db):
    assert client.get("/affiche-personnalisee/abc/A4-couleur/").status_code == 404
    assert client.get("/affiche-personnalisee/abc/A4-couleur.pdf").status_code == 404


def test_the_poster_form_speaks_english_under_en(client, melun, poster_template, english_home):
    response = client.get("/en/custom-poster/", {"q": "Melun"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Personalise a poster" in html and "1. Find your town" in html
    response = client.post("/en/custom-poster/", _data(poster_template, contact_line=""))
    assert "Say how people can reach you" in response.content.decode()


BAD_CODES = ["\ufffd\ufffd\x00<", "77288\x00", "7728", "77288x", "'; --", "é" * 5]


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_commune_code_that_cannot_be_one_is_refused_before_any_query(
    client, melun, poster_template, django_assert_num_queries, code
):
    """A NUL byte in a query fails on PostgreSQL (a 500): what cannot be an INSEE code never
    reaches the database, the field just says the commune is unknown."""
    from kits.forms import communes_for_choice

    with django_assert_num_queries(0):
        assert communes_for_choice(query=None, selected_code=code) == []
    assert [c.insee_code for c in communes_for_choice(query=None, selected_code=" 77288 ")] == [
        "77288"
    ]
    assert client.get(URL, {"commune": code}).status_code == 200
    response = client.post(URL, _data(poster_template, commune=code))
    assert response.status_code == 400
    assert "Cette commune est inconnue" in response.content.decode()
    assert not PersonalisedPoster.objects.exists()


@pytest.mark.parametrize("key", ["%00", "abc%00", "A" * 64, "0" * 63, "0" * 65, "%FE%FF%00%3C"])
def test_a_poster_key_that_cannot_be_one_is_a_404_before_any_query(client, db, key):
    """A poster's key is a SHA-256 in hex: anything else (a NUL byte would make PostgreSQL
    fail) is a 404 without looking it up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in (
        f"/affiche-personnalisee/{key}/A4-couleur/",
        f"/affiche-personnalisee/{key}/A4-couleur.pdf",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 404
        assert not [q for q in queries if "kits_personalisedposter" in q["sql"]], path
