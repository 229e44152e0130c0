"""Help points in a real browser (issue 15): a resident opens the directory's map, picks Melun
from the list beside it, reads its help points with their hours on the commune's page, then
takes the two things the page offers to carry away: the iCalendar feed and the printable A4
sheet. In French and English, JavaScript on and off, against the production settings of the
e2e site (tests/e2e/site.py): the feed's and the sheet's links must lead to the commune's page
on the public address (WAGTAILADMIN_BASE_URL), never to localhost."""

import io
import re
from urllib.parse import urlparse

import pytest

from .conftest import LANGUAGES

PATHS = {"fr": "/annuaire/", "en": "/en/directory/"}
WORDS = {
    "fr": {
        "map": "Carte de la solidarité locale",
        "weekly": "tous les mardis",
        "sheet title": "on s'entraide près de chez vous",
        "hours": re.compile(r"de 14 h à 17 h"),
    },
    "en": {
        "map": "Local solidarity map",
        "weekly": "every Tuesday",
        "sheet title": "neighbours help each other close to home",
        "hours": re.compile(r"2 pm to 5 pm"),
    },
}
# directory/demo.py: Melun's médiathèque holds a weekly digital permanence.
WEEKLY_POINT = "Permanence numérique de la médiathèque"


def pdf_text(data):
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())  # lines wrapped by the layout joined again


@pytest.mark.parametrize("js", [False, True], ids=["nojs", "js"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_resident_finds_melun_s_help_points_on_the_map_and_takes_them_away(
    visitor_factory, live_site, lang, js
):
    resident = visitor_factory(lang, js=js)
    page = resident.page
    words = WORDS[lang]

    # 1. From the directory to its map, and from the list beside the map to Melun.
    resident.goto(PATHS[lang])
    page.locator("main a[href$='/carte/'], main a[href$='/map/']").first.click()
    page.wait_for_load_state()
    assert words["map"] in page.locator("h1").inner_text()
    assert page.locator("main svg a.map-mark").count() >= 3
    resident.shot("help-points-map")
    page.locator("#map-list-communes + * a, #map-list a", has_text="Melun").first.click()
    page.wait_for_load_state()
    assert "melun-77288" in page.url, page.url
    # The commune page's address on the public address (WAGTAILADMIN_BASE_URL: the e2e
    # site's own, so that what is printed can be followed).
    public_page = live_site.url(urlparse(page.url).path)

    # 2. The commune's page: the weekly permanence, in plain words, in the page's language.
    section = page.locator("main section[aria-labelledby=commune-help-points]")
    text = section.inner_text()
    assert WEEKLY_POINT in text
    assert words["weekly"].lower() in text.lower()
    assert words["hours"].search(text), text
    resident.shot("help-points-commune")

    # 3. The calendar: a feed a calendar app subscribes to, with the public address.
    calendar_link = page.locator("a[type='text/calendar']").first
    response = page.request.get(live_site.url(calendar_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = response.text().replace("\r\n ", "")
    assert "BEGIN:VEVENT" in feed and "RRULE:FREQ=WEEKLY" in feed
    assert "TZID=Europe/Paris" in feed
    assert WEEKLY_POINT in feed
    assert f"URL:{public_page}" in feed
    assert "localhost" not in feed

    # 4. The sheet to post at the mairie: a PDF in the page's language, naming the
    # permanence and leading (printed address) to the commune's page on the public address.
    sheet_link = page.locator("a[type='application/pdf']").first
    response = page.request.get(live_site.url(sheet_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert words["sheet title"] in text
    assert WEEKLY_POINT in text
    assert public_page.split("://", 1)[1] in text  # printed without its scheme
    assert "localhost" not in text
    assert not resident.server_errors
