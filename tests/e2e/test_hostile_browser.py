"""Hostile input in a real browser (Chromium, JavaScript on), in French and in English: XSS
payloads (tests/security/payloads.py) typed into the public forms (the sign-up's names, the
nomination's texts, the poster's lines, the engagement's contact) and put in URL parameters
(search, sign-up, catalogue, commune lookup); then every page that shows them back is
opened, public and admin (as the superuser: volunteers listing and edit page, nominations,
posters, engaged communes). No payload may open a dialog (each calls alert() with its
marker), and no payload element may be in the DOM (an on* handler or a `javascript:` URL
carrying a marker, a script holding one)."""

import re
import uuid
from urllib.parse import quote

import pytest

from tests.security.payloads import browser_payloads

from .conftest import LANGUAGES
from .staff import sign_in
from .test_volunteer_journeys import choose_commune

PAYLOADS = [p.value for p in browser_payloads()]
SUPERUSER = ("admin", "admin-tous-voisins")

PATHS = {
    "fr": {
        "signup": "/heure-civique/",
        "nominate": "/histoires/proposer-un-heros/",
        "poster": "/affiche-personnalisee/",
        "engage": "/communes-engagees/s-engager/",
        "search": "/recherche/",
        "catalogue": "/gestes/",
        "communes": "/communes/",
        "stories": "/histoires/",
    },
    "en": {
        "signup": "/en/civic-hour/",
        "nominate": "/en/stories/nominate-a-hero/",
        "poster": "/en/custom-poster/",
        "engage": "/en/committed-towns/join/",
        "search": "/en/search/",
        "catalogue": "/en/gestures/",
        "communes": "/en/towns/",
        "stories": "/en/stories/",
    },
}

# What injected markup would leave in the DOM: an event handler or a script URL that carries
# a marker, an inline script that holds one, an element the payloads invent.
INJECTED = """() => {
    const found = [];
    for (const element of document.querySelectorAll('*')) {
        const tag = element.tagName.toLowerCase();
        if (tag === 'x' || tag === 'tvxbig') found.push('<' + tag + '>');
        if (tag === 'script' && /tvx\\d\\d/.test(element.textContent)) {
            found.push('script: ' + element.textContent.slice(0, 80));
        }
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            const value = attribute.value;
            if (name.startsWith('on') && /tvx\\d\\d|alert\\(/.test(value)) {
                found.push(tag + ' ' + name + '=' + value.slice(0, 80));
            }
            if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(name)
                && /^\\s*(javascript|data):/i.test(value) && /tvx\\d\\d/.test(value)) {
                found.push(tag + ' ' + name + '=' + value.slice(0, 80));
            }
        }
    }
    return found;
}"""


def _payload(index):
    return PAYLOADS[index % len(PAYLOADS)]


def _fits(value, limit):
    return value[:limit]


def _clean(visitor, where):
    """No dialog so far, no payload element on the page now shown, no 500."""
    page = visitor.page
    page.wait_for_load_state()
    page.wait_for_timeout(150)  # an onload/onerror/autofocus handler would have run by now
    injected = page.evaluate(INJECTED)
    assert not injected, f"{where}: payload elements in the DOM: {injected}"
    assert not visitor.dialogs, f"{where}: dialogs opened: {visitor.dialogs}"
    assert not visitor.server_errors, f"{where}: {visitor.server_errors}"


def _tag():
    return uuid.uuid4().hex[:8]


def _sign_up(visitor, lang, tag):
    page = visitor.page
    visitor.goto(PATHS[lang]["signup"])
    page.fill("#id_first_name", _fits(_payload(0) + tag, 80))
    page.fill("#id_last_name", _fits(_payload(3), 80))
    address = f"hostile.{tag}@exemple.fr"
    page.fill("#id_email", address)
    page.fill("#id_postcode", "77190")
    page.locator("#id_interests_0").check()  # leaving the postcode field fires its change
    choose_commune(page, "Dammarie")  # 77190 has two communes
    page.fill("#id_hours_per_month", "1")
    page.locator("#id_consent_emails").check()
    consent_mairie = page.locator("#id_consent_mairie")
    if consent_mairie.count():
        consent_mairie.check()
    page.wait_for_timeout(1100)  # VOLUNTEERS_MIN_FILL_SECONDS=1 in the e2e site
    page.locator("form.volunteer-signup button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("hostile-signup-sent")
    _clean(visitor, "sign-up sent")
    return address


def _nominate(visitor, lang, tag):
    page = visitor.page
    visitor.goto(PATHS[lang]["nominate"])
    page.fill("#id_hero_first_name", _fits(_payload(4) + tag, 60))
    page.fill("#id_postcode", "77000")
    page.fill("#id_commune_name", "Melun")
    page.fill("#id_what_they_did", "\n".join(PAYLOADS))
    page.locator("#id_hero_agreed").check()
    page.fill("#id_proposer_name", _fits(_payload(8), 120))
    address = f"hostile.{tag}@exemple.fr"
    page.fill("#id_proposer_email", address)
    page.locator("form.nomination-form button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("hostile-nomination-sent")
    _clean(visitor, "nomination sent")
    return address


def _poster(visitor, lang, tag):
    page = visitor.page
    visitor.goto(PATHS[lang]["poster"] + "?q=Melun")
    page.locator("form.poster-form input[name=commune][value='77288']").check()
    template = page.locator("form.poster-form input[name=template]")
    if template.count() and not template.first.is_checked():
        template.first.check()
    page.fill("#id_contact_line", _fits(_payload(5), 90))
    page.fill("#id_event_line", _fits(_payload(12) + tag, 90))
    page.locator("form.poster-form button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("hostile-poster-result")
    _clean(visitor, "poster result")
    return page.url


def _engage(visitor, lang, tag):
    page = visitor.page
    visitor.goto(PATHS[lang]["engage"] + "?q=Melun")
    choice = page.locator("input[name=commune][value='77288']")
    if choice.count():
        choice.check()
    page.fill("#id_contact_name", _fits(_payload(1) + tag, 120))
    page.fill("#id_role", _fits(_payload(15), 120))
    address = f"hostile.{tag}@exemple.fr"
    page.fill("#id_email", address)
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    visitor.shot("hostile-engagement-sent")
    _clean(visitor, "engagement sent")
    return address


def _url_parameters(visitor, lang):
    paths = PATHS[lang]
    for index, payload in enumerate(PAYLOADS):
        value = quote(payload, safe="")
        for path in (
            f"{paths['search']}?q={value}",
            f"{paths['signup']}?interet={value}&commune={value}&utm_source={value}",
            f"{paths['catalogue']}?categorie={value}&tri={value}",
            f"{paths['stories']}?theme={value}&page={value}",
            f"{paths['communes']}?q={value}",
        ):
            if index % 3 and "recherche" not in path and "search" not in path:
                continue  # every payload in the search, a third of them everywhere else
            visitor.goto(path, expect_status=None)
            _clean(visitor, path)


def _pk(live_site, model, **lookup):
    app, name = model.split(".")
    value = live_site.shell(
        f"from {app}.models import {name};"
        f"print({name}.objects.filter(**{lookup!r}).values_list('pk', flat=True).first())"
    )
    return None if value == "None" else int(value)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_payloads_open_no_dialog_in_public_forms_and_the_admin(visitor_factory, live_site, lang):
    citizen = visitor_factory(lang, js=True)
    tag = _tag()
    signup_address = _sign_up(citizen, lang, tag)
    nomination_address = _nominate(citizen, lang, tag)
    poster_url = _poster(citizen, lang, tag)
    engagement_address = _engage(citizen, lang, tag)
    _url_parameters(citizen, lang)

    # Shown back: the public pages.
    citizen.page.goto(poster_url)
    _clean(citizen, "poster result, again")
    citizen.goto(PATHS[lang]["search"] + "?q=" + quote(tag), expect_status=None)
    _clean(citizen, "search for the stored values")

    # Shown back: the admin, as the superuser.
    staff = visitor_factory(lang, js=True)
    page = sign_in(staff, *SUPERUSER)
    assert re.search(r"/admin/$", page.url), page.url
    pages = [
        ("volunteers", "/admin/snippets/volunteers/volunteer/"),
        ("volunteers search", f"/admin/snippets/volunteers/volunteer/?q={tag}"),
        ("nominations", "/admin/snippets/stories/nomination/"),
        ("posters", "/admin/snippets/kits/personalisedposter/"),
        ("engaged communes", "/admin/snippets/kits/engagedcommune/"),
    ]
    rows = [
        ("volunteer", "volunteers.Volunteer", {"email": signup_address}),
        ("nomination", "stories.Nomination", {"proposer_email": nomination_address}),
        ("engagement", "kits.EngagedCommune", {"email": engagement_address}),
        ("poster", "kits.PersonalisedPoster", {"event_line__contains": tag}),
    ]
    for name, model, lookup in rows:
        pk = _pk(live_site, model, **lookup)
        assert pk, f"{name} not stored: {lookup}"
        app, model_name = model.lower().split(".")
        pages.append((f"{name} edit", f"/admin/snippets/{app}/{model_name}/edit/{pk}/"))
    for name, path in pages:
        response = staff.goto(path, expect_status=None)
        assert response.status < 400, f"{path}: {response.status}"
        staff.shot(f"hostile-admin-{name}")
        _clean(staff, f"admin {name}")
    assert not citizen.dialogs and not staff.dialogs
