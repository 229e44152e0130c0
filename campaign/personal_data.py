"""The registry of personal data: what every app keeps about one person, for the right of
access (export) and the right to erasure.

Each app that keeps personal data provides a `<app>/personal_data.py` module with two
functions:

    def export(person: Person) -> list[Section]: ...   # what it keeps, JSON-ready
    def erase(person: Person) -> None: ...              # forget it (delete or anonymise)

The registry finds those modules with Django's `autodiscover_modules("personal_data")`, so
`volunteers/` gathers every app's data without importing any of them (the imports run one way:
docs/DESIGN.md). Providers are called in INSTALLED_APPS order.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from django.apps import apps
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

# What an anonymised row's required address becomes. ".invalid" is reserved (RFC 2606):
# never anyone's address.
ERASED_EMAIL = "erased@erased.invalid"


def iso(value) -> str | None:
    """A date or datetime as the export's JSON writes it (ISO 8601), None when unset."""
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Person:
    """Who the request is about: the normalized address and, when they signed up, the
    volunteer's id (an erased volunteer keeps their id, not their address)."""

    email: str
    volunteer_id: int | None = None


@dataclass
class Section:
    """One table of the export. `key` names it in the JSON file; `title` (translatable) is
    the table's caption on the HTML page; `columns` maps each row key to its (translatable)
    header; `rows` are JSON-ready dicts (str, int, bool, None, lists and dicts of those), with
    codes and ISO dates as a machine reads them; `choices` maps a column to the labels of its
    codes, for the page (a status "confirmed" reads "confirmé")."""

    key: str
    title: str | Promise
    columns: dict[str, str | Promise]
    rows: list[dict] = field(default_factory=list)
    choices: dict[str, dict] = field(default_factory=dict)

    def as_json(self) -> list[dict]:
        return self.rows

    def _cell(self, row, key) -> str:
        return _display(row.get(key), self.choices.get(key))

    def table(self) -> list[list[str]]:
        """The rows as lists of display texts in the columns' order, for the HTML table."""
        return [[self._cell(row, key) for key in self.columns] for row in self.rows]

    def fields(self) -> list[tuple[str, str]]:
        """(header, display text) of the first row: a one-row section reads as a list."""
        row = self.rows[0] if self.rows else {}
        return [(label, self._cell(row, key)) for key, label in self.columns.items()]


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _display(value, choices=None) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, dict):
        return ", ".join(_display(v, choices) for v in value.values())
    if isinstance(value, list | tuple):
        return ", ".join(_display(v, choices) for v in value)
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    return str(value)


MODULE = "personal_data"


def providers() -> list[ModuleType]:
    """Every installed app's `personal_data` module, in INSTALLED_APPS order."""
    autodiscover_modules(MODULE)
    found = []
    for app_config in apps.get_app_configs():
        module = sys.modules.get(f"{app_config.name}.{MODULE}")
        if module is not None and hasattr(module, "export") and hasattr(module, "erase"):
            found.append(module)
    return found


def personal_data_export(*, person: Person) -> list[Section]:
    """Everything every app keeps about `person`, as sections (empty ones left out)."""
    sections = []
    for provider in providers():
        sections.extend(s for s in provider.export(person) if s.rows)
    return sections


def personal_data_export_json(*, person: Person) -> dict:
    """The export as one JSON-ready dict: section key -> list of rows."""
    return {s.key: s.as_json() for s in personal_data_export(person=person)}


def personal_data_erase(*, person: Person) -> None:
    """Have every app forget `person`. Each provider deletes or anonymises what it keeps;
    called inside the caller's transaction."""
    for provider in providers():
        provider.erase(person)
