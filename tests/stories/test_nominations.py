import struct
import zlib

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from stories.factories import png_bytes
from stories.models import Nomination

URL = "/histoires/proposer-un-heros/"
THANKS = "/histoires/proposer-un-heros/merci/"


def _data(**overrides):
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


def _post(client, django_capture_on_commit_callbacks, data, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, data, **extra)


def _bomb_png(width=30_000, height=30_000):
    """A PNG header announcing 900 million pixels: Pillow refuses to open it
    (DecompressionBombError) long before decoding anything."""

    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db
def test_the_form_is_accessible_and_needs_no_javascript(client, story_index, geography):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    for field in (
        "hero_first_name",
        "postcode",
        "what_they_did",
        "photo",
        "hero_agreed",
        "proposer_name",
        "proposer_email",
    ):
        assert f'<label for="id_{field}"' in html, field
    assert "<legend>" in html


@pytest.mark.django_db
def test_a_nomination_is_saved_and_acknowledged_by_a_task_after_commit(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, _data())
    # Nothing is sent inside the request: the email waits for the commit.
    assert response.status_code == 302 and response["Location"] == THANKS
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    nomination = Nomination.objects.get()
    assert nomination.status == Nomination.Status.NEW
    assert nomination.commune == geography["brest"]
    assert nomination.language == "fr"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["odile@example.org"]
    assert "Merci d'avoir proposé Josiane, de Brest" in mail.outbox[0].body
    assert client.get(THANKS).status_code == 200


@pytest.mark.django_db
def test_the_english_form_acknowledges_in_english(
    client, story_index, english_home, geography, django_capture_on_commit_callbacks
):
    from wagtail.models import Locale

    english_index = story_index.copy_for_translation(Locale.objects.get(language_code="en"))
    english_index.slug = "stories"
    english_index.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/stories/nominate-a-hero/", _data())
    assert response["Location"] == "/en/stories/nominate-a-hero/thank-you/"
    assert Nomination.objects.get().language == "en"
    assert "Thank you for nominating Josiane, from Brest" in mail.outbox[0].body


@pytest.mark.django_db
def test_unicode_names_are_kept_intact(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    data = _data(
        hero_first_name="Zoé-Hélène 🌻",
        proposer_name="فاطمة الزهراء",
        what_they_did="Elle tricote des écharpes 🧣 pour tout l'immeuble. شكراً",
    )
    _post(client, django_capture_on_commit_callbacks, data)
    nomination = Nomination.objects.get()
    assert nomination.hero_first_name == "Zoé-Hélène 🌻"
    assert nomination.proposer_name == "فاطمة الزهراء"
    assert nomination.what_they_did.endswith("🧣 pour tout l'immeuble. شكراً")
    assert "فاطمة الزهراء" in mail.outbox[0].body


@pytest.mark.django_db
def test_xss_is_stored_as_typed_and_shown_escaped_everywhere(
    client, admin_client, story_index, geography, django_capture_on_commit_callbacks
):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _post(
        client,
        django_capture_on_commit_callbacks,
        _data(hero_first_name=payload[:60], proposer_name=payload, what_they_did=payload),
    )
    nomination = Nomination.objects.get()
    assert nomination.proposer_name == payload  # stored as typed, escaped on output
    pages = [
        admin_client.get("/admin/snippets/stories/nomination/").content.decode(),
        admin_client.get(
            f"/admin/snippets/stories/nomination/inspect/{nomination.pk}/"
        ).content.decode(),
        admin_client.get(
            f"/admin/snippets/stories/nomination/edit/{nomination.pk}/"
        ).content.decode(),
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert" in pages[1]
    # An invalid form re-displays the payload escaped too.
    html = client.post(
        URL, _data(proposer_name=payload, proposer_email="pas-une-adresse")
    ).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("photo.jpg", b"ceci n'est pas une image", "image/jpeg"),
            "n&#x27;est pas une photo que nous savons lire",
        ),
        (
            SimpleUploadedFile("script.png", b"<?php echo 1; ?>", "image/png"),
            "n&#x27;est pas une photo que nous savons lire",
        ),
        (SimpleUploadedFile("bombe.png", _bomb_png(), "image/png"), "trop de pixels"),
    ],
    ids=["not-an-image", "disguised-script", "decompression-bomb"],
)
def test_a_bad_photo_gets_a_clear_error_and_nothing_else_is_lost(
    client, story_index, geography, upload, message
):
    data = _data(hero_first_name="Marcel", what_they_did="Il arrose les plantes de l'étage.")
    data["photo"] = upload
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # Everything else typed is still there; the file must be chosen again, and we say so.
    assert 'value="Marcel"' in html
    assert "Il arrose les plantes de l&#x27;étage." in html
    assert 'value="odile@example.org"' in html
    assert "choisissez-la à nouveau" in html
    assert 'aria-describedby="id_photo_error id_photo_helptext"' in html
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_a_photo_over_10_mb_is_refused(client, story_index, geography):
    data = _data()
    data["photo"] = SimpleUploadedFile(
        "grande.png", png_bytes() + b"\x00" * (10 * 1024 * 1024 + 1), "image/png"
    )
    html = client.post(URL, data).content.decode()
    assert "Cette photo pèse plus de 10 Mo" in html
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_a_good_photo_is_kept_under_a_random_name(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    data = _data()
    data["photo"] = SimpleUploadedFile("Josiane Martin.png", png_bytes(), "image/png")
    response = _post(client, django_capture_on_commit_callbacks, data)
    assert response.status_code == 302
    photo = Nomination.objects.get().photo
    assert photo.name.startswith("nominations/") and photo.name.endswith(".png")
    assert "Josiane" not in photo.name


@pytest.mark.django_db
def test_an_unknown_or_ambiguous_commune_is_a_form_error(client, story_index, geography):
    html = client.post(URL, _data(postcode="99999")).content.decode()
    assert "Aucune commune ne correspond au code postal 99999." in html
    html = client.post(URL, _data(postcode="77000")).content.decode()
    assert "Plusieurs communes ont ce code postal : Livry-sur-Seine, Melun." in html
    html = client.post(URL, _data(postcode="77000", commune_name="Atlantis")).content.decode()
    assert "Nous ne trouvons pas « Atlantis » avec ce code postal." in html
    html = client.post(URL, _data(postcode="abc")).content.decode()
    assert "Saisissez un code postal à 5 chiffres" in html
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_the_commune_name_picks_among_communes_sharing_a_postcode(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    _post(
        client, django_capture_on_commit_callbacks, _data(postcode="77 000", commune_name="melun")
    )
    assert Nomination.objects.get().commune == geography["melun"]


@pytest.mark.django_db
def test_the_hero_must_have_agreed_and_required_fields_are_said(client, story_index, geography):
    data = _data(proposer_email="", what_they_did="")
    del data["hero_agreed"]
    html = client.post(URL, data).content.decode()
    assert "Demandez-lui d&#x27;abord son accord" in html
    assert 'href="#id_proposer_email"' in html  # the error summary links to the field
    assert 'aria-invalid="true"' in html
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_the_same_nomination_twice_is_saved_once_and_the_visitor_told(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    first = _post(client, django_capture_on_commit_callbacks, _data())
    again = _post(client, django_capture_on_commit_callbacks, _data())
    # The same nomination twice (a double click, a reload): one nomination, one email, and
    # the second answer says it was already received.
    assert first.status_code == again.status_code == 302
    assert first["Location"] == THANKS
    assert again["Location"] == THANKS + "?deja=1"
    assert Nomination.objects.count() == 1 and len(mail.outbox) == 1
    html = client.get(again["Location"]).content.decode()
    assert "déjà envoyé cette proposition" in html
    assert "déjà envoyé" not in client.get(THANKS).content.decode()


def _limit(settings, **scopes):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **scopes}


@pytest.mark.django_db
def test_over_the_address_limit_the_visitor_gets_429_and_nothing_is_dropped_silently(
    client, story_index, geography, django_capture_on_commit_callbacks, settings
):
    _limit(settings, nomination="3/3600", nomination_email="100/3600")
    statuses = []
    for n in range(5):
        response = _post(
            client,
            django_capture_on_commit_callbacks,
            _data(hero_first_name=f"Voisin {n}", proposer_email=f"autre{n}@example.org"),
        )
        statuses.append(response.status_code)
    # Three saved and thanked; the others refused, said so, never thanked.
    assert statuses == [302, 302, 302, 429, 429]
    assert Nomination.objects.count() == 3 and len(mail.outbox) == 3
    html = response.content.decode()
    assert "Trop de demandes" in html and "Merci pour votre proposition" not in html
    assert 0 < int(response["Retry-After"]) <= 3600
    # Refused, then sent again once the window has passed: saved, not "already received".
    from campaign import ratelimit

    later = ratelimit.now() + 3600
    import unittest.mock

    with unittest.mock.patch.object(ratelimit, "now", lambda: later):
        again = _post(
            client,
            django_capture_on_commit_callbacks,
            _data(hero_first_name="Voisin 4", proposer_email="autre4@example.org"),
        )
    assert again["Location"] == THANKS
    assert Nomination.objects.count() == 4


@pytest.mark.django_db
def test_the_proposer_email_limit_holds_across_addresses(
    client, story_index, geography, django_capture_on_commit_callbacks, settings
):
    _limit(settings, nomination="100/3600", nomination_email="2/3600")
    statuses = [
        _post(
            client,
            django_capture_on_commit_callbacks,
            _data(hero_first_name=f"Voisin {n}", proposer_email="Odile@Example.org"),
            REMOTE_ADDR=f"192.0.2.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Nomination.objects.count() == 2


@pytest.mark.django_db
def test_behind_a_load_balancer_each_visitor_has_a_counter(
    client, story_index, geography, django_capture_on_commit_callbacks, settings
):
    # Before: keyed on REMOTE_ADDR, i.e. the load balancer, so the whole site shared it.
    settings.TRUSTED_PROXY_COUNT = 1
    _limit(settings, nomination="1/3600")
    for n in range(3):
        response = _post(
            client,
            django_capture_on_commit_callbacks,
            _data(hero_first_name=f"Voisin {n}", proposer_email=f"p{n}@example.org"),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        assert response.status_code == 302
    assert Nomination.objects.count() == 3
    # And the client cannot escape its own counter by writing the header itself.
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        _data(hero_first_name="Voisin 9", proposer_email="p9@example.org"),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.0",
    )
    assert response.status_code == 429
    assert Nomination.objects.count() == 3


@pytest.mark.django_db
def test_the_429_page_is_in_english_for_an_english_visitor(
    client, story_index, english_home, geography, settings
):
    from wagtail.models import Locale

    english_index = story_index.copy_for_translation(Locale.objects.get(language_code="en"))
    english_index.slug = "stories"
    english_index.save_revision().publish()
    _limit(settings, nomination="0/3600")
    response = client.post("/en/stories/nominate-a-hero/", _data())
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_cannot_see_nominations(client, story_index, geography):
    from stories.factories import NominationFactory

    nomination = NominationFactory(commune=geography["melun"])
    for url in (
        "/admin/snippets/stories/nomination/",
        f"/admin/snippets/stories/nomination/inspect/{nomination.pk}/",
        f"/admin/snippets/stories/nomination/edit/{nomination.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert nomination.what_they_did not in client.get("/histoires/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"postcode": "99999"},
        {"proposer_email": "pas-une-adresse"},
        {"hero_agreed": ""},
        {"hero_first_name": "tvx\r\nX-Tvx-Injected: 1"},
    ],
    ids=["unknown-postcode", "bad-email", "no-agreement", "control-character"],
)
def test_a_refused_nomination_answers_400_with_the_form(client, story_index, geography, overrides):
    """Like every other form of the site: the form and its errors, with a 400."""
    data = _data(**overrides)
    if not data["hero_agreed"]:
        del data["hero_agreed"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Nomination.objects.exists()
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["hero_first_name", "proposer_name", "commune_name"])
@pytest.mark.parametrize(
    "value",
    ["tvx\r\nX-Tvx-Injected: 1", "a\x01b\x1fc\x7fd", "nul\x00", "tab\there", "c1\x85x"],
    ids=["crlf", "c0-del", "nul", "tab", "c1"],
)
def test_one_line_fields_refuse_control_characters(client, story_index, geography, field, value):
    """A line break or control character in a one-line field would reach email headers and
    exports: refused with a message, nothing stored."""
    overrides = {field: value}
    if field == "commune_name":
        overrides["postcode"] = "77000"
    response = client.post(URL, _data(**overrides))
    assert response.status_code == 400
    if "\x00" not in value:  # NUL: Django's own refusal comes first, with its message
        assert "ni retour à la ligne ni caractère de contrôle" in response.content.decode()
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_the_story_keeps_its_line_breaks_and_loses_other_control_characters(
    client, story_index, geography, django_capture_on_commit_callbacks
):
    story = "Elle porte\r\nles courses\x00 de ses\x01 voisins\tdu \x7fcinquième.\x85"
    response = _post(client, django_capture_on_commit_callbacks, _data(what_they_did=story))
    assert response.status_code == 302
    assert Nomination.objects.get().what_they_did == (
        "Elle porte\nles courses de ses voisins du cinquième."
    )


@pytest.mark.django_db
def test_a_story_of_control_characters_only_is_required(client, story_index, geography):
    response = client.post(URL, _data(what_they_did="\x00\x01\x7f"))
    assert response.status_code == 400
    assert not Nomination.objects.exists()
