"""Postcode and commune inputs, for this app's search and for other apps' forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import INSEE_CODE_RE, POSTCODE_RE, Commune, normalize_postcode
from .selectors import communes_for_postcode

MALFORMED_POSTCODE = _("Saisissez un code postal à 5 chiffres, par exemple 75017.")
UNKNOWN_POSTCODE = _("Aucune commune ne correspond au code postal %(postcode)s.")
UNKNOWN_COMMUNE = _("Cette commune est inconnue. Vérifiez le nom ou le code postal.")


class PostcodeField(forms.CharField):
    """Five digits, spaces allowed around and inside (" 77 000 "); cleans to "77000"."""

    default_error_messages = {"invalid": MALFORMED_POSTCODE}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Code postal"))
        # Long enough for spaced-out input, short enough to refuse pasted junk early.
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.error_messages["max_length"] = self.error_messages["invalid"]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # No `pattern`: it would reject " 77 000 ", which the server accepts.
        attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_postcode(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value and not POSTCODE_RE.fullmatch(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class PostcodeForm(forms.Form):
    """A postcode that must serve at least one commune; `cleaned_data["communes"]` lists them
    (by name, with their department)."""

    postcode = PostcodeField()

    def clean(self):
        cleaned_data = super().clean()
        postcode = cleaned_data.get("postcode")
        if postcode:
            communes = list(communes_for_postcode(postcode))
            if not communes:
                self.add_error("postcode", unknown_postcode_error(postcode))
            cleaned_data["communes"] = communes
        return cleaned_data


def unknown_postcode_error(postcode: str) -> ValidationError:
    return ValidationError(UNKNOWN_POSTCODE, code="unknown", params={"postcode": postcode})


class CommuneChoiceField(forms.ModelChoiceField):
    """A commune, submitted as its INSEE code ("77288").

    Two uses:

    - "postcode, then commune": narrow the choices with `limit_to_postcode()` and let the
      visitor pick among the few communes of their postcode (radio buttons, no JavaScript);
    - a commune chosen elsewhere (a hidden input, or a future autocomplete filling one):
      any commune's INSEE code validates, in one query.

    Never render it unnarrowed: 35,000 radio buttons is no page for anyone.
    """

    default_error_messages = {"invalid_choice": UNKNOWN_COMMUNE}

    def __init__(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = Commune.objects.select_related("department")
        kwargs.setdefault("label", _("Commune"))
        kwargs.setdefault("to_field_name", "insee_code")
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(queryset, **kwargs)

    def limit_to_postcode(self, postcode: str) -> None:
        self.queryset = communes_for_postcode(postcode)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()  # Corsican codes: "2a004" is "2A004".
            if value and not INSEE_CODE_RE.fullmatch(value):
                # Not worth a query, and keeps junk (NUL bytes) away from the database.
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SearchInput(forms.TextInput):
    input_type = "search"


class CommuneSearchForm(forms.Form):
    """The public commune search: a postcode, or (part of) a commune name."""

    q = forms.CharField(
        label=_("Code postal ou nom de la commune"),
        max_length=100,
        required=False,
        help_text=_("Par exemple 77000 ou Melun."),
        widget=SearchInput,
    )

    def clean_q(self):
        q = " ".join(self.cleaned_data["q"].split())
        compact = normalize_postcode(q)
        if compact.isascii() and compact.isdigit():
            # Only digits: the visitor meant a postcode, so say what a postcode looks like
            # rather than "no commune is called 7700".
            if not POSTCODE_RE.fullmatch(compact):
                raise ValidationError(MALFORMED_POSTCODE, code="invalid")
            if not communes_for_postcode(compact).exists():
                raise unknown_postcode_error(compact)
            return compact
        return q
