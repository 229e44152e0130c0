"""The elected officials' space in a real browser (issue 15): an official finds the network's
meeting from its home, registers (JavaScript on and off, French and English), confirms from
the email (opening the link changes nothing), and receives the reminder the day before, once."""

import uuid

import pytest

from .conftest import LANGUAGES
from .site import links_in, text_of

INDEX = {"fr": "/reseau-des-elus/", "en": "/en/officials-network/"}
MEETING_SLUG = "rencontre-ile-de-france-2027"
WORDS = {
    "fr": {"thanks": "Merci, vérifiez vos e-mails", "confirmed": "Votre inscription est confirmée"},
    "en": {"thanks": "Thank you, check your emails", "confirmed": "Your registration is confirmed"},
}


def registration_state(live_site, address):
    return live_site.shell(
        "from network.models import MeetingRegistration as R\n"
        f"r = R.objects.filter(email={address!r}).first()\n"
        "print('none' if r is None else ('confirmed' if r.confirmed_at else 'pending')"
        " + (' reminded' if r.reminded_at else ''))"
    )


@pytest.mark.parametrize("js", [False, True], ids=["nojs", "js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_official_registers_for_a_meeting(visitor_factory, outbox, live_site, lang, js):
    tag = uuid.uuid4().hex[:6]
    address = f"elue.{tag}@mairie-exemple.fr"
    official = visitor_factory(lang, js=js)
    page = official.page

    # From the network's home to its next meeting.
    official.goto(INDEX[lang])
    official.shot("network-home")
    page.locator("main a[href*='rencontre'], main a[href*='meeting']").first.click()
    page.wait_for_load_state()
    assert official.status() == 200
    assert official.html_lang() == lang
    official.shot("network-meeting")

    page.fill("#id_name", f"Nadia Ferreira {tag}")
    page.fill("#id_email", address)
    page.fill("#id_commune", "Melun")
    page.fill("#id_role", "Adjointe à la solidarité" if lang == "fr" else "Deputy mayor")
    page.check("#id_consent")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text().strip() == WORDS[lang]["thanks"]
    official.shot("network-registration-thanks")
    assert registration_state(live_site, address) == "pending"

    # The email's link opens a page with a button; only the button confirms.
    message = outbox.wait_for(address)[0]
    links = [x for x in links_in(text_of(message), live_site.base_url) if "confirm" in x]
    assert links, text_of(message)
    assert address not in links[0]
    page.goto(links[0])
    page.goto(links[0])
    assert registration_state(live_site, address) == "pending"
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text().strip() == WORDS[lang]["confirmed"]
    official.shot("network-registration-confirmed")
    assert registration_state(live_site, address) == "confirmed"

    # The day before the meeting, the hourly command sends the reminder, once.
    live_site.shell(
        "from datetime import datetime, time, timedelta\n"
        "from django.utils import timezone\n"
        "from network.models import MeetingPage\n"
        f"for page in MeetingPage.objects.filter(translation_key=MeetingPage.objects.get("
        f"slug={MEETING_SLUG!r}).translation_key):\n"
        "    length = page.end - page.start\n"
        # Tomorrow at noon in the site's time zone: "now + 20 h" is still today after
        # midnight in Paris (the reminders go to tomorrow's meetings), and failed then.
        "    tomorrow = timezone.localdate() + timedelta(days=1)\n"
        "    page.start = timezone.make_aware(datetime.combine(tomorrow, time(12)))\n"
        "    page.end = page.start + length\n"
        "    page.save(update_fields=['start', 'end'])\n"
        "print('ok')"
    )
    live_site.manage("network_send_reminders")
    live_site.manage("network_send_reminders")
    reminders = outbox.wait_for(address, count=2)
    assert len(outbox.to(address)) == 2, [m["Subject"] for m in outbox.to(address)]
    assert "confirmed reminded" == registration_state(live_site, address)
    assert reminders[-1]["Subject"] != message["Subject"]
    assert not official.server_errors
