"""The smaller defects found when the site was tried in Chromium as a new visitor would
(issue 11, finding 8), each walked again in the browser."""

import email.utils
import re
import time
import xml.etree.ElementTree as ET

import pytest

from .conftest import LANGUAGES

LANG = pytest.mark.parametrize("lang", LANGUAGES)


@LANG
def test_sign_up_sent_too_fast_says_so_without_internal_labels(visitor_factory, lang):
    """The e2e site refuses a sign-up sent less than a second after the form was shown
    (VOLUNTEERS_MIN_FILL_SECONDS=1), the page coming from the application's cache with this
    visitor's display time. On a loaded machine the browser itself can take more than that
    to fill the form in (CI, 2026-12-07: shown at 03:31:20, sent at 03:31:21 and accepted):
    such an attempt proves nothing and is made again, up to five times. An attempt sent
    within 0.8 s of asking for the page must be refused."""
    visitor = visitor_factory(lang, js=False)
    page = visitor.page
    for attempt in range(5):
        visitor.goto(visitor.home())
        asked = time.monotonic()
        page.locator("main a.button--large").first.click()
        page.locator("form.volunteer-signup").wait_for()
        page.fill("#id_first_name", "Camille")
        page.fill("#id_email", f"trop.vite{attempt}@exemple.fr")
        page.fill("#id_postcode", "77300")  # one commune: Fontainebleau
        page.locator("#id_consent_emails").check()
        page.locator("form.volunteer-signup button[type=submit]").click()
        sent_after = time.monotonic() - asked
        page.wait_for_load_state()
        errors = page.locator("main [role=alert], main .errorlist")
        text = " ".join(errors.all_inner_texts())
        if text.strip() or sent_after < 0.8:
            break
    else:
        pytest.fail("the browser never sent the form within 0.8 s of asking for it")
    assert text.strip(), f"no error shown, the form sent {sent_after:.2f} s after it was asked for"
    assert "Started" not in page.locator("main").inner_text()
    assert "started" not in text.lower()
    assert {"fr": "trop vite", "en": "too quickly"}[lang] in text.lower(), text
    # What was typed is kept.
    assert page.input_value("#id_first_name") == "Camille"
    assert page.input_value("#id_email") == f"trop.vite{attempt}@exemple.fr"
    visitor.shot("signup-too-fast")


def test_favicon(visitor_factory, live_site):
    visitor = visitor_factory("fr")
    response = visitor.page.request.get(live_site.url("/favicon.ico"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")
    assert len(response.body()) > 100


@LANG
@pytest.mark.parametrize("path", ["home", "signup"])
def test_on_a_phone_the_page_heading_is_in_the_first_screen(visitor_factory, lang, path):
    visitor = visitor_factory(
        lang, js=True, viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    page = visitor.page
    visitor.goto(visitor.home())
    if path == "signup":
        page.locator("main a.button--large").first.click()
        page.wait_for_load_state()
    heading = page.locator("main h1").first.bounding_box()
    header = page.locator("body > header, header[role=banner], .site-header").first.bounding_box()
    visitor.shot(f"phone-{path}")
    # The header takes at most a quarter of an 844 px screen; the heading starts in its
    # first half.
    assert header["height"] <= 844 / 4, header
    assert heading["y"] < 844 / 2, heading
    # The menu is still there, one tap away, and opens without JavaScript too.
    menu_button = page.locator("header summary, header button[aria-controls]").first
    assert menu_button.is_visible()
    menu_button.click()
    assert page.locator("nav.main-nav a").first.is_visible()


@LANG
def test_story_feed_dates_are_the_stories_own(visitor_factory, live_site, lang):
    visitor = visitor_factory(lang)
    page = visitor.page
    visitor.goto(visitor.home())
    page.locator("nav.main-nav a").first.click()
    page.wait_for_load_state()
    feed_href = page.locator("link[type='application/rss+xml'], a[href*='flux'], a[href*='feed']")
    href = feed_href.first.get_attribute("href")
    response = page.request.get(href if href.startswith("http") else live_site.url(href))
    assert response.status == 200
    channel = ET.fromstring(response.body()).find("channel")  # noqa: S314 (our own feed)
    items = channel.findall("item")
    assert items
    dates = {}
    for item in items:
        link = item.findtext("link")
        assert link.startswith(live_site.base_url + "/"), link
        slug = link.rstrip("/").rsplit("/", 1)[1]
        dates[slug] = email.utils.parsedate_to_datetime(item.findtext("pubDate")).date()
    stored = live_site.shell(
        "from stories.models import StoryPage;"
        f"print(';'.join(f'{{p.slug}}={{p.publication_date}}' for p in "
        f"StoryPage.objects.filter(slug__in={sorted(dates)!r})))"
    )
    expected = dict(pair.split("=") for pair in stored.split(";"))
    assert {slug: str(day) for slug, day in dates.items()} == expected
    # Demo stories span several months: they are not all stamped with the import time.
    assert len(set(dates.values())) > 1


def test_english_pages_have_english_addresses(visitor_factory, live_site):
    """Every English page the English site links to has an English address."""
    visitor = visitor_factory("en")
    page = visitor.page
    french_words = re.compile(
        r"/en/.*\b(benevoles|histoires|gestes|heure-civique|recherche|affiche-personnalisee|"
        r"communes-engagees|telechargements|flux|livret|une-heure-par-mois|proposer|"
        r"canicule|mentions-legales|donnees-personnelles|accessibilite|la-campagne)\b"
    )
    offenders = set()
    for start in ["/en/", "/en/stories/", "/en/gestures/", "/en/kits/"]:
        response = page.goto(live_site.url(start))
        if response.status != 200:
            offenders.add(f"{start} answered {response.status}")
            continue
        for href in page.locator("a[href^='/en/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        ):
            if french_words.search(href):
                offenders.add(href)
    assert not offenders, sorted(offenders)


def _admin_sign_in(page, live_site, username, password):
    page.goto(live_site.url("/admin/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url, page.locator("body").inner_text()[:500]


def test_admin_commune_chooser_finds_melun(visitor_factory, live_site):
    """Finding 6: 35,000 communes over 3,500 pages and no search box. A story editor opens
    the commune chooser, types "melun" and sets Melun on the story."""
    visitor = visitor_factory("fr", js=True)
    page = visitor.page
    _admin_sign_in(page, live_site, "admin", "admin-tous-voisins")
    index_id = live_site.shell(
        "from stories.models import StoryIndexPage;"
        "print(StoryIndexPage.objects.filter(locale__language_code='fr').first().pk)"
    )
    page.goto(live_site.url(f"/admin/pages/add/stories/storypage/{index_id}/"))
    choose = page.locator("#id_commune-chooser [data-chooser-action-choose]")
    choose.first.click()
    modal = page.locator(".modal-content, [role=dialog]").last
    search = modal.locator("input[name=q]")
    search.wait_for()
    search.fill("melun")
    result = modal.locator("a", has_text=re.compile(r"^\s*Melun\b"))
    result.first.wait_for(timeout=15000)
    visitor.shot("admin-commune-chooser")
    rows = modal.locator("tbody tr").all_inner_texts()
    assert any("77288" in row or "77000" in row for row in rows), rows
    result.first.click()
    page.locator("#id_commune-title", has_text="Melun").wait_for(timeout=10000)
    assert page.input_value("#id_commune") == live_site.shell(
        "from campaign.geography.models import Commune;"
        "print(Commune.objects.get(insee_code='77288').pk)"
    )
    # By postcode and by INSEE code too, through the chooser's own results view.
    for query, expected in (("77000", "Melun"), ("2A004", "Ajaccio"), ("saint-etienne", "Étienne")):
        response = page.request.get(
            live_site.url(f"/admin/snippets/choose/geography/commune/results/?q={query}")
        )
        assert response.status == 200
        assert expected in response.text(), query
