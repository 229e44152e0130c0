"""The search by place and need: a postcode reaches the actors serving its communes, the
communes around (same postcode, same intercommunality), its intercommunality and its
department; only published actors are public."""

import pytest

from directory import selectors
from directory.factories import ActorFactory
from directory.models import Actor

pytestmark = pytest.mark.django_db


def _names(queryset):
    return [actor.name for actor in queryset]


@pytest.fixture
def actors(geo, categories):
    return {
        "melun": ActorFactory(
            name="CCAS de Melun", communes=[geo["melun"]], categories=[categories["aines"]]
        ),
        "vaux": ActorFactory(name="Épicerie solidaire de Vaux", communes=[geo["vaux"]]),
        "dammarie": ActorFactory(
            name="Centre social de Dammarie",
            communes=[geo["dammarie"]],
            categories=[categories["numerique"]],
        ),
        "agglo": ActorFactory(
            name="France services de l'agglomération", intercommunalities=[geo["camvs"]]
        ),
        "department": ActorFactory(name="Bénévoles de Seine-et-Marne", departments=[geo["d77"]]),
        "fontainebleau": ActorFactory(
            name="Médiathèque de Fontainebleau", communes=[geo["fontainebleau"]]
        ),
        "brest": ActorFactory(name="Collectif de Brest", communes=[geo["brest"]]),
        "pending": ActorFactory(
            name="Proposition en attente", communes=[geo["melun"]], status=Actor.Status.PENDING
        ),
        "unconfirmed": ActorFactory(
            name="Proposition non confirmée",
            communes=[geo["melun"]],
            status=Actor.Status.UNCONFIRMED,
        ),
        "rejected": ActorFactory(
            name="Proposition refusée", communes=[geo["melun"]], status=Actor.Status.REJECTED
        ),
    }


def test_a_postcode_reaches_its_communes_around_its_intercommunality_and_department(geo, actors):
    place = selectors.place_for(query="77000")
    assert {c.name for c in place.communes} == {"Melun", "Vaux-le-Pénil"}
    names = _names(selectors.search(communes=place.communes))
    # The place's own communes first, then the intercommunality's other communes, then the
    # intercommunality itself, then the department.
    assert set(names) == {
        "CCAS de Melun",
        "Épicerie solidaire de Vaux",
        "Centre social de Dammarie",
        "France services de l'agglomération",
        "Bénévoles de Seine-et-Marne",
    }
    assert names[:2] == ["CCAS de Melun", "Épicerie solidaire de Vaux"]
    assert names[-2:] == ["France services de l'agglomération", "Bénévoles de Seine-et-Marne"]


def test_a_commune_elsewhere_in_the_department_gets_the_department_s_actors_only(geo, actors):
    names = _names(selectors.search(communes=[geo["fontainebleau"]]))
    assert names == ["Médiathèque de Fontainebleau", "Bénévoles de Seine-et-Marne"]


def test_the_need_narrows_the_search(geo, actors):
    place = selectors.place_for(query="Melun")
    assert [c.name for c in place.communes] == ["Melun"]
    names = _names(selectors.search(communes=place.communes, need="numerique"))
    assert names == []
    names = _names(selectors.search(communes=place.communes, need="entraide-numerique"))
    assert names == ["Centre social de Dammarie"]


def test_only_published_actors_are_public(geo, actors):
    everything = _names(selectors.search(communes=[]))
    assert "Collectif de Brest" in everything
    for hidden in ("Proposition en attente", "Proposition non confirmée", "Proposition refusée"):
        assert hidden not in everything
    assert selectors.actor_detail(actors["pending"].slug) is None
    assert selectors.actor_detail(actors["melun"].slug).name == "CCAS de Melun"


def test_an_ambiguous_name_offers_communes_to_choose_from(geo):
    from kits.factories import CommuneFactory

    CommuneFactory(insee_code="77400", name="Melun-Nord", department=geo["d77"])
    CommuneFactory(insee_code="77401", name="Melunette", department=geo["d77"])
    # "Melun" is one exact name: no question asked.
    assert [c.name for c in selectors.place_for(query="melun").communes] == ["Melun"]
    place = selectors.place_for(query="melu")
    assert not place.found
    assert [c.name for c in place.choices] == ["Melun", "Melun-Nord", "Melunette"]


def test_a_commune_page_lists_its_own_its_intercommunality_s_and_department_s_actors(geo, actors):
    names = _names(selectors.commune_actors(geo["melun"]))
    assert names == [
        "CCAS de Melun",
        "France services de l'agglomération",
        "Bénévoles de Seine-et-Marne",
    ]


def test_categories_are_named_in_the_visitor_s_language(categories):
    assert selectors.needs("fr") == [
        ("entraide-numerique", "Entraide numérique"),
        ("aines", "Prendre soin des aînés"),
    ]
    # Translated where a translation exists, in French otherwise.
    assert selectors.needs("en") == [
        ("entraide-numerique", "Digital help"),
        ("aines", "Prendre soin des aînés"),
    ]
