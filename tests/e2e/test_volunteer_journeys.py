"""A citizen signs up for l'heure civique and manages what follows, in a real browser, in
French and in English, with JavaScript on and off: sign up with a postcode shared by several
communes → the confirmation email from the outbox → confirm (a POST from the page: the CSRF
check sees the browser's real Origin) → welcome email → preferences → data download → erasure;
and the one-click unsubscribe from a campaign email."""

import json
import re
import uuid

import pytest

from .conftest import LANGUAGES
from .site import html_of, links_in, text_of

SUBJECTS = {
    "fr": {"confirm": "Confirmez", "welcome": "Bienvenue"},
    "en": {"confirm": "Confirm", "welcome": "Welcome"},
}
WORDS = {
    "fr": {
        "thanks": "e-mail",
        "confirmed": "confirmée",
        "saved": "enregistr",
        "erased": "effacé",
        "hello": "Bonjour",
    },
    "en": {
        "thanks": "email",
        "confirmed": "confirmed",
        "saved": "saved",
        "erased": "erased",
        "hello": "Hello",
    },
}


def _address(tag):
    return f"camille.{tag}.{uuid.uuid4().hex[:8]}@exemple.fr".lower()


def choose_commune(page, name):
    """The commune among those of the postcode: radio buttons (the script) or a list (the
    server's answer without JavaScript)."""
    choices = page.locator("[data-commune-slot] [name=commune]")
    choices.first.wait_for()
    if page.locator("[data-commune-slot] select[name=commune]").count():
        options = page.locator("[data-commune-slot] select[name=commune] option").all_inner_texts()
        assert sum(1 for o in options if o.strip()) >= 2, options
        label = next(o for o in options if name in o)
        page.select_option("[data-commune-slot] select[name=commune]", label=label)
    else:
        assert choices.count() >= 2
        page.locator("[data-commune-slot] label", has_text=name).first.click()


def sign_up(visitor, address, postcode="77000", commune="Melun"):
    """Fill the sign-up form as a person does: reach it from the home page's button."""
    page = visitor.page
    visitor.goto(visitor.home())
    page.locator("main a.button--large").first.click()
    page.locator("form.volunteer-signup").wait_for()
    page.fill("#id_first_name", "Camille")
    page.fill("#id_email", address)
    page.fill("#id_postcode", postcode)
    page.locator("#id_interests_0").check()  # leaving the postcode field fires its change
    page.fill("#id_hours_per_month", "2")
    page.locator("#id_consent_emails").check()
    page.wait_for_timeout(1100)  # VOLUNTEERS_MIN_FILL_SECONDS=1 in the e2e site
    if not visitor.js:
        # Several communes share 77000: the server asks which one, keeping what was typed.
        page.locator("form.volunteer-signup button[type=submit]").click()
        page.wait_for_load_state()
        assert page.input_value("#id_first_name") == "Camille"
        assert page.input_value("#id_email") == address
    choose_commune(page, commune)
    page.wait_for_timeout(1100)
    page.locator("form.volunteer-signup button[type=submit]").click()
    page.wait_for_load_state()
    assert "/merci/" in page.url or "/thank" in page.url, page.url
    return page


def confirmation_link(outbox, address, lang, site):
    message = outbox.wait_for(address, SUBJECTS[lang]["confirm"])[0]
    body = text_of(message)
    assert WORDS[lang]["hello"] in body, body
    links = [link for link in links_in(body, site.base_url) if "/confirm" in link]
    assert links, body
    return links[0], message


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_up_confirm_and_welcome(visitor_factory, outbox, live_site, lang, js):
    visitor = visitor_factory(lang, js)
    address = _address(f"signup-{lang}-{js}")
    page = sign_up(visitor, address)
    assert visitor.html_lang() == lang
    visitor.shot("signup-thanks")

    link, message = confirmation_link(outbox, address, lang, live_site)
    assert str(message["Subject"]).startswith(SUBJECTS[lang]["confirm"]), message["Subject"]
    if lang == "en":
        assert "/en/" in link
    # Open the link as a mail client does: a new tab, no referrer from the mail.
    page.goto(link)
    visitor.shot("confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "403" not in page.title() and "CSRF" not in page.content()
    assert WORDS[lang]["confirmed"] in page.locator("main").inner_text().lower()
    visitor.shot("confirmed")

    welcome = outbox.wait_for(address, SUBJECTS[lang]["welcome"])[0]
    # In the person's language, paragraphs kept (the English templates are wagtail-localize
    # translations of the French ones: their breaks must survive translation).
    for sent in (message, welcome):
        body = text_of(sent)
        assert re.match(WORDS[lang]["hello"] + r" Camille,\n\n\S", body), body
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        assert len(paragraphs) >= 3, body
        assert "<p>" in html_of(sent) and html_of(sent).count("<p") >= 3
    assert not visitor.server_errors


def _confirmed_volunteer(visitor, outbox, live_site, tag):
    address = _address(tag)
    page = sign_up(visitor, address)
    link, _ = confirmation_link(outbox, address, visitor.lang, live_site)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return address, page


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_preferences_download_and_erase(visitor_factory, outbox, live_site, lang, js):
    visitor = visitor_factory(lang, js)
    address, page = _confirmed_volunteer(visitor, outbox, live_site, f"prefs-{lang}-{js}")
    # The confirmation page leads to the preference centre.
    page.locator("main a[href*='/preferences/']").first.click()
    page.wait_for_load_state()
    visitor.shot("preferences")
    page.fill("#id_hours_per_month", "3")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "CSRF" not in page.content()
    assert WORDS[lang]["saved"] in page.locator("main").inner_text().lower()
    assert page.input_value("#id_hours_per_month") == "3"

    # The data download: a JSON file holding what is kept about the person.
    download_link = page.locator("main a[href$='.json']").first
    with page.expect_download() as info:
        download_link.click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert address in json.dumps(data)

    # Erasure: a confirmation step, then everything is gone.
    page.locator("main a[href*='/effacer/'], main a[href*='/erase/']").first.click()
    page.wait_for_load_state()
    visitor.shot("erase-confirm")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "CSRF" not in page.content()
    assert WORDS[lang]["erased"] in page.locator("main").inner_text().lower()
    visitor.shot("erased")
    remaining = live_site.shell(
        "from volunteers.models import Volunteer;"
        f"print(Volunteer.objects.filter(email__iexact={address!r}).count())"
    )
    assert remaining == "0"
    assert not visitor.server_errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_click_unsubscribe_from_an_email(visitor_factory, outbox, live_site, lang):
    visitor = visitor_factory(lang, js=False)
    address, page = _confirmed_volunteer(visitor, outbox, live_site, f"unsub-{lang}")
    welcome = outbox.wait_for(address, SUBJECTS[lang]["welcome"])[0]
    unsubscribe = [
        link
        for link in links_in(text_of(welcome), live_site.base_url)
        if re.search(r"/(desinscription|unsubscribe)/", link)
    ]
    header = str(welcome.get("List-Unsubscribe", ""))
    assert unsubscribe or live_site.base_url in header, text_of(welcome)
    link = unsubscribe[0] if unsubscribe else re.search(r"<(http[^>]+)>", header).group(1)
    page.goto(link)
    visitor.shot("unsubscribe")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    visitor.shot("unsubscribed")
    status = live_site.shell(
        "from volunteers.models import Volunteer;"
        f"v = Volunteer.objects.get(email__iexact={address!r}); print(v.consent_emails)"
    )
    assert status == "False"
