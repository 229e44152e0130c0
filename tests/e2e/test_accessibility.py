"""Accessibility in a real browser: axe-core (the copy axe-playwright-python ships) run in
Chromium with the WCAG 2.1 A and AA rules (and axe's best practices) on every public page
type, in French and in English, with the site's scripts on and off, and on each form's error
state; then the sign-up done with the keyboard alone, the focus visible at every step.

Every audit is listed in var/e2e/accessibility.txt (page × language × state × scripts, and
the violations); docs/ACCESSIBILITY.md says what this covers and what it does not.

Why "scripts off" is emulated: with JavaScript disabled in the browser, axe cannot run
either (it waits on timers). The site's own scripts are blocked instead (the site has no
inline script and no <noscript>), which gives the page exactly as the server sends it, while
the audit still runs. The keyboard journey uses a browser with JavaScript really off.
"""

import json
import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import LANGUAGES, OUT_DIR
from .site import links_in, text_of
from .test_volunteer_journeys import SUBJECTS

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Also axe's best practices (heading order, landmarks, one h1…): RGAA asks for them
# (themes 9 and 12) where WCAG's tags leave them out. They fail the audit too.
EXTRA_TAGS = ["best-practice"]
AXE = Axe()
REPORT_FILE = OUT_DIR / "accessibility.txt"
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
LANG = pytest.mark.parametrize("lang", LANGUAGES)

SEARCH_WORD = {"fr": "voisin", "en": "neighbour"}
MISSING_PAGE = {"fr": "/cette-page-n-existe-pas/", "en": "/en/no-such-page/"}

# Where each public page is, in each language, asked of the site itself (the English paths
# and slugs are translated; they are not this file's to know).
URLS_SNIPPET = """
import json
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale
from campaign.models import ContentPage
from home.models import HomePage
from stories.models import StoryIndexPage, StoryPage
from gestures.models import GestureIndexPage, GesturePage
from kits.models import KitIndexPage, KitPage
from volunteers.models import VolunteerSignupPage
from directory.models import Actor
from network.models import DossierPage, MeetingPage, NetworkIndexPage, PracticeSheetPage
urls = {}
for lang in ("fr", "en"):
    locale = Locale.objects.get(language_code=lang)
    def first(model, **filters):
        page = model.objects.live().filter(locale=locale, **filters).order_by("path").first()
        return page.get_url() if page else None
    def translation_of(slug):
        key = ContentPage.objects.get(slug=slug, locale__language_code="fr").translation_key
        return first(ContentPage, translation_key=key)
    with translation.override(lang):
        stories = StoryIndexPage.objects.live().get(locale=locale)
        network = NetworkIndexPage.objects.live().get(locale=locale)
        urls[lang] = {
            "home": first(HomePage),
            "content page (la-campagne)": translation_of("la-campagne"),
            "content page (accessibilite)": translation_of("accessibilite"),
            "stories index": first(StoryIndexPage),
            "story": first(StoryPage),
            "nomination form": stories.get_url() + stories.reverse_subpage("nominate_route"),
            "gestures catalogue": first(GestureIndexPage),
            "gesture": first(GesturePage),
            "kits index": first(KitIndexPage),
            "kit": first(KitPage),
            "poster form": reverse("kits:poster_form"),
            "engaged communes": reverse("kits:engaged_communes"),
            "engagement form": reverse("kits:engaged_form"),
            "commune search": reverse("geography:search"),
            "sign-up page": first(VolunteerSignupPage),
            "directory": reverse("directory:search"),
            "directory commune (Melun)": reverse(
                "directory:commune", kwargs={"slug": "melun-77288"}
            ),
            "directory actor": reverse(
                "directory:actor",
                kwargs={"slug": Actor.objects.filter(status="published").order_by("pk")[0].slug},
            ),
            "directory proposal form": reverse("directory:propose"),
            "directory map": reverse("directory:map"),
            "officials' network": first(NetworkIndexPage),
            "practice sheet": first(PracticeSheetPage),
            "dossier": first(DossierPage),
            "network region": network.get_url()
            + network.reverse_subpage("region", kwargs={"region": "ile-de-france"}),
            "network meeting": first(MeetingPage),
            "search": reverse("search"),
            "help request form": reverse("helprequests:request"),
            "help requests' data page": reverse("helprequests:data"),
        }
print(json.dumps(urls))
"""

_REPORT = []


@pytest.fixture(scope="session")
def urls(live_site):
    found = json.loads(live_site.shell(URLS_SNIPPET))
    for lang, pages in found.items():
        missing = [name for name, url in pages.items() if not url]
        assert not missing, f"{lang}: no page for {missing}"
    return found


@pytest.fixture(scope="module", autouse=True)
def report_file():
    yield
    if not _REPORT:
        return
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"axe-core {_REPORT[0]['axe']} in Chromium, tags {', '.join(TAGS + EXTRA_TAGS)}",
        f"{len(_REPORT)} audits, {sum(len(entry['violations']) for entry in _REPORT)} violations",
        "",
        f"{sum(1 for entry in _REPORT if entry['incomplete'])} audits with results to review "
        "by hand (axe 'incomplete')",
        "",
        "language | scripts | page | state | violations | to review | address",
    ]
    for entry in sorted(_REPORT, key=lambda e: (e["lang"], e["scripts"], e["page"], e["state"])):
        lines.append(
            f"{entry['lang']} | {entry['scripts']} | {entry['page']} | {entry['state']} | "
            f"{len(entry['violations'])} | {', '.join(entry['incomplete']) or '-'} | "
            f"{entry['path']}"
        )
        lines += [f"    {line}" for line in entry["violations"]]
    # Several test runs (parametrized) append to one file per session.
    REPORT_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _describe(violation):
    targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:6])
    more = len(violation["nodes"]) - 6
    summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
    kind = "WCAG" if set(violation["tags"]) & set(TAGS) else "best practice"
    return (
        f"{violation['id']} ({violation['impact']}, {kind}): {violation['help']} — "
        f"{targets}{f' (+{more} more)' if more > 0 else ''} — {summary} "
        f"[{violation['helpUrl']}]"
    )


def visitor_for(visitor_factory, lang, js, **options):
    """A visitor whose browser runs the site's scripts (js) or not: the site's scripts are
    blocked rather than JavaScript turned off, so that axe can run (see the docstring)."""
    visitor = visitor_factory(lang, True, **options)
    if not js:
        visitor.page.route(re.compile(r".*\.js(\?.*)?$"), lambda route: route.abort())
        visitor.js = False
    return visitor


def audit(visitor, page_name, state="page"):
    """Run axe on what the visitor sees; record the result; return its violations."""
    page = visitor.page
    page.wait_for_load_state()
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": TAGS + EXTRA_TAGS},
            "resultTypes": ["violations", "incomplete"],
        },
    ).response
    violations = [_describe(v) for v in results["violations"]]
    # "Needs review": what axe could not decide alone (reported, not failed).
    incomplete = [f"{item['id']} ({len(item['nodes'])})" for item in results["incomplete"]]
    path = page.url.split("://", 1)[1].split("/", 1)[1] if "://" in page.url else page.url
    path = "/" + re.sub(r"/[^/]*:[^/]*/", "/<signed token>/", path)  # not in the report
    _REPORT.append(
        {
            "axe": results["testEngine"]["version"],
            "lang": visitor.lang,
            "scripts": "on" if visitor.js else "off",
            "page": page_name,
            "state": state,
            "path": path,
            "violations": violations,
            "incomplete": incomplete,
        }
    )
    visitor.shot(f"a11y-{page_name}-{state}")
    return [
        f"[{visitor.lang}, scripts {'on' if visitor.js else 'off'}] {page_name} ({state}) "
        f"{path}: {line}"
        for line in violations
    ]


def _assert_none(found):
    if found:
        print("\n".join(found))
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)


# What the accessibility statement (campaign/demo.py) must say, in the RGAA's way: its
# status, the date of the checks, how to reach us, the Défenseur des droits; and the status is
# in every page's footer.
STATEMENT = {
    "fr": [
        "non conforme",
        "5 décembre 2026",
        "axe-core",
        "bonjour@tousvoisins.example",
        "Défenseur des droits",
        "lecteur d'écran",
    ],
    "en": [
        "non-compliant",
        "5 December 2026",
        "axe-core",
        "bonjour@tousvoisins.example",
        "Défenseur des droits",
        "screen reader",
    ],
}
FOOTER_STATUS = {"fr": "Accessibilité : non conforme", "en": "Accessibility: non-compliant"}


def _check_statement(visitor):
    text = visitor.page.locator("main").inner_text()
    missing = [words for words in STATEMENT[visitor.lang] if words not in text]
    assert not missing, f"the accessibility statement does not say {missing}"
    footer = visitor.page.locator("footer").inner_text()
    assert FOOTER_STATUS[visitor.lang] in footer, footer


@JS
@LANG
def test_every_public_page_type(visitor_factory, urls, lang, js):
    visitor = visitor_for(visitor_factory, lang, js)
    found = []
    for name, path in urls[lang].items():
        if name == "search":
            path += f"?q={SEARCH_WORD[lang]}"
            name = "search results"
        visitor.goto(path)
        assert visitor.html_lang() == lang, path
        found += audit(visitor, name)
        if name == "content page (accessibilite)":
            _check_statement(visitor)
    # The commune lookup with an answer, and the page that is not there.
    visitor.goto(urls[lang]["commune search"] + "?q=77000")
    found += audit(visitor, "commune search", "results")
    visitor.goto(urls[lang]["directory"] + "?q=77000")
    found += audit(visitor, "directory", "results")
    visitor.goto(urls[lang]["directory"] + "?q=zzzz")
    found += audit(visitor, "directory", "unknown place")
    visitor.goto(MISSING_PAGE[lang], expect_status=404)
    found += audit(visitor, "404 page")
    assert not visitor.server_errors
    _assert_none(found)


@LANG
def test_home_on_a_phone(visitor_factory, urls, lang):
    """The narrow layout (the header's menu on phones), scripts on and off."""
    found = []
    for js in (True, False):
        visitor = visitor_for(
            visitor_factory, lang, js, viewport={"width": 375, "height": 740}, is_mobile=True
        )
        visitor.goto(urls[lang]["home"])
        found += audit(visitor, "home", "phone 375px")
        menu = visitor.page.locator("header details summary, header [aria-expanded]")
        if menu.count() and menu.first.is_visible():
            menu.first.click()
            found += audit(visitor, "home", "phone 375px, menu open")
    _assert_none(found)


FORMS = {
    # page name: submit button
    "sign-up page": "form.volunteer-signup button[type=submit]",
    "nomination form": "form.nomination-form button[type=submit]",
    "engagement form": "main form[method=post] button[type=submit]",
    "poster form": "form.poster-form button[type=submit]",
    "directory proposal form": "main form[method=post] button[type=submit]",
    "network meeting": "main form[method=post] button[type=submit]",
    "help request form": "main form[method=post] button[type=submit]",
}


@JS
@LANG
def test_forms_sent_empty(visitor_factory, urls, lang, js):
    """Each form's error state: the summary, the messages beside the fields."""
    visitor = visitor_for(visitor_factory, lang, js)
    page = visitor.page
    found = []
    for name, button in FORMS.items():
        visitor.goto(urls[lang][name])
        page.wait_for_timeout(1100)  # the sign-up's anti-bot delay: the real errors, please
        page.locator(button).last.click()
        page.wait_for_load_state()
        assert page.locator(".form-errors, .errorlist").count(), f"{name}: no error shown"
        found += audit(visitor, name, "sent empty")
    assert not visitor.server_errors
    _assert_none(found)


def _address(tag):
    return f"a11y.{tag}.{uuid.uuid4().hex[:8]}@exemple.fr"


@JS
@LANG
def test_sign_up_to_preferences(visitor_factory, outbox, live_site, urls, lang, js):
    """Sign-up (with the commune choice), thank-you, the confirmation page reached from the
    email, confirmed, preferences, "Vos données", the confirmation link reopened (its form
    empty, then sent)."""
    visitor = visitor_for(visitor_factory, lang, js)
    page = visitor.page
    found = []
    address = _address(f"{lang}-{js}")
    visitor.goto(urls[lang]["sign-up page"])
    page.fill("#id_first_name", "Camille")
    page.fill("#id_email", address)
    page.fill("#id_postcode", "77000")
    page.locator("#id_interests_0").check()
    page.fill("#id_hours_per_month", "2")
    page.locator("#id_consent_emails").check()
    page.wait_for_timeout(1100)
    if not js:
        page.locator(FORMS["sign-up page"]).click()
        page.wait_for_load_state()
    page.locator("[data-commune-slot] [name=commune]").first.wait_for()
    found += audit(visitor, "sign-up page", "commune choice")
    if page.locator("[data-commune-slot] select[name=commune]").count():
        options = page.locator("[data-commune-slot] select option").all_inner_texts()
        page.select_option(
            "[data-commune-slot] select", label=next(o for o in options if "Melun" in o)
        )
    else:
        page.locator("[data-commune-slot] label", has_text="Melun").first.click()
    page.wait_for_timeout(1100)
    page.locator(FORMS["sign-up page"]).click()
    page.wait_for_load_state()
    assert page.locator("form.volunteer-signup").count() == 0, page.locator("main").inner_text()
    found += audit(visitor, "sign-up thank-you")

    message = outbox.wait_for(address, SUBJECTS[lang]["confirm"])[0]
    link = next(x for x in links_in(text_of(message), live_site.base_url) if "/confirm" in x)
    page.goto(link)
    found += audit(visitor, "confirmation page")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    found += audit(visitor, "confirmed page")
    page.locator("main a[href*='/preferences/']").first.click()
    page.wait_for_load_state()
    found += audit(visitor, "preferences")
    # "Vos données" (issue 13): one table per kind of data, each captioned by its heading.
    page.locator("main a[href*='/mes-donnees/'], main a[href*='/my-data/']").first.click()
    page.wait_for_load_state()
    assert page.locator("main table caption h2").count() >= 3
    found += audit(visitor, "my data page")
    # The confirmation link opened again: it says it served, and offers a form.
    page.goto(link)
    found += audit(visitor, "confirmation link used")
    page.fill("#id_email", "")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    found += audit(visitor, "confirmation link used", "form sent empty")
    page.fill("#id_email", address)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    found += audit(visitor, "preferences link asked")
    assert not visitor.server_errors
    _assert_none(found)


# A commune per language that the other journeys do not engage (a commune is engaged once).
ENGAGING = {"fr": ("77152", "Dammarie-les-Lys"), "en": ("77285", "Le Mée-sur-Seine")}


@LANG
def test_poster_result_and_commune_page(visitor_factory, outbox, live_site, urls, lang):
    """The personalised poster's page, the engagement form, its email, confirmation page and
    confirmation, and an engaged commune's page (the demo's Melun, approved by staff)."""
    visitor = visitor_for(visitor_factory, lang, True)
    page = visitor.page
    found = []
    visitor.goto(urls[lang]["poster form"])
    page.fill("#id_q", "Melun")
    page.locator("form.commune-search button[type=submit]").click()
    page.wait_for_load_state()
    found += audit(visitor, "poster form", "commune found")
    page.locator("form.poster-form input[name=commune][value='77288']").check()
    page.fill("#id_contact_line", "Mairie de Melun, 01 64 52 33 00")
    page.locator(FORMS["poster form"]).click()
    page.wait_for_load_state()
    assert page.locator("form.poster-form").count() == 0, page.locator("main").inner_text()
    found += audit(visitor, "poster result")

    code, name = ENGAGING[lang]
    visitor.goto(urls[lang]["engagement form"])
    page.fill("#id_q", name)
    page.locator("form.commune-search button[type=submit]").click()
    page.wait_for_load_state()
    choice = page.locator(f"input[name=commune][value='{code}']")
    if choice.count() and not choice.is_checked():
        choice.check()
    address = _address(f"mairie-{lang}")
    page.fill("#id_contact_name", "Claire Martin")
    page.fill("#id_role", "Adjointe à la solidarité" if lang == "fr" else "Deputy mayor")
    page.fill("#id_email", address)
    page.locator(FORMS["engagement form"]).last.click()
    page.wait_for_load_state()
    found += audit(visitor, "engagement thank-you")
    message = outbox.wait_for(address)[0]
    link = next(x for x in links_in(text_of(message), live_site.base_url) if "confirm" in x)
    page.goto(link)
    # The emailed link opens a page whose button confirms (a GET changes nothing).
    found += audit(visitor, "engagement confirmation page")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    found += audit(visitor, "engagement confirmed")
    # Staff approve declarations before they are listed: the demo's approved communes are.
    visitor.goto(urls[lang]["engaged communes"])
    found += audit(visitor, "engaged communes", "with communes")
    assert page.locator("main section a", has_text=name).count() == 0
    page.locator("main section a", has_text="Melun").first.click()
    page.wait_for_load_state()
    assert "Melun" in page.locator("main h1").inner_text()
    found += audit(visitor, "commune page")
    assert not visitor.server_errors
    _assert_none(found)


# A page behind a shared password, made for the 429 audit (Wagtail's password form; failed
# attempts count per client address, scope page_password, which the e2e site leaves at its
# production limit: no other journey uses it).
RESTRICTED_PAGE_SNIPPET = """
from campaign.models import ContentPage
from home.models import HomePage
from wagtail.models import PageViewRestriction
page = ContentPage.objects.filter(slug="espace-reserve-a11y").first()
if page is None:
    home = HomePage.objects.get(locale__language_code="fr")
    page = home.add_child(instance=ContentPage(title="Espace réservé", slug="espace-reserve-a11y"))
    page.save_revision().publish()
PageViewRestriction.objects.get_or_create(
    page=page, restriction_type="password", defaults={"password": "le-bon-mot-de-passe"}
)
print(page.url)
"""


@LANG
def test_error_pages_429_and_400(visitor_factory, live_site, lang):
    """The 429 page (wrong passwords to a restricted page until the site refuses to check
    them) and the 400 page (a form post in a charset the site cannot read), fr and en, with
    the site's scripts on and off."""
    path = live_site.shell(RESTRICTED_PAGE_SNIPPET).strip()
    found = []
    for js in (True, False):
        visitor = visitor_for(visitor_factory, lang, js)
        page = visitor.page
        visitor.goto(path)
        if js:
            found += audit(visitor, "password page")
        if lang == "en":
            # The page is French only, so its form posts to the French route; an English
            # page's form posts to the same route under /en/ (i18n_patterns): use that one.
            page.evaluate(
                "() => { const f = document.querySelector('main form');"
                " f.action = '/en' + new URL(f.action).pathname; }"
            )
        # Two gunicorn workers keep their own counters (local memory): try until refused.
        for _attempt in range(100):
            page.fill("main input[type=password]", "pas-le-bon")
            # The site's own password page (templates/password_required.html).
            page.locator("main form [type=submit]").click()
            page.wait_for_load_state()
            if visitor.status() == 429:
                break
        assert visitor.status() == 429, page.locator("main").inner_text()
        heading = page.locator("main h1").inner_text()
        assert heading == {"fr": "Trop de demandes", "en": "Too many requests"}[lang], heading
        assert page.locator("html").get_attribute("lang") == lang
        found += audit(visitor, "429 page")

        # The engagement form sent with a charset no browser uses: the 400 page.
        visitor.goto(
            {"fr": "/communes-engagees/s-engager/", "en": "/en/committed-towns/join/"}[lang]
        )
        page.route(
            re.compile(r".*/(s-engager|join)/(\?.*)?$"),
            lambda route: (
                route.continue_(
                    headers={
                        **route.request.headers,
                        "content-type": "application/x-www-form-urlencoded; charset=x-inconnu",
                    }
                )
                if route.request.method == "POST"
                else route.continue_()
            ),
        )
        page.locator(FORMS["engagement form"]).last.click()
        page.wait_for_load_state()
        page.unroute_all()
        assert visitor.status() == 400, page.locator("main").inner_text()
        assert page.locator("html").get_attribute("lang") == lang
        found += audit(visitor, "400 page")
        assert not visitor.server_errors
    _assert_none(found)


@LANG
def test_nomination_thank_you(visitor_factory, urls, lang):
    visitor = visitor_for(visitor_factory, lang, True)
    page = visitor.page
    visitor.goto(urls[lang]["nomination form"])
    page.fill("#id_hero_first_name", "Josette")
    page.fill("#id_postcode", "77000")
    page.fill("#id_commune_name", "Melun")
    page.fill("#id_what_they_did", "Elle arrose les plantes de tout l'immeuble en été.")
    page.locator("#id_hero_agreed").check()
    page.fill("#id_proposer_name", "Paul Durand")
    page.fill("#id_proposer_email", _address(f"nomination-{lang}"))
    page.wait_for_timeout(1100)
    page.locator(FORMS["nomination form"]).click()
    page.wait_for_load_state()
    assert page.locator("form.nomination-form").count() == 0, page.locator("main").inner_text()
    found = audit(visitor, "nomination thank-you")
    assert not visitor.server_errors
    _assert_none(found)


# ---------------------------------------------------------------------------------------
# Keyboard only: the sign-up from the home page, focus visible at every Tab.

FOCUSABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)
SNAPSHOT_UNFOCUSED = """(selector) => {
  const seen = window.__a11yUnfocused || (window.__a11yUnfocused = new WeakMap());
  for (const el of document.querySelectorAll(selector)) {
    if (el === document.activeElement || seen.has(el)) continue;
    const s = getComputedStyle(el);
    seen.set(el, [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' | '));
  }
}"""
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
  const selected = el.tagName === 'SELECT' && el.selectedIndex >= 0
    ? el.options[el.selectedIndex].text : '';
  const seen = window.__a11yUnfocused;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
    type: (el.getAttribute('type') || '').toLowerCase(), href: el.getAttribute('href') || '',
    cls: el.className || '', text: (el.innerText || '').trim().slice(0, 50), label: label,
    value: 'value' in el ? String(el.value) : '', checked: !!el.checked, selected: selected,
    inSignup: !!el.closest('form.volunteer-signup'),
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
    outlineColor: s.outlineColor, boxShadow: s.boxShadow,
    before: seen && seen.has(el) ? seen.get(el) : null,
    now: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' | '),
    width: r.width, height: r.height,
  };
}"""
TRANSPARENT = ("transparent", "rgba(0, 0, 0, 0)")


def _shadow_spread(box_shadow):
    """The largest spread (or blur) of a box-shadow, in px: 'rgb(..) 0px 0px 0px 3px'."""
    if not box_shadow or box_shadow == "none":
        return 0
    widths = [float(n) for n in re.findall(r"(-?[\d.]+)px", box_shadow)]
    return max(widths[2:4] or [0])


class Keyboard:
    """Presses keys and checks, after each Tab, that the focus shows."""

    def __init__(self, visitor):
        self.visitor = visitor
        self.page = visitor.page
        self.stops = []
        self.styles = set()
        self.problems = []

    def focused(self):
        return self.page.evaluate(FOCUSED)

    def tab(self, backwards=False):
        self.page.evaluate(SNAPSHOT_UNFOCUSED, FOCUSABLE)
        self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = self.focused()
        assert info is not None, "the focus left the page"
        what = f"{info['tag']}#{info['id'] or info['name'] or info['href'] or info['text']}"
        self.stops.append(what)
        self.styles.add(f"{info['tag']}: {info['now']} (unfocused: {info['before']})")
        visible_outline = (
            info["outlineStyle"] not in ("none", "hidden")
            and info["outlineWidth"] >= 2
            and info["outlineColor"] not in TRANSPARENT
        )
        visible_shadow = _shadow_spread(info["boxShadow"]) >= 2
        changed = info["before"] is None or info["before"] != info["now"]
        if not ((visible_outline or visible_shadow) and changed):
            self.problems.append(
                f"{self.page.url} {what}: no visible focus indicator "
                f"(outline {info['outlineStyle']} {info['outlineWidth']}px "
                f"{info['outlineColor']}, box-shadow {info['boxShadow']}; "
                f"unfocused: {info['before']})"
            )
        if info["width"] < 2 or info["height"] < 2:
            self.problems.append(f"{self.page.url} {what}: focused but not visible on screen")
        return info

    def press(self, key):
        self.page.keyboard.press(key)

    def follow(self, key="Enter"):
        """A key that loads another page (a link, a form's button)."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_load_state()

    def type(self, text):
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def tab_to(self, matches, limit=60):
        for _ in range(limit):
            info = self.tab()
            if matches(info):
                return info
        raise AssertionError(f"not reached with Tab: {self.stops[-limit:]}")

    def skip_to_content(self):
        info = self.tab()
        assert "skip-link" in info["cls"], f"the first Tab stop is {info}"
        self.press("Enter")

    def pick(self, info, name):
        """Choose `name` in a radio group or a list, with the arrow keys."""
        for _ in range(40):
            current = self.focused()
            shown = current["selected"] if current["tag"] == "select" else current["label"]
            if name in shown and (current["tag"] == "select" or current["checked"]):
                return
            if current["tag"] == "input" and not current["checked"]:
                self.press("Space")
                continue
            self.press("ArrowDown")
        raise AssertionError(f"{name} not found in the commune choice")


def _keyboard_sign_up(keyboard, js, address, signup_path):
    """Fill and send the sign-up form with Tab, Shift+Tab, typing, Space, the arrow keys and
    Enter, as its fields come: Tab order is the reading order."""
    page = keyboard.page
    plan = {
        "id_first_name": "Camille",
        "id_email": address,
        "id_postcode": "77000",
        "id_hours_per_month": "2",
    }
    tick = {"id_interests_0", "id_consent_emails"}
    commune_reached = False
    for attempt in range(3):  # without scripts, the server asks for the commune once
        keyboard.skip_to_content()
        for _ in range(80):
            info = keyboard.tab()
            if not info["inSignup"]:
                continue
            if info["id"] in plan and info["value"] != plan[info["id"]]:
                keyboard.type(plan[info["id"]])
                if info["id"] == "id_postcode" and js:
                    # 77000 has several communes: the script offers them after the field,
                    # where the next Tab goes (a person reads them before moving on).
                    try:
                        page.locator("[data-commune-slot] [name=commune]").first.wait_for(
                            state="attached", timeout=10_000
                        )
                    except PlaywrightTimeout as error:
                        raise AssertionError(
                            "typing the postcode did not offer its communes before the next "
                            "Tab (static/js/volunteers.js looks them up on input)"
                        ) from error
            elif info["id"] in tick and not info["checked"]:
                keyboard.press("Space")
            elif info["name"] == "commune":
                keyboard.pick(info, "Melun")
                commune_reached = True
            elif info["tag"] == "button" and info["type"] == "submit":
                # Backwards once: Shift+Tab leads to the last field, Tab comes back.
                back = keyboard.tab(backwards=True)
                assert back["id"] == "id_consent_mairie", back
                assert keyboard.tab()["tag"] == "button"
                keyboard.visitor.shot("keyboard-signup-filled")
                page.wait_for_timeout(1100)  # the anti-bot delay of the e2e site
                keyboard.follow("Enter")
                break
        else:
            raise AssertionError(f"the submit button was never reached: {keyboard.stops}")
        if page.locator("form.volunteer-signup").count() == 0:
            # With the script, the commune choice came in Tab order: sent once, accepted.
            assert not js or (attempt == 0 and commune_reached), keyboard.stops
            return
        assert page.url.split("?")[0].endswith(signup_path), page.url
    raise AssertionError(page.locator("main").inner_text())


@JS
@LANG
def test_keyboard_only_sign_up(visitor_factory, outbox, live_site, urls, lang, js):
    visitor = visitor_factory(lang, js)  # here JavaScript is really off when js is False
    page = visitor.page
    keyboard = Keyboard(visitor)
    address = _address(f"keyboard-{lang}-{js}")
    visitor.goto(urls[lang]["home"])
    signup_path = urls[lang]["sign-up page"]
    # From the home page: skip to the content, then the sign-up button.
    keyboard.skip_to_content()
    keyboard.tab_to(lambda info: info["href"].split("?")[0] == signup_path)
    keyboard.follow("Enter")
    assert page.url.split("?")[0].endswith(signup_path), page.url

    _keyboard_sign_up(keyboard, js, address, signup_path)
    assert page.locator("main h1").count() == 1
    visitor.shot("keyboard-signup-thanks")
    outbox.wait_for(address, SUBJECTS[lang]["confirm"])
    print(
        f"keyboard sign-up ({lang}, js {'on' if js else 'off'}): {len(keyboard.stops)} Tab "
        f"stops, each with a visible focus indicator: {' > '.join(keyboard.stops)}"
    )
    assert not keyboard.problems, "\n".join(keyboard.problems)
    assert not visitor.server_errors
