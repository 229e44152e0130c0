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

import sys
from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _


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
    header; `rows` are JSON-ready dicts (str, int, bool, None, lists of those)."""

    key: str
    title: str | Promise
    columns: dict[str, str | Promise]
    rows: list[dict] = field(default_factory=list)

    def as_json(self) -> list[dict]:
        return self.rows

    def table(self) -> list[list[str]]:
        """The rows as lists of display texts in the columns' order, for the HTML table."""
        return [[_display(row.get(key)) for key in self.columns] for row in self.rows]

    def fields(self) -> list[tuple[str, str]]:
        """(header, display text) of the first row: a one-row section reads as a list."""
        row = self.rows[0] if self.rows else {}
        return [(label, _display(row.get(key))) for key, label in self.columns.items()]


def _display(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, dict):
        return ", ".join(_display(v) for v in value.values())
    if isinstance(value, list | tuple):
        return ", ".join(_display(v) for v in value)
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
