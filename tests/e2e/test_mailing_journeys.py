"""The mailing, walked as staff and a volunteer walk it (issue 13): the editor writes a
mailing in the admin (in French, and in English for a user who prefers it), picks its
audience, sends it now; the worker hands it to the email backend; the volunteer receives it
once, in their language, and its preferences link opens their page.

The site sends with Django's file backend here (no ESP): that is an ESP profile without
idempotency keys, and the send page says plainly that delivery is then "at least once"."""

import re
import uuid

import pytest

from .site import html_of, links_in, text_of
from .staff import add_paragraph, messages, page_action, set_admin_language, sign_in, texts

pytestmark = pytest.mark.e2e

EDITOR = ("redaction", "voisins-solidaires")

# One small commune per language, that no other journey writes to: the audience is exactly
# the volunteer this test creates there.
COMMUNE = {"fr": "01001", "en": "01002"}

WORDS = {
    "fr": {
        "save": "Enregistrer",
        "send_link": "Envoyer ou programmer",
        "now": "Envoyer maintenant",
        "send_button": "Confirmer l'envoi",
        "report": "Suivi de l'envoi",
        "one": "1 bénévole",
        "audience_tab": "Destinataires",
    },
    "en": {
        "save": "Save",
        "send_link": "Send or schedule",
        "now": "Send now",
        "send_button": "Confirm sending",
        "report": "Mailing report",
        "one": "1 volunteer",
        "audience_tab": "Recipients",
    },
}


def _volunteer(live_site, lang, commune):
    """A confirmed volunteer who accepts the campaign's emails, in `commune`, speaking
    `lang`: created in the site's database as a finished sign-up leaves it."""
    address = f"courrier-{lang}-{uuid.uuid4().hex[:8]}@example.org"
    live_site.shell(
        "from django.utils import timezone\n"
        "from campaign.geography.models import Commune\n"
        "from volunteers.models import Volunteer, email_hash\n"
        f"commune = Commune.objects.get(insee_code={commune!r})\n"
        f"Volunteer.objects.create(email={address!r}, email_hash=email_hash({address!r}),\n"
        f"    first_name='Élise', last_name='Test', commune=commune, language={lang!r},\n"
        "    status=Volunteer.Status.CONFIRMED, confirmed_at=timezone.now(),\n"
        "    consent_emails=True)\n"
        "print('ok')"
    )
    return address


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_editor_sends_a_mailing_and_the_volunteer_receives_it_once(
    visitor_factory, live_site, lang
):
    words = WORDS[lang]
    tag = uuid.uuid4().hex[:6]
    address = _volunteer(live_site, lang, COMMUNE[lang])
    subject = {
        "fr": f"Une heure pour vos voisins ce mois-ci ({tag})",
        "en": f"One hour for your neighbours this month ({tag})",
    }[lang]
    paragraph = {
        "fr": "Ce samedi, la bibliothèque cherche des bras pour ranger les livres donnés.",
        "en": "This Saturday, the library needs a hand to shelve the donated books.",
    }[lang]

    set_admin_language(live_site, EDITOR[0], lang)
    staff = visitor_factory(lang)
    page = sign_in(staff, *EDITOR)
    staff.goto("/admin/snippets/mailings/mailing/add/")
    page.fill("#id_subject", subject)
    page.select_option("#id_language", lang)
    add_paragraph(page, lang, paragraph)
    page.get_by_role("tab", name=words["audience_tab"]).click()
    page.fill("#id_audience_communes", COMMUNE[lang])
    page_action(page, lang, words["save"])
    assert any(subject in m for m in messages(page)), texts(page, ".error-message, .messages li")
    staff.shot("mailing-saved")

    # The listing shows it; from the mailing's page, "Send or schedule", then "Send now".
    page.locator("main").get_by_role("link", name=subject).first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name=words["send_link"]).first.click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert words["one"] in main, main  # the audience: the one volunteer of that commune
    # No ESP with idempotency keys here: the page says what the promise is.
    assert re.search(r"au moins une fois|at least once", main, re.I), main
    staff.shot("mailing-send")
    page.get_by_label(words["now"]).check()
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=words["send_button"]).click()
    page.wait_for_load_state()
    assert words["report"].lower() in page.locator("main").inner_text().lower()

    # The worker sends it: one email to the volunteer, in their language.
    [message] = live_site.outbox.wait_for(address, subject_contains=tag, timeout=90)
    assert str(message["Subject"]) == subject
    assert paragraph in text_of(message)
    assert paragraph in html_of(message)
    assert message["List-Unsubscribe"], message.keys()
    staff.goto(page.url.replace(live_site.base_url, ""))  # the report, reloaded
    staff.shot("mailing-report")

    # The volunteer opens the preferences link of the email: their page, in their language.
    citizen = visitor_factory(lang, js=False)
    links = [
        link
        for link in links_in(text_of(message), live_site.base_url)
        if re.search(r"/preferences/[^/]+/$", link)
    ]
    assert links, text_of(message)
    citizen.goto(links[0].replace(live_site.base_url, ""))
    assert citizen.html_lang() == lang
    assert address in citizen.page.locator("main").inner_text()
    citizen.shot("mailing-preferences")

    # Sent once: a later look at the outbox finds no second copy.
    assert len(live_site.outbox.to(address)) == 1
    assert not staff.server_errors + citizen.server_errors
