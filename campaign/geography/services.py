"""Loading France's geography into the database."""

import csv
import gzip
import logging
from collections import defaultdict
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    Commune,
    Department,
    Intercommunality,
    Postcode,
    Region,
    commune_slug,
    search_key,
)

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.csv.gz"

# Rows per INSERT/UPDATE statement. Django lowers it further where the database caps the
# number of query parameters (SQLite).
BATCH_SIZE = 1000

REGIONS, DEPARTMENTS, INTERCOMMUNALITIES, COMMUNES, ARRONDISSEMENTS, POSTCODES = (
    "regions",
    "departments",
    "intercommunalities",
    "communes",
    "arrondissements",
    "postcodes",
)
ALL = "all"
_COMMUNE_KINDS = {"c": Commune.Kind.COMMUNE, "a": Commune.Kind.ARRONDISSEMENT}
_GROUP_OF_KIND = {Commune.Kind.COMMUNE: COMMUNES, Commune.Kind.ARRONDISSEMENT: ARRONDISSEMENTS}


def communes_import(*, path: Path | str | None = None, stdout=None) -> dict:
    """Create or update regions, departments, intercommunalities, communes, arrondissements and
    postcodes from the data file (`data/communes.csv.gz` by default; its README describes the
    columns).

    Idempotent: rows are matched on their INSEE code, and a row whose values did not change is
    not written, so a second run only reads (about a second). Everything happens in one
    transaction, with bulk statements: no query per row.

    Rows absent from the file are kept, not deleted: other apps point at communes (volunteers,
    engaged communes), and a commune merged into a new one must not take them along. They are
    counted as "missing" so that whoever updates the file sees them.

    Returns the counts per kind, e.g. ``{"communes": {"created": 0, "updated": 2,
    "unchanged": 34967, "missing": 0}, …, "postcodes": {"created": 1, "deleted": 0,
    "unchanged": 35539}}``. Writes a summary line per kind to `stdout` when given.
    """
    regions, departments, intercommunalities, communes, postcodes = _read(
        Path(path) if path else DATA_FILE
    )
    with transaction.atomic():
        result = {
            REGIONS: _sync(Region, "code", regions)[ALL],
            DEPARTMENTS: _sync(Department, "code", departments)[ALL],
            INTERCOMMUNALITIES: _sync(Intercommunality, "code", intercommunalities)[ALL],
        }
        # Communes and arrondissements go through the same statements, communes first (the rows
        # are sorted so); the parent foreign key is a deferred constraint on SQLite and
        # PostgreSQL anyway.
        by_kind = _sync(
            Commune, "insee_code", communes, group_of=lambda values: _GROUP_OF_KIND[values["kind"]]
        )
        result[COMMUNES] = by_kind[COMMUNES]
        result[ARRONDISSEMENTS] = by_kind[ARRONDISSEMENTS]
        result[POSTCODES] = _sync_postcodes(postcodes)
    if stdout is not None:
        for line in summary_lines(result):
            stdout.write(line + "\n")
    return result


def _read(path: Path):
    """Parse the data file into {code: field values} per table, values as the models store
    them, so that comparing with the database is a plain tuple comparison."""
    regions, departments, intercommunalities, communes, postcodes = {}, {}, {}, {}, set()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
        for row in csv.DictReader(text):
            kind, code, name = row["kind"], row["code"], row["name"]
            if kind == "r":
                regions[code] = {"name": name, "slug": slugify(name)}
            elif kind == "d":
                departments[code] = {
                    "name": name,
                    "slug": slugify(name),
                    "region_id": row["region"] or None,
                }
            elif kind == "e":
                intercommunalities[code] = {
                    "name": name,
                    # Two EPCI share a name ("CC des Quatre Rivières"): the SIREN keeps the
                    # slug unique and stable, as the INSEE code does for communes.
                    "slug": f"{slugify(name)}-{code}",
                    "kind": row["intercommunality"],
                }
            elif kind in _COMMUNE_KINDS:
                population = row["population"]
                communes[code] = {
                    "name": name,
                    "slug": commune_slug(name, code),
                    "search_name": search_key(name),
                    "kind": _COMMUNE_KINDS[kind],
                    "parent_id": row["commune"] or None,
                    "department_id": row["department"],
                    "region_id": row["region"] or None,
                    "population": int(population) if population else None,
                    # Absent from a file built before intercommunalities were added.
                    "intercommunality_id": row.get("intercommunality") or None,
                    # Absent from a file built before the centres were added, empty for a
                    # commune without one: no centre.
                    "longitude": _degrees(row.get("longitude")),
                    "latitude": _degrees(row.get("latitude")),
                }
                postcodes.update((postcode, code) for postcode in row["postcodes"].split())
            else:
                raise ValueError(f"{path}: unknown kind {kind!r} on the row of {code}")
    return regions, departments, intercommunalities, communes, postcodes


def _degrees(text):
    """A coordinate of the file as the database gives it back: the float of its text (the same
    float SQLite's REAL and PostgreSQL's double precision return), None when empty."""
    return float(text) if text else None


def _sync(model, key: str, desired: dict[str, dict], *, group_of=None) -> dict[str, dict]:
    """Bring `model`'s table in line with `desired` ({key value: field values}).

    The table is read once (values only, no model instances) and compared in memory; only the
    new and the changed rows are written, in bulk. Counts are kept per group: `group_of` maps a
    row's values to its group name, everything is in the group `ALL` without it.
    """
    group_of = group_of or (lambda _values: ALL)
    fields = list(next(iter(desired.values()), {}))
    counts = defaultdict(lambda: {"created": 0, "updated": 0, "unchanged": 0, "missing": 0})
    existing = {
        row[0]: row[1:]
        for row in model._default_manager.order_by().values_list(key, "pk", *fields).iterator()
    }
    to_create, to_update = [], []
    for code, values in desired.items():
        current = existing.pop(code, None)
        group = counts[group_of(values)]
        if current is None:
            to_create.append(model(**{key: code}, **values))
            group["created"] += 1
        elif current[1:] != tuple(values.values()):
            to_update.append((*values.values(), current[0]))
            group["updated"] += 1
        else:
            group["unchanged"] += 1
    for current in existing.values():
        counts[group_of(dict(zip(fields, current[1:], strict=True)))]["missing"] += 1
    if existing:
        logger.warning(
            "%d %s in the database are no longer in the data file, e.g. %s",
            len(existing),
            model._meta.verbose_name_plural,
            ", ".join(sorted(existing)[:10]),
        )
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    _update_by_pk(model, fields, to_update)
    return counts


def _update_by_pk(model, fields: list[str], rows: list[tuple]) -> None:
    """UPDATE `fields` of many rows, each row being (*values, pk), through executemany.

    Not `bulk_update()`: it writes a CASE WHEN per field and row, and took over a minute on
    SQLite and PostgreSQL to refresh every commune (a new year's populations do that). A
    prepared UPDATE run through executemany takes a second or two on both (psycopg pipelines
    it). Only plain text, integer and float columns go through here, so values need no
    conversion.
    """
    if not rows:
        return
    opts, quote = model._meta, connection.ops.quote_name
    assignments = ", ".join(f"{quote(opts.get_field(name).column)} = %s" for name in fields)
    # Identifiers come from the model's options, values are parameters.
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


def _sync_postcodes(desired: set[tuple[str, str]]) -> dict:
    """Make each commune's postcodes those of the file: add the new pairs, delete the pairs the
    file no longer has (for communes it still lists)."""
    listed_communes = {commune for _code, commune in desired}
    existing = {}
    stale = []
    for pk, code, commune in Postcode.objects.order_by().values_list("pk", "code", "commune_id"):
        if (code, commune) in desired:
            existing[code, commune] = pk
        elif commune in listed_communes:
            stale.append(pk)
    missing = desired - existing.keys()
    Postcode.objects.bulk_create(
        [Postcode(code=code, commune_id=commune) for code, commune in sorted(missing)],
        batch_size=BATCH_SIZE,
    )
    for start in range(0, len(stale), BATCH_SIZE):
        Postcode.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    return {"created": len(missing), "deleted": len(stale), "unchanged": len(existing)}


def summary_lines(result: dict) -> list[str]:
    """One French (or translated) sentence per kind, e.g. "Communes : 34969 créées, 0 mises à
    jour, 0 inchangées."."""
    labels = {
        REGIONS: (_("Régions"), True),
        DEPARTMENTS: (_("Départements et collectivités d'outre-mer"), False),
        INTERCOMMUNALITIES: (_("Intercommunalités"), True),
        COMMUNES: (_("Communes"), True),
        ARRONDISSEMENTS: (_("Arrondissements municipaux"), False),
    }
    lines = []
    for group, (label, feminine) in labels.items():
        counts = result[group]
        parts = [
            _created(counts["created"], feminine),
            _updated(counts["updated"], feminine),
            _unchanged(counts["unchanged"], feminine),
        ]
        if counts["missing"]:
            parts.append(_missing(counts["missing"], feminine))
        lines.append(_("%(label)s : %(counts)s.") % {"label": label, "counts": ", ".join(parts)})
    counts = result[POSTCODES]
    parts = [
        _created(counts["created"], False),
        ngettext("%(count)d supprimé", "%(count)d supprimés", counts["deleted"])
        % {"count": counts["deleted"]},
        _unchanged(counts["unchanged"], False),
    ]
    lines.append(
        _("%(label)s : %(counts)s.") % {"label": _("Codes postaux"), "counts": ", ".join(parts)}
    )
    return lines


# French agrees the participle with the noun: "18 régions créées", "109 départements créés".
def _created(n, feminine):
    if feminine:
        return ngettext("%(count)d créée", "%(count)d créées", n) % {"count": n}
    return ngettext("%(count)d créé", "%(count)d créés", n) % {"count": n}


def _updated(n, feminine):
    if feminine:
        return ngettext("%(count)d mise à jour", "%(count)d mises à jour", n) % {"count": n}
    return ngettext("%(count)d mis à jour", "%(count)d mis à jour", n) % {"count": n}


def _unchanged(n, feminine):
    if feminine:
        return ngettext("%(count)d inchangée", "%(count)d inchangées", n) % {"count": n}
    return ngettext("%(count)d inchangé", "%(count)d inchangés", n) % {"count": n}


def _missing(n, feminine):
    if feminine:
        return ngettext(
            "%(count)d absente du fichier (conservée)",
            "%(count)d absentes du fichier (conservées)",
            n,
        ) % {"count": n}
    return ngettext(
        "%(count)d absent du fichier (conservé)", "%(count)d absents du fichier (conservés)", n
    ) % {"count": n}
