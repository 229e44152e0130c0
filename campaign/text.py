"""What a visitor types, made safe to store: one line (a name, a commune) or several (a
story, a phone number). Shared by the sign-up, nomination and help-request forms."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# In a text of several lines: the same, less the line feed (kept) and the tab (a space).
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A phone number as people write it: digits, spaces, dots, dashes, brackets, a leading +.
_PHONE = re.compile(r"^\+?[0-9 .()\-]{6,20}$")
INVALID_PHONE = _("Saisissez un numéro de téléphone, par exemple 06 12 34 56 78.")


def clean_phone(value: str) -> str:
    """A phone number, stripped; empty stays empty (the field says whether it is required)."""
    value = (value or "").strip()
    if value and not _PHONE.fullmatch(value):
        raise ValidationError(INVALID_PHONE, code="invalid")
    return value


def clean_line(value: str) -> str:
    """One line of text, NFC. Any script and emoji are welcome; line breaks and control
    characters are refused (they would end up in email headers and exports)."""
    if _LINE_CONTROL.search(value):
        raise ValidationError(
            _("Ce champ ne peut contenir ni retour à la ligne ni caractère de contrôle."),
            code="control",
        )
    return " ".join(unicodedata.normalize("NFC", value).split())


def clean_text(value: str) -> str:
    """Several lines of text, NFC: line breaks kept (as "\\n"), tabs made spaces, any other
    control character (NUL included) removed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    value = value.replace("\u2029", "\n").replace("\t", " ")
    return unicodedata.normalize("NFC", _TEXT_CONTROL.sub("", value)).strip()


class MultilineField(forms.CharField):
    """A text of several lines, cleaned by clean_text before any validation: a stray NUL or
    control character is removed, not refused, and what is left must still be there."""

    def to_python(self, value):
        value = super().to_python(value.replace("\x00", "") if isinstance(value, str) else value)
        return clean_text(value) if value else value
