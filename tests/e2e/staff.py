"""What staff do in the Wagtail admin, as a person does it in the browser: sign in, set the
admin's language, write a story, translate it with wagtail-localize, moderate it. Used by
test_staff_journeys.py.

The admin speaks the user's preferred language (French by default): every label is given in
both languages, and the locators accept either."""

import re
import time

from playwright.sync_api import Error

# Admin labels, French (the default) and English (a user who prefers English).
ADMIN = {
    "fr": {
        "sign_in": "S'identifier",
        "login_error": "ne correspondent",
        "dashboard": "Tableau de bord",
        "save_draft": "Enregistrer le brouillon",
        "publish": "Publier",
        "more_actions": "Plus d'actions",
        "submit": "Soumettre à",
        "choose_commune": "Choisir commune",
        "choose_image": "Choisir une image",
        "insert_block": "Insérer un bloc",
        "paragraph": "Paragraphe",
        "translate": "Traduire",
        "save": "Enregistrer",
        "publish_in": "Publier dans",
        "search": "Rechercher",
        "approve": "Approuver",
        "volunteers": "Bénévoles",
    },
    "en": {
        "sign_in": "Sign in",
        "login_error": "didn't match",
        "dashboard": "Dashboard",
        "save_draft": "Save draft",
        "publish": "Publish",
        "more_actions": "More actions",
        "submit": "Submit to",
        "choose_commune": "Choose commune",
        "choose_image": "Choose an image",
        "insert_block": "Insert a block",
        "paragraph": "Paragraph",
        "translate": "Translate",
        "save": "Save",
        "publish_in": "Publish in",
        "search": "Search",
        "approve": "Approve",
        "volunteers": "Volunteers",
    },
}


def exact(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def starts(text):
    return re.compile(rf"^\s*{re.escape(text)}")


def sign_in(visitor, username, password):
    """The admin's login form, filled and sent as a person does; returns the page."""
    page = visitor.page
    visitor.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("form.login-form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def set_admin_language(live_site, username, lang):
    """The user's preferred admin language (what their account page's "Language
    preferences" save), written in the site's database."""
    live_site.shell(
        "from django.contrib.auth import get_user_model\n"
        "from wagtail.users.models import UserProfile\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        "profile = UserProfile.get_for_user(user)\n"
        f"profile.preferred_language = {lang!r}\n"
        "profile.save()\n"
        "print('ok')"
    )


def choose_in_modal(page, button_name, search=None, choice=None):
    """Open a chooser (commune snippet, image) with its button, search it, pick a result."""
    page.get_by_role("button", name=button_name).first.click()
    modal = page.locator(".modal.fade.show, .modal[aria-hidden=false]").last
    modal.locator("[data-chooser-modal-choice]").first.wait_for()
    if search:
        modal.locator("input[name=q]").fill(search)
        page.wait_for_timeout(400)  # the chooser searches as one types
        modal.locator("[data-chooser-modal-choice]", has_text=choice or "").first.wait_for()
    link = modal.locator("[data-chooser-modal-choice]")
    if choice:
        link = link.filter(has_text=choice)
    link.first.click()
    modal.wait_for(state="hidden")


def add_paragraph(page, lang, text):
    """A paragraph block at the end of the StreamField "body", typed into Draftail."""
    body = page.locator("[data-contentpath=body]").first
    editors = body.locator("[contenteditable=true]")
    before = editors.count()
    body.get_by_role("button", name=ADMIN[lang]["insert_block"]).last.click()
    page.get_by_role("option", name=ADMIN[lang]["paragraph"]).click()
    editor = editors.nth(before)
    editor.wait_for()
    editor.click()
    page.keyboard.type(text)
    assert text in editor.inner_text()
    # Draftail writes its hidden input a moment after the last keystroke: wait for it, or a
    # click on a save button right away would send the block empty.
    page.wait_for_function(
        """([root, text]) => [...root.querySelectorAll("input[type=hidden]")]
            .some((input) => input.value.includes(text))""",
        arg=[body.element_handle(), text],
    )


def fill_story(page, lang, story):
    """The fields of a new story, as its author fills them: title, hero, commune (chooser),
    portrait (image chooser) and its text alternative, theme, summary, body, consent."""
    page.fill("#id_title", story["title"])
    page.fill("#id_hero_first_name", story["hero"])
    page.fill("#id_hero_initial", story.get("initial", ""))
    choose_in_modal(
        page, ADMIN[lang]["choose_commune"], search=story["commune_code"], choice=story["commune"]
    )
    assert story["commune"] in page.locator("[data-contentpath=commune]").inner_text()
    # One of the demo's illustrated portraits ("Illustration – <story>"), picked from the
    # chooser's first page (its search depends on the worker having indexed the images).
    choose_in_modal(page, ADMIN[lang]["choose_image"], choice="Illustration –")
    page.fill("#id_portrait_alt", story["portrait_alt"])
    theme = page.locator("[data-contentpath=themes] label", has_text=exact(story["theme"]))
    theme.locator("input").check()
    assert theme.locator("input").is_checked()
    page.fill("#id_summary", story["summary"])
    for paragraph in story["paragraphs"]:
        add_paragraph(page, lang, paragraph)
    if story.get("consent", True):
        page.locator("#id_consent_given").check()
    # The slug is written from the title by the admin's script (in the Promote tab); on a
    # busy machine it can lag behind a fast typist: wait for it as a person would see it.
    page.wait_for_function("() => (document.querySelector('#id_slug') || {}).value")


def _settle(page, timeout=90.0):
    """Wait until the page is a loaded document that stays put for a moment. Wagtail 8
    autosaves the editor (every 500 ms; on a new page it swaps the URL and the form's
    action), so a click on a footer action can be followed by more than one navigation;
    reading the page during one of them fails with "Execution context was destroyed"."""
    deadline = time.monotonic() + timeout
    stable_since, last = None, None
    while time.monotonic() < deadline:
        try:
            state = page.evaluate("[document.readyState, location.href]")
        except Error:  # a navigation is under way: its new document is awaited
            stable_since, last = None, None
            time.sleep(0.2)
            continue
        if state[0] == "complete" and state == last:
            if time.monotonic() - stable_since >= 0.6:
                return
        else:
            stable_since, last = time.monotonic(), state
        time.sleep(0.2)
    raise AssertionError(f"the admin page never settled: {last}")


def texts(page, selector):
    """The inner texts of `selector` on a settled page (see _settle)."""
    for _attempt in range(5):
        _settle(page)
        try:
            return page.locator(selector).all_inner_texts()
        except Error as error:
            if "context was destroyed" not in str(error):
                raise
    raise AssertionError(f"the admin page kept navigating while {selector} was read")


def messages(page):
    """The admin's flash messages (success, error) on the current page, as text."""
    _settle(page)
    # A manual save can land on a page whose message arrives a moment later. Wait for one
    # (the caller still asserts what it says).
    try:
        page.locator(".messages li").first.wait_for(timeout=30_000)
    except Error:  # no message at all: the caller's assertion says so
        pass
    return texts(page, ".messages li")


def _autosave_idle(page):
    """Wait while Wagtail's autosave is saving (its indicator says so), so that a footer
    action is not clicked in the middle of an autosave request."""
    indicator = page.locator("#w-autosave-indicator")
    if not indicator.count():
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if indicator.get_attribute("data-w-autosave-state-value") != "saving":
            return
        time.sleep(0.2)


def page_action(page, lang, name):
    """One of the editor's footer actions (save draft, publish, submit to moderation):
    the main button, or an item of the menu its arrow opens."""
    _autosave_idle(page)
    button = page.get_by_role("button", name=starts(name))
    if not button.first.is_visible():
        page.get_by_role("button", name=ADMIN[lang]["more_actions"]).first.click()
        button.first.wait_for()
    # Publishing runs the workflow and queues tasks; on a loaded 2-core machine the answer
    # has taken longer than Playwright's default 30 s (CI of 5 Dec, en): wait like a patient
    # editor would.
    with page.expect_navigation(timeout=90_000):
        button.first.click()
    _settle(page)


def translate_segments(page, lang, translations):
    """In wagtail-localize's translation editor, translate every untranslated segment of
    every tab: `translations` maps each source text to its translation. Each segment is
    saved as a person saves it (Translate → type → Save), and the editor's own mark
    (the segment no longer "incomplete") is awaited."""
    words = ADMIN[lang]
    done = []
    tabs = page.get_by_role("tab")
    for index in range(tabs.count()):
        tabs.nth(index).click()
        while True:
            segment = page.locator("li.incomplete:visible").first
            if not segment.count():
                break
            handle = segment.element_handle()  # this segment, once it is no longer incomplete
            source = segment.locator("p").first.inner_text().strip()
            assert source in translations, f"No translation given for {source!r}"
            segment.get_by_role("button", name=exact(words["translate"])).click()
            handle.wait_for_selector("textarea").fill(translations[source])
            for button in handle.query_selector_all("button"):
                if button.inner_text().strip() == words["save"]:
                    button.click()
                    break
            else:
                raise AssertionError(f"No {words['save']!r} button for {source!r}")
            # The segment is saved through the editor's API, then marked complete.
            page.wait_for_function("(el) => !el.classList.contains('incomplete')", arg=handle)
            assert translations[source] in handle.inner_text()
            done.append(source)
    return done
