"""The person's rights made whole (issue 13): the export holds everything kept about them,
from every app; erasure leaves neither personal data nor a link anyone could recompute; a
suppressed address gets no email at all; a used confirmation link hands out no key."""

import json
import re

from django.apps import apps
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

import pytest

from kits.models import EngagedCommune
from mailings.models import Delivery, DeliveryEvent, EspForgetRequest, Mailing
from network.factories import (
    MeetingPageFactory,
    MeetingRegistrationFactory,
    NetworkIndexPageFactory,
)
from stories.factories import NominationFactory
from stories.models import Nomination
from tests.fakes.brevo import FakeBrevo
from volunteers import tokens
from volunteers.factories import VolunteerFactory
from volunteers.models import ConsentRecord, EmailTemplate, Volunteer, email_hash
from volunteers.models.volunteers import email_hash_legacy
from volunteers.services import volunteer_email_send, volunteer_erase
from volunteers.services.volunteers import volunteer_export_data, volunteer_suppress

pytestmark = pytest.mark.django_db

ADDRESS = "zephyrine.quintavalle@example.org"
FIRST, LAST = "Zéphyrine", "Quintavalle"
PHONE = "0612345678"


def _link(name, volunteer, purpose=tokens.PREFERENCES, language="fr"):
    with translation.override(language):
        return reverse(
            f"volunteers:{name}",
            kwargs={"token": tokens.token_make(volunteer=volunteer, purpose=purpose)},
        )


@pytest.fixture
def person(geography, home_page):
    """A volunteer with everything the apps can keep about an address."""
    volunteer = VolunteerFactory(
        email=ADDRESS,
        first_name=FIRST,
        last_name=LAST,
        phone=PHONE,
        commune=geography["melun"],
        consent_mairie=True,
        interests=["aines", "voisinage"],
        utm_source="journal-quintavalle",
    )
    ConsentRecord.objects.create(
        volunteer=volunteer,
        purpose="emails",
        granted=True,
        wording_version="v1",
        wording="J'accepte de recevoir les e-mails",
        language="fr",
        source="signup",
    )
    # Typed with capitals on another form: still this person's address.
    NominationFactory(
        proposer_email=ADDRESS.upper(),
        proposer_name=f"{FIRST} {LAST}",
        commune=geography["melun"],
        hero_first_name="Karim",
    )
    NominationFactory(proposer_email="someone.else@example.org", commune=geography["melun"])
    EngagedCommune.objects.create(
        commune=geography["melun"],
        contact_name=f"{FIRST} {LAST}",
        role="Adjointe au maire",
        email=ADDRESS,
        language="fr",
    )
    mailing = Mailing.objects.create(subject="Lettre de mars", body=[], sent_subject="Mars")
    delivery = Delivery.objects.create(
        mailing=mailing,
        volunteer=volunteer,
        status=Delivery.Status.BOUNCED,
        esp_message_id="<202603.1@smtp-relay.mailin.fr>",
        error=f"550 5.1.1 <{ADDRESS}>: unknown user {LAST}",
    )
    DeliveryEvent.objects.create(key="evt-1", delivery=delivery, event_type="hard_bounce")
    # A registration to a meeting of the officials' network (network/).
    index = NetworkIndexPageFactory(parent=home_page, locale=home_page.locale)
    MeetingRegistrationFactory(
        meeting=MeetingPageFactory(parent=index),
        name=f"{FIRST} {LAST}",
        email=ADDRESS,
        commune="Melun",
        role="Adjointe au maire",
    )
    return volunteer


def test_export_holds_every_app_s_data(client, person):
    data = json.loads(client.get(_link("data_download", person)).content)
    assert data["volunteer"][0]["email"] == ADDRESS
    assert data["volunteer"][0]["phone"] == PHONE
    assert data["volunteer"][0]["utm"] == {"utm_source": "journal-quintavalle"}
    assert data["interests"] == [{"slug": "aines"}, {"slug": "voisinage"}]
    assert data["consents"][0]["wording"] == "J'accepte de recevoir les e-mails"
    assert [n["hero_first_name"] for n in data["nominations"]] == ["Karim"]
    assert data["engaged_communes"][0]["role"] == "Adjointe au maire"
    assert data["deliveries"][0]["mailing"] == "Mars"
    assert data["tracking_events"][0]["event"] == "hard_bounce"
    assert data["meeting_registrations"][0]["name"] == f"{FIRST} {LAST}"
    assert data == volunteer_export_data(volunteer=person)


@pytest.mark.parametrize(
    "language,heading,caption",
    [
        ("fr", "Vos données", "Les héros que vous avez proposés"),
        ("en", "Your data", "The heroes you nominated"),
    ],
)
def test_data_page_is_private_readable_and_accessible(client, person, language, heading, caption):
    # One token for both addresses: a signed value holds the second it was made in.
    token = tokens.token_make(volunteer=person, purpose=tokens.PREFERENCES)
    with translation.override(language):
        prefs = client.get(reverse("volunteers:preferences", kwargs={"token": token}))
        page_url = reverse("volunteers:data_page", kwargs={"token": token})
    assert page_url in prefs.content.decode()
    response = client.get(page_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert re.search(rf'<caption><h2 id="[\w-]+">{caption}</h2></caption>', html)
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert ADDRESS in html and "Karim" in html and "Adjointe au maire" in html
    # Codes and dates read as words in the visitor's language, not as the JSON holds them.
    assert ("confirmé" if language == "fr" else "confirmed") in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", html)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_data_page_refuses_a_bad_token(client, person):
    assert client.get(_link("data_page", person, tokens.CONFIRM)).status_code == 400


def _text_columns(model):
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def _personal_data_left(needles):
    """(table, column, needle) for every text, char, email or JSON column of every model
    (Wagtail's and django-tasks' included) that still holds one of `needles`."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for column in _text_columns(model):
            annotated = model._default_manager.annotate(_as_text=Cast(column, TextField()))
            for needle in needles:
                if annotated.filter(_as_text__icontains=needle).exists():
                    found.append((model._meta.db_table, column, needle))
    return found


@pytest.fixture
def brevo():
    with FakeBrevo() as fake, override_settings(**fake.django_settings()):
        yield fake


def test_erasure_leaves_no_personal_data_anywhere(
    client, person, brevo, django_capture_on_commit_callbacks
):
    needles = [
        ADDRESS,
        FIRST,
        LAST,
        PHONE,
        email_hash_legacy(ADDRESS),
        "journal-quintavalle",
        "<202603.1@smtp-relay.mailin.fr>",
    ]
    assert {n for _t, _c, n in _personal_data_left(needles)} == set(needles) - {
        email_hash_legacy(ADDRESS)  # never stored since the hash is keyed
    }
    brevo.add_contact(ADDRESS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_link("erase", person))
    assert response.status_code == 200
    # The notice went out (through Brevo) before the address was forgotten, there too.
    assert [m.to for m in brevo.delivered] == [ADDRESS]
    assert ADDRESS in brevo.deleted_contacts and brevo.events() == []
    assert not EspForgetRequest.objects.exists()
    assert _personal_data_left(needles) == []
    row = Volunteer.objects.get(pk=person.pk)
    assert row.status == Volunteer.Status.ERASED and row.email_hash == email_hash(ADDRESS)
    # The proof of consent stays, naming nobody.
    assert row.consents.filter(purpose="emails", granted=False, source="erasure").exists()
    # The other proposer's nomination is untouched; the hero's story is kept.
    assert Nomination.objects.filter(proposer_email="someone.else@example.org").exists()
    kept = Nomination.objects.exclude(proposer_email="someone.else@example.org").get()
    assert (kept.hero_first_name, kept.proposer_email) == ("Karim", "erased@erased.invalid")
    assert EngagedCommune.objects.get().commune_id == "77288"


def test_erasure_enqueues_no_task_holding_the_address(
    client, person, brevo, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link("erase", person))
    results = list(DBTaskResult.objects.all())
    # The notice and the ESP's forgetting wait in the queue; the address waits in a row of
    # its own, deleted once Brevo has answered.
    assert sorted(r.task_path.rsplit(".", 1)[-1] for r in results) == [
        "forget_contact",
        "send_erasure_done_email",
    ]
    for result in results:
        assert ADDRESS not in json.dumps(result.args_kwargs)
        assert FIRST not in json.dumps(result.args_kwargs, ensure_ascii=False)


def test_keyed_hash_needs_the_key(settings):
    keyed = email_hash(ADDRESS)
    assert keyed != email_hash_legacy(ADDRESS) and len(keyed) == 64
    settings.SUPPRESSION_HASH_KEY = "another-key"
    assert email_hash(ADDRESS) != keyed
    # Not SECRET_KEY: rotating it keeps the fingerprints.
    settings.SUPPRESSION_HASH_KEY = "test-only-not-secret-suppression"
    settings.SECRET_KEY = "rotated"
    assert email_hash(ADDRESS) == keyed


def test_links_sent_before_the_keyed_hash_still_open(client, person):
    from django.core import signing

    legacy = signing.dumps(
        {"v": person.pk, "h": email_hash_legacy(ADDRESS)[:16]}, salt=tokens.PREFERENCES
    )
    with translation.override("fr"):
        url = reverse("volunteers:preferences", kwargs={"token": legacy})
    assert client.get(url).status_code == 200
    # Once erased, such a link opens nothing (the address it was checked against is gone).
    volunteer_erase(volunteer=person, notify=False)
    assert client.get(url).status_code == 400


# -- suppressed addresses -------------------------------------------------------------------


@pytest.mark.parametrize("status", [Volunteer.Status.BOUNCED, Volunteer.Status.COMPLAINED])
@pytest.mark.parametrize(
    "kind",
    [
        EmailTemplate.Kind.CONFIRMATION,
        EmailTemplate.Kind.WELCOME,
        EmailTemplate.Kind.PREFERENCES_LINK,
    ],
)
def test_a_suppressed_address_gets_no_transactional_email(person, mailoutbox, status, kind):
    volunteer_suppress(volunteer=person, status=status)
    person.refresh_from_db()
    volunteer_email_send(volunteer=person, kind=kind)
    assert mailoutbox == []


def test_the_same_emails_go_to_an_address_that_is_not_suppressed(person, mailoutbox):
    for kind in (
        EmailTemplate.Kind.CONFIRMATION,
        EmailTemplate.Kind.WELCOME,
        EmailTemplate.Kind.PREFERENCES_LINK,
    ):
        volunteer_email_send(volunteer=person, kind=kind)
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("status", [Volunteer.Status.BOUNCED, Volunteer.Status.COMPLAINED])
def test_signing_up_again_with_a_suppressed_address_sends_nothing(
    client, person, signup_page, signup_data, post_signup, mailoutbox, status
):
    volunteer_suppress(volunteer=person, status=status)
    response = post_signup(signup_data(email=ADDRESS))
    # Answered like any sign-up: nobody learns the address is known, or suppressed.
    assert response.status_code == 302
    assert response["Location"].endswith(signup_page.reverse_subpage("thanks"))
    assert mailoutbox == []


def test_erasing_a_bounced_address_sends_no_notice(
    client, person, mailoutbox, django_capture_on_commit_callbacks
):
    volunteer_suppress(volunteer=person, status=Volunteer.Status.BOUNCED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link("erase", person))
    assert mailoutbox == []
    assert Volunteer.objects.get(pk=person.pk).email is None


# -- a used confirmation link ---------------------------------------------------------------

_SIGNED = re.compile(r"[\w-]{10,}:[\w-]{4,}:[\w-]{10,}")


def _signed_values(html):
    return set(_SIGNED.findall(html))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_used_confirmation_link_says_so_and_hands_out_no_token(
    client, pending_person, mailoutbox, django_capture_on_commit_callbacks, language
):
    url = _link("confirm", pending_person, tokens.CONFIRM, language=language)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    assert first.status_code == 200
    assert _signed_values(first.content.decode()), "the first confirmation shows the preferences"
    for method in (client.get, client.post):
        again = method(url)
        assert again.status_code == 200
        html = again.content.decode()
        assert "déjà servi" in html if language == "fr" else "already been used" in html
        token = url.rstrip("/").rsplit("/", 1)[-1]
        # No signed value on the page but the confirmation token of its own address.
        assert _signed_values(html) <= {token}
        for value in _signed_values(html):
            with pytest.raises(tokens.InvalidLink):
                tokens.token_volunteer(token=value, purpose=tokens.PREFERENCES)
        assert "benevoles/preferences/" not in html and "volunteers/preferences/" not in html
        assert again.get("Location") is None


@pytest.fixture
def pending_person(geography, home_page):
    return VolunteerFactory(
        email=ADDRESS, status=Volunteer.Status.PENDING, confirmed_at=None, first_name=FIRST
    )


def _ask_link(client, email, language="fr"):
    with translation.override(language):
        url = reverse("volunteers:preferences_link")
    return client.post(url, {"email": email})


def test_asking_for_a_preferences_link_emails_it(
    client, person, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_link(client, ADDRESS.upper())
    assert response.status_code == 200
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [ADDRESS]
    assert "preferences" in mailoutbox[0].body or "préférences" in mailoutbox[0].body
    # The page itself shows no link to the preferences.
    assert not _signed_values(response.content.decode())


@pytest.mark.parametrize("case", ["unknown", "bounced", "erased"])
def test_the_answer_is_the_same_whatever_the_address(
    client, person, mailoutbox, django_capture_on_commit_callbacks, case
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask_link(client, ADDRESS).content.decode()
    mailoutbox.clear()
    email = ADDRESS
    if case == "unknown":
        email = "nobody@example.org"
    elif case == "bounced":
        Volunteer.objects.filter(pk=person.pk).update(
            status=Volunteer.Status.BOUNCED, preferences_link_sent_at=None
        )
    else:
        volunteer_erase(volunteer=person, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_link(client, email)
    assert response.status_code == 200
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", response.content.decode()) == strip.sub("", known)
    assert mailoutbox == []


def test_asking_for_a_link_checks_the_address_and_the_rate(client, person, settings):
    response = _ask_link(client, "pas-une-adresse")
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    english = _ask_link(client, "not-an-address", language="en")
    assert english.status_code == 400 and "Enter a valid email address" in english.content.decode()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_email": "0/3600"}
    assert _ask_link(client, ADDRESS).status_code == 429


def test_asking_for_a_link_needs_csrf(person):
    from django.test import Client

    with translation.override("fr"):
        url = reverse("volunteers:preferences_link")
    assert Client(enforce_csrf_checks=True).post(url, {"email": ADDRESS}).status_code == 403
    assert Client().get(url).status_code == 405
