"""The import on small hand-made files: what it creates, updates, keeps and reports."""

import io

from django.core.management import call_command

import pytest

from campaign.geography.models import Commune, Postcode, search_key
from campaign.geography.services import communes_import

pytestmark = pytest.mark.django_db


def test_import_creates_the_rows_of_a_small_file(data_file):
    result = communes_import(path=data_file())

    assert result["regions"]["created"] == 1
    assert result["departments"]["created"] == 3
    assert result["communes"] == {"created": 3, "updated": 0, "unchanged": 0, "missing": 0}
    assert result["arrondissements"]["created"] == 1
    assert result["postcodes"] == {"created": 5, "deleted": 0, "unchanged": 0}
    paris_17 = Commune.objects.get(insee_code="75117")
    assert paris_17.parent_id == "75056"
    assert paris_17.kind == Commune.Kind.ARRONDISSEMENT
    assert Commune.objects.get(insee_code="98735").region is None


def test_changed_name_and_postcodes_are_reported_as_updates(data_file, small_france):
    communes_import(path=data_file())
    renamed = small_france.replace(
        "c,77288,Melun,11,77,,40000,77000", "c,77288,Melun-sur-Seine,11,77,,40000,77000 77011"
    ).replace("75001 75017", "75017")

    result = communes_import(path=data_file(renamed, name="renamed.csv.gz"))

    assert result["communes"] == {"created": 0, "updated": 1, "unchanged": 2, "missing": 0}
    assert result["arrondissements"] == {"created": 0, "updated": 0, "unchanged": 1, "missing": 0}
    assert result["regions"]["unchanged"] == 1
    assert result["departments"]["unchanged"] == 3
    assert result["postcodes"] == {"created": 1, "deleted": 1, "unchanged": 4}
    melun = Commune.objects.get(insee_code="77288")
    assert (melun.name, melun.slug, melun.search_name) == (
        "Melun-sur-Seine",
        "melun-sur-seine-77288",
        "melun sur seine",
    )
    assert set(melun.postcodes.values_list("code", flat=True)) == {"77000", "77011"}
    assert not Postcode.objects.filter(code="75001").exists()


def test_rows_gone_from_the_file_are_kept_and_reported(data_file, small_france):
    # Other apps point at communes: a commune merged away must not take their rows with it.
    communes_import(path=data_file())
    without_papeete = small_france.replace("c,98735,Papeete,,987,,26926,98714\n", "")

    result = communes_import(path=data_file(without_papeete, name="smaller.csv.gz"))

    assert result["communes"]["missing"] == 1
    assert Commune.objects.filter(insee_code="98735").exists()
    assert Postcode.objects.filter(code="98714").exists()


def test_import_command_prints_a_french_summary_and_can_be_quiet(data_file):
    path = data_file()
    out = io.StringIO()
    call_command("import_communes", file=path, stdout=out)
    assert "Communes : 3 créées, 0 mise à jour, 0 inchangée." in out.getvalue()
    assert "Arrondissements municipaux : 1 créé, 0 mis à jour, 0 inchangé." in out.getvalue()

    out = io.StringIO()
    call_command("import_communes", "--quiet", file=path, stdout=out)
    assert out.getvalue() == ""


def test_intercommunalities_are_imported_and_communes_moved_between_them(tmp_path):
    import gzip

    from campaign.geography.models import Intercommunality

    header = "kind,code,name,region,department,commune,population,postcodes,intercommunality\n"
    rows = (
        "r,11,Île-de-France,,,,,,\n"
        "d,77,Seine-et-Marne,11,,,,,\n"
        "e,247700057,CA Melun Val de Seine,,,,,,CA\n"
        "e,200072130,CC Brie des Rivières et Châteaux,,,,,,CC\n"
        "c,77288,Melun,11,77,,40000,77000,247700057\n"
        "c,77152,Dammarie-les-Lys,11,77,,21000,77190,247700057\n"
        "c,77999,Sans-Intercommunalité,11,77,,100,77999,\n"
    )
    path = tmp_path / "communes.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as gz:
        gz.write(header + rows)

    result = communes_import(path=path)

    assert result["intercommunalities"]["created"] == 2
    melun_agglo = Intercommunality.objects.get(code="247700057")
    assert melun_agglo.kind == Intercommunality.Kind.CA
    assert sorted(melun_agglo.communes.values_list("insee_code", flat=True)) == [
        "77152",
        "77288",
    ]
    assert Commune.objects.get(insee_code="77999").intercommunality is None

    # Dammarie-les-Lys changes intercommunality in next year's file: one update, no new row.
    with gzip.open(path, "wt", encoding="utf-8") as gz:
        gz.write(header + rows.replace("21000,77190,247700057", "21000,77190,200072130"))
    result = communes_import(path=path)
    assert result["communes"]["updated"] == 1
    assert result["intercommunalities"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "missing": 0,
    }
    assert Commune.objects.get(insee_code="77152").intercommunality_id == "200072130"


def test_centres_are_read_filled_in_later_and_emptied_with_their_column(tmp_path, data_file):
    import gzip

    # The small file has no centre columns (a file built before them): no centres.
    result = communes_import(path=data_file())
    assert result["communes"]["created"] == 3
    assert not Commune.objects.filter(latitude__isnull=False).exists()

    header = (
        "kind,code,name,region,department,commune,population,postcodes,intercommunality,"
        "longitude,latitude\n"
    )
    rows = (
        "r,11,Île-de-France,,,,,,,,\n"
        "d,75,Paris,11,,,,,,,\n"
        "d,77,Seine-et-Marne,11,,,,,,,\n"
        "d,987,Polynésie française,,,,,,,,\n"
        "c,75056,Paris,11,75,,2103778,75001 75017,,2.3488,48.8534\n"
        "c,77288,Melun,11,77,,40000,77000,,2.6595,48.5426\n"
        "c,98735,Papeete,,987,,26926,98714,,,\n"
        "a,75117,Paris 17e Arrondissement,11,75,75056,159212,75017,,,\n"
    )
    path = tmp_path / "with-centres.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as gz:
        gz.write(header + rows)

    # The same communes with their centres: two updated, the one without a centre unchanged.
    result = communes_import(path=path)
    assert result["communes"] == {"created": 0, "updated": 2, "unchanged": 1, "missing": 0}
    assert result["arrondissements"]["unchanged"] == 1
    melun = Commune.objects.get(insee_code="77288")
    assert (melun.longitude, melun.latitude) == (2.6595, 48.5426)
    assert Commune.objects.get(insee_code="98735").latitude is None
    assert Commune.objects.get(insee_code="75117").latitude is None

    # Read back from the database, the floats compare equal to the file's: nothing to write.
    result = communes_import(path=path)
    assert result["communes"] == {"created": 0, "updated": 0, "unchanged": 3, "missing": 0}

    # A centre corrected in a later file is updated.
    with gzip.open(path, "wt", encoding="utf-8") as gz:
        gz.write(header + rows.replace("2.6595,48.5426", "2.6601,48.5401"))
    assert communes_import(path=path)["communes"]["updated"] == 1
    assert Commune.objects.get(insee_code="77288").latitude == 48.5401


def test_unknown_kind_stops_the_import_before_any_write(data_file, small_france):
    with pytest.raises(ValueError, match="unknown kind"):
        communes_import(path=data_file(small_france + "x,1,Nowhere,,,,,\n"))
    assert not Commune.objects.exists()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("  Paris   17e Arrondissement ", "paris 17e arrondissement"),
    ],
)
def test_search_key(name, key):
    assert search_key(name) == key
