"""The stored-XSS upload of issue 12, replayed in a real browser against the production site.

An anonymous visitor nominates a hero with a valid PNG whose text chunk holds a script, named
`hero.html` (in French and in English). Then a superuser opens the nomination in the admin
and follows the photo link, as the attacker hoped: no dialog opens, nothing of the file runs,
the browser shows a picture. Its old public address under /media/ answers 404."""

import io
import struct
import zlib

import pytest
from PIL import Image

from .conftest import LANGUAGES
from .staff import sign_in

SUPERUSER = ("admin", "admin-tous-voisins")
FORM = {"fr": "/histoires/proposer-un-heros/", "en": "/en/stories/nominate-a-hero/"}


def polyglot_png():
    """A real 40 × 30 PNG with a tEXt chunk holding an HTML page and its script."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 80)).save(out, "PNG")
    data = out.getvalue()
    body = b"tEXt" + b"Comment\x00<html><body><script>alert(document.domain)</script></body>"
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + chunk + data[iend:]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_polyglot_photo_never_runs_in_the_admin(visitor_factory, live_site, lang):
    visitor = visitor_factory(lang, js=True)
    page = visitor.page
    visitor.goto(FORM[lang])
    hero = {"fr": "Héloïse", "en": "Heloise"}[lang]
    page.fill("#id_hero_first_name", hero)
    page.fill("#id_postcode", "77000")
    page.fill("#id_commune_name", "Melun")
    page.fill(
        "#id_what_they_did",
        "Elle répare les vélos de la cité le samedi."
        if lang == "fr"
        else "She repairs the estate's bikes on Saturdays.",
    )
    page.set_input_files(
        "#id_photo", {"name": "hero.html", "mimeType": "text/html", "buffer": polyglot_png()}
    )
    page.locator("#id_hero_agreed").check()
    page.fill("#id_proposer_name", "Mallory")
    page.fill("#id_proposer_email", f"mallory.{lang}@exemple.fr")
    page.wait_for_timeout(1100)
    page.locator("form.nomination-form button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("trust-upload-nominated")
    assert page.locator("form.nomination-form").count() == 0, page.locator("main").inner_text()

    pk, name = live_site.shell(
        "from stories.models import Nomination;"
        f"n = Nomination.objects.filter(hero_first_name={hero!r}).latest('pk');"
        "print(n.pk, n.photo.name)"
    ).split()
    # Stored under the server's name and the verified format's extension.
    assert name.startswith("nominations/") and name.endswith(".png"), name
    # No public address: the file the attacker would link to is not there.
    visitor.goto("/media/" + name, expect_status=404)
    visitor.goto("/media/" + name.replace(".png", ".html"), expect_status=404)

    staff = visitor_factory("fr", js=True)
    sign_in(staff, *SUPERUSER)
    staff.goto(f"/admin/snippets/stories/nomination/inspect/{pk}/")
    staff.shot(f"trust-upload-admin-inspect-{lang}")
    link = staff.page.locator("a[data-nomination-photo]")
    assert link.get_attribute("href") == f"/admin/stories/nominations/{pk}/photo/"
    # The thumbnail on the admin page is the picture itself.
    assert (
        staff.page.evaluate(
            "() => document.querySelector('a[data-nomination-photo] img').naturalWidth"
        )
        == 40
    )
    with staff.page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response.status == 200
    headers = response.headers
    assert headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]
    staff.page.wait_for_load_state()
    staff.shot(f"trust-upload-photo-{lang}")
    # Chromium shows the file as an image document: the picture, and no page of the file's.
    assert staff.page.evaluate("() => document.contentType") == "image/png"
    assert staff.page.evaluate("() => document.images.length") == 1
    assert staff.page.evaluate("() => document.images[0].naturalWidth") == 40
    assert staff.page.evaluate("() => document.scripts.length") == 0
    assert staff.dialogs == [] and visitor.dialogs == []
    assert not staff.server_errors and not visitor.server_errors
