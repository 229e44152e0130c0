"""The public, anonymous figure of time given to neighbours (helprequests/selectors.py): on
the home page and on a commune's directory page, in French and English, one query whatever
the number of requests, and fresh as soon as a volunteer says the help was done, even with
the page cache on."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

import pytest

from helprequests import selectors, services
from helprequests.factories import (
    HelpRequestFactory,
    ProposableVolunteerFactory,
    ReferentFactory,
)
from helprequests.models import HelpRequest
from kits.factories import CommuneFactory, DepartmentFactory, RegionFactory

Status = HelpRequest.Status


@pytest.fixture
def place(db):
    idf = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    bretagne = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    d77 = DepartmentFactory(code="77", name="Seine-et-Marne", slug="seine-et-marne", region=idf)
    d29 = DepartmentFactory(code="29", name="Finistère", slug="finistere", region=bretagne)
    return {
        "melun": CommuneFactory(insee_code="77288", name="Melun", department=d77),
        "dammarie": CommuneFactory(insee_code="77152", name="Dammarie-lès-Lys", department=d77),
        "brest": CommuneFactory(insee_code="29019", name="Brest", department=d29),
    }


def done(commune, minutes):
    return HelpRequestFactory(commune=commune, status=Status.DONE, minutes=minutes)


def commune_url(commune, language="fr"):
    with translation.override(language):
        return reverse("directory:commune", kwargs={"slug": commune.slug})


def request_url(language="fr"):
    with translation.override(language):
        return reverse("helprequests:request")


def test_the_figure_sums_the_time_of_the_requests_done_only(place):
    done(place["melun"], 90)
    done(place["melun"], 45)
    done(place["dammarie"], 60)
    done(place["brest"], 30)
    # Neither an accepted request (no time yet) nor a closed one counts.
    HelpRequestFactory(commune=place["melun"], status=Status.ACCEPTED)
    HelpRequestFactory(commune=place["melun"], status=Status.CLOSED, minutes=None)
    figure = selectors.public_hours(commune=place["melun"])
    assert (figure.total.minutes, figure.commune.minutes, figure.department.minutes) == (
        225,
        135,
        195,
    )
    # Whole hours, rounded down: 135 minutes are "2 heures".
    assert figure.commune.hours == 2 and figure.commune.display == "2 heures"
    assert selectors.public_hours(commune=place["brest"]).commune.minutes == 30
    assert selectors.public_hours().commune is None


def test_under_an_hour_the_figure_is_hidden_but_the_way_to_ask_is_not(client, home_page, place):
    done(place["melun"], 50)
    assert not selectors.public_hours().total
    html = client.get("/").content.decode()
    assert "ont donné" not in html
    assert f'href="{request_url()}"' in html
    assert "Besoin d'un coup de main ? Demandez-le ici." in html
    html = client.get(commune_url(place["melun"])).content.decode()
    assert "de coups de main donn" not in html and "Dans le département" not in html
    assert f'href="{request_url()}"' in html


def test_the_home_page_shows_the_hours_in_french_and_english(client, english_home, place):
    done(place["melun"], 150)
    done(place["brest"], 100)
    html = client.get("/").content.decode()
    assert (
        "Depuis le début de la campagne, les bénévoles de l'heure civique ont donné "
        "<strong>4 heures</strong> de coups de main à leurs voisins." in html
    )
    html = client.get("/en/").content.decode()
    assert "<strong>4 hours</strong>" in html
    assert "Need a helping hand? Ask for it here." in html
    assert f'href="{request_url("en")}"' in html and request_url("en") != request_url()


def test_the_commune_page_shows_its_hours_and_its_departments(client, home_page, place):
    done(place["melun"], 125)
    done(place["dammarie"], 60)
    done(place["brest"], 300)
    html = client.get(commune_url(place["melun"])).content.decode()
    assert "À Melun : 2 heures de coups de main données." in html
    assert "Dans le département (Seine-et-Marne) : 3 heures." in html
    assert "Demander un coup de main" in html and f'href="{request_url()}"' in html
    # One hour in Dammarie: the singular agrees.
    html = client.get(commune_url(place["dammarie"])).content.decode()
    assert "À Dammarie-lès-Lys : 1 heure de coups de main donnée." in html
    html = client.get(commune_url(place["melun"], "en")).content.decode()
    assert "In Melun: 2 hours of help given." in html
    assert "In the department (Seine-et-Marne): 3 hours." in html
    assert f'href="{request_url("en")}"' in html


def _queries(client, url):
    client.get(url)
    client.get(url)  # the site's data are then read from the cache
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_figure_costs_one_query_whatever_the_number_of_requests(client, home_page, place):
    urls = ["/", commune_url(place["melun"])]
    before = [_queries(client, url) for url in urls]
    for n in range(30):
        done([place["melun"], place["dammarie"], place["brest"]][n % 3], 30 + n)
    assert [_queries(client, url) for url in urls] == before
    # The home page keeps issue 14's budget with it (tests/home/test_home_page.py has the count).
    assert before[0] <= 12


@pytest.fixture
def accepted(place):
    """A request of Melun accepted by a volunteer, as the emailed links make it."""
    user = get_user_model().objects.create_user("referente", email="r@mairie.example")
    ReferentFactory(user=user, commune=place["melun"])
    volunteer = ProposableVolunteerFactory(commune=place["melun"])
    help_request = HelpRequestFactory(commune=place["melun"])
    proposal = services.request_propose(help_request=help_request, volunteer=volunteer, user=user)
    services.proposal_accept(token=services.answer_token(proposal))
    return proposal


def test_a_request_marked_done_shows_at_once_on_cached_pages(
    client, english_home, place, accepted, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 3600
    done(place["melun"], 60)
    pages = {
        "/": ("<strong>1 heure</strong>", "<strong>3 heures</strong>"),
        "/en/": ("<strong>1 hour</strong>", "<strong>3 hours</strong>"),
        commune_url(place["melun"]): (
            "À Melun : 1 heure de coups de main donnée.",
            "À Melun : 3 heures de coups de main données.",
        ),
        commune_url(place["melun"], "en"): (
            "In Melun: 1 hour of help given.",
            "In Melun: 3 hours of help given.",
        ),
    }
    for url, (before, _after) in pages.items():
        assert client.get(url)["X-Page-Cache"] == "miss", url
        hit = client.get(url)
        assert hit["X-Page-Cache"] == "hit", url
        assert before in hit.content.decode(), url

    # The volunteer's "done" link, with the time given: the purge runs once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        services.request_done(token=services.done_token(accepted), minutes=120)

    for url, (before, after) in pages.items():
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        html = response.content.decode()
        assert after in html and before not in html, url
