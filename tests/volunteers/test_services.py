from io import StringIO

from django.core.management import call_command
from django.utils import timezone

import pytest

from volunteers import emails
from volunteers.factories import EmailTemplateFactory, MairieAccessFactory, VolunteerFactory
from volunteers.models import EmailTemplate, Volunteer, normalize_email
from volunteers.models.emails import fill_html, fill_text
from volunteers.services import volunteers_purge

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.now() - timezone.timedelta(days=n)


def test_normalize_email_folds_case_spaces_and_unicode_forms():
    assert normalize_email("  Élodie@Example.ORG ") == "élodie@example.org"
    assert normalize_email("E\u0301lodie@example.org") == normalize_email("Élodie@example.org")


def test_database_refuses_a_second_row_for_the_same_address_in_another_case(db):
    from django.db import IntegrityError, transaction

    VolunteerFactory(email="unique@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypassing the normalisation: the check constraint still refuses upper case.
        VolunteerFactory(email="UNIQUE@example.org")


def test_purge_deletes_old_unconfirmed_and_erases_inactive(geography):
    old_pending = VolunteerFactory(status=Volunteer.Status.PENDING, created_at=days_ago(31))
    fresh_pending = VolunteerFactory(status=Volunteer.Status.PENDING, created_at=days_ago(29))
    inactive = VolunteerFactory(last_activity_at=days_ago(3 * 365 + 1), commune=geography["brest"])
    active = VolunteerFactory(last_activity_at=days_ago(30))

    assert volunteers_purge(dry_run=True) == {
        "unconfirmed": 1,
        "inactive": 1,
        "erasures_finished": 0,
    }
    assert Volunteer.objects.count() == 4  # a dry run changes nothing

    out = StringIO()
    call_command("purge_volunteers", stdout=out)
    assert "Inscriptions non confirmées effacées : 1" in out.getvalue()
    assert "Bénévoles inactifs effacés : 1" in out.getvalue()
    assert "Effacements terminés : 0" in out.getvalue()
    assert not Volunteer.objects.filter(pk=old_pending.pk).exists()
    assert Volunteer.objects.filter(pk=fresh_pending.pk).exists()
    inactive.refresh_from_db()
    assert inactive.status == Volunteer.Status.ERASED
    assert inactive.email is None and inactive.commune is None
    assert inactive.email_hash
    active.refresh_from_db()
    assert active.status == Volunteer.Status.CONFIRMED


def test_purge_dry_run_command(geography):
    VolunteerFactory(status=Volunteer.Status.PENDING, created_at=days_ago(40))
    out = StringIO()
    call_command("purge_volunteers", "--dry-run", stdout=out)
    assert "Inscriptions non confirmées à effacer : 1" in out.getvalue()
    assert Volunteer.objects.count() == 1


def test_purge_command_speaks_english_where_english_is_the_language(geography, settings):
    # Management commands speak settings.LANGUAGE_CODE.
    settings.LANGUAGE_CODE = "en"
    VolunteerFactory(status=Volunteer.Status.PENDING, created_at=days_ago(40))
    out = StringIO()
    call_command("purge_volunteers", "--dry-run", stdout=out)
    assert "Unconfirmed sign-ups to erase: 1" in out.getvalue()
    out = StringIO()
    call_command("purge_volunteers", stdout=out)
    assert out.getvalue().splitlines() == [
        "Unconfirmed sign-ups erased: 1",
        "Inactive volunteers erased: 0",
        "Erasures finished: 0",
    ]


def test_queryset_methods(geography, django_user_model, mairie_group):
    melun, brest = geography["melun"], geography["brest"]
    shared = VolunteerFactory(commune=melun, consent_mairie=True)
    VolunteerFactory(commune=melun, consent_mairie=False)
    VolunteerFactory(commune=brest, consent_mairie=True)
    unsubscribed = VolunteerFactory(status=Volunteer.Status.UNSUBSCRIBED, consent_emails=False)
    user = django_user_model.objects.create_user(username="m", password="x")
    user.groups.add(mairie_group)
    MairieAccessFactory(user=user, commune=melun)
    assert list(Volunteer.objects.for_mairie(user)) == [shared]
    assert list(Volunteer.objects.visible_to(user)) == [shared]
    assert unsubscribed not in Volunteer.objects.mailable()
    assert Volunteer.objects.mailable().count() == 3
    assert Volunteer.objects.confirmed().count() == 3


def test_template_rendering_escapes_values_in_html_and_keeps_text_plain():
    values = {"prenom": "<b>Zoé</b> & co", "lien": "https://ex.org/a?b=1&c=2"}
    body = "Bonjour {prenom},\n\n<i>Cliquez</i> : {lien}\n\n{inconnu} {prenom.__class__}"
    text = fill_text(body, values)
    assert text.startswith("Bonjour <b>Zoé</b> & co,")
    assert "{inconnu}" in text and "{prenom.__class__}" in text
    html = fill_html(body, values)
    assert "&lt;b&gt;Zoé&lt;/b&gt; &amp; co" in html
    assert "&lt;i&gt;Cliquez&lt;/i&gt;" in html
    assert '<a href="https://ex.org/a?b=1&amp;c=2">' in html
    assert html.count("<p>") == 3


def test_subject_is_one_line_whatever_the_values(locales):
    template = EmailTemplateFactory(locale=locales["fr"], subject="Bonjour {prenom}")
    subject, _text, _html = template.render({"prenom": "A\r\nBcc: x@example.org"})
    assert "\n" not in subject and "\r" not in subject


def test_email_uses_the_volunteers_language_then_french_then_builtin(locales, home_page):
    EmailTemplateFactory(locale=locales["fr"], subject="FR {prenom}")
    volunteer = VolunteerFactory(language="en", first_name="Ann")
    message = emails.message_build(
        to=volunteer.email,
        kind=EmailTemplate.Kind.CONFIRMATION,
        language="en",
        values={"prenom": "Ann", "lien": "https://x"},
    )
    assert message.subject == "FR Ann"
    EmailTemplateFactory(locale=locales["en"], subject="EN {prenom}")
    message = emails.message_build(
        to=volunteer.email,
        kind=EmailTemplate.Kind.CONFIRMATION,
        language="en",
        values={"prenom": "Ann", "lien": "https://x"},
    )
    assert message.subject == "EN Ann"
    message = emails.message_build(
        to=volunteer.email,
        kind=EmailTemplate.Kind.WELCOME,
        language="en",
        values={"prenom": "Ann"},
    )
    assert message.subject  # the built-in text: no email is lost for want of a template
    assert message.alternatives[0][1] == "text/html"


def test_unsubscribe_headers_helper(home_page):
    volunteer = VolunteerFactory()
    headers = emails.unsubscribe_headers(volunteer)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://testserver/benevoles/desinscription/")
    assert headers["List-Unsubscribe"].endswith("/>")


def test_english_volunteers_links_are_english(home_page):
    volunteer = VolunteerFactory(language="en")
    assert "/en/volunteers/preferences/" in emails.preferences_url(volunteer)


def test_interest_choices_come_from_gesture_categories_when_they_exist(locales):
    from django.core.cache import cache

    from gestures.models import GestureCategory
    from volunteers.interests import FIXED_INTERESTS, interest_choices

    assert [s for s, _ in interest_choices("fr")] == [s for s, _ in FIXED_INTERESTS]
    cache.clear()
    GestureCategory.objects.create(
        name="Voisins vigilants",
        slug="vigilance",
        locale=locales["fr"],
        colour="#a3392b",
        icon="heart",
    )
    assert interest_choices("fr") == [("vigilance", "Voisins vigilants")]


def test_suppress_for_the_mailing_webhooks(db):
    from volunteers.services import volunteer_suppress

    volunteer = VolunteerFactory()
    volunteer_suppress(volunteer=volunteer, status=Volunteer.Status.BOUNCED)
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.BOUNCED and volunteer.bounced_at
    assert not Volunteer.objects.mailable().filter(pk=volunteer.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_loader_builds_page_templates_volunteers_and_mairie(home_page):
    from django.contrib.auth import get_user_model

    from volunteers.demo import load
    from volunteers.models import VolunteerSignupPage

    out = StringIO()
    load(stdout=out)
    load(stdout=out)  # idempotent
    assert VolunteerSignupPage.objects.filter(locale__language_code="fr").count() == 1
    assert VolunteerSignupPage.objects.filter(locale__language_code="en").count() == 1
    assert EmailTemplate.objects.filter(locale__language_code="en").count() == 5
    assert Volunteer.objects.filter(email__endswith="@example.org").count() == 4
    assert (
        get_user_model().objects.get(username="mairie-melun").groups.filter(name="Mairie").exists()
    )
    assert "mairie-melun" in out.getvalue()
    home_page.refresh_from_db()
    assert home_page.cta_page.specific_class is VolunteerSignupPage
