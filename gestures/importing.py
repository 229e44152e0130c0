"""Reading and checking the data files (gestures/data/README.md describes them). Pure
functions: nothing here touches the database, so a bad file changes nothing."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .choices import AUDIENCE_CHOICES, ICON_CHOICES, PLACE_CHOICES, TIME_CHOICES
from .models.snippets import HEX_COLOUR, contrast_with_white

DATA_DIR = Path(__file__).resolve().parent / "data"
GESTURES_FILE = DATA_DIR / "gestures.csv"
CATEGORIES_FILE = DATA_DIR / "categories.csv"

CATEGORY_COLUMNS = [
    "slug",
    "name_fr",
    "name_en",
    "colour",
    "icon",
    "description_fr",
    "description_en",
]
GESTURE_COLUMNS = [
    "number",
    "category",
    "time",
    "audiences",
    "places",
    "heure_civique",
    "title_fr",
    "description_fr",
    "howto_fr",
    "title_en",
    "description_en",
    "howto_en",
]
TITLE_MAX = 80
DESCRIPTION_MAX = 200
HOWTO_MAX = 700
CATEGORY_NAME_MAX = 80
CATEGORY_DESCRIPTION_MAX = 300
STEPS_MIN, STEPS_MAX = 3, 5


class DataFileError(Exception):
    """The data files cannot be imported; `messages` names each faulty line."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class CategoryRow:
    line: int
    slug: str
    name: tuple
    colour: str
    icon: str
    description: tuple


@dataclass(frozen=True)
class GestureRow:
    line: int
    number: int
    category: str
    time_needed: str
    audiences: str
    places: str
    heure_civique: bool
    title: tuple
    description: tuple
    howto: tuple


def normalise_text(value):
    """Line breaks as \\n, no empty line, no stray spaces at the ends of lines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in value.split("\n") if line.strip())


def _read(path, expected_columns, label):
    """Rows of a CSV file with their first line number. Raises DataFileError when the file
    cannot be read or its header is not the expected one."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if len(header) == 1 and ";" in header[0]:
                raise DataFileError(
                    [
                        _(
                            "%(file)s, ligne 1 : les colonnes sont séparées par des "
                            "points-virgules. Enregistrez le fichier en CSV UTF-8 avec des "
                            "virgules (voir gestures/data/README.md)."
                        )
                        % {"file": label}
                    ]
                )
            missing = [c for c in expected_columns if c not in header]
            extra = [c for c in header if c not in expected_columns]
            if missing or extra:
                messages = []
                if missing:
                    messages.append(
                        _("%(file)s, ligne 1 : colonne manquante : %(columns)s.")
                        % {"file": label, "columns": ", ".join(missing)}
                    )
                if extra:
                    messages.append(
                        _("%(file)s, ligne 1 : colonne inconnue : %(columns)s.")
                        % {"file": label, "columns": ", ".join(extra)}
                    )
                raise DataFileError(messages)
            rows = []
            line = reader.line_num + 1
            for row in reader:
                rows.append((line, row))
                line = reader.line_num + 1
            return rows
    except UnicodeDecodeError as error:
        raise DataFileError(
            [
                _("%(file)s : le fichier n'est pas en UTF-8. Enregistrez-le en CSV UTF-8.")
                % {"file": label}
            ]
        ) from error
    except csv.Error as error:
        raise DataFileError(
            [_("%(file)s : fichier CSV illisible (%(error)s).") % {"file": label, "error": error}]
        ) from error
    except OSError as error:
        raise DataFileError(
            [_("%(file)s : fichier introuvable ou illisible.") % {"file": label}]
        ) from error


def _check_cells(row, label, line, errors):
    """Every cell filled in, and no extra cell on the line."""
    if None in row:
        errors.append(
            _("%(file)s, ligne %(line)s : trop de cellules sur la ligne.")
            % {"file": label, "line": line}
        )
    empty = [k for k, v in row.items() if k is not None and not (v or "").strip()]
    if empty:
        errors.append(
            _("%(file)s, ligne %(line)s : cellule vide : %(columns)s.")
            % {"file": label, "line": line, "columns": ", ".join(empty)}
        )
    return not empty and None not in row


def _too_long(value, limit, column, label, line, errors):
    if len(value) > limit:
        errors.append(
            _(
                "%(file)s, ligne %(line)s : %(column)s est trop long (%(length)s caractères, "
                "%(limit)s au plus)."
            )
            % {"file": label, "line": line, "column": column, "length": len(value), "limit": limit}
        )


def categories_read(path=CATEGORIES_FILE):
    """The categories of `path`, checked. Raises DataFileError listing every faulty line."""
    label = Path(path).name
    errors, categories, seen = [], [], {}
    icons = {key for key, _label in ICON_CHOICES}
    for line, row in _read(path, CATEGORY_COLUMNS, label):
        if not _check_cells(row, label, line, errors):
            continue
        values = {k: normalise_text(v) for k, v in row.items()}
        slug = values["slug"]
        context = {"file": label, "line": line, "value": slug}
        if slug in seen:
            errors.append(
                _(
                    "%(file)s, ligne %(line)s : la catégorie « %(value)s » est déjà "
                    "à la ligne %(first)s."
                )
                % {**context, "first": seen[slug]}
            )
        seen.setdefault(slug, line)
        if not HEX_COLOUR.match(values["colour"]):
            errors.append(
                _("%(file)s, ligne %(line)s : couleur « %(value)s » invalide (#rrggbb).")
                % {**context, "value": values["colour"]}
            )
        elif contrast_with_white(values["colour"]) < 4.5:
            errors.append(
                _(
                    "%(file)s, ligne %(line)s : la couleur %(value)s est trop claire "
                    "pour un texte blanc."
                )
                % {**context, "value": values["colour"]}
            )
        if values["icon"] not in icons:
            errors.append(
                _("%(file)s, ligne %(line)s : pictogramme inconnu « %(value)s ».")
                % {**context, "value": values["icon"]}
            )
        for column in ("name_fr", "name_en"):
            _too_long(values[column], CATEGORY_NAME_MAX, column, label, line, errors)
        for column in ("description_fr", "description_en"):
            _too_long(values[column], CATEGORY_DESCRIPTION_MAX, column, label, line, errors)
        categories.append(
            CategoryRow(
                line=line,
                slug=slug,
                name=(values["name_fr"], values["name_en"]),
                colour=values["colour"],
                icon=values["icon"],
                description=(values["description_fr"], values["description_en"]),
            )
        )
    if errors:
        raise DataFileError(errors)
    return categories


def _multi(value, allowed, column, label, line, errors):
    values = value.split("|")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        errors.append(
            _("%(file)s, ligne %(line)s : valeur inconnue dans %(column)s : %(values)s.")
            % {"file": label, "line": line, "column": column, "values": ", ".join(unknown)}
        )
    # Stored comma-separated in the choices' order (see gestures.forms).
    return ",".join(key for key in allowed if key in values)


def gestures_read(path=GESTURES_FILE, *, category_slugs):
    """The gestures of `path`, checked against the vocabularies and `category_slugs`.
    Raises DataFileError listing every faulty line."""
    label = Path(path).name
    errors, gestures, seen, titles = [], [], {}, {}
    times = [key for key, _label in TIME_CHOICES]
    audiences = [key for key, _label in AUDIENCE_CHOICES]
    places = [key for key, _label in PLACE_CHOICES]
    for line, row in _read(path, GESTURE_COLUMNS, label):
        if not _check_cells(row, label, line, errors):
            continue
        values = {k: normalise_text(v) for k, v in row.items()}
        context = {"file": label, "line": line}
        try:
            number = int(values["number"])
        except ValueError:
            number = None
        if number is None or not 1 <= number <= 100:
            errors.append(
                _("%(file)s, ligne %(line)s : le numéro « %(value)s » doit être entre 1 et 100.")
                % {**context, "value": values["number"]}
            )
        elif number in seen:
            errors.append(
                _(
                    "%(file)s, ligne %(line)s : le numéro %(value)s est déjà utilisé "
                    "ligne %(first)s."
                )
                % {**context, "value": number, "first": seen[number]}
            )
        else:
            seen[number] = line
        if values["category"] not in category_slugs:
            errors.append(
                _("%(file)s, ligne %(line)s : catégorie inconnue « %(value)s ».")
                % {**context, "value": values["category"]}
            )
        if values["time"] not in times:
            errors.append(
                _("%(file)s, ligne %(line)s : durée inconnue « %(value)s » (%(allowed)s).")
                % {**context, "value": values["time"], "allowed": ", ".join(times)}
            )
        heure_civique = values["heure_civique"].lower()
        if heure_civique not in ("oui", "non"):
            errors.append(
                _("%(file)s, ligne %(line)s : heure_civique vaut « oui » ou « non ».") % context
            )
        for column in ("title_fr", "title_en"):
            _too_long(values[column], TITLE_MAX, column, label, line, errors)
            key = (column, values[column].lower())
            if key in titles:
                errors.append(
                    _("%(file)s, ligne %(line)s : même %(column)s que la ligne %(first)s.")
                    % {**context, "column": column, "first": titles[key]}
                )
            titles.setdefault(key, line)
        for column in ("description_fr", "description_en"):
            _too_long(values[column], DESCRIPTION_MAX, column, label, line, errors)
        for column in ("howto_fr", "howto_en"):
            _too_long(values[column], HOWTO_MAX, column, label, line, errors)
        steps = tuple(len(values[c].split("\n")) for c in ("howto_fr", "howto_en"))
        if steps[0] != steps[1] or not all(STEPS_MIN <= n <= STEPS_MAX for n in steps):
            errors.append(
                _(
                    "%(file)s, ligne %(line)s : « comment faire » doit avoir de 3 à 5 étapes, "
                    "autant en français qu'en anglais (%(fr)s et %(en)s)."
                )
                % {**context, "fr": steps[0], "en": steps[1]}
            )
        gestures.append(
            GestureRow(
                line=line,
                number=number or 0,
                category=values["category"],
                time_needed=values["time"],
                audiences=_multi(values["audiences"], audiences, "audiences", label, line, errors),
                places=_multi(values["places"], places, "places", label, line, errors),
                heure_civique=heure_civique == "oui",
                title=(values["title_fr"], values["title_en"]),
                description=(values["description_fr"], values["description_en"]),
                howto=(values["howto_fr"], values["howto_en"]),
            )
        )
    if errors:
        raise DataFileError(errors)
    return gestures
