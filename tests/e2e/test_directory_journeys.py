"""The local solidarity directory in a real browser (issue 15): an actor proposes its entry,
confirms it from the email, the commune's mairie approves it in the admin, and a resident
finds it from a postcode; in French and English, with JavaScript on and off for the public
side (the admin is used with JavaScript, as staff use it)."""

import re
import uuid

import pytest

from .conftest import LANGUAGES
from .site import links_in, text_of
from .staff import ADMIN, messages, page_action, set_admin_language, sign_in

PATHS = {
    "fr": {"search": "/annuaire/", "propose": "/annuaire/proposer/"},
    "en": {"search": "/en/directory/", "propose": "/en/directory/propose/"},
}
WORDS = {
    "fr": {
        "confirmed": "Proposition confirmée",
        "found": "acteurs trouvés",
    },
    "en": {
        "confirmed": "Proposal confirmed",
        "found": "organisations found",
    },
}
MAIRIE = ("mairie-melun", "mairie-demo-melun")


def actor_status(live_site, name):
    return live_site.shell(
        f"from directory.models import Actor;print(Actor.objects.get(name={name!r}).status)"
    )


@pytest.mark.parametrize("js", [False, True], ids=["nojs", "js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_actor_proposes_the_mairie_approves_a_resident_finds_it(
    visitor_factory, outbox, live_site, lang, js
):
    tag = uuid.uuid4().hex[:6]
    name = {
        "fr": f"Repair café de l'Almont {tag}",
        "en": f"Almont repair café {tag}",
    }[lang]
    address = f"repair.{tag}@exemple.fr"
    description = {
        "fr": "Chaque premier samedi du mois, des bénévoles réparent avec vous petit "
        "électroménager, vélos et vêtements. Gratuit, sans inscription.",
        "en": "Every first Saturday of the month, volunteers help you mend small appliances, "
        "bikes and clothes. Free, no booking.",
    }[lang]

    # 1. The actor finds the form from the directory, picks Melun from its postcode and
    # proposes its entry.
    actor = visitor_factory(lang, js=js)
    page = actor.page
    actor.goto(PATHS[lang]["search"])
    page.locator("main a[href$='/proposer/'], main a[href$='/propose/']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(PATHS[lang]["propose"]), page.url
    page.fill("form.commune-search input[name=q]", "77000")
    page.locator("form.commune-search button[type=submit]").click()
    page.wait_for_load_state()
    choice = page.locator("input[name=commune][value='77288']")
    if choice.count() and choice.first.get_attribute("type") == "radio":
        choice.first.check()
    page.fill("#id_name", name)
    page.fill("#id_description", description)
    page.locator("input[name=besoins]").first.check()
    page.fill("#id_address", "Salle des fêtes, rue du Général-de-Gaulle")
    page.fill("#id_postcode", "77000")
    page.fill("#id_website", "https://repaircafe.example.org/")
    page.fill("#id_proposer_email", address)
    actor.shot("directory-proposal-filled")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    actor.shot("directory-proposal-thanks")
    assert actor.status() == 200
    assert actor_status(live_site, name) == "unconfirmed"

    # 2. The email's link opens a page with a button; opening it changes nothing, the
    # button confirms. Not public yet.
    message = outbox.wait_for(address)[0]
    body = text_of(message)
    assert name in body, body
    link = [x for x in links_in(body, live_site.base_url) if "/confirm" in x]
    assert link, body
    assert address not in link[0]
    page.goto(link[0])
    assert actor.status() == 200
    assert actor_status(live_site, name) == "unconfirmed"
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    actor.shot("directory-proposal-confirmed")
    assert page.locator("main h1").inner_text().strip() == WORDS[lang]["confirmed"]
    assert actor_status(live_site, name) == "pending"
    actor.goto(PATHS[lang]["search"] + "?q=77000")
    assert page.locator("main", has_text=name).count() == 0

    # 3. Melun's mairie, signed in to the admin, finds it in the queue and publishes it.
    set_admin_language(live_site, MAIRIE[0], lang)
    mairie = visitor_factory(lang, js=True)
    admin = sign_in(mairie, *MAIRIE)
    mairie.goto("/admin/snippets/directory/actor/?status=pending")
    row = admin.locator("table.listing tbody tr", has_text=name)
    assert row.count() == 1, admin.locator("main").inner_text()
    mairie.shot("directory-mairie-queue")
    row.get_by_role("link", name=name).first.click()
    admin.wait_for_load_state()
    admin.select_option("#id_status", "published")
    page_action(admin, lang, ADMIN[lang]["save"])
    assert any(name in m for m in messages(admin)), messages(admin)
    mairie.shot("directory-mairie-published")
    assert actor_status(live_site, name) == "published"
    assert not mairie.server_errors

    # 4. A resident looks for help near 77000 (Melun's postcode) and finds it, with its page.
    resident = visitor_factory(lang, js=js)
    found = resident.page
    resident.goto(PATHS[lang]["search"])
    found.fill("main input[name=q]", "77000")
    found.locator("main form[method=get] button[type=submit]").last.click()
    found.wait_for_load_state()
    assert WORDS[lang]["found"] in found.locator("main").inner_text()
    card = found.locator("main a", has_text=name)
    assert card.count() == 1, found.locator("main").inner_text()
    resident.shot("directory-resident-results")
    card.first.click()
    found.wait_for_load_state()
    assert resident.status() == 200
    main = found.locator("main").inner_text()
    assert name in main and "repaircafe.example.org" in main
    assert address not in found.content()  # the proposer's address is never public
    assert re.search(r"(vérifiées le|checked on)", main, re.I), main
    resident.shot("directory-actor-page")
    assert resident.html_lang() == lang
    assert not (actor.server_errors or resident.server_errors)


CHECKED = {
    # (demo actor, what the actor does on the check page)
    "fr": ("epicerie-solidaire-d-annecy", "confirm"),
    "en": ("centre-social-de-fives-lille", "update"),
}


@pytest.mark.parametrize("js", [False, True], ids=["nojs", "js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_yearly_check_reaches_the_actor_who_answers_it(
    visitor_factory, outbox, live_site, lang, js
):
    """The yearly email ("régulièrement actualisé"): an entry not checked for over a year
    gets one email, in its proposer's language, whose link opens the check page; "nothing
    changed" marks it checked today, proposed changes wait for a moderator while the entry
    stays published as it was."""
    slug, action = CHECKED[lang]
    tag = uuid.uuid4().hex[:6]
    address = f"accueil.{tag}@exemple.fr"
    live_site.shell(
        "import datetime\n"
        "from django.utils import timezone\n"
        "from directory.models import Actor\n"
        f"a = Actor.objects.get(slug={slug!r})\n"
        "a.last_checked_at = timezone.localdate() - datetime.timedelta(days=400)\n"
        "a.check_requested_at = None\n"
        "a.pending_changes = {}\n"
        f"a.proposer_email = {address!r}\n"
        f"a.language = {lang!r}\n"
        "a.save()\n"
        "print('ok')"
    )
    live_site.manage("directory_yearly_check")
    live_site.manage("directory_yearly_check")  # the same day: nothing twice
    message = outbox.wait_for(address)[0]
    assert len(outbox.to(address)) == 1
    body = text_of(message)
    link = [
        x
        for x in links_in(body, live_site.base_url)
        if "/annuaire/verifier/" in x or "/directory/check/" in x
    ]
    assert link, body
    assert address not in link[0]

    actor = visitor_factory(lang, js=js)
    page = actor.page
    page.goto(link[0])
    assert actor.status() == 200
    assert actor.html_lang() == lang
    actor.shot(f"directory-yearly-check-{action}")
    public = live_site.shell(
        f"from directory.models import Actor; print(Actor.objects.get(slug={slug!r}).phone)"
    )
    if action == "confirm":
        page.locator("main form:has(input[value=confirm]) button[type=submit]").click()
    else:
        page.fill("#id_phone", "03 20 00 00 00")
        page.locator("main form:has(input[value=update]) button[type=submit]").click()
    page.wait_for_load_state()
    assert actor.status() == 200
    actor.shot(f"directory-yearly-check-{action}-done")
    state = live_site.shell(
        "from django.utils import timezone\n"
        "from directory.models import Actor\n"
        f"a = Actor.objects.get(slug={slug!r})\n"
        "print(a.last_checked_at == timezone.localdate(), bool(a.pending_changes), a.phone)"
    )
    if action == "confirm":
        assert state == f"True False {public}", state
    else:
        # Published as it was until a moderator applies the change.
        assert state.startswith("False True"), state
        assert state.endswith(public), state
    # The link was answered: opening it again says so, in the visitor's language.
    page.goto(link[0])
    assert actor.status() == 400
    assert not actor.server_errors
