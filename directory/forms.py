"""The directory's public forms: the search by place and need (GET) and an actor's proposal
(POST). Both work without JavaScript; the commune comes from geography's own search."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from campaign.geography.forms import (
    UNKNOWN_COMMUNE,
    CommuneChoiceField,
    CommuneSearchForm,
    PostcodeField,
)
from campaign.geography.models import INSEE_CODE_RE

from . import services
from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, WEB_SCHEMES, Actor

MAX_LENGTH_MESSAGE = _(
    "Ce champ doit tenir en %(limit_value)d caractères (il en a %(show_value)d)."
)
WEB_ADDRESS_MESSAGE = _(
    "Indiquez l'adresse d'un site web, qui commence par https:// ou http://, par exemple "
    "https://www.example.org."
)
INVISIBLE_MESSAGE = _("Ce texte contient des caractères invisibles : retapez-le.")
UNKNOWN_NEED = _("Ce besoin n'existe pas : choisissez-en un dans la liste.")


def _has_control_characters(value, *, allow_newlines=False):
    allowed = "\n\r\t" if allow_newlines else ""
    return any((ord(ch) < 32 and ch not in allowed) or 0x7F <= ord(ch) < 0xA0 for ch in value)


def one_line(value):
    """One line of text: spaces collapsed, control characters (a NUL) refused."""
    value = " ".join(value.split())
    if _has_control_characters(value):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible")
    return value


def paragraphs(value):
    """Text with line breaks kept, control characters refused."""
    value = value.replace("\r\n", "\n").strip()
    if _has_control_characters(value, allow_newlines=True):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible")
    return value


class DirectorySearchForm(CommuneSearchForm):
    """A place (postcode or commune name, geography's own field and messages) and a need
    (a gesture category, by its slug). Both optional; the choices of needs are given by the
    view, in the visitor's language."""

    besoin = forms.ChoiceField(
        label=_("Besoin"),
        required=False,
        error_messages={"invalid_choice": UNKNOWN_NEED},
    )
    commune = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["besoin"].choices = [("", _("Tous les besoins")), *needs]
        self.fields["q"].error_messages["max_length"] = MAX_LENGTH_MESSAGE

    def clean_commune(self):
        # A commune picked among the choices a name search offered, by its INSEE code.
        code = self.cleaned_data["commune"].strip().upper()
        if code and not INSEE_CODE_RE.fullmatch(code):
            raise ValidationError(UNKNOWN_COMMUNE, code="invalid_choice")
        return code


def _char(label, max_length, *, required=False, help_text="", widget=None, **kwargs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=widget,
        error_messages={"max_length": MAX_LENGTH_MESSAGE, **kwargs.pop("error_messages", {})},
        **kwargs,
    )


class ActorProposalForm(forms.Form):
    """An actor proposes its entry. Nothing is published: the proposer confirms their
    address, then the mairie or staff moderate the entry."""

    commune = CommuneChoiceField(
        label=_("Commune où se trouve l'acteur"),
        error_messages={"required": _("Cherchez votre commune, puis choisissez-la.")},
    )
    name = _char(
        _("Nom de l'acteur"),
        NAME_MAX_LENGTH,
        required=True,
        error_messages={"required": _("Indiquez le nom de l'acteur.")},
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=Actor.Kind.choices,
        error_messages={
            "required": _("Choisissez le type d'acteur."),
            "invalid_choice": _("Choisissez l'un des types proposés."),
        },
    )
    description = _char(
        _("Ce que fait l'acteur"),
        DESCRIPTION_MAX_LENGTH,
        required=True,
        help_text=_("En quelques phrases simples, 600 caractères au plus."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Dites en quelques phrases ce que fait l'acteur.")},
    )
    besoins = forms.MultipleChoiceField(
        label=_("Besoins auxquels il répond"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": UNKNOWN_NEED},
    )
    address = _char(_("Adresse"), 250, help_text=_("Numéro, rue, lieu-dit."))
    postcode = PostcodeField(required=False)
    email = forms.EmailField(
        label=_("Adresse électronique publique"),
        required=False,
        max_length=254,
        help_text=_("Affichée sur la fiche : l'adresse de l'accueil, pas une adresse personnelle."),
    )
    phone = _char(_("Téléphone"), 30)
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        max_length=300,
        assume_scheme="https",
        validators=[URLValidator(schemes=WEB_SCHEMES, message=WEB_ADDRESS_MESSAGE)],
        error_messages={"invalid": WEB_ADDRESS_MESSAGE, "max_length": MAX_LENGTH_MESSAGE},
    )
    opening_hours = _char(
        _("Horaires d'ouverture"),
        500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : du lundi au vendredi, de 9 h à 12 h."),
    )
    step_free_access = forms.BooleanField(label=_("Accès de plain-pied ou adapté"), required=False)
    hearing_loop = forms.BooleanField(label=_("Boucle magnétique"), required=False)
    accessibility_notes = _char(_("Autres informations d'accessibilité"), 300)
    languages = _char(
        _("Langues parlées"),
        200,
        help_text=_("Par exemple : français, anglais, arabe, langue des signes française."),
    )
    hosts_help_point = forms.BooleanField(
        label=_("Nous accueillons un point d'entraide (aide aux démarches, au numérique)"),
        required=False,
    )
    proposer_email = forms.EmailField(
        label=_("Votre adresse électronique"),
        max_length=254,
        help_text=_(
            "Pour confirmer votre proposition, puis une fois par an pour vérifier la fiche. "
            "Elle n'est jamais affichée."
        ),
        error_messages={"required": _("Indiquez votre adresse électronique.")},
    )

    ONE_LINE = ("name", "address", "phone", "accessibility_notes", "languages")
    PARAGRAPHS = ("description", "opening_hours")

    def __init__(self, *args, communes=(), needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].widget.choices = [(c.insee_code, str(c)) for c in communes]
        self.fields["besoins"].choices = list(needs)
        self.fields["proposer_email"].widget.attrs["autocomplete"] = "email"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        cleaned_data = super().clean()
        for name in self.ONE_LINE + self.PARAGRAPHS:
            if name in cleaned_data:
                clean = one_line if name in self.ONE_LINE else paragraphs
                try:
                    cleaned_data[name] = clean(cleaned_data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        name, commune = cleaned_data.get("name"), cleaned_data.get("commune")
        if name and commune and services.actor_duplicate_exists(name=name, communes=[commune]):
            raise ValidationError(
                _(
                    "« %(name)s » figure déjà dans l'annuaire pour %(commune)s, ou attend "
                    "d'y être publié. Pour modifier sa fiche, écrivez à la mairie ou à "
                    "l'équipe de la campagne."
                ),
                code="duplicate",
                params={"name": name, "commune": commune.name},
            )
        return cleaned_data

    def actor_data(self):
        """The actor's own fields, for services.actor_propose."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "name",
                "kind",
                "description",
                "address",
                "postcode",
                "email",
                "phone",
                "website",
                "opening_hours",
                "step_free_access",
                "hearing_loop",
                "accessibility_notes",
                "languages",
                "hosts_help_point",
            )
        }


class ActorCheckForm(ActorProposalForm):
    """The yearly check's form: the entry's public fields, prefilled as published. Its area
    (the communes served) and the proposer's address are not asked."""

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, communes=(), needs=needs, **kwargs)
        del self.fields["commune"]
        del self.fields["proposer_email"]

    def changed_values(self):
        """The values for services.actor_check_propose_changes."""
        values = self.actor_data()
        values["categories"] = list(self.cleaned_data.get("besoins", []))
        return values
