"""The "inscription accompagnée" (issue 15): a staff or mairie user signs someone up on their
behalf. The consent records hold the source, the method, the agent and the exact words read;
the person confirms themselves, by the usual email or by the printed letter's code or QR
code, which lead to the site's public https address (an earlier release printed QR codes to
http://localhost/)."""

import logging
from html import unescape

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

import pypdfium2 as pdfium
import pytest
import zxingcpp

from volunteers import admin_views, tokens
from volunteers.factories import MairieAccessFactory, VolunteerFactory
from volunteers.forms import CONSENT_EMAILS_LABEL, CONSENT_MAIRIE_LABEL, CONSENT_WORDING_VERSION
from volunteers.models import AssistedSignup, ConsentRecord, Volunteer
from volunteers.services.assisted import letter_code_normalize
from volunteers.services.volunteers import volunteer_erase, volunteer_export_data

pytestmark = pytest.mark.django_db

PUBLIC = "https://tousvoisins.example"
FORM = "/admin/volunteers/assisted-signup/"
DONE = "/admin/volunteers/assisted-signup/done/"
LETTER = "/admin/volunteers/assisted-signup/letter/"
ADDRESS = "honorine.vasseur@example.org"
FIRST = "Honorine"


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="chef", password="x")


@pytest.fixture
def mairie_user(geography, mairie_group):
    user = get_user_model().objects.create_user(username="agent-melun", password="x")
    user.groups.add(mairie_group)
    MairieAccessFactory(user=user, commune=geography["melun"])
    MairieAccessFactory(user=user, commune=geography["dammarie"])
    return user


def _data(**overrides):
    data = {
        "first_name": FIRST,
        "email": ADDRESS,
        "commune": "77288",
        "language": "fr",
        "interests": ["aines"],
        "consent_emails": "on",
        "consent_mairie": "on",
        "method": "paper",
        "paper_reference": "F-2026-014",
        "channel": "email",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(user, **overrides):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(FORM, _data(**overrides))

    return send


def _pdf_read(pdf):
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        codes = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    finally:
        document.close()
    return text, [code.text for code in codes]


# --- the flows ---------------------------------------------------------------------------


def test_staff_sign_up_by_email_records_source_method_agent_and_words(
    client, geography, superuser, post, mailoutbox
):
    response = post(superuser)
    assert response.status_code == 302 and response["Location"] == DONE
    volunteer = Volunteer.objects.get(email=ADDRESS)
    assert volunteer.status == Volunteer.Status.PENDING
    assert (volunteer.first_name, volunteer.commune_id, volunteer.postcode) == (
        FIRST,
        "77288",
        "77000",
    )
    assert volunteer.interest_slugs == ["aines"]
    records = {r.purpose: r for r in volunteer.consents.all()}
    assert set(records) == {"emails", "share_with_mairie"}
    labels = {"emails": CONSENT_EMAILS_LABEL, "share_with_mairie": CONSENT_MAIRIE_LABEL}
    for purpose, label in labels.items():
        record = records[purpose]
        assert record.source == ConsentRecord.Source.ASSISTED == "assisted"
        assert record.get_source_display() == "inscription accompagnée"
        assert record.granted and record.wording_version == CONSENT_WORDING_VERSION
        with translation.override("fr"):
            assert record.wording == str(label)
        assert record.language == "fr"
    assisted = volunteer.assisted_signup
    assert assisted.agent == superuser
    assert (assisted.method, assisted.paper_reference, assisted.channel) == (
        "paper",
        "F-2026-014",
        "email",
    )
    assert assisted.letter_code_hash == ""
    # The usual confirmation email, sent after the commit by the task, to the person.
    assert [m.to for m in mailoutbox] == [[ADDRESS]]
    assert "/benevoles/confirmer/" in mailoutbox[0].body
    page = client.get(DONE)
    assert page.status_code == 200
    assert "va recevoir un e-mail" in page.content.decode()
    # No letter for the email channel.
    assert client.get(LETTER).status_code == 302


def test_the_confirmation_email_waits_for_the_commit(
    client, geography, superuser, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(FORM, _data())
    # Nothing is sent inside the request: the task is enqueued once the row is committed.
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mailoutbox] == [[ADDRESS]]


def test_the_form_shows_the_public_words_to_read_and_labels_every_field(
    client, geography, superuser
):
    client.force_login(superuser)
    response = client.get(FORM)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("fr"):
        assert str(CONSENT_EMAILS_LABEL).replace("'", "&#x27;") in html
        assert str(CONSENT_MAIRIE_LABEL).replace("'", "&#x27;") in html
    assert "Obligatoire : la campagne se fait par e-mail" in html
    for label in (
        "formulaire papier signé, conservé à la mairie",
        "texte lu à voix haute, accord donné en personne",
        "texte lu à voix haute, accord donné par téléphone",
        "par une lettre à imprimer",
    ):
        assert label in html
    # Radio groups are fieldsets named by their question, their help tied to them.
    assert '<legend class="w-field__label">Comment la personne a donné son accord' in html
    assert 'aria-describedby="id_channel-helptext"' in html
    for name in ("first_name", "email", "commune", "language", "paper_reference"):
        assert f'<label class="w-field__label" for="id_{name}"' in html
        assert f'aria-describedby="id_{name}-helptext"' in html


def test_mairie_user_by_letter_then_the_person_confirms_with_the_qr_code(
    client, geography, mairie_user, post, mailoutbox, caplog
):
    client.force_login(mairie_user)
    form = client.get(FORM).content.decode()
    # Only the mairie's own communes are offered.
    assert 'value="77288"' in form and 'value="77152"' in form
    assert "29019" not in form and "Brest" not in form
    with caplog.at_level(logging.DEBUG):
        response = post(mairie_user, channel="letter", method="in_person", paper_reference="")
        assert response.status_code == 302 and response["Location"] == DONE
        done = client.get(DONE)
        letter = client.get(LETTER)
    assert "Télécharger la lettre" in done.content.decode()
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert "no-cache" in letter["Cache-Control"] and "no-store" in letter["Cache-Control"]
    volunteer = Volunteer.objects.get(email=ADDRESS)
    assert volunteer.status == Volunteer.Status.PENDING
    assert volunteer.assisted_signup.agent == mairie_user
    assert volunteer.assisted_signup.method == "in_person"
    # The letter takes the email's place: nothing is sent.
    assert mailoutbox == []

    text, codes = _pdf_read(letter.content)
    assert "Bonjour Honorine," in text and "Melun" in text
    assert "Votre inscription à l'heure civique" in text
    assert f"{PUBLIC}/benevoles/lettre/" in text
    assert "bonjour@tousvoisins.example" in text and "à votre mairie" in text
    assert "localhost" not in text and "testserver" not in text
    # No personal data beyond the first name and the commune.
    assert ADDRESS not in text and "77288" not in text
    assert len(codes) == 1 and codes[0].startswith(f"{PUBLIC}/benevoles/lettre/")
    # The fonts are embedded (no font the reader must have).
    assert b"/FontFile2" in letter.content

    # No personal data in any address used, nor in the logs.
    for address in (FORM, DONE, LETTER, response["Location"], codes[0]):
        assert ADDRESS not in address and FIRST not in address
    assert ADDRESS not in caplog.text and FIRST not in caplog.text

    # The person scans the code: the usual confirmation page, then one click.
    client.logout()
    scanned = client.get(codes[0].removeprefix(PUBLIC))
    assert scanned.status_code == 302 and "/benevoles/confirmer/" in scanned["Location"]
    confirm = client.get(scanned["Location"])
    assert confirm.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.PENDING  # opening a link confirms nothing
    client.post(scanned["Location"])
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.CONFIRMED
    # Used: the code leads nowhere any more.
    assert client.get(codes[0].removeprefix(PUBLIC)).status_code == 400


def test_the_typed_code_leads_to_the_confirmation_whatever_its_spelling(
    client, geography, superuser, post
):
    post(superuser, channel="letter")
    text, _codes = _pdf_read(client.get(LETTER).content)
    code = next(
        line.strip() for line in text.splitlines() if len(line.strip()) == 11 and "-" in line
    )
    client.logout()
    page = client.get("/benevoles/lettre/")
    assert page.status_code == 200 and 'for="id_code"' in page.content.decode()
    typed = " " + code.lower().replace("-", " ") + " "
    response = client.post("/benevoles/lettre/", {"code": typed})
    assert response.status_code == 303 and "/benevoles/confirmer/" in response["Location"]
    wrong = client.post("/benevoles/lettre/", {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400
    assert "Ce code n&#x27;est pas (ou plus) valable" in wrong.content.decode()
    assert letter_code_normalize("k7p4o-2qxil") == "K7P402QX11"


def test_the_english_letter_is_in_english_with_english_addresses(
    client, geography, superuser, post
):
    post(superuser, channel="letter", language="en")
    text, codes = _pdf_read(client.get(LETTER).content)
    assert "Hello Honorine," in text
    assert "Your civic hour sign-up" in text
    assert f"{PUBLIC}/en/volunteers/letter/" in text
    assert "Votre inscription" not in text
    assert len(codes) == 1 and codes[0].startswith(f"{PUBLIC}/en/volunteers/letter/")
    volunteer = Volunteer.objects.get(email=ADDRESS)
    assert volunteer.language == "en"
    client.logout()
    assert client.get(codes[0].removeprefix(PUBLIC)).status_code == 302


def test_a_code_expires_with_the_unconfirmed_sign_up(client, geography, superuser, post):
    post(superuser, channel="letter")
    _text, codes = _pdf_read(client.get(LETTER).content)
    Volunteer.objects.update(created_at=timezone.now() - timezone.timedelta(days=31))
    assert client.get(codes[0].removeprefix(PUBLIC)).status_code == 400


def test_the_letter_is_served_for_a_short_while_only(
    client, geography, superuser, post, monkeypatch
):
    post(superuser, channel="letter")
    assert client.get(LETTER).status_code == 200
    monkeypatch.setattr(admin_views, "LETTER_MAX_AGE", -1)
    response = client.get(LETTER)
    assert response.status_code == 302 and response["Location"] == FORM


# --- who may -----------------------------------------------------------------------------


def test_a_mairie_user_cannot_sign_up_someone_in_another_commune(
    client, geography, mairie_user, post
):
    # Brest is not among the choices; a tampered POST is refused like any bad choice.
    response = post(mairie_user, commune="29019")
    assert response.status_code == 400
    assert "Choisissez une commune dans la liste." in response.content.decode()
    assert not Volunteer.objects.exists() and not AssistedSignup.objects.exists()


@pytest.mark.parametrize("group", ["Communication", "Contributeurs mairie", None])
def test_staff_without_the_permission_cannot_reach_it(client, geography, home_page, group):
    from stories.factories import StoryIndexPageFactory
    from stories.services import moderation_setup

    moderation_setup(index=StoryIndexPageFactory(parent=home_page, locale=home_page.locale))
    user = get_user_model().objects.create_user(username="quelquun", password="x")
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    for address in (FORM, DONE, LETTER):
        assert client.get(address).status_code in (302, 403), address
    response = client.post(FORM, _data())
    assert response.status_code in (302, 403)
    assert not Volunteer.objects.exists()
    admin = client.get("/admin/")
    assert FORM.encode() not in admin.content


def test_a_mairie_user_without_a_commune_cannot_reach_it(client, geography, mairie_group):
    user = get_user_model().objects.create_user(username="agent-sans-commune", password="x")
    user.groups.add(mairie_group)
    client.force_login(user)
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    response = client.get(FORM)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_menu_offers_it_under_the_volunteers(client, geography, mairie_user):
    client.force_login(mairie_user)
    assert FORM.encode() in client.get("/admin/").content


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide"),
        ({"email": None}, "Adresse e-mail de la personne : Champ requis."),
        ({"first_name": "H" * 81}, "au plus 80 caractères"),
        ({"first_name": "Hono\nrine"}, "ni retour à la ligne"),
        ({"method": None}, "Indiquez comment la personne a donné son accord."),
        ({"method": "telepathie"}, "Comment la personne a donné son accord"),
        ({"channel": None}, "Indiquez comment la personne reçoit sa confirmation."),
        ({"consent_emails": None}, "Sans l'accord de la personne"),
        ({"commune": "99999"}, "Commune"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    geography, mairie_user, superuser, post, mailoutbox, overrides, message
):
    response = post(superuser, **overrides)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "rien n'a été enregistré" in html and message in html
    assert not Volunteer.objects.exists() and not ConsentRecord.objects.exists()
    assert not AssistedSignup.objects.exists() and mailoutbox == []


# --- a known address ---------------------------------------------------------------------


def test_a_known_address_gets_the_same_answer_and_is_not_changed(
    client, geography, superuser, post, mailoutbox
):
    known = VolunteerFactory(
        email=ADDRESS, first_name="Autre", commune=geography["brest"], consent_mairie=False
    )
    records = ConsentRecord.objects.count()
    response = post(superuser, channel="letter")
    assert response.status_code == 302 and response["Location"] == DONE
    done = client.get(DONE).content.decode()
    assert "Télécharger la lettre" in done
    letter = client.get(LETTER)
    assert letter.status_code == 200
    known.refresh_from_db()
    assert (known.first_name, known.commune_id, known.consent_mairie) == ("Autre", "29019", False)
    assert ConsentRecord.objects.count() == records and not AssistedSignup.objects.exists()
    # As on the public form: the registered person gets an email (here a link to their
    # preferences, since they confirmed), the agent learns nothing.
    assert [m.to for m in mailoutbox] == [[ADDRESS]]
    _text, codes = _pdf_read(letter.content)
    client.logout()
    assert client.get(codes[0].removeprefix(PUBLIC)).status_code == 400


# --- data rights -------------------------------------------------------------------------


def test_the_export_shows_it_and_erasure_empties_the_paper_reference(
    client, geography, superuser, post
):
    post(superuser)
    volunteer = Volunteer.objects.get(email=ADDRESS)
    data = volunteer_export_data(volunteer=volunteer)
    assert data["assisted_signup"] == [
        {
            "date": data["assisted_signup"][0]["date"],
            "method": "paper",
            "paper_reference": "F-2026-014",
            "channel": "email",
        }
    ]
    assert {c["source"] for c in data["consents"]} == {"assisted"}
    with translation.override("fr"):
        token = tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES)
        page = client.get(reverse("volunteers:data_page", kwargs={"token": token}))
    html = unescape(page.content.decode())
    assert "Votre inscription accompagnée" in html
    assert "formulaire papier signé, conservé à la mairie" in html and "F-2026-014" in html
    volunteer_erase(volunteer=volunteer, notify=False)
    assisted = AssistedSignup.objects.get()
    assert (assisted.paper_reference, assisted.letter_code_hash) == ("", "")
    # The proof of how the consent was given, and by whom, stays.
    assert (assisted.method, assisted.agent) == ("paper", superuser)


def test_a_letter_link_with_a_bad_token_logs_no_token(client, geography, caplog):
    with translation.override("fr"):
        address = reverse("volunteers:letter_link", kwargs={"token": "IkFCQ0RFRkdISksi:1tZ:abc"})
    with caplog.at_level(logging.DEBUG):
        response = client.get(address)
    assert response.status_code == 400
    assert "IkFCQ0RFRkdISksi" not in caplog.text
