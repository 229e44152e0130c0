"""The assisted sign-up in a real browser (issue 15): Melun's mairie signs a resident up on
their behalf (consent read aloud in person) with a letter to print; the letter is lost, so
the agent finds the sign-up among those awaiting confirmation and prints a new one; the
resident, who has no link to click, types the lost letter's code (refused), then the new
letter's on the address it prints, and confirms with the usual button. Once confirmed, the
agent is told there is no letter left to print. French and English; the resident's side with
JavaScript on and off."""

import re
import uuid

import pypdfium2
import pytest

from .conftest import LANGUAGES
from .staff import set_admin_language, sign_in

MAIRIE = ("mairie-melun", "mairie-demo-melun")
LETTER_PATH = {"fr": "/benevoles/lettre/", "en": "/en/volunteers/letter/"}
CODE = re.compile(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b")


def letter_download(admin, tmp_path, name):
    """The letter as the agent prints it: downloaded from the page's link, its text read."""
    with admin.expect_download() as download:
        admin.locator("main a[href$='/letter/']").first.click()
    pdf_path = tmp_path / name
    download.value.save_as(pdf_path)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def volunteer_state(live_site, first_name):
    return live_site.shell(
        "from volunteers.models import Volunteer\n"
        f"v = Volunteer.objects.get(first_name={first_name!r})\n"
        "print(v.status, v.language, v.consents.filter(source='assisted').count())"
    )


@pytest.mark.parametrize("js", [False, True], ids=["nojs", "js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_mairie_signs_up_a_resident_who_confirms_with_the_letter(
    visitor_factory, outbox, live_site, lang, js, tmp_path
):
    tag = uuid.uuid4().hex[:6]
    first_name = f"Odette{tag}"
    address = f"odette.{tag}@exemple.fr"

    # 1. The mairie's agent fills the form, the consent read aloud, a letter to print.
    set_admin_language(live_site, MAIRIE[0], lang)
    agent = visitor_factory(lang, js=True, accept_downloads=True)
    admin = sign_in(agent, *MAIRIE)
    agent.goto("/admin/volunteers/assisted-signup/")
    admin.fill("#id_first_name", first_name)
    admin.fill("#id_email", address)
    commune = admin.locator("input[name=commune][value='77288']")
    if commune.count():
        commune.check()
    admin.select_option("#id_language", lang)
    admin.check("#id_consent_emails")
    admin.check("input[name=method][value=in_person]")
    admin.check("input[name=channel][value=letter]")
    agent.shot("assisted-signup-form")
    admin.locator("main form[method=post] button[type=submit]").last.click()
    admin.wait_for_load_state()
    agent.shot("assisted-signup-done")
    status, language, assisted_consents = volunteer_state(live_site, first_name).split()
    assert (status, language) == ("pending", lang)
    assert int(assisted_consents) >= 1  # the consent recorded as given through the mairie
    assert first_name not in admin.url and address not in admin.url

    # 2. The letter, downloaded as the agent prints it: in the resident's language, with the
    # address to type the code on.
    text = letter_download(admin, tmp_path, "lettre.pdf")
    assert first_name in text and address not in text
    assert LETTER_PATH[lang] in text, text
    code = CODE.search(text)
    assert code, text
    assert not agent.server_errors
    # No email: the letter is the confirmation's way.
    assert outbox.to(address) == []

    # 3. The letter is lost: the resident calls, the agent finds the sign-up among those
    # awaiting confirmation and prints a new one (a page that explains, then one button).
    agent.goto("/admin/volunteers/assisted-signup/pending/")
    agent.shot("assisted-signup-pending")
    row = admin.locator("main tr", has_text=first_name)
    row.locator("a[href$='/new-letter/']").click()
    admin.wait_for_load_state()
    reissue_url = admin.url
    assert re.search(r"/admin/volunteers/assisted-signup/\d+/new-letter/$", reissue_url)
    agent.shot("assisted-signup-new-letter")
    admin.locator("main form[method=post] button[type=submit]").click()
    admin.wait_for_load_state()
    agent.shot("assisted-signup-new-letter-done")
    new_text = letter_download(admin, tmp_path, "nouvelle-lettre.pdf")
    new_code = CODE.search(new_text)
    assert new_code and new_code.group(0) != code.group(0), new_text
    assert code.group(0) not in new_text and address not in new_text
    assert not agent.server_errors

    # 4. The resident finds the old letter and types its code: refused. Then the new one's,
    # then confirms with the usual button.
    resident = visitor_factory(lang, js=js)
    page = resident.page
    resident.goto(LETTER_PATH[lang])
    page.fill("main input[name=code]", code.group(0))
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    assert resident.status() == 400
    resident.shot("assisted-signup-old-code-refused")
    assert volunteer_state(live_site, first_name).startswith("pending")
    page.fill("main input[name=code]", new_code.group(0))
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    resident.shot("assisted-signup-letter-code")
    assert volunteer_state(live_site, first_name).startswith("pending")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    resident.shot("assisted-signup-confirmed")
    assert volunteer_state(live_site, first_name).startswith(f"confirmed {lang}")
    assert resident.html_lang() == lang
    assert not resident.server_errors

    # 5. Confirmed: the agent's page says there is no letter left to print, with no button.
    agent.goto(reissue_url.removeprefix(live_site.base_url))
    assert admin.locator("main form[method=post]").count() == 0
    assert first_name not in admin.locator("main").inner_text()
    agent.shot("assisted-signup-new-letter-refused")
    assert not agent.server_errors
