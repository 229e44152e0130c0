"""What citizens and mairies do on the public site, in a real browser, in French and in
English, with JavaScript on and off where a citizen uses it: browse and filter the gestures,
"J'ai fait ce geste", the booklet and a personalised poster whose QR codes are read back from
the PDF as a phone would, declaring a commune engaged, nominating a hero."""

import re
import uuid

import pypdfium2
import pytest
import zxingcpp

from .conftest import LANGUAGES
from .site import links_in, text_of
from .staff import set_admin_language, sign_in

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
LANG = pytest.mark.parametrize("lang", LANGUAGES)


def qr_codes(pdf_bytes, scale=3):
    """Every QR code on every page of a PDF, rendered as a phone camera would see it."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    found = []
    for index in range(len(document)):
        bitmap = document[index].render(scale=scale).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(bitmap)]
    return found


def nav_link(visitor, index):
    """The main menu's entries, in menu order: stories, gestures, civic hour, kits, campaign."""
    return visitor.page.locator("nav.main-nav a").nth(index)


@JS
@LANG
def test_browse_and_filter_gestures(visitor_factory, lang, js):
    visitor = visitor_factory(lang, js)
    page = visitor.page
    visitor.goto(visitor.home())
    nav_link(visitor, 1).click()
    page.wait_for_load_state()
    items = page.locator("[data-gesture-item]")
    assert items.count() == 100
    assert visitor.html_lang() == lang
    page.select_option("#filtre-categorie", value="aines")
    if not js:
        page.locator("form[data-gesture-filters] button[type=submit]").click()
        page.wait_for_load_state()
        assert "categorie=aines" in page.url
    visible = page.locator("[data-gesture-item]:visible")
    assert visible.count() == 10
    assert page.locator("[data-gesture-count]").inner_text().strip().startswith("10")
    visitor.shot("gestures-filtered")
    # A gesture page from the filtered list, in the same language.
    visible.first.locator("a").first.click()
    page.wait_for_load_state()
    assert visitor.status() == 200, page.url
    assert visitor.html_lang() == lang
    assert page.locator("main h1").count() == 1
    assert (lang == "en") == ("/en/" in page.url)
    assert not visitor.server_errors


def done_count(live_site, slug):
    return live_site.shell(
        "from gestures.models import GestureCounter, GesturePage;"
        f"p = GesturePage.objects.get(slug={slug!r});"
        "c = GestureCounter.objects.filter(translation_key=p.translation_key).first();"
        "print(c.count if c else 0)"
    )


@JS
@LANG
def test_i_did_this_gesture(visitor_factory, live_site, lang, js):
    visitor = visitor_factory(lang, js)
    page = visitor.page
    visitor.goto(visitor.home())
    page.locator("main .gesture-month__title a").first.click()
    page.wait_for_load_state()
    gesture_url = page.url
    slug = gesture_url.rstrip("/").rsplit("/", 1)[1]
    count_before = done_count(live_site, slug)
    page.locator("#fait form button[type=submit]").click()
    page.wait_for_load_state()
    assert "CSRF" not in page.content()
    assert page.locator("#fait").count() == 1
    visitor.shot("gesture-done")
    count_after = done_count(live_site, slug)
    assert int(count_after) == int(count_before) + 1
    # The same person again: thanked, not counted twice.
    if page.locator("#fait form button[type=submit]").count():
        page.locator("#fait form button[type=submit]").click()
        page.wait_for_load_state()
    again = done_count(live_site, slug)
    assert again == count_after
    assert not visitor.server_errors


@LANG
def test_booklet_qr_code_leads_to_the_site(visitor_factory, live_site, lang):
    visitor = visitor_factory(lang, js=True)
    page = visitor.page
    visitor.goto(visitor.home())
    nav_link(visitor, 1).click()
    page.wait_for_load_state()
    link = page.locator("main a[href*='.pdf'], main a[href*='/livret/'], main a[href*='/booklet/']")
    href = link.first.get_attribute("href")
    response = page.request.get(live_site.url(href) if href.startswith("/") else href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    codes = qr_codes(pdf, scale=2)
    assert codes, "no QR code found in the booklet"
    for code in codes:
        assert code.startswith(live_site.base_url + "/"), code
        assert "localhost" not in code
        # The code leads somewhere real, in the booklet's language.
        assert page.request.get(code).status == 200, code
        assert ("/en/" in code) == (lang == "en"), code
    # The printed address is the same one.
    text = "".join(
        pypdfium2.PdfDocument(pdf)[i].get_textpage().get_text_range()
        for i in range(len(pypdfium2.PdfDocument(pdf)))
    )
    printed = live_site.base_url.split("://", 1)[1]
    assert printed in text.replace("\n", "").replace("\r", "")
    assert "localhost" not in text


@LANG
def test_personalised_poster_qr_code(visitor_factory, live_site, lang):
    visitor = visitor_factory(lang, js=False)
    page = visitor.page
    visitor.goto(visitor.home())
    nav_link(visitor, 3).click()
    page.wait_for_load_state()
    page.locator("main a.card__title a, main .card__title a").first.click()
    page.wait_for_load_state()
    page.locator("main a[href*='affiche'], main a[href*='poster']").first.click()
    page.wait_for_load_state()
    page.fill("#id_q", "Melun")
    page.locator("form.commune-search button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("form.poster-form input[name=commune][value='77288']").check()
    page.fill("#id_contact_line", "Mairie de Melun, 01 64 52 33 00")
    event_line = f"Fête des voisins {uuid.uuid4().hex[:6]}"
    page.fill("#id_event_line", event_line)
    page.locator("form.poster-form button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("poster-result")
    assert "Melun" in page.locator("main").inner_text()
    result_url = page.url
    pdf_link = page.locator("main a[href$='.pdf']").first
    response = page.request.get(live_site.url(pdf_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    codes = qr_codes(response.body(), scale=2)
    assert codes, "no QR code on the poster"
    for code in codes:
        assert code.startswith(live_site.base_url + "/"), code
        assert "commune=77288" in code
        # Scanned: the sign-up page, with Melun shown as the chosen commune.
        scanned = visitor_factory(lang, js=False)
        scanned.page.goto(code)
        assert scanned.page.locator("form.volunteer-signup").count() == 1
        assert "Melun" in scanned.page.locator("form.volunteer-signup").inner_text()
        scanned.shot("poster-scanned-signup")

    # Its maker has it at once; Melun's public page (an engaged commune of the demo) shows
    # it, with its free-text lines, only once staff approved it.
    commune_page = {"fr": "/communes-engagees/", "en": "/en/committed-towns/"}[lang]
    commune_page += "melun-77288/"
    visitor.goto(commune_page)
    assert event_line not in page.locator("main").inner_text()
    staff_moderates(
        visitor_factory,
        live_site,
        lang,
        "/admin/snippets/kits/personalisedposter/?status=pending",
        event_line,
        "approve",
        what="poster",
    )
    visitor.goto(commune_page)
    assert event_line in page.locator("main").inner_text()
    assert page.locator(f"main img[src*='{result_url.split('/')[-3]}']").count() == 1
    visitor.shot("poster-on-commune-page")


def engagement_status(live_site, contact_name):
    return live_site.shell(
        "from kits.models import EngagedCommune;"
        f"print(EngagedCommune.objects.get(contact_name={contact_name!r}).status)"
    )


def staff_moderates(visitor_factory, live_site, lang, link, row_text, action, what="engagement"):
    """Staff (the "redaction" editor, admin in `lang`) open a queue (the one their
    notification links to), and approve or withdraw the row holding `row_text`."""
    staff = visitor_factory(lang, js=True)
    set_admin_language(live_site, "redaction", lang)
    sign_in(staff, "redaction", "voisins-solidaires")
    page = staff.page
    staff.goto(link.removeprefix(live_site.base_url))
    row = page.locator("table.listing tbody tr", has_text=row_text)
    assert row.count() == 1, page.locator("main").inner_text()
    staff.shot(f"{what}-admin-queue-{action}")
    row.locator("button.w-dropdown__toggle").last.click()
    label = {"approve": ("Approuver", "Approve"), "withdraw": ("Retirer", "Withdraw")}[action]
    # The row's menu opens in a popup.
    page.locator("a[href*='/moderer/']:visible", has_text=label[lang == "en"]).click()
    page.wait_for_load_state()
    staff.shot(f"{what}-admin-{action}-confirm")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    staff.shot(f"{what}-admin-{action}-done")
    assert page.locator(".messages .success, .messages li.success").count(), page.url
    assert not staff.server_errors


@LANG
def test_declare_a_commune_engaged(visitor_factory, outbox, live_site, lang):
    """Declare, confirm from the emailed page (a POST: opening the link changes nothing),
    then staff, notified by email, approve it in the admin: only then is it listed; withdrawn,
    it disappears again."""
    # Communes the demo does not engage (it engages Melun, Brest, Annecy, Lille, Quimper).
    postcode, code, name = {
        "fr": ("77300", "77186", "Fontainebleau"),
        "en": ("33000", "33063", "Bordeaux"),
    }[lang]
    # A run stopped half-way on a reused database may have left the commune listed.
    live_site.shell(
        "from kits.models import EngagedCommune;"
        f"print(EngagedCommune.objects.filter(commune_id={code!r}).update(status='withdrawn'))"
    )
    visitor = visitor_factory(lang, js=False)
    page = visitor.page
    visitor.goto(visitor.home())
    nav_link(visitor, 3).click()
    page.wait_for_load_state()
    page.locator("main a[href*='communes-engagees'], main a[href*='committed-towns']").first.click()
    page.wait_for_load_state()
    listing_url = {"fr": "/communes-engagees/", "en": "/en/committed-towns/"}[lang]
    if page.locator("form[method=post] #id_contact_name").count() == 0:
        page.locator("main a[href$='/s-engager/'], main a[href$='/join/']").first.click()
        page.wait_for_load_state()
    page.fill("#id_q", postcode)
    page.locator("form.commune-search button[type=submit]").click()
    page.wait_for_load_state()
    choice = page.locator(f"input[name=commune][value='{code}']")
    if choice.count():
        choice.check()
    tag = uuid.uuid4().hex[:8]
    address = f"mairie.{tag}@exemple.fr"
    contact_name = f"Claire Martin {tag}"
    page.fill("#id_contact_name", contact_name)
    page.fill("#id_role", "Adjointe à la solidarité" if lang == "fr" else "Deputy mayor")
    page.fill("#id_email", address)
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    visitor.shot("engagement-thanks")
    message = outbox.wait_for(address)[0]
    link = [x for x in links_in(text_of(message), live_site.base_url) if "confirm" in x]
    assert link, text_of(message)

    # The link opens a page with a button; opening it (twice, as a mail scanner would)
    # confirms nothing.
    page.goto(link[0])
    page.goto(link[0])
    assert visitor.status() == 200
    visitor.shot("engagement-confirm-page")
    assert engagement_status(live_site, contact_name) == "unconfirmed"
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("engagement-confirmed")
    heading = page.locator("main h1").inner_text()
    assert heading == {"fr": "Adresse confirmée", "en": "Address confirmed"}[lang], heading
    assert engagement_status(live_site, contact_name) == "pending"
    # Confirmed, not yet approved: not listed.
    visitor.goto(listing_url)
    assert page.locator("main a", has_text=name).count() == 0

    # Staff are told, in the site's language, with a link to the queue.
    notice = outbox.wait_for("redaction@tousvoisins.example", subject_contains=name)[-1]
    queue = [x for x in links_in(text_of(notice), live_site.base_url) if "/admin/" in x]
    assert queue, text_of(notice)
    staff_moderates(visitor_factory, live_site, lang, queue[0], contact_name, "approve")
    assert engagement_status(live_site, contact_name) == "approved"

    # The declarer is told, in the language they declared in, with the commune's page and
    # the list.
    listed = {"fr": f"{name} est listée", "en": f"{name} is now listed"}[lang]
    approved = outbox.wait_for(address, subject_contains=listed)
    assert len(approved) == 1
    show_email(visitor, approved[0], "engagement-approved-email")
    body = text_of(approved[0])
    assert {"fr": "Bonjour", "en": "Hello"}[lang] in body, body
    email_links = links_in(body, live_site.base_url)
    assert [x.removeprefix(live_site.base_url) for x in email_links][1:] == [listing_url], body

    # Listed now: the commune's page from the email, and on the list.
    page.goto(email_links[0])
    assert visitor.status() == 200
    assert name in page.locator("main h1").inner_text()
    visitor.shot("engagement-listed-commune-page")
    commune_url = page.url.removeprefix(live_site.base_url)
    visitor.goto(listing_url)
    assert page.locator(f"main a[href='{commune_url}']", has_text=name).count() == 1

    # Withdrawn by staff: gone from the list and the page (so the journey runs again).
    staff_moderates(
        visitor_factory, live_site, lang, queue[0].split("?")[0], contact_name, "withdraw"
    )
    visitor.goto(listing_url)
    assert page.locator("main a", has_text=name).count() == 0
    visitor.goto(commune_url, expect_status=404)
    # The declarer is told, with whom to write to.
    unlisted = {"fr": f"{name} n'est plus listée", "en": f"{name} is no longer listed"}[lang]
    withdrawn = outbox.wait_for(address, subject_contains=unlisted)
    assert len(withdrawn) == 1
    show_email(visitor, withdrawn[0], "engagement-withdrawn-email")
    assert (
        "@"
        in text_of(withdrawn[0]).split({"fr": "écrivez-nous à", "en": "write to us at"}[lang])[1]
    )
    assert not visitor.server_errors


def show_email(visitor, message, name):
    """Screenshot an email's subject and text as a plain page, to read it as sent."""
    from html import escape

    visitor.page.set_content(
        f"<html><body><h1 style='font:bold 18px sans-serif'>{escape(str(message['Subject']))}"
        f"</h1><pre style='white-space:pre-wrap;font:15px sans-serif'>"
        f"{escape(text_of(message))}</pre></body></html>"
    )
    visitor.shot(name)


@JS
@LANG
def test_nominate_a_hero(visitor_factory, outbox, live_site, lang, js):
    visitor = visitor_factory(lang, js)
    page = visitor.page
    visitor.goto(visitor.home())
    nav_link(visitor, 0).click()
    page.wait_for_load_state()
    page.locator("main a[href*='proposer'], main a[href*='nominate']").first.click()
    page.wait_for_load_state()
    address = f"voisin.{uuid.uuid4().hex[:8]}@exemple.fr"
    page.fill("#id_hero_first_name", "Josette")
    page.fill("#id_postcode", "77000")
    page.fill("#id_commune_name", "Melun")
    page.fill(
        "#id_what_they_did",
        "Elle arrose les plantes de tout l'immeuble pendant les vacances."
        if lang == "fr"
        else "She waters the whole building's plants during the holidays.",
    )
    page.locator("#id_hero_agreed").check()
    page.fill("#id_proposer_name", "Paul Durand")
    page.fill("#id_proposer_email", address)
    page.wait_for_timeout(1100)
    page.locator("form.nomination-form button[type=submit]").click()
    page.wait_for_load_state()
    visitor.shot("nomination-thanks")
    assert visitor.html_lang() == lang
    assert page.locator("form.nomination-form").count() == 0, page.locator("main").inner_text()
    ack = outbox.wait_for(address)[0]
    greeting = {"fr": "Bonjour Paul", "en": "Hello Paul"}[lang]
    assert greeting in text_of(ack), text_of(ack)
    stored = live_site.shell(
        "from stories.models import Nomination;"
        f"print(Nomination.objects.filter(proposer_email__iexact={address!r}).count())"
    )
    assert stored == "1"
    assert not visitor.server_errors


# Every page type, reached from the French site, switched to English and back: the switcher
# leads to the same content in the other language, never to an index or a 404.
PAGE_TYPES = {
    "home": "/",
    "content page": "/la-campagne/",
    "stories index": "/histoires/",
    "nomination form": "/histoires/proposer-un-heros/",
    "gestures catalogue": "/gestes/",
    "kits index": "/kits/",
    "sign-up page": "/heure-civique/",
    "search": "/recherche/?q=voisins",
    "poster form": "/affiche-personnalisee/",
    "engaged communes": "/communes-engagees/",
    "engagement form": "/communes-engagees/s-engager/",
}


def _first_link(visitor, selector):
    return visitor.page.locator(selector).first.get_attribute("href")


@pytest.mark.parametrize("page_type", [*PAGE_TYPES, "story", "gesture", "kit"])
def test_switch_language_on_every_page_type(visitor_factory, live_site, page_type):
    visitor = visitor_factory("fr", js=False)
    page = visitor.page
    if page_type in PAGE_TYPES:
        path = PAGE_TYPES[page_type]
    else:
        index = {"story": "/histoires/", "gesture": "/gestes/", "kit": "/kits/"}[page_type]
        visitor.goto(index)
        path = _first_link(
            visitor,
            {
                "story": "main a[href^='/histoires/'][href$='/']:not([href='/histoires/'])"
                ":not([href*='proposer']):not([href*='flux'])",
                "gesture": "[data-gesture-item] a",
                "kit": "main .card__title a",
            }[page_type],
        )
    visitor.goto(path)
    french_h1 = page.locator("main h1").inner_text()
    switcher = page.locator("nav.language-switcher a[hreflang=en]")
    switcher.click()
    page.wait_for_load_state()
    assert visitor.status() == 200, (path, page.url)
    assert page.url.startswith(live_site.url("/en/")), page.url
    assert visitor.html_lang() == "en"
    english_h1 = page.locator("main h1").inner_text()
    if page_type not in ("search",):
        assert english_h1 != french_h1 or page_type == "kits index", (page_type, english_h1)
    # The same kind of page, not the English home (unless we started home).
    if page_type != "home":
        assert page.url.rstrip("/") != live_site.url("/en"), page.url
    assert not re.search(
        r"/en/(benevoles|histoires|gestes|heure-civique|recherche|"
        r"affiche-personnalisee|communes-engagees|telechargements)\b",
        page.url,
    )
    visitor.shot(f"switch-{page_type}")
    page.locator("nav.language-switcher a[hreflang=fr]").click()
    page.wait_for_load_state()
    assert page.url == live_site.url(path), (page.url, path)
