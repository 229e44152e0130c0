"""An English volunteer reads English emails: the templates the demo and set-up ship are
translated, each email takes the template of the volunteer's language, and a template
translated in wagtail-localize's editor keeps its paragraphs."""

import re
from urllib.parse import urlencode

from django.core import mail
from django.urls import reverse

from wagtail_localize.models import StringSegment, Translation, TranslationSource

import pytest

from volunteers import services
from volunteers.factories import VolunteerFactory
from volunteers.models import EmailTemplate
from volunteers.models.emails import body_rich, body_text

# Words that only the French wording of the templates uses.
FRENCH = re.compile(r"\b(Bonjour|Merci|votre|vous|données|inscription|voisins)\b", re.I)


@pytest.fixture
def demo_templates(home_page, django_capture_on_commit_callbacks):
    from volunteers import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.load()


def _sent(volunteer, kind):
    mail.outbox.clear()
    services.volunteer_email_send(volunteer=volunteer, kind=kind)
    (message,) = mail.outbox
    return message, message.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "subject", "opening", "closing"),
    [
        (
            EmailTemplate.Kind.CONFIRMATION,
            "Confirm your civic hour sign-up",
            "Hello Ann,",
            "without confirmation, your address will be erased.",
        ),
        (
            EmailTemplate.Kind.WELCOME,
            "Welcome to the civic hour",
            "Hello Ann,",
            "You can change your preferences at any time:",
        ),
        (
            EmailTemplate.Kind.PREFERENCES_LINK,
            "Your civic hour preferences",
            "Hello Ann,",
            "To see or change your preferences, open this link:",
        ),
        (
            EmailTemplate.Kind.ERASURE_DONE,
            "Your data has been erased",
            "Hello Ann,",
            "Thank you for your commitment",
        ),
    ],
)
def test_an_english_volunteer_gets_english_subject_and_body(
    demo_templates, kind, subject, opening, closing
):
    volunteer = VolunteerFactory(language="en", first_name="Ann")
    message, html = _sent(volunteer, kind)
    assert message.subject == subject
    assert message.body.startswith(f"{opening}\n\n"), message.body
    assert closing in message.body
    assert not FRENCH.search(message.body), message.body
    assert f"<p>{opening}</p>" in html
    assert closing in html
    # The French volunteer still reads French.
    french = VolunteerFactory(language="fr", first_name="Anne")
    message, _html = _sent(french, kind)
    assert message.body.startswith("Bonjour Anne,\n\n")


@pytest.mark.django_db
def test_a_template_translated_in_the_editor_keeps_its_paragraphs(admin_client, home_page, locales):
    """The translator works in wagtail-localize's editor: one box per segment, on one line
    (its text box drops line breaks). The sent email keeps the source's paragraphs."""
    french = EmailTemplate.objects.create(
        kind=EmailTemplate.Kind.WELCOME,
        locale=locales["fr"],
        subject="Bienvenue, {prenom}",
        body=body_rich(
            "Bonjour {prenom},\n\nVotre inscription est confirmée.\n\n"
            "Vos préférences : {lien_preferences}"
        ),
    )
    english_of = {
        "Bienvenue, {prenom}": "Welcome, {prenom}",
        "Bonjour {prenom},": "Hello {prenom},",
        "Votre inscription est confirmée.": "Your sign-up is confirmed.",
        "Vos préférences :": "Your preferences:",
    }

    def translate(source):
        # What a person types for a segment: the source's wording in English, on one line.
        text = re.sub(r"<br\s*/?>", " ", source)
        for fr, en in english_of.items():
            text = text.replace(fr, en)
        return " ".join(text.split())

    # "Translate" in the admin, then each segment in the editor, then "Publish".
    response = admin_client.post(
        reverse(
            "wagtail_localize:submit_snippet_translation",
            args=["volunteers", "emailtemplate", french.pk],
        ),
        {"locales": [locales["en"].pk]},
    )
    assert response.status_code == 302
    translation = Translation.objects.get(
        source=TranslationSource.objects.get_for_instance(french), target_locale=locales["en"]
    )
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string"):
        response = admin_client.put(
            reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
            urlencode({"value": translate(segment.string.data)}),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in (200, 201)
    english = french.get_translation(locales["en"])
    edit_url = reverse(EmailTemplate.snippet_viewset.get_url_name("edit"), args=[english.pk])
    response = admin_client.post(edit_url, {"action": "publish"})
    assert response.status_code == 302

    english.refresh_from_db()
    assert body_text(english.body) == (
        "Hello {prenom},\n\nYour sign-up is confirmed.\n\nYour preferences: {lien_preferences}"
    )
    volunteer = VolunteerFactory(language="en", first_name="Camille")
    message, html = _sent(volunteer, EmailTemplate.Kind.WELCOME)
    assert message.subject == "Welcome, Camille"
    assert message.body.startswith(
        "Hello Camille,\n\nYour sign-up is confirmed.\n\nYour preferences: http"
    )
    assert "<p>Hello Camille,</p>" in html
    assert "<p>Your sign-up is confirmed.</p>" in html
