"""The assisted sign-up in a real browser (issue 15): Melun's mairie signs a resident up on
their behalf (consent read aloud in person) with a letter to print; the resident, who has no
link to click, types the letter's code on the address it prints and confirms with the usual
button. French and English; the resident's side with JavaScript on and off."""

import re
import uuid

import pypdfium2
import pytest

from .conftest import LANGUAGES
from .staff import set_admin_language, sign_in

MAIRIE = ("mairie-melun", "mairie-demo-melun")
LETTER_PATH = {"fr": "/benevoles/lettre/", "en": "/en/volunteers/letter/"}
CODE = re.compile(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b")


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
    with admin.expect_download() as download:
        admin.locator("main a[href$='/letter/']").first.click()
    pdf_path = tmp_path / "lettre.pdf"
    download.value.save_as(pdf_path)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert first_name in text and address not in text
    assert LETTER_PATH[lang] in text, text
    code = CODE.search(text)
    assert code, text
    assert not agent.server_errors
    # No email: the letter is the confirmation's way.
    assert outbox.to(address) == []

    # 3. The resident types the code, then confirms with the usual button.
    resident = visitor_factory(lang, js=js)
    page = resident.page
    resident.goto(LETTER_PATH[lang])
    page.fill("main input[name=code]", code.group(0))
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
