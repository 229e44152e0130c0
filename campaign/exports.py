"""Spreadsheet exports that a spreadsheet cannot run.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets (`=HYPERLINK("http://…","x")` typed as a first name
becomes a link; other formulas can read cells or, in old versions, run commands). As the
OWASP "CSV Injection" guidance says, such a cell gets a leading `'`: the spreadsheet shows
the text as typed and never evaluates it. Every exported cell goes through `neutralise`,
CSV and XLSX alike (`SafeSpreadsheetExportMixin` for Wagtail's listing exports,
`neutralise_row` for hand-written ones)."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, with a leading `'` when it is text a spreadsheet would take for a formula.
    Numbers, dates and empty values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row):
    return [neutralise(value) for value in row]


class SafeSpreadsheetExportMixin:
    """For a Wagtail view with SpreadsheetExportMixin (snippet and model listings): every
    cell, after Wagtail's own preprocessing, is neutralised."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))
