"""The mairies' forms: the personalised poster and "Ma commune s'engage"."""

import io

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from PIL import Image

from campaign.geography.forms import CommuneChoiceField, CommuneSearchForm
from campaign.geography.models import INSEE_CODE_RE, Commune
from campaign.uploads import safe_image

from . import services
from .models import PosterTemplate

LOGO_MAX_BYTES = 5 * 1024 * 1024
# A logo needs a few megapixels at most; anything far bigger is a mistake or a bomb (a tiny
# file that decodes to gigabytes). Checked from the header, before any pixel is decoded.
LOGO_MAX_PIXELS = 25_000_000
LOGO_FORMATS = {"PNG", "JPEG"}
LOGO_REF_SALT = "kits.poster.logo"
LOGO_REF_MAX_AGE = 24 * 3600
CONTACT_MAX_LENGTH = 90
EVENT_MAX_LENGTH = 90

SIZE_CHOICES = [("A4", _("A4 (21 × 29,7 cm)")), ("A3", _("A3 (29,7 × 42 cm)"))]
VARIANT_CHOICES = [("couleur", _("Couleur")), ("nb", _("Noir et blanc (impression économique)"))]


def _clean_line(value):
    """One line of printable text: control characters (a pasted tab, a NUL) refused."""
    value = " ".join(value.split())
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValidationError(_("Ce texte contient des caractères invisibles : retapez-le."))
    return value


def verified_logo(upload):
    """Open an upload as an image, refusing what is not a real PNG or JPEG (whatever its
    name says: never an SVG), too heavy, or a decompression bomb; re-encoded from its pixels
    (campaign/uploads.py). Returns the loaded Pillow image."""
    too_heavy = _("Ce fichier pèse plus de 5 Mo. Envoyez une version plus légère de votre logo.")
    not_an_image = _(
        "Ce fichier n'est pas une image PNG ou JPEG. Envoyez votre logo dans l'un de ces formats."
    )
    too_many_pixels = _("Cette image est trop grande (plus de 25 millions de pixels). Réduisez-la.")
    messages = {"too_heavy": too_heavy, "too_many_pixels": too_many_pixels}
    try:
        safe = safe_image(
            upload, max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS, formats=LOGO_FORMATS
        )
    except ValidationError as error:
        raise ValidationError(messages.get(error.code, not_an_image), code=error.code) from error
    image = Image.open(io.BytesIO(safe.content))
    image.load()
    return image


class PosterForm(forms.Form):
    """The poster a mairie makes. Works without JavaScript: the commune comes from a search
    (a GET form on the same page) whose results are offered here as radio buttons."""

    template = forms.ModelChoiceField(
        label=_("Modèle d'affiche"),
        queryset=PosterTemplate.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez l'un des modèles proposés.")},
    )
    commune = CommuneChoiceField(
        error_messages={"required": _("Cherchez votre commune, puis choisissez-la.")},
    )
    logo = forms.FileField(
        label=_("Logo de la commune (facultatif)"),
        required=False,
        help_text=_("PNG ou JPEG, 5 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    logo_ref = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_line = forms.CharField(
        label=_("Ligne de contact"),
        max_length=CONTACT_MAX_LENGTH,
        help_text=_("Par exemple : Mairie de Melun – 01 64 52 33 00 – accueil@ville-melun.fr"),
        error_messages={
            "required": _("Indiquez comment vous joindre : un téléphone, une adresse."),
            "max_length": _(
                "La ligne de contact doit tenir en %(limit_value)d caractères "
                "(elle en a %(show_value)d)."
            ),
        },
    )
    event_line = forms.CharField(
        label=_("Ligne d'événement (facultatif)"),
        max_length=EVENT_MAX_LENGTH,
        required=False,
        help_text=_(
            "Date, heure et lieu d'une action : « Samedi 12 juin, 10 h, place du marché »."
        ),
        error_messages={
            "max_length": _(
                "La ligne d'événement doit tenir en %(limit_value)d caractères "
                "(elle en a %(show_value)d)."
            )
        },
    )
    size = forms.ChoiceField(
        label=_("Format"), choices=SIZE_CHOICES, initial="A4", widget=forms.RadioSelect
    )
    variant = forms.ChoiceField(
        label=_("Couleurs"), choices=VARIANT_CHOICES, initial="couleur", widget=forms.RadioSelect
    )

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = services.poster_template_choices()
        # Any commune validates (one query by INSEE code); only the search results, or the
        # commune already chosen, are shown as choices.
        self.fields["commune"].widget.choices = [
            (commune.insee_code, str(commune)) for commune in communes
        ]
        self.logo_hash = ""

    def clean_contact_line(self):
        value = _clean_line(self.cleaned_data["contact_line"])
        if not value:
            raise ValidationError(self.fields["contact_line"].error_messages["required"])
        return value

    def clean_event_line(self):
        return _clean_line(self.cleaned_data["event_line"])

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("logo")
        if upload:
            try:
                image = verified_logo(upload)
            except ValidationError as error:
                self.add_error("logo", error)
            else:
                self.logo_hash = services.logo_store(image=image)
        elif cleaned_data.get("logo_ref"):
            # A logo sent with an earlier attempt: kept under a signed reference so that an
            # error elsewhere in the form does not make the mairie upload it again.
            try:
                logo_hash = signing.loads(
                    cleaned_data["logo_ref"], salt=LOGO_REF_SALT, max_age=LOGO_REF_MAX_AGE
                )
            except signing.BadSignature:
                logo_hash = None
            if logo_hash and services.logo_read(logo_hash=logo_hash) is not None:
                self.logo_hash = logo_hash
            else:
                self.add_error(
                    "logo",
                    _("Votre logo n'a pas été conservé. Envoyez-le à nouveau, s'il vous plaît."),
                )
        if self.logo_hash:
            # Re-rendered with the errors, if any: the logo stays attached.
            self.data = self.data.copy()
            self.data["logo_ref"] = signing.dumps(self.logo_hash, salt=LOGO_REF_SALT)
        return cleaned_data


def commune_search_form(data):
    """The GET search that fills the commune choices (the geography app's own form)."""
    return CommuneSearchForm(data or None)


def communes_for_choice(*, query, selected_code, limit=30):
    """The communes offered as radio buttons: the search results, or the one already chosen."""
    if query:
        return list(Commune.objects.search(query)[:limit])
    code = str(selected_code or "").strip().upper()
    if INSEE_CODE_RE.fullmatch(code):
        # Anything else (a NUL byte, junk) is not worth a query: the field says it is unknown.
        return list(Commune.objects.filter(insee_code=code).select_related("department")[:1])
    return []


class EngagementForm(forms.Form):
    commune = CommuneChoiceField(
        error_messages={"required": _("Cherchez votre commune, puis choisissez-la.")},
    )
    contact_name = forms.CharField(
        label=_("Votre nom"),
        max_length=120,
        error_messages={"required": _("Indiquez votre nom.")},
    )
    role = forms.CharField(
        label=_("Votre fonction"),
        max_length=120,
        error_messages={"required": _("Indiquez votre fonction.")},
        help_text=_("Par exemple : maire, adjointe à la solidarité, chargé de communication."),
    )
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        error_messages={"required": _("Indiquez votre adresse électronique.")},
        help_text=_("Nous vous écrivons pour confirmer l'engagement de la commune."),
    )

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].widget.choices = [
            (commune.insee_code, str(commune)) for commune in communes
        ]
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["role"].widget.attrs["autocomplete"] = "organization-title"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_contact_name(self):
        return _clean_line(self.cleaned_data["contact_name"])

    def clean_role(self):
        return _clean_line(self.cleaned_data["role"])


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end and start > end:
            raise ValidationError(_("La date de début doit précéder la date de fin."))
        if start and end and (end - start).days > 3660:
            raise ValidationError(_("Choisissez une période de dix ans au plus."))
        return cleaned_data
