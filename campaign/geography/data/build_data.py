#!/usr/bin/env python3
"""Build communes.csv.gz from the unpacked npm package @etalab/decoupage-administratif.

Standalone on purpose (no Django): the data file is rebuilt by hand when INSEE publishes a new
Code officiel géographique, and committed. See README.md in this folder.

    npm pack @etalab/decoupage-administratif@6.0.0
    tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python campaign/geography/data/build_data.py package/

The output is deterministic (sorted rows, gzip header without name or mtime) so that a rebuild
from the same package gives a byte-identical file and a clean diff.
"""

import argparse
import csv
import gzip
import io
import json
import sys
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
]

# Rows are written regions first, then departments, intercommunalities, communes and
# arrondissements, so that the importer meets every parent before its children.
KIND_ORDER = {"r": 0, "d": 1, "e": 2, "c": 3, "a": 4}
COMMUNE_TYPES = {"commune-actuelle": "c", "arrondissement-municipal": "a"}

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "communes.csv.gz"


def build_rows(package_dir: Path) -> list[dict]:
    data = package_dir / "data"
    regions = json.loads((data / "regions.json").read_text(encoding="utf-8"))
    departments = json.loads((data / "departements.json").read_text(encoding="utf-8"))
    communes = json.loads((data / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((data / "epci.json").read_text(encoding="utf-8"))

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
    parser.add_argument("package", type=Path, help="the unpacked npm package folder")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    rows = build_rows(args.package)
    write_csv_gz(rows, args.output)
    counts = {kind: sum(1 for row in rows if row["kind"] == kind) for kind in KIND_ORDER}
    print(
        f"{args.output}: {counts['r']} regions, {counts['d']} departments, "
        f"{counts['e']} intercommunalities, {counts['c']} communes, "
        f"{counts['a']} arrondissements"
    )


if __name__ == "__main__":
    main()
