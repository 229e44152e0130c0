"""The shipped data file, imported for real: counts, the arrondissements' ties, idempotency."""

import pytest

from campaign.geography.models import Commune, Department, Intercommunality, Postcode, Region
from campaign.geography.services import communes_import

pytestmark = pytest.mark.django_db


def test_import_creates_every_row(france):
    assert france["regions"] == {"created": 18, "updated": 0, "unchanged": 0, "missing": 0}
    assert france["departments"]["created"] == 109
    assert france["intercommunalities"]["created"] == 1_255
    assert france["communes"]["created"] == 34_969
    assert france["arrondissements"]["created"] == 45
    assert france["postcodes"] == {"created": 35_539, "deleted": 0, "unchanged": 0}

    assert Commune.objects.communes().count() == 34_969
    assert Commune.objects.arrondissements().count() == 45
    # 13 metropolitan regions and 5 overseas regions; the overseas collectivities are not regions.
    assert Region.objects.count() == 18
    # 101 departments and 8 overseas collectivities.
    assert Department.objects.count() == 109
    assert Postcode.objects.count() == 35_539


@pytest.mark.parametrize(
    ("arrondissement", "name", "commune"),
    [
        ("75117", "Paris 17e Arrondissement", "75056"),
        ("69383", "Lyon 3e Arrondissement", "69123"),
        ("13201", "Marseille 1er Arrondissement", "13055"),
    ],
)
def test_arrondissements_belong_to_their_commune(france, arrondissement, name, commune):
    arr = Commune.objects.select_related("parent").get(insee_code=arrondissement)
    assert arr.name == name
    assert arr.kind == Commune.Kind.ARRONDISSEMENT
    assert arr.parent.insee_code == commune
    assert arr.parent.kind == Commune.Kind.COMMUNE
    assert arr.department_id == arr.parent.department_id
    assert arr.region_id == arr.parent.region_id


def test_every_arrondissement_has_a_parent_and_no_commune_has_one(france):
    assert not Commune.objects.arrondissements().filter(parent__isnull=True).exists()
    assert not Commune.objects.communes().filter(parent__isnull=False).exists()
    assert Commune.objects.get(insee_code="75056").arrondissements.count() == 20
    assert Commune.objects.get(insee_code="69123").arrondissements.count() == 9
    assert Commune.objects.get(insee_code="13055").arrondissements.count() == 16


def test_communes_carry_their_department_region_slug_and_search_name(france):
    melun = Commune.objects.select_related("department__region").get(insee_code="77288")
    assert str(melun) == "Melun (77)"
    assert melun.slug == "melun-77288"
    assert melun.department.name == "Seine-et-Marne"
    assert melun.region_id == melun.department.region_id == "11"
    assert Commune.objects.get(insee_code="42218").search_name == "saint etienne"
    assert Commune.objects.get(insee_code="2A004").slug == "ajaccio-2a004"


def test_communes_belong_to_their_intercommunality(france):
    melun = Commune.objects.select_related("intercommunality").get(insee_code="77288")
    assert melun.intercommunality.name == "CA Melun Val de Seine"
    assert melun.intercommunality.kind == Intercommunality.Kind.CA
    assert melun.intercommunality.slug == "ca-melun-val-de-seine-247700057"
    # An arrondissement belongs to its commune's intercommunality.
    paris, paris_17 = (Commune.objects.get(insee_code=code) for code in ("75056", "75117"))
    assert paris.intercommunality_id == paris_17.intercommunality_id == "200054781"
    assert Intercommunality.objects.get(code="200054781").kind == Intercommunality.Kind.METRO
    # The 1,255 EPCI à fiscalité propre of 2026 cover every commune but the 98 that belong
    # to none (islands such as Île-de-Bréhat, and overseas collectivities).
    assert Commune.objects.communes().filter(intercommunality__isnull=True).count() == 98
    # Two of them share a name: the SIREN in the slug keeps their addresses apart.
    assert Intercommunality.objects.filter(name="CC des Quatre Rivières").count() == 2


def test_overseas_collectivities_are_departments_without_a_region(france):
    # Collectivités d'outre-mer have communes but no region: the file keeps them as
    # departments so that every commune can be imported.
    polynesia = Department.objects.get(code="987")
    assert polynesia.name == "Polynésie française"
    assert polynesia.region is None
    assert polynesia.communes.count() == 48
    assert Commune.objects.filter(region__isnull=True).count() == 94
    assert Department.objects.filter(code="971", region__name="Guadeloupe").exists()


def test_communes_carry_their_centre(france):
    melun = Commune.objects.get(insee_code="77288")
    assert (melun.longitude, melun.latitude) == (2.6595, 48.5426)
    ajaccio = Commune.objects.get(insee_code="2A004")
    assert 8 < ajaccio.longitude < 10 and 41 < ajaccio.latitude < 43
    # A commune nouvelle whose code changed after the centres were exported: found under its
    # former code.
    assert Commune.objects.get(insee_code="12218").latitude is not None
    # The counts data/README.md gives: every commune but those of the overseas
    # collectivities and 8 newer ones; no arrondissement (the map uses its commune's).
    assert Commune.objects.communes().filter(latitude__isnull=False).count() == 34_867
    assert not Commune.objects.arrondissements().filter(latitude__isnull=False).exists()
    assert not Commune.objects.filter(department_id="987", latitude__isnull=False).exists()
    assert not Commune.objects.filter(latitude__isnull=True, longitude__isnull=False).exists()
    # Every centre of metropolitan France lies within its bounds (no swapped coordinates).
    metropolitan = Commune.objects.filter(latitude__isnull=False).exclude(
        department__code__startswith="97"
    )
    assert not metropolitan.exclude(
        longitude__range=(-5.2, 9.6), latitude__range=(41.3, 51.1)
    ).exists()


def test_an_import_fills_the_centres_of_communes_imported_before_them(france):
    # A database imported before the centres were added: the migration left them empty, and
    # the next import fills them, then changes nothing.
    Commune.objects.update(latitude=None, longitude=None)

    result = communes_import()

    assert result["communes"]["updated"] == 34_867
    assert result["communes"]["created"] == 0
    assert result["arrondissements"]["updated"] == 0
    assert Commune.objects.get(insee_code="77288").latitude == 48.5426
    again = communes_import()
    assert again["communes"]["updated"] == again["communes"]["created"] == 0


def test_second_import_changes_nothing(france):
    models = (Region, Department, Intercommunality, Commune, Postcode)
    counts = {model: model.objects.count() for model in models}

    result = communes_import()

    for kind in ("regions", "departments", "intercommunalities", "communes", "arrondissements"):
        assert result[kind]["created"] == result[kind]["updated"] == 0, kind
        assert result[kind]["missing"] == 0, kind
    assert result["communes"]["unchanged"] == 34_969
    assert result["arrondissements"]["unchanged"] == 45
    assert result["postcodes"] == {"created": 0, "deleted": 0, "unchanged": 35_539}
    assert counts == {model: model.objects.count() for model in models}


def test_second_import_is_read_only(france, django_assert_max_num_queries):
    # The import runs on every `make setup`: with nothing to change it only reads the five
    # tables (plus savepoint statements).
    with django_assert_max_num_queries(10) as captured:
        communes_import()
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
