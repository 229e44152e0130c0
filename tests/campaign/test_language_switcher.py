"""The language switcher leads to the same view in the other language, on views that are
not pages (search, sign-up links, poster form, engaged communes) and on pages' sub-pages
(the "Proposer un héros" form, thank-you pages)."""

import re

import pytest

from kits import services as kit_services
from kits.factories import CommuneFactory, DepartmentFactory, RegionFactory
from stories.factories import StoryIndexPageFactory
from volunteers import tokens
from volunteers.factories import VolunteerFactory, VolunteerSignupPageFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def _switcher_links(html):
    nav = html.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    return {lang: url for url, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav)}


@pytest.fixture
def site(home_page, english_home, locales):
    """Translated story index and sign-up page, Melun engaged, a pending volunteer."""
    index = StoryIndexPageFactory(parent=home_page, locale=home_page.locale, slug="histoires")
    english_index = index.copy_for_translation(locales["en"])
    english_index.slug = "stories"
    english_index.save_revision().publish()
    signup = VolunteerSignupPageFactory(
        parent=home_page, locale=home_page.locale, slug="heure-civique"
    )
    english_signup = signup.copy_for_translation(locales["en"])
    english_signup.slug = "civic-hour"
    english_signup.save_revision().publish()
    region = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    department = DepartmentFactory(
        code="77", name="Seine-et-Marne", slug="seine-et-marne", region=region
    )
    melun = CommuneFactory(
        insee_code="77288", name="Melun", department=department, postcode="77000"
    )
    engagement = kit_services.engaged_commune_declare(
        commune=melun,
        contact_name="Claire Martin",
        role="Maire",
        email="claire@example.org",
        language="fr",
    )
    engaged_token = kit_services.engaged_commune_confirmation_token(engagement=engagement)
    engagement = kit_services.engaged_commune_confirm(token=engaged_token)
    kit_services.engaged_commune_approve(engagement=engagement)  # listed, with its own page
    volunteer = VolunteerFactory(
        status=Volunteer.Status.PENDING, confirmed_at=None, commune=melun, postcode="77000"
    )
    return {
        "volunteer_confirm": tokens.token_make(volunteer=volunteer, purpose=tokens.CONFIRM),
        "volunteer_preferences": tokens.token_make(volunteer=volunteer, purpose=tokens.PREFERENCES),
        "volunteer_unsubscribe": tokens.token_make(volunteer=volunteer, purpose=tokens.UNSUBSCRIBE),
        "engaged": engaged_token,
    }


# French address, English address (tokens filled in from the fixture).
VIEWS = [
    ("/recherche/?q=voisins", "/en/search/?q=voisins"),
    ("/communes/?q=77000", "/en/towns/?q=77000"),
    ("/affiche-personnalisee/", "/en/custom-poster/"),
    ("/communes-engagees/s-engager/", "/en/committed-towns/join/"),
    ("/communes-engagees/merci/", "/en/committed-towns/thank-you/"),
    ("/communes-engagees/confirmer/{engaged}/", "/en/committed-towns/confirm/{engaged}/"),
    ("/communes-engagees/", "/en/committed-towns/"),
    ("/communes-engagees/melun-77288/", "/en/committed-towns/melun-77288/"),
    ("/histoires/proposer-un-heros/", "/en/stories/nominate-a-hero/"),
    ("/histoires/proposer-un-heros/merci/", "/en/stories/nominate-a-hero/thank-you/"),
    ("/heure-civique/merci/", "/en/civic-hour/thank-you/"),
    (
        "/benevoles/preferences/{volunteer_preferences}/",
        "/en/volunteers/preferences/{volunteer_preferences}/",
    ),
    (
        "/benevoles/preferences/{volunteer_preferences}/effacer/",
        "/en/volunteers/preferences/{volunteer_preferences}/erase/",
    ),
    (
        "/benevoles/desinscription/{volunteer_unsubscribe}/",
        "/en/volunteers/unsubscribe/{volunteer_unsubscribe}/",
    ),
    (
        "/benevoles/confirmer/{volunteer_confirm}/",
        "/en/volunteers/confirm/{volunteer_confirm}/",
    ),
]


@pytest.mark.parametrize(("french", "english"), VIEWS)
def test_the_switcher_leads_to_the_same_view_in_the_other_language(client, site, french, english):
    french, english = french.format(**site), english.format(**site)
    response = client.get(french)
    assert response.status_code == 200, french
    assert _switcher_links(response.content.decode()) == {"en": english}
    response = client.get(english)
    assert response.status_code == 200, english
    assert _switcher_links(response.content.decode()) == {"fr": french}


def test_the_pages_themselves_still_switch_to_their_translation(client, site):
    html = client.get("/histoires/").content.decode()
    assert _switcher_links(html) == {"en": "/en/stories/"}
    html = client.get("/en/civic-hour/").content.decode()
    assert _switcher_links(html) == {"fr": "/heure-civique/"}
