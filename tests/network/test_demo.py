"""The network's demo content: real translations reachable at English paths, and a second
load that changes nothing."""

from io import StringIO

from django.core.management import call_command

from wagtail.models import Page

import pytest

from campaign.geography.models import Commune, Department, Region, search_key
from network.models import MeetingPage, PracticeSheetPage, Referent


def _geography():
    """The regions and communes the demo names (the set-up imports all of them)."""
    regions = {
        code: Region.objects.create(code=code, name=name, slug=slug)
        for code, name, slug in [
            ("11", "Île-de-France", "ile-de-france"),
            ("53", "Bretagne", "bretagne"),
            ("75", "Nouvelle-Aquitaine", "nouvelle-aquitaine"),
        ]
    }
    for insee, name, dep, region in [
        ("77288", "Melun", "77", "11"),
        ("29019", "Brest", "29", "53"),
        ("87085", "Limoges", "87", "75"),
    ]:
        department = Department.objects.create(
            code=dep, name=f"Département {dep}", slug=f"d-{dep}", region=regions[region]
        )
        Commune.objects.create(
            insee_code=insee,
            name=name,
            slug=f"{name.lower()}-{insee}",
            search_name=search_key(name),
            department=department,
            region=regions[region],
        )


def _snapshot():
    return sorted(
        (p.locale.language_code, p.url_path, p.title, p.live, p.alias_of_id is None)
        for p in Page.objects.select_related("locale").filter(content_type__app_label="network")
    )


# A real transaction, as `make run` loads the demo (translations publish on commit).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_builds_the_network_in_both_languages_at_english_paths(client, settings):
    settings.DEBUG = True
    _geography()
    call_command("load_demo", stdout=StringIO())
    first = _snapshot()
    call_command("load_demo", stdout=StringIO())
    assert _snapshot() == first
    assert PracticeSheetPage.objects.filter(locale__language_code="fr").count() == 3
    assert Referent.objects.count() == 4  # two, in two languages
    assert MeetingPage.objects.count() == 2
    # Every English page is a translation (not an alias of the French one), live.
    assert all(translated and live for _l, _p, _t, live, translated in first)
    assert {lang for lang, *_rest in first} == {"fr", "en"}
    settings.DEBUG = False
    pages = {
        "/reseau-des-elus/": "Prochaines rencontres",
        "/en/officials-network/": "Upcoming meetings",
        "/reseau-des-elus/forum-qui-fait-quoi/": "qui fait quoi sur le territoire",
        "/en/officials-network/who-does-what-forum/": "who does what locally",
        "/en/officials-network/officials-sharing-good-practice/": "each member's expertise",
        "/en/officials-network/help-points-digital-mediation/": "digital adviser",
        "/en/officials-network/know-each-other-act-together/": "Know each other",
        "/en/officials-network/ile-de-france-meeting-2027/": "practice sheet workshops",
        "/reseau-des-elus/regions/ile-de-france/": "Claire Martin",
        "/en/officials-network/regions/brittany/": None,
        "/en/officials-network/regions/bretagne/": "Officials' network, practice sheets",
    }
    for url, text in pages.items():
        response = client.get(url)
        if text is None:
            assert response.status_code == 404, url
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        assert text in html.replace("&#x27;", "'"), url
    # The English dossier lists the English sheets.
    dossier = client.get("/en/officials-network/know-each-other-act-together/").content.decode()
    assert "/en/officials-network/who-does-what-forum/" in dossier
    assert "/reseau-des-elus/" not in dossier.split("<main", 1)[1]
