"""Staff journeys through the Wagtail admin, in a real browser, with the admin in French
(everyone's default) and in English (the user's preference):

1. the editor writes a story, saves a draft, publishes it, translates it with
   wagtail-localize's editor and publishes the translation: the French story at its French
   address, the English one under /en/ in English, listed on the English stories index;
2. a mairie contributor submits a story to moderation, the Communication team approves it
   from its tasks: live in French, and while untranslated not listed as English, its English
   address showing the French text marked lang="fr" with a notice;
3. the Melun mairie account sees Melun's volunteers who agreed to be shared with their mairie,
   and nobody else, in the listing, its search and its export;
4. every demo account signs in through the login form; a wrong password is told, not a 500.
"""

import csv
import io
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

from django.utils.text import slugify

import pytest

from .conftest import LANGUAGES
from .staff import (
    ADMIN,
    fill_story,
    messages,
    page_action,
    set_admin_language,
    sign_in,
    starts,
    texts,
    translate_segments,
)

# The demo accounts, one per role (campaign/demo.py, stories/demo.py, volunteers/demo.py).
ACCOUNTS = {
    "editor": ("redaction", "voisins-solidaires"),
    "superuser": ("admin", "admin-tous-voisins"),
    "moderator": ("communication", "communication-demo"),
    "contributor": ("contributeur-melun", "contributeur-demo-melun"),
    "mairie": ("mairie-melun", "mairie-demo-melun"),
}

# What each role finds in the admin's menu (French admin).
MENU = {
    "editor": ["Pages", "Envois d'e-mails", "Bénévoles"],
    "superuser": ["Pages", "Paramètres", "Bénévoles"],
    "moderator": ["Pages", "Propositions de héros"],
    "contributor": ["Pages"],
    "mairie": ["Bénévoles"],
}

# The demo volunteers (volunteers/demo.py): Lucie lives in Melun and agreed to be shared with
# her mairie; Karim lives in Melun and did not; Jeanne (Brest) and Tom (Lyon) live elsewhere.
SHARED_MELUN = ("Lucie Martin (démo)", "lucie.martin.demo@example.org")
NOT_SHARED_MELUN = ("Karim Benali (démo)", "karim.benali.demo@example.org")
ELSEWHERE = [
    ("Jeanne Le Goff (démo)", "jeanne.legoff.demo@example.org", "Le Goff"),
    ("Tom Petit (démo)", "tom.petit.demo@example.org", "Petit"),
]

# What the public story pages say, by language.
PUBLIC = {
    "fr": {"index": "/histoires/", "theme": "Réparation"},
    "en": {"index": "/en/stories/", "theme": "Repair"},
}


def _story(tag, author="Odile"):
    """A new story's French text and its English translation, unique to this run."""
    fr_title = f"{author} répare les vélos de la rue des Lilas ({tag})"
    en_title = f"{author} fixes the bikes of Rue des Lilas ({tag})"
    fr = {
        "title": fr_title,
        "hero": author,
        "initial": "R",
        "commune_code": "77288",
        "commune": "Melun",
        "portrait_alt": f"Illustration : {author} souriante devant un vélo ({tag}).",
        "theme": PUBLIC["fr"]["theme"],
        "summary": f"Chaque samedi, {author} répare gratuitement les vélos des voisins ({tag}).",
        "paragraphs": [
            f"Dans sa cour, {author} a installé un petit atelier de réparation ({tag}).",
            f"Les enfants du quartier viennent apprendre à changer une chambre à air ({tag}).",
        ],
    }
    en = {
        fr["title"]: en_title,
        fr["portrait_alt"]: f"Illustration: {author} smiling in front of a bike ({tag}).",
        fr["summary"]: f"Every Saturday, {author} fixes the neighbours' bikes for free ({tag}).",
        fr["paragraphs"][0]: f"In her yard, {author} set up a small repair workshop ({tag}).",
        fr["paragraphs"][1]: f"The neighbourhood children come to learn to change a tube ({tag}).",
        slugify(fr_title): slugify(en_title),
    }
    return fr, en


def _tag():
    return uuid.uuid4().hex[:6]


def _stories_index_id(live_site):
    """The French stories index, as the admin's page explorer reaches it."""
    return int(
        live_site.shell(
            "from stories.models import StoryIndexPage\n"
            "print(StoryIndexPage.objects.get(locale__language_code='fr').pk)"
        )
    )


def _assert_dashboard(visitor, lang):
    page = visitor.page
    assert re.search(r"/admin/$", page.url), page.url
    assert page.title().startswith(ADMIN[lang]["dashboard"]), page.title()
    assert "Tous Voisins" in page.locator("main h1").first.inner_text()
    assert visitor.page.locator("html").get_attribute("lang") == lang


def _sign_in_to_dashboard(visitor, live_site, account, lang):
    username, password = ACCOUNTS[account]
    set_admin_language(live_site, username, lang)
    sign_in(visitor, username, password)
    _assert_dashboard(visitor, lang)
    return visitor.page


def _new_story_form(visitor, live_site, lang):
    """From the stories index in the admin's page explorer, "add a child page": the index
    only takes stories, so this is the story form."""
    page = visitor.page
    visitor.goto(f"/admin/pages/{_stories_index_id(live_site)}/")
    page.locator("a[href$='/add_subpage/']").first.click()
    page.wait_for_load_state()
    assert "/add/stories/storypage/" in page.url, page.url
    return page


def _public_story(visitor, path, *, title, paragraphs, theme, lang):
    """The public story page at `path`: its language, its title, its text, its theme."""
    response = visitor.goto(path)
    page = visitor.page
    assert response.status == 200
    assert visitor.html_lang() == lang
    assert page.locator("h1#story-title").inner_text().strip() == title
    main = page.locator("main").inner_text()
    for paragraph in paragraphs:
        assert paragraph in main, (paragraph, main[:2000])
    assert theme in page.locator(".story-tags").first.inner_text()  # the story's, first
    assert "Melun" in main
    assert not page.locator(".untranslated-notice").count()
    return page


def _wait_for_search(visitor, path, text, timeout=120):
    """The site search at `path` finds `text`, once the worker has indexed it (after the
    demo's own indexing tasks, on a fresh site)."""
    deadline = time.monotonic() + timeout
    while True:
        visitor.goto(path)
        if text in visitor.page.locator("main").inner_text():
            return
        assert time.monotonic() < deadline, f"{path} does not find {text!r}"
        time.sleep(1)


def _listed(visitor, index_path, title):
    """The stories index of a language lists the story titled `title` (newest first)."""
    visitor.goto(index_path)
    cards = visitor.page.locator(".story-card .card__title a")
    return [c.strip() for c in cards.all_inner_texts() if c.strip() == title]


# 1. The editor writes, publishes and translates a story.


@pytest.mark.parametrize("lang", LANGUAGES)
def test_editor_writes_publishes_and_translates_a_story(visitor_factory, live_site, lang):
    words = ADMIN[lang]
    tag = _tag()
    story, english = _story(f"e{tag}")
    editor = visitor_factory(lang)
    page = _sign_in_to_dashboard(editor, live_site, "editor", lang)

    # Write it and save a draft: not public yet.
    page = _new_story_form(editor, live_site, lang)
    fill_story(page, lang, story)
    editor.shot("staff-story-filled")
    page_action(page, lang, words["save_draft"])
    assert any(story["title"] in m for m in messages(page)), messages(page)
    edit_url = page.url
    assert re.search(r"/admin/pages/\d+/edit/$", edit_url), edit_url
    fr_path = f"/histoires/{slugify(story['title'])}/"
    reader = visitor_factory("fr")
    reader.goto(fr_path, expect_status=404)

    # Publish it: the French story is public.
    page_action(page, lang, words["publish"])
    assert any(story["title"] in m for m in messages(page)), messages(page)
    editor.shot("staff-story-published")
    _public_story(
        reader,
        fr_path,
        title=story["title"],
        paragraphs=story["paragraphs"],
        theme=PUBLIC["fr"]["theme"],
        lang="fr",
    )
    reader.shot("staff-story-public-fr")

    # Translate it: the page's actions → "Translate this page" → English → the editor.
    editor.page.goto(live_site.url(edit_url.removeprefix(live_site.base_url)))
    page.get_by_role("button", name=re.compile("Actions")).first.click()
    page.get_by_role("link", name=starts(words["translate"])).first.click()
    page.wait_for_load_state()
    assert "/localize/submit/page/" in page.url, page.url
    page.get_by_label("English").check()
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    editor.shot("staff-translation-editor")
    translated = translate_segments(page, lang, english)
    assert story["title"] in translated and story["paragraphs"][1] in translated, translated
    with page.expect_navigation():
        page.get_by_role("button", name=starts(words["publish_in"])).click()
    page.wait_for_load_state()
    assert any(english[story["title"]] in m for m in messages(page)), messages(page)
    editor.shot("staff-translation-published")

    # The English story, in English, under /en/, on the English index.
    en_title = english[story["title"]]
    en_path = f"/en/stories/{slugify(en_title)}/"
    english_reader = visitor_factory("en")
    public = _public_story(
        english_reader,
        en_path,
        title=en_title,
        paragraphs=[english[p] for p in story["paragraphs"]],
        theme=PUBLIC["en"]["theme"],
        lang="en",
    )
    main = public.locator("main").inner_text()
    assert story["paragraphs"][0] not in main and story["summary"] not in main
    english_reader.shot("staff-story-public-en")
    assert _listed(english_reader, PUBLIC["en"]["index"], en_title), "not on the English index"
    assert not _listed(english_reader, PUBLIC["en"]["index"], story["title"])
    english_reader.shot("staff-stories-index-en")

    # The French story is still French at its French address, and points to its translation.
    _public_story(
        reader,
        fr_path,
        title=story["title"],
        paragraphs=story["paragraphs"],
        theme=PUBLIC["fr"]["theme"],
        lang="fr",
    )
    alternate = reader.page.locator("link[rel=alternate][hreflang=en]").get_attribute("href")
    assert alternate and alternate.endswith(en_path), alternate
    assert _listed(reader, PUBLIC["fr"]["index"], story["title"])
    assert not editor.server_errors + reader.server_errors + english_reader.server_errors


# 2. A mairie contributor submits a story; the Communication team approves it.


@pytest.mark.parametrize("lang", LANGUAGES)
def test_contributor_submits_and_communication_approves_a_story(visitor_factory, live_site, lang):
    words = ADMIN[lang]
    tag = _tag()
    story, _english = _story(f"m{tag}", author="Nadia")
    contributor = visitor_factory(lang)
    page = _sign_in_to_dashboard(contributor, live_site, "contributor", lang)
    page = _new_story_form(contributor, live_site, lang)
    fill_story(page, lang, story)
    page_action(page, lang, words["submit"])
    errors = texts(page, ".error-message, .w-field__errors, [data-field-errors]")
    assert any(story["title"] in m for m in messages(page)), (messages(page), errors)
    # Back in the stories' listing, marked as in moderation.
    row = page.locator("tr", has_text=story["title"])
    assert "moderation" in row.inner_text().lower().replace("é", "e"), row.inner_text()
    contributor.shot("staff-moderation-submitted")
    fr_path = f"/histoires/{slugify(story['title'])}/"
    reader = visitor_factory("fr")
    reader.goto(fr_path, expect_status=404)  # awaiting approval: not public

    # The moderator finds it among the tasks awaiting their review, and approves it.
    moderator = visitor_factory(lang)
    page = _sign_in_to_dashboard(moderator, live_site, "moderator", lang)
    task = page.locator("main").get_by_role("link", name=story["title"]).first
    task.wait_for()
    moderator.shot("staff-moderation-dashboard")
    task.click()
    page.wait_for_load_state()
    assert re.search(r"/admin/pages/\d+/edit/$", page.url), page.url
    page_action(page, lang, words["approve"])
    assert any(story["title"] in m for m in messages(page)), messages(page)
    moderator.shot("staff-moderation-approved")

    # Live in French.
    _public_story(
        reader,
        fr_path,
        title=story["title"],
        paragraphs=story["paragraphs"],
        theme=PUBLIC["fr"]["theme"],
        lang="fr",
    )
    assert _listed(reader, PUBLIC["fr"]["index"], story["title"])
    reader.shot("staff-moderation-public-fr")

    # The French home (latest stories), feed and search list it; the search index is
    # written by the worker, so the English absences below are checked once it has been.
    word = f"m{tag}"  # the title's own word
    for path in ("/", "/histoires/flux/"):
        reader.goto(path)
        assert story["title"] in reader.page.content(), path
    _wait_for_search(reader, f"/recherche/?q={word}", story["title"])
    # Not translated: the English site does not list it as English (index, home, feed,
    # search), and its English address shows the French text marked as French, with a
    # notice.
    english_reader = visitor_factory("en")
    assert not _listed(english_reader, PUBLIC["en"]["index"], story["title"])
    english_reader.shot("staff-moderation-index-en")
    for path in ("/en/", "/en/stories/feed/", f"/en/search/?q={word}"):
        english_reader.goto(path)
        assert story["title"] not in english_reader.page.content(), path
    english_reader.goto(f"/en/stories/{slugify(story['title'])}/")
    en_page = english_reader.page
    notice = en_page.locator(".untranslated-notice")
    assert notice.count() == 1, "no notice that the page is not translated"
    text = notice.inner_text().lower()
    assert "translated" in text and "french" in text, text
    title = en_page.locator("h1#story-title")
    assert title.inner_text().strip() == story["title"]
    # The French text is marked as French (by the page's language or a wrapper's).
    assert title.evaluate("(el) => el.closest('[lang]').getAttribute('lang')") == "fr"
    paragraph = en_page.get_by_text(story["paragraphs"][0])
    assert paragraph.evaluate("(el) => el.closest('[lang]').getAttribute('lang')") == "fr"
    english_reader.shot("staff-moderation-alias-en")
    assert not (
        contributor.server_errors
        + moderator.server_errors
        + reader.server_errors
        + english_reader.server_errors
    )


# 3. The Melun mairie account sees its shared volunteers, nobody else.


def _volunteer_rows(page):
    return [t.strip() for t in page.locator("table tbody tr").all_inner_texts()]


def _search_volunteers(page, text):
    """Type in the listing's search box; the listing is replaced by the matches (the
    response for this very query is awaited, not a previous one's)."""
    box = page.locator("#id_q")  # the listing's own search (not the menu's, #menu-search-q)

    def answers(response):
        query = parse_qs(urlsplit(response.url).query)
        return query.get("q") == [text] and "/volunteers/volunteer/" in response.url

    # Wagtail's SwapController writes the results, then dispatches "w-swap:success" with
    # the URL it fetched: the rows are read once that event came for this query (reading
    # them on the response alone raced the swap: the fresh-clone CI read the previous
    # search's rows). A full page load (no swap) leaves the marker undefined: it is fresh.
    page.evaluate(
        """(text) => {
            window.__tvSwapped = false;
            document.addEventListener("w-swap:success", (event) => {
                const url = new URL(event.detail.requestUrl, location.href);
                if (url.searchParams.get("q") === text) window.__tvSwapped = true;
            });
        }""",
        text,
    )
    with page.expect_response(answers):
        box.fill(text)
        box.press("Enter")
    page.wait_for_function("() => window.__tvSwapped !== false")
    page.wait_for_load_state("networkidle")
    return " ".join(_volunteer_rows(page))


def _export_csv(page):
    """The listing's "Download CSV", from the menu of its header's "⋯" button: the link
    it follows and the rows of the file downloaded."""
    link = page.locator("a[href*='export=csv']")
    if not link.count():  # the menu's items exist while it is open
        page.locator("header").get_by_role("button").filter(
            has=page.locator("svg.icon-dots-horizontal")
        ).first.click()
    href = link.first.get_attribute("href")
    with page.expect_download() as info:
        link.first.click()
    with open(info.value.path(), encoding="utf-8-sig") as handle:
        return href, [row for row in csv.reader(io.StringIO(handle.read())) if row]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mairie_sees_only_its_shared_volunteers(visitor_factory, live_site, lang):
    visitor = visitor_factory(lang)
    page = _sign_in_to_dashboard(visitor, live_site, "mairie", lang)
    page.get_by_role("link", name=ADMIN[lang]["volunteers"]).first.click()
    page.wait_for_load_state()
    assert "/admin/snippets/volunteers/volunteer/" in page.url, page.url
    listing = " ".join(_volunteer_rows(page))
    visitor.shot("staff-mairie-volunteers")
    assert SHARED_MELUN[0] in listing and SHARED_MELUN[1] in listing, listing
    for name, address, *_ in [NOT_SHARED_MELUN, *ELSEWHERE]:
        assert name not in listing and address not in listing, listing

    # The export: the same people.
    _href, rows = _export_csv(page)
    exported = "\n".join(",".join(row) for row in rows)
    assert SHARED_MELUN[1] in exported, exported
    for _name, address, *_ in [NOT_SHARED_MELUN, *ELSEWHERE]:
        assert address not in exported, exported

    # The search finds Lucie, and nobody of another commune by name or address.
    assert SHARED_MELUN[0] in _search_volunteers(page, "Martin")
    visitor.shot("staff-mairie-search")
    for name, address, last_name in ELSEWHERE:
        assert name not in _search_volunteers(page, last_name)
        assert name not in _search_volunteers(page, address)
    assert NOT_SHARED_MELUN[0] not in _search_volunteers(page, "Benali")
    # Nor in the export of a search that would find her for the campaign team.
    name, address, last_name = ELSEWHERE[0]
    assert name not in _search_volunteers(page, last_name)
    visitor.shot("staff-mairie-search-empty")
    href, rows = _export_csv(page)
    assert parse_qs(urlsplit(href).query).get("q") == [last_name], href
    assert len(rows) == 1, rows  # the headings only

    # Another commune's volunteer has no page for them either.
    other_pk = live_site.shell(
        "from volunteers.models import Volunteer\n"
        f"print(Volunteer.objects.get(email={ELSEWHERE[0][1]!r}).pk)"
    )
    visitor.goto(f"/admin/snippets/volunteers/volunteer/inspect/{other_pk}/", expect_status=404)
    assert not visitor.server_errors


def test_those_volunteers_exist_for_the_campaign_team(visitor_factory, live_site):
    """The control of test 3: the volunteers the mairie must not see are in the demo, and
    the superuser's listing shows them (so their absence above is the mairie's filter)."""
    visitor = visitor_factory("fr")
    page = _sign_in_to_dashboard(visitor, live_site, "superuser", "fr")
    visitor.goto("/admin/snippets/volunteers/volunteer/")
    listing = " ".join(_volunteer_rows(page))
    for name, address, *_ in [SHARED_MELUN, NOT_SHARED_MELUN, *ELSEWHERE]:
        assert name in listing and address in listing, (name, listing)
    # And the search finds them by name and by address.
    for name, address, last_name in ELSEWHERE:
        found = _search_volunteers(page, last_name)
        assert name in found and SHARED_MELUN[0] not in found, found
        assert name in _search_volunteers(page, address)
    assert NOT_SHARED_MELUN[0] in _search_volunteers(page, "Benali")


# 4. Every demo account signs in; a wrong password is told.


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_demo_account_signs_in(visitor_factory, live_site, account):
    visitor = visitor_factory("fr")
    username, password = ACCOUNTS[account]
    set_admin_language(live_site, username, "fr")
    page = sign_in(visitor, username, password)
    assert not page.locator("form.login-form").count(), messages(page)
    _assert_dashboard(visitor, "fr")
    # The menu offers what the role is for.
    menu = page.get_by_role("navigation").first.inner_text()
    for item in MENU[account]:
        assert item in menu, (item, menu)
    visitor.shot(f"staff-signed-in-{account}")
    assert not visitor.server_errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrong_password_is_told(visitor_factory, live_site, lang):
    visitor = visitor_factory(lang)
    username, _password = ACCOUNTS["editor"]
    page = sign_in(visitor, username, "not-the-password")
    assert "/admin/login/" in page.url
    error = page.locator(".messages .error, .login-form .error-message").first
    error.wait_for()
    # The login page speaks the admin's default language (French) whatever the browser's:
    # nobody is signed in yet to have a preference.
    text = error.inner_text()
    assert ADMIN["fr"]["login_error"] in text or ADMIN["en"]["login_error"] in text, text
    assert page.locator("form.login-form #id_username").input_value() == username
    visitor.shot("staff-wrong-password")
    assert not visitor.server_errors
    # The right password still works after that.
    sign_in(visitor, username, ACCOUNTS["editor"][1])
    assert re.search(r"/admin/$", page.url), page.url
