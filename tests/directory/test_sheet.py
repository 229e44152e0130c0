"""A commune's printable sheet (directory/sheet.py), read back from the PDF: its help points
with their upcoming dates and hours in plain words, its actors, the printed address and the
QR code of its directory page on the public address, in French and in English; nothing
unpublished or past; user text printed as typed; long lists on several pages with nothing
lost or outside the page; the route's headers, 404 and cache; a constant query count."""

import datetime
import itertools
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

import pypdfium2 as pdfium
import pytest
import zxingcpp

from directory.factories import ActorFactory
from directory.models import Actor, HelpPoint, HelpPointDate
from directory.sheet import commune_page_url, commune_sheet_pdf, contracted, shortened
from kits.factories import CommuneFactory

pytestmark = pytest.mark.django_db

PUBLIC = "https://tousvoisins.example"
TODAY = datetime.date(2026, 12, 1)  # a Tuesday
_numbers = itertools.count()


def help_point(commune, name, dates, **fields):
    """A published help point of `commune` and its dates: (date, start, end, repeat_until)
    tuples, or dicts for an itinerant date's own commune and place."""
    number = next(_numbers)
    point = HelpPoint.objects.create(name=name, slug=f"point-{number}", commune=commune, **fields)
    for date in dates:
        if not isinstance(date, dict):
            day, starts, ends, until = date
            date = {"date": day, "starts_at": starts, "ends_at": ends, "repeat_until": until}
        HelpPointDate.objects.create(help_point=point, **date)
    return point


def _time(text):
    return datetime.time.fromisoformat(text)


def read(pdf):
    """(text of every page with its white space folded, number of pages, QR codes of page
    one, every character box outside the page's margins)."""
    document = pdfium.PdfDocument(pdf)
    try:
        texts, outside = [], []
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            for index in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(index)
                if left < 40 or right > width - 40 or bottom < 20 or top > height - 20:
                    outside.append(textpage.get_text_range(index, 1))
        codes = [code.text for code in zxingcpp.read_barcodes(document[0].render(scale=3).to_pil())]
        pages = len(document)
    finally:
        document.close()
    text = re.sub(r"\s+", " ", " ".join(texts).replace("\ufffe", "-").replace("\u00a0", " "))
    return text, pages, codes, [c for c in outside if c.strip()]


@pytest.fixture(autouse=True)
def public_address(settings):
    """The site's public address (WAGTAILADMIN_BASE_URL), which the QR code and the printed
    address use, not the request's host."""
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def sheet(commune, language="fr", today=TODAY):
    return read(
        commune_sheet_pdf(
            commune,
            language=language,
            today=today,
            campaign_name="Tous Voisins – Tous Solidaires",
        )
    )


@pytest.fixture
def melun(geo, categories):
    """Melun's help points (a weekly one, a one-off date, a bus based in Dammarie that
    stops in Melun, and what must not show) and actors (its own, its intercommunality's,
    and what must not show)."""
    melun, dammarie = geo["melun"], geo["dammarie"]
    ccas = ActorFactory(
        name="CCAS de Melun",
        kind=Actor.Kind.CCAS,
        communes=[melun],
        description=(
            "Le centre communal d'action sociale vous accompagne dans vos démarches : aides au "
            "logement, portage de repas à domicile, téléassistance pour les personnes âgées. "
            "Vous pouvez aussi nous signaler un voisin isolé."
        ),
        address="12 rue de l'Exemple",
        postcode="77000",
        phone="01 64 00 00 10",
        opening_hours="Du lundi au vendredi, de 8 h 30 à 12 h.",
        proposer_email="personne.privee@example.org",
    )
    ActorFactory(
        name="France services de l'agglomération",
        kind=Actor.Kind.FRANCE_SERVICES,
        intercommunalities=[geo["camvs"]],
        phone="01 64 00 00 20",
    )
    ActorFactory(name="Association en attente", communes=[melun], status=Actor.Status.PENDING)
    ActorFactory(name="Maison de quartier de Brest", communes=[geo["brest"]])
    help_point(
        melun,
        "Point numérique de la mairie",
        [
            (
                datetime.date(2026, 11, 3),
                _time("14:00"),
                _time("17:00"),
                datetime.date(2027, 6, 29),
            ),
            (datetime.date(2026, 11, 28), _time("10:00"), _time("11:00"), None),  # past
        ],
        place="Salle du conseil",
        address="16 rue Paul Doumer",
        helps_with_forms=True,
        digital_mediation=True,
        other_help="lecture d'un courrier",
        phone="01 64 52 33 00",
        actor=ccas,
    )
    help_point(
        melun,
        "Permanence du samedi",
        [(datetime.date(2026, 12, 12), _time("09:30"), _time("12:00"), None)],
        place="Médiathèque l'Astrolabe",
        helps_sign_up=True,
    )
    help_point(
        dammarie,
        "Bus France services",
        [
            {
                "date": datetime.date(2027, 1, 7),
                "starts_at": _time("13:30"),
                "ends_at": _time("16:00"),
                "repeat_until": datetime.date(2027, 3, 25),
                "commune": melun,
                "place": "Parking du marché Gaillardon",
            },
            (datetime.date(2026, 12, 17), _time("09:00"), _time("12:00"), None),  # in Dammarie
        ],
        kind=HelpPoint.Kind.ITINERANT,
    )
    help_point(
        melun,
        "Point fermé pour l'hiver",
        [(datetime.date(2026, 9, 1), _time("14:00"), _time("16:00"), datetime.date(2026, 11, 24))],
    )
    help_point(
        melun,
        "Point pas encore publié",
        [(datetime.date(2026, 12, 15), _time("14:00"), _time("16:00"), None)],
        published=False,
    )
    return melun


def test_the_french_sheet_lists_the_help_points_with_their_hours_and_the_actors(melun):
    first = "Point numérique de la mairie"
    text, _pages, _codes, outside = sheet(melun)
    assert "À Melun, on s'entraide près de chez vous" in text
    for expected in [
        "Point numérique de la mairie",
        "Tous les mardis de 14 h à 17 h, jusqu'au 29 juin 2027",
        "Lieu : Salle du conseil, 16 rue Paul Doumer",
        "Aide proposée : " + " ; ".join(HelpPoint.objects.get(name=first).help_given()),
        "lecture d'un courrier",
        "Téléphone : 01 64 52 33 00",
        "Organisé par : CCAS de Melun",
        "Permanence du samedi",
        "Samedi 12 décembre 2026, de 9 h 30 à 12 h",
        "Lieu : Médiathèque l'Astrolabe",
        "Bus France services",
        "Tous les jeudis de 13 h 30 à 16 h, du 7 janvier 2027 au 25 mars 2027",
        "Lieu : Parking du marché Gaillardon",
        "CCAS de Melun – CCAS ou CIAS",
        "Téléphone : 01 64 00 00 10 · Adresse : 12 rue de l'Exemple, 77000",
        "Horaires : Du lundi au vendredi, de 8 h 30 à 12 h.",
        "France services de l'agglomération – espace France services",
        "tousvoisins.example/annuaire/commune/melun-77288/",
        "Informations à jour le 1er décembre 2026.",
        "Dites-le à l'accueil de votre mairie",
    ]:
        assert expected in text, expected
    # A shortened description ends with its first whole sentence.
    assert "téléassistance pour les personnes âgées." in text
    assert "voisin isolé" not in text
    for absent in [
        "28 novembre",  # a date gone by
        "Point fermé pour l'hiver",  # every date gone by
        "Point pas encore publié",
        "Association en attente",
        "Maison de quartier de Brest",
        "17 décembre",  # the bus's date in Dammarie: Melun's own are shown
        "personne.privee",
        "localhost",
    ]:
        assert absent not in text, absent
    assert outside == []


def test_the_english_sheet_says_the_same_in_english(melun):
    text, _pages, codes, outside = sheet(melun, language="en")
    for expected in [
        "In Melun, neighbours help each other close to home",
        "Every Tuesday",
        "2 pm",
        "5 pm",
        "29 June 2027",
        "Saturday 12 December 2026, ",
        "9:30 am",
        "Every Thursday",
        "starting 7 January 2027, until 25 March 2027",
        "Where: Parking du marché Gaillardon",
        "Phone: 01 64 52 33 00",
        "Run by: CCAS de Melun",
        "CCAS de Melun – CCAS or CIAS",
        "Opening hours: Du lundi au vendredi",
        "tousvoisins.example/en/directory/town/melun-77288/",
        "Information up to date on 1 December 2026.",
        "Tell your town hall's front desk",
    ]:
        assert expected in text, expected
    # Nothing of the French wording is left (the actors' own texts aside).
    for french in ["Tous les", "jusqu'au", " de 9:30", "décembre", "Téléphone", "Dites-le"]:
        assert french not in text, french
    assert "Point pas encore publié" not in text
    assert "Tous les mardis" not in text
    assert codes == [f"{PUBLIC}/en/directory/town/melun-77288/"]
    assert outside == []


def test_the_qr_code_leads_to_the_commune_page_on_the_public_address(melun):
    _text, _pages, codes, _outside = sheet(melun)
    url = commune_page_url(melun, language="fr")
    assert url == f"{PUBLIC}/annuaire/commune/melun-77288/"
    assert codes == [url]


def test_names_with_markup_characters_print_as_typed(geo):
    commune = geo["melun"]
    ActorFactory(
        name="Aide & Partage <Les Voisins> 2 > 1",
        communes=[commune],
        description="Écoute & entraide <b>sans</b> rendez-vous",
        opening_hours="Lundi < mardi & jeudi",
    )
    help_point(
        commune,
        "Café <numérique> & co",
        [(datetime.date(2026, 12, 5), _time("10:00"), _time("12:00"), None)],
        place="Salle A&B",
    )
    text, *_rest = sheet(commune)
    assert "Aide & Partage <Les Voisins> 2 > 1" in text
    assert "Écoute & entraide <b>sans</b> rendez-vous" in text
    assert "Lundi < mardi & jeudi" in text
    assert "Café <numérique> & co" in text
    assert "Salle A&B" in text


def test_forty_actors_and_ten_help_points_flow_onto_several_pages_and_nothing_is_lost(geo):
    # A long name and slug: the title, header and printed address must still fit.
    commune = CommuneFactory(
        insee_code="51525",
        name="Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson",
        department=geo["d77"],
    )
    actors = [
        ActorFactory(
            name=f"Association des voisins n° {n:02d}",
            communes=[commune],
            description="Visites, courses et petits travaux pour les voisins qui en ont besoin. "
            * 4,
            phone=f"03 26 00 00 {n:02d}",
            opening_hours="Le mardi et le jeudi, de 14 h à 18 h ; le samedi matin.",
        )
        for n in range(40)
    ]
    points = [
        help_point(
            commune,
            f"Permanence numéro {n:02d}",
            [(datetime.date(2026, 12, 2 + n), _time("09:00"), _time("11:30"), None)],
            place="Salle des fêtes",
            digital_mediation=True,
            description="Apportez vos identifiants et une pièce d'identité. " * 3,
        )
        for n in range(10)
    ]
    text, pages, codes, outside = sheet(commune)
    assert pages >= 3
    for item in [*actors, *points]:
        assert text.count(item.name) == 1, item.name
    assert f"page 2 sur {pages}" in text
    assert f"page {pages} sur {pages}" in text
    assert (
        "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson : l'entraide près de chez vous (suite)"
        in (text)
    )
    assert "Mercredi 2 décembre 2026, de 9 h à 11 h 30" in text
    assert "Vendredi 11 décembre 2026, de 9 h à 11 h 30" in text
    assert codes == [f"{PUBLIC}/annuaire/commune/{commune.slug}/"]
    # Nothing drawn off the page or in its margins (a long word would run off the right).
    assert outside == []


def test_french_contracts_a_with_the_article_of_a_commune_name():
    assert (
        contracted("À Le Mée-sur-Seine, on s'entraide", "fr") == "Au Mée-sur-Seine, on s'entraide"
    )
    assert contracted("Mardi – à Les Lilas", "fr") == "Mardi – aux Lilas"
    assert contracted("À La Rochelle et à Lesneven", "fr") == "À La Rochelle et à Lesneven"
    assert contracted("À Le Havre", "en") == "À Le Havre"


def test_a_description_is_shortened_on_whole_words():
    text = "Nous aidons les habitants du quartier pour leurs courses et leurs démarches en ligne"
    assert shortened(text, 40) == "Nous aidons les habitants du quartier…"
    assert shortened("Première phrase courte ici. Et une seconde, bien plus longue.", 40) == (
        "Première phrase courte ici."
    )
    assert shortened("  Court  et\n simple ", 40) == "Court et simple"


# --- the route ------------------------------------------------------------------------------


@pytest.fixture
def site(home_page, english_home, settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def test_every_address_is_in_the_active_language():
    with translation.override("fr"):
        url = reverse("directory:commune_sheet", kwargs={"slug": "melun-77288"})
        assert url == "/annuaire/commune/melun-77288/fiche.pdf"
    with translation.override("en"):
        url = reverse("directory:commune_sheet", kwargs={"slug": "melun-77288"})
        assert url == "/en/directory/town/melun-77288/sheet.pdf"


def test_the_sheet_is_a_pdf_shown_inline_in_the_visitor_language(client, site, melun):
    response = client.get("/annuaire/commune/melun-77288/fiche.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="fiche-entraide-melun-77288.pdf"'
    text, _pages, codes, _outside = read(response.content)
    assert "À Melun, on s'entraide" in text
    assert "Tous Voisins – Tous Solidaires" in text
    assert codes == [f"{PUBLIC}/annuaire/commune/melun-77288/"]

    response = client.get("/en/directory/town/melun-77288/sheet.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="help-sheet-melun-77288.pdf"'
    text, _pages, codes, _outside = read(response.content)
    assert "In Melun, neighbours help each other" in text
    assert codes == [f"{PUBLIC}/en/directory/town/melun-77288/"]
    # The French address under /en/ is sent on to the English one.
    response = client.get("/en/annuaire/commune/melun-77288/fiche.pdf")
    assert response.status_code == 301
    assert response["Location"] == "/en/directory/town/melun-77288/sheet.pdf"


def test_an_unknown_commune_gets_the_site_404_page(client, site, geo):
    response = client.get("/annuaire/commune/nulle-part-00000/fiche.pdf")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    response = client.get("/en/directory/town/nulle-part-00000/sheet.pdf")
    assert response.status_code == 404


def _queries(client, url):
    # Twice first: the site's settings and root paths are then read from the cache.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content


@pytest.mark.parametrize(
    "url", ["/annuaire/commune/melun-77288/fiche.pdf", "/en/directory/town/melun-77288/sheet.pdf"]
)
def test_the_sheet_runs_as_many_queries_with_few_or_many_entries(client, site, geo, url):
    melun = geo["melun"]

    def add(actors, points, start):
        for n in range(start, start + actors):
            ActorFactory(name=f"Acteur {n:02d}", communes=[melun], phone="01 00 00 00 00")
        for n in range(start, start + points):
            help_point(
                melun,
                f"Point {n:02d}",
                [
                    (timezone.localdate(), _time("09:00"), _time("12:00"), None),
                    (timezone.localdate(), _time("14:00"), _time("15:00"), None),
                ],
            )

    add(2, 1, 0)
    small, _pdf = _queries(client, url)
    add(38, 9, 2)
    large, pdf = _queries(client, url)
    assert small == large <= 6
    text, pages, _codes, _outside = read(pdf)
    assert pages > 1 and "Acteur 39" in text and "Point 09" in text


# Real commits: the purge runs on commit, once per transaction (directory/signals.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sheet_is_cached_and_purged_when_a_help_point_or_an_actor_changes(
    client, site, melun, settings
):
    settings.PAGE_CACHE_ENABLED = True
    url = "/annuaire/commune/melun-77288/fiche.pdf"
    client.get(url)  # the first request creates the site's settings, which purges all
    assert client.get(url)["X-Page-Cache"] == "miss"
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert response["Content-Disposition"].startswith("inline;")
    point = HelpPoint.objects.get(name="Permanence du samedi")
    point.published = False
    point.save()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Permanence du samedi" not in read(response.content)[0]
    assert client.get(url)["X-Page-Cache"] == "hit"
    # A date changed on its own (moved to another day).
    date = HelpPointDate.objects.get(
        help_point__name="Point numérique de la mairie", repeat_until=None
    )
    date.date = datetime.date(2026, 12, 3)
    date.repeat_until = None
    date.save()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    Actor.objects.get(name="CCAS de Melun").delete()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "CCAS de Melun" not in read(response.content)[0]


def test_the_commune_page_links_to_its_sheet_in_its_language(client, site, geo):
    html = client.get("/annuaire/commune/melun-77288/").content.decode()
    assert 'href="/annuaire/commune/melun-77288/fiche.pdf"' in html
    assert "Fiche à imprimer et à afficher (PDF, A4)" in html
    html = client.get("/en/directory/town/melun-77288/").content.decode()
    assert 'href="/en/directory/town/melun-77288/sheet.pdf"' in html
    assert "Printable sheet to put up (PDF, A4)" in html
