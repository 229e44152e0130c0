"""The directory's public pages: in both languages at their own paths (the French ones
redirecting under /en/), bad input answered with a message and never a 500, a bounded
number of queries whatever the number of actors, and cached for anonymous visitors until an
actor changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

import pytest

from directory.factories import ActorFactory
from directory.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(home_page, english_home, geo, categories):
    return geo


ROUTES = [
    ("directory:search", {}, "/annuaire/", "/en/directory/"),
    ("directory:propose", {}, "/annuaire/proposer/", "/en/directory/propose/"),
    ("directory:thanks", {}, "/annuaire/proposer/merci/", "/en/directory/propose/thank-you/"),
    (
        "directory:confirm",
        {"token": "abc:def"},
        "/annuaire/proposer/confirmer/abc:def/",
        "/en/directory/propose/confirm/abc:def/",
    ),
    (
        "directory:actor",
        {"slug": "ccas-de-melun"},
        "/annuaire/acteur/ccas-de-melun/",
        "/en/directory/organisation/ccas-de-melun/",
    ),
    (
        "directory:commune",
        {"slug": "melun-77288"},
        "/annuaire/commune/melun-77288/",
        "/en/directory/town/melun-77288/",
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "french", "english"), ROUTES)
def test_every_address_is_in_the_active_language(name, kwargs, french, english):
    with translation.override("fr"):
        assert reverse(name, kwargs=kwargs) == french
    with translation.override("en"):
        assert reverse(name, kwargs=kwargs) == english


def test_english_pages_answer_in_english_and_french_paths_redirect(client, site):
    actor = ActorFactory(name="CCAS de Melun", slug="ccas-de-melun", communes=[site["melun"]])
    response = client.get("/en/directory/?q=77000")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Local solidarity directory" in html and actor.name in html
    assert client.get("/en/directory/organisation/ccas-de-melun/").status_code == 200
    page = client.get("/en/directory/town/melun-77288/").content.decode()
    assert "Melun: who does what?" in page
    # Emails and printed sheets carry the French paths: sent on, query string kept.
    response = client.get("/en/annuaire/?q=77000")
    assert response.status_code == 301
    assert response["Location"] == "/en/directory/?q=77000"
    response = client.get("/en/annuaire/acteur/ccas-de-melun/")
    assert response["Location"] == "/en/directory/organisation/ccas-de-melun/"


def test_actor_page_shows_the_public_contact_and_the_check_date_never_the_proposer(
    client, site, categories
):
    actor = ActorFactory(
        name="Médiathèque de Melun",
        communes=[site["melun"]],
        categories=[categories["numerique"]],
        proposer_email="personne@example.org",
        email="accueil@mediatheque.example.org",
        website="https://mediatheque.example.org",
        hosts_help_point=True,
        last_checked_at="2026-11-02",
    )
    html = client.get(reverse("directory:actor", args=[actor.slug])).content.decode()
    assert "accueil@mediatheque.example.org" in html
    assert "personne@example.org" not in html
    assert "Informations vérifiées le 2 novembre 2026." in html
    assert "Entraide numérique" in html
    assert "Point d&#x27;entraide" in html or "Point d'entraide" in html
    english = client.get(f"/en/directory/organisation/{actor.slug}/").content.decode()
    assert "Digital help" in english


@pytest.mark.parametrize(
    "status", [Actor.Status.UNCONFIRMED, Actor.Status.PENDING, Actor.Status.REJECTED]
)
def test_an_actor_not_published_has_no_page(client, site, status):
    actor = ActorFactory(communes=[site["melun"]], status=status)
    assert client.get(reverse("directory:actor", args=[actor.slug])).status_code == 404
    html = client.get(reverse("directory:commune", args=[site["melun"].slug])).content.decode()
    assert actor.name not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "7700"}, "Saisissez un code postal à 5 chiffres"),
        ({"q": "99999"}, "Aucune commune ne correspond au code postal 99999."),
        ({"q": "Nullepartville"}, "Aucune commune ne correspond."),
        ({"q": "x" * 101}, "Ce champ doit tenir en 100 caractères (il en a 101)."),
        ({"besoin": "inconnu"}, "Ce besoin n&#x27;existe pas"),
        ({"commune": "ab!c"}, "Cette commune est inconnue."),
        ({"commune": "ab\x00c"}, 'class="form-errors"'),
        ({"commune": "00000"}, "Aucune commune ne correspond."),
        ({"page": "abc"}, "Cette page de résultats n'existe pas : voici la première."),
        ({"q": "77000", "page": "999"}, "Cette page de résultats n'existe pas"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_500(client, site, query, message):
    ActorFactory(communes=[site["melun"]])
    response = client.get(reverse("directory:search"), query)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_bad_input_is_answered_in_english_too(client, site):
    html = client.get("/en/directory/", {"q": "Nullepartville", "page": "abc"}).content.decode()
    assert "No town matches." in html
    html = client.get("/en/directory/", {"besoin": "inconnu"}).content.decode()
    assert "This need does not exist" in html


def _queries(client, url):
    # Twice first: the site's settings, menus and root paths are then read from the cache.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def _populate(site, categories, n):
    communes = [site["melun"], site["vaux"], site["dammarie"]]
    for i in range(n):
        ActorFactory(
            communes=[communes[i % 3]],
            categories=[categories["numerique"], categories["aines"]],
            hosts_help_point=i % 2 == 0,
        )
    ActorFactory(intercommunalities=[site["camvs"]])
    ActorFactory(departments=[site["d77"]])


@pytest.mark.parametrize(
    "url",
    [
        "/annuaire/",
        "/annuaire/?q=77000",
        "/annuaire/?q=Melun&besoin=entraide-numerique",
        "/annuaire/?q=77000&page=2",
        "/annuaire/commune/melun-77288/",
        "/en/directory/?q=77000",
        "/en/directory/town/melun-77288/",
        "/annuaire/proposer/?q=77000",
    ],
)
def test_every_page_runs_as_many_queries_with_5_or_60_actors(client, site, categories, url):
    _populate(site, categories, 5)
    small = _queries(client, url)
    _populate(site, categories, 55)
    large = _queries(client, url)
    assert small == large
    assert large <= 12


def test_an_actor_page_runs_as_many_queries_with_few_or_many_communes(client, site, categories):
    from kits.factories import CommuneFactory

    few = ActorFactory(communes=[site["melun"]], categories=[categories["aines"]])
    many = ActorFactory(
        communes=[CommuneFactory(department=site["d77"]) for _ in range(40)],
        categories=[categories["aines"], categories["numerique"]],
        departments=[site["d77"], site["d29"]],
    )
    assert _queries(client, reverse("directory:actor", args=[few.slug])) == _queries(
        client, reverse("directory:actor", args=[many.slug])
    )


def test_pages_are_cached_for_anonymous_visitors_and_purged_when_an_actor_changes(
    client, site, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    actor = ActorFactory(name="Épicerie solidaire", communes=[site["melun"]])
    url = reverse("directory:commune", args=[site["melun"].slug])
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        actor.status = Actor.Status.REJECTED
        actor.save()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Épicerie solidaire" not in response.content.decode()


def test_a_new_proposal_purges_nothing(client, site, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_ENABLED = True
    url = reverse("directory:search")
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ActorFactory(communes=[site["melun"]], status=Actor.Status.UNCONFIRMED)
    assert callbacks == []
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_commune_page_lists_every_help_point_whatever_the_page_of_actors(client, site):
    for index in range(25):
        ActorFactory(name=f"Association {index:02d}", communes=[site["melun"]])
    ActorFactory(name="Zz Point d'entraide", communes=[site["melun"]], hosts_help_point=True)
    html = client.get(reverse("directory:commune", args=[site["melun"].slug])).content.decode()
    help_points = html.split('id="commune-help-points"')[1].split("</section>")[0]
    assert "Zz Point d" in help_points


def test_the_engaged_commune_page_links_to_its_directory_page(client, site):
    from kits.models import EngagedCommune

    EngagedCommune.objects.create(
        commune=site["melun"],
        contact_name="Contact",
        role="Maire",
        email="mairie@example.org",
        confirmed_at="2026-05-01T10:00:00Z",
        status=EngagedCommune.Status.APPROVED,
    )
    html = client.get(reverse("kits:engaged_commune", args=["melun-77288"])).content.decode()
    assert 'href="/annuaire/commune/melun-77288/"' in html
    english = client.get("/en/committed-towns/melun-77288/").content.decode()
    assert 'href="/en/directory/town/melun-77288/"' in english
    assert "Who does what in Melun" in english
