"""A lost letter printed again (issue 15's "inscription accompagnée"): the person calls their
mairie, an agent entitled to the sign-up finds it among those awaiting confirmation, and
prints a new letter. The new code replaces the old one, which confirms nothing any more; the
agent and the moment are in Wagtail's log; the letter is drawn from the session, never
stored. Confirmed, closed or expired sign-ups get no new letter, and say why."""

import logging
import re
from html import unescape

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from wagtail.models import ModelLogEntry

import pypdfium2 as pdfium
import pytest
import zxingcpp

from volunteers import admin_views
from volunteers.factories import MairieAccessFactory
from volunteers.forms import CONSENT_EMAILS_LABEL, consent_wording
from volunteers.models import AssistedSignup, Volunteer
from volunteers.services.assisted import (
    LETTER_REISSUE_ACTION,
    assisted_letter_reissue,
    assisted_signup_create,
    letter_code_hash,
)
from volunteers.services.volunteers import volunteer_erase

pytestmark = pytest.mark.django_db

PUBLIC = "https://tousvoisins.example"
FORM = "/admin/volunteers/assisted-signup/"
DONE = "/admin/volunteers/assisted-signup/done/"
LETTER = "/admin/volunteers/assisted-signup/letter/"
PENDING = "/admin/volunteers/assisted-signup/pending/"
ADDRESS = "honorine.vasseur@example.org"
FIRST = "Honorine"
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="chef", password="x")


def _mairie_user(username, group, *communes):
    user = get_user_model().objects.create_user(
        username=username, password="x", first_name="Agathe", last_name="Mairie"
    )
    user.groups.add(group)
    for commune in communes:
        MairieAccessFactory(user=user, commune=commune)
    return user


@pytest.fixture
def melun_agent(geography, mairie_group):
    return _mairie_user("agent-melun", mairie_group, geography["melun"])


@pytest.fixture
def brest_agent(geography, mairie_group):
    return _mairie_user("agent-brest", mairie_group, geography["brest"])


def _reissue_url(signup):
    return f"/admin/volunteers/assisted-signup/{signup.pk}/new-letter/"


@pytest.fixture
def signed_up(client, geography, melun_agent, django_capture_on_commit_callbacks):
    """Melun's agent signs Honorine up with a letter, through the admin's form, and keeps
    the first letter's code and QR code."""
    client.force_login(melun_agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            FORM,
            {
                "first_name": FIRST,
                "email": ADDRESS,
                "commune": "77288",
                "language": "fr",
                "consent_emails": "on",
                "method": "phone",
                "channel": "letter",
            },
        )
    assert response.status_code == 302
    text, qr_codes = _pdf_read(client.get(LETTER).content)
    signup = AssistedSignup.objects.get()
    return {"signup": signup, "code": _code_in(text), "qr": qr_codes[0], "text": text}


def _make(commune, *, email, first_name="Lucienne", channel="letter", agent=None, language="fr"):
    """A sign-up made through the service (setup only: the admin's form has its own tests)."""
    with translation.override("fr"):
        wording = consent_wording(CONSENT_EMAILS_LABEL)
    result = assisted_signup_create(
        agent=agent,
        email=email,
        first_name=first_name,
        commune=commune,
        language=language,
        consent_emails_wording=wording,
        consent_mairie_wording=None,
        method="in_person",
        channel=channel,
    )
    return AssistedSignup.objects.get(volunteer__email=email), result.letter_code


def _pdf_read(pdf):
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        codes = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    finally:
        document.close()
    return text, [code.text for code in codes]


def _code_in(text):
    found = CODE.findall(text)
    assert len(found) == 1, text
    return found[0]


def _type_code(code):
    return Client().post("/benevoles/lettre/", {"code": code})


# --- the flow ----------------------------------------------------------------------------


def test_a_new_letter_replaces_the_old_code_which_confirms_nothing_any_more(
    client, signed_up, melun_agent, caplog
):
    signup = signed_up["signup"]
    old_hash = signup.letter_code_hash

    # The agent finds the sign-up among those awaiting confirmation.
    listing = client.get(PENDING)
    assert listing.status_code == 200
    html = unescape(listing.content.decode())
    assert FIRST in html and "Melun" in html and "Agathe Mairie" in html
    assert _reissue_url(signup) in html and "Imprimer une nouvelle lettre" in html
    assert ADDRESS not in html  # the address is not needed to recognise the person
    # The form leads there.
    assert PENDING in client.get(FORM).content.decode()

    # Opening the page explains and changes nothing.
    with caplog.at_level(logging.DEBUG):
        page = client.get(_reissue_url(signup))
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "Le code de l'ancienne lettre ne fonctionnera plus." in html
    assert f"Une nouvelle lettre pour {FIRST} (Melun)" in html
    assert f'<form method="post" action="{_reissue_url(signup)}">' in html
    assert "csrfmiddlewaretoken" in html
    signup.refresh_from_db()
    assert signup.letter_code_hash == old_hash
    assert not ModelLogEntry.objects.filter(action=LETTER_REISSUE_ACTION).exists()

    with caplog.at_level(logging.DEBUG):
        response = client.post(_reissue_url(signup))
        assert response.status_code == 302 and response["Location"] == DONE
        done = client.get(DONE)
        letter = client.get(LETTER)
    assert "Nouvelle lettre prête" in unescape(done.content.decode())
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert "no-store" in letter["Cache-Control"]

    # The new letter: a new code, the old one nowhere, the QR code carrying the new one.
    text, qr_codes = _pdf_read(letter.content)
    new_code = _code_in(text)
    assert new_code != signed_up["code"] and signed_up["code"] not in text
    assert "Bonjour Honorine," in text
    assert "Cette lettre remplace la précédente, dont le code ne fonctionne plus." in text
    deadline = timezone.localtime(signup.volunteer.created_at + timezone.timedelta(days=30))
    with translation.override("fr"):
        day = formats.date_format(deadline, "DATE_FORMAT")
    assert f"confirmez-la vous-même avant le {day}." in " ".join(text.split())
    assert len(qr_codes) == 1 and qr_codes[0] != signed_up["qr"]
    signup.refresh_from_db()
    assert signup.letter_code_hash == letter_code_hash(new_code) != old_hash

    # The old code, typed or scanned, leads nowhere; the new one to the confirmation.
    client.logout()
    old = _type_code(signed_up["code"])
    assert old.status_code == 400
    assert "Ce code n'est pas (ou plus) valable" in unescape(old.content.decode())
    assert client.get(signed_up["qr"].removeprefix(PUBLIC)).status_code == 400
    scanned = client.get(qr_codes[0].removeprefix(PUBLIC))
    assert scanned.status_code == 302
    typed = _type_code(new_code)
    assert typed.status_code == 303 and "/benevoles/confirmer/" in typed["Location"]
    client.post(typed["Location"])
    volunteer = Volunteer.objects.get(email=ADDRESS)
    assert volunteer.status == Volunteer.Status.CONFIRMED

    # No personal data nor code in the addresses, nor in the logs.
    for value in (ADDRESS, FIRST, signed_up["code"], new_code, new_code.replace("-", "")):
        for address in (PENDING, _reissue_url(signup), response["Location"], LETTER):
            assert value not in address
        assert value not in caplog.text


def test_the_new_letter_is_logged_with_its_agent_and_time(client, signed_up, melun_agent):
    signup = signed_up["signup"]
    before = timezone.now()
    client.post(_reissue_url(signup))
    entry = ModelLogEntry.objects.get(action=LETTER_REISSUE_ACTION)
    assert entry.user == melun_agent
    assert entry.object_id == str(signup.pk)
    assert entry.content_type.model_class() is AssistedSignup
    assert before <= entry.timestamp <= timezone.now()
    assert entry.data == {"previous_channel": "letter"}
    # The log holds nothing about the person.
    for value in (FIRST, ADDRESS, signed_up["code"]):
        assert value not in entry.label and value not in str(entry.data)
    # Wagtail's history says it in words (the action is registered).
    assert entry.message == "Nouvelle lettre imprimée : le code de l'ancienne ne fonctionne plus"
    # The next agent sees that a letter was already printed again, and by whom.
    html = unescape(client.get(_reissue_url(signup)).content.decode())
    assert "Lettres déjà réimprimées" in html and "par Agathe Mairie" in html


def test_the_letter_waits_in_the_session_only_for_a_while(client, signed_up, monkeypatch):
    client.post(_reissue_url(signed_up["signup"]))
    assert client.get(LETTER).status_code == 200
    monkeypatch.setattr(admin_views, "LETTER_MAX_AGE", -1)
    assert client.get(LETTER).status_code == 302


def test_without_the_csrf_token_the_post_changes_nothing(signed_up, melun_agent):
    signup = signed_up["signup"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(melun_agent)
    assert strict.post(_reissue_url(signup)).status_code == 403
    signup.refresh_from_db()
    assert signup.letter_code_hash == letter_code_hash(signed_up["code"])
    assert not ModelLogEntry.objects.filter(action=LETTER_REISSUE_ACTION).exists()


def test_an_email_sign_up_may_get_a_letter_instead(client, geography, superuser, mailoutbox):
    signup, _code = _make(geography["brest"], email="leon@example.org", channel="email")
    assert signup.letter_code_hash == ""
    client.force_login(superuser)
    html = unescape(client.get(PENDING).content.decode())
    assert "Imprimer une lettre" in html
    page = unescape(client.get(_reissue_url(signup)).content.decode())
    assert "le lien de cet e-mail reste valable" in page
    client.post(_reissue_url(signup))
    signup.refresh_from_db()
    assert signup.channel == "letter"
    code = _code_in(_pdf_read(client.get(LETTER).content)[0])
    assert signup.letter_code_hash == letter_code_hash(code)
    assert _type_code(code).status_code == 303


def test_the_english_letter_says_it_replaces_the_previous_one(client, geography, superuser):
    signup, _code = _make(geography["melun"], email="john@example.org", language="en")
    client.force_login(superuser)
    client.post(_reissue_url(signup))
    text, _qr = _pdf_read(client.get(LETTER).content)
    assert "This letter replaces the previous one, whose code no longer works." in text
    assert "please confirm it yourself before " in " ".join(text.split())
    assert "Cette lettre" not in text


# --- who may ----------------------------------------------------------------------------


def test_a_mairie_user_of_another_commune_gets_404_and_changes_nothing(
    client, signed_up, brest_agent
):
    signup = signed_up["signup"]
    client.force_login(brest_agent)
    assert client.get(_reissue_url(signup)).status_code == 404
    assert client.post(_reissue_url(signup)).status_code == 404
    listing = client.get(PENDING)
    assert listing.status_code == 200 and FIRST not in listing.content.decode()
    signup.refresh_from_db()
    assert signup.letter_code_hash == letter_code_hash(signed_up["code"])
    assert not ModelLogEntry.objects.filter(action=LETTER_REISSUE_ACTION).exists()
    assert client.get(LETTER).status_code == 302  # nothing waits in their session


@pytest.mark.parametrize("group", ["Communication", "Contributeurs mairie", None])
def test_staff_without_the_permission_are_refused(client, signed_up, home_page, group):
    from stories.factories import StoryIndexPageFactory
    from stories.services import moderation_setup

    moderation_setup(index=StoryIndexPageFactory(parent=home_page, locale=home_page.locale))
    user = get_user_model().objects.create_user(username="quelquun", password="x")
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    signup = signed_up["signup"]
    for response in (
        client.get(PENDING),
        client.get(_reissue_url(signup)),
        client.post(_reissue_url(signup)),
    ):
        # Wagtail answers a refusal with 403, or a redirect to the dashboard or the login.
        assert response.status_code in (302, 403)
        assert FIRST.encode() not in response.content
    signup.refresh_from_db()
    assert signup.letter_code_hash == letter_code_hash(signed_up["code"])


def test_an_unknown_sign_up_is_404(client, geography, superuser):
    client.force_login(superuser)
    assert client.get("/admin/volunteers/assisted-signup/999999/new-letter/").status_code == 404
    assert client.post("/admin/volunteers/assisted-signup/999999/new-letter/").status_code == 404
    assert client.get("/admin/volunteers/assisted-signup/abc/new-letter/").status_code == 404


def test_the_address_carries_only_the_sign_ups_primary_key(signed_up):
    signup = signed_up["signup"]
    assert reverse("assisted_signup:reissue", args=[signup.pk]) == _reissue_url(signup)
    assert re.fullmatch(r"/admin/volunteers/assisted-signup/\d+/new-letter/", _reissue_url(signup))


# --- confirmed, closed, expired ----------------------------------------------------------


def _unsubscribe(volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.UNSUBSCRIBED)


def _confirm(volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(
        status=Volunteer.Status.CONFIRMED, confirmed_at=timezone.now()
    )


def _expire(volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=31)
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (_confirm, "Cette personne a déjà confirmé son inscription"),
        (_unsubscribe, "Cette inscription n'est plus active"),
        (_expire, "n'a pas été confirmée dans les 30 jours"),
    ],
)
def test_no_new_letter_once_confirmed_closed_or_expired(
    client, signed_up, melun_agent, change, message
):
    signup = signed_up["signup"]
    old_hash = signup.letter_code_hash
    change(signup.volunteer)

    listing = unescape(client.get(PENDING).content.decode())
    assert FIRST not in listing and _reissue_url(signup) not in listing
    assert "Aucune inscription n'attend de confirmation." in listing

    page = client.get(_reissue_url(signup))
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert message in html and "Pas de nouvelle lettre pour cette inscription" in html
    # No button, and not the person's name: this page is all that is left to say.
    assert f'action="{_reissue_url(signup)}"' not in html and FIRST not in html

    response = client.post(_reissue_url(signup))
    assert response.status_code == 409
    assert message in unescape(response.content.decode())
    signup.refresh_from_db()
    assert signup.letter_code_hash == old_hash
    assert not ModelLogEntry.objects.filter(action=LETTER_REISSUE_ACTION).exists()
    assert client.get(LETTER).status_code == 200  # the first letter, from the sign-up
    assert _code_in(_pdf_read(client.get(LETTER).content)[0]) == signed_up["code"]


def test_an_erased_person_is_out_of_a_mairie_users_reach_and_closed_for_staff(
    client, signed_up, superuser
):
    signup = signed_up["signup"]
    volunteer_erase(volunteer=signup.volunteer, notify=False)
    # Erasure forgets the commune: the mairie user no longer reaches the row.
    assert client.get(_reissue_url(signup)).status_code == 404
    client.force_login(superuser)
    html = unescape(client.get(_reissue_url(signup)).content.decode())
    assert "Cette inscription n'est plus active" in html
    assert client.post(_reissue_url(signup)).status_code == 409


def test_a_confirmation_between_the_page_and_the_click_wins(client, signed_up):
    signup = signed_up["signup"]
    assert client.get(_reissue_url(signup)).status_code == 200
    _confirm(signup.volunteer)  # the person used their old letter meanwhile
    response = client.post(_reissue_url(signup))
    assert response.status_code == 409
    assert "déjà confirmé" in unescape(response.content.decode())
    signup.refresh_from_db()
    assert signup.letter_code_hash == letter_code_hash(signed_up["code"])


# --- the volunteer's page, the listing's size ---------------------------------------------


def test_staff_find_the_button_on_the_volunteers_page(client, signed_up, superuser):
    signup = signed_up["signup"]
    client.force_login(superuser)
    inspect = f"/admin/snippets/volunteers/volunteer/inspect/{signup.volunteer_id}/"
    assert _reissue_url(signup) in client.get(inspect).content.decode()
    _confirm(signup.volunteer)
    assert _reissue_url(signup) not in client.get(inspect).content.decode()


def test_the_service_refuses_without_a_view(geography, superuser):
    from volunteers.services.assisted import LetterReissueRefused

    signup, code = _make(geography["melun"], email="rose@example.org")
    _confirm(signup.volunteer)
    with pytest.raises(LetterReissueRefused) as refused:
        assisted_letter_reissue(assisted_signup=signup, agent=superuser)
    assert refused.value.reason == "confirmed"
    signup.refresh_from_db()
    assert signup.letter_code_hash == letter_code_hash(code)


def _listing_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PENDING)
    assert response.status_code == 200
    return len(queries), response


def test_the_listing_runs_a_constant_number_of_queries(client, geography, melun_agent):
    for i in range(3):
        _make(geography["melun"], email=f"petit{i}@example.org", agent=melun_agent)
    client.force_login(melun_agent)
    client.get(PENDING)  # the site's row is cached by the first request of all
    small, response = _listing_queries(client)
    assert response.content.decode().count("/new-letter/") == 3
    for i in range(60):
        _make(geography["melun"], email=f"grand{i}@example.org", agent=melun_agent)
    # Others' communes and the rows of other agents' reach add nothing either.
    for i in range(5):
        _make(geography["brest"], email=f"brest{i}@example.org")
    large, response = _listing_queries(client)
    assert large == small
    # One page of 50, then the next.
    assert response.content.decode().count("/new-letter/") == admin_views.PENDING_PER_PAGE
    second = client.get(PENDING, {"p": 2}).content.decode()
    assert second.count("/new-letter/") == 13
    # A page number that is not one answers the first page, not an error.
    assert client.get(PENDING, {"p": "x'"}).status_code == 200
