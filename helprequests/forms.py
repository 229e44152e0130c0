"""The public forms of the help requests: "Demander un coup de main", and the time given once
the help is done. French msgids; every message in the visitor's language.

The request form asks the least: who asks (the person, or someone on their behalf), the
person's first name, commune and one way to reach them, the kind of help, when, and the
consent to be contacted. The commune is picked without JavaScript (postcode, then the
commune among the postcode's, as on the sign-up form), and the anti-bot checks are the
sign-up form's: a honeypot and the signed time the form was shown."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.geography.forms import CommuneChoiceField, PostcodeField
from campaign.text import clean_line, clean_phone
from volunteers.forms import CommuneMixin, DisplayTimeCheckMixin
from volunteers.interests import interest_choices
from volunteers.models import AVAILABILITY_CHOICES

from .models import HelpRequest
from .services import duration_display

AskedBy = HelpRequest.AskedBy

# The public form's choices: the admin's (the mairie, a help point) are not the visitor's.
ASKED_BY_CHOICES = [
    (AskedBy.SELF, _("Je demande pour moi")),
    (AskedBy.NEIGHBOUR, _("Je suis son voisin ou sa voisine")),
    (AskedBy.RELATIVE, _("Je suis un proche (famille, ami·e)")),
    (AskedBy.PROFESSIONAL, _("Je suis un·e professionnel·le (travailleur social, soignant…)")),
]

# The consent, in the words shown; the record keeps the words of the box that was ticked.
CONSENT_SELF_LABEL = _(
    "J'accepte que le ou la référent·e de ma commune me contacte au sujet de cette demande, "
    "et que mon prénom et mes coordonnées soient transmis au ou à la bénévole qui l'accepte."
)
CONSENT_BEHALF_LABEL = _(
    "La personne est d'accord pour être contactée par le ou la référent·e de sa commune, et "
    "pour que son prénom et ses coordonnées soient transmis au ou à la bénévole qui accepte "
    "la demande."
)

INVALID_EMAIL = _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")

# The durations a volunteer may record (minutes), shown as "30 min", "1 h 30"…
# (at most models.MAX_MINUTES, which services.request_done enforces).
DURATIONS = [30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480]

# In a text of several lines, every control character but the line feed and the tab.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class LineField(forms.CharField):
    """One line of text (campaign.text.clean_line): a line break or a control character is
    refused with its own message, before Django's validators see it."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_line(value) if value else value


class DetailsField(forms.CharField):
    """A few lines of free text: line breaks are kept, any other control character is
    refused (it would end up in emails and exports)."""

    widget = forms.Textarea

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = value.replace("\u2028", "\n").replace("\u2029", "\n").replace("\t", " ")
        if _TEXT_CONTROL.search(value):
            raise ValidationError(
                _("Ce texte contient un caractère de contrôle : retirez-le, puis renvoyez."),
                code="control",
            )
        return unicodedata.normalize("NFC", value).strip()


class HelpRequestForm(DisplayTimeCheckMixin, CommuneMixin, forms.Form):
    asked_by = forms.ChoiceField(
        label=_("Qui fait la demande ?"),
        choices=ASKED_BY_CHOICES,
        initial=AskedBy.SELF,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Indiquez qui fait la demande."),
            "invalid_choice": _("Indiquez qui fait la demande."),
        },
    )
    requester_name = LineField(
        label=_("Votre prénom et votre lien avec la personne"),
        max_length=120,
        required=False,
        help_text=_("Par exemple : Karim, voisin du 2e"),
    )
    requester_email = forms.EmailField(
        label=_("Votre adresse e-mail (facultatif)"),
        max_length=254,
        required=False,
        help_text=_("Pour suivre la demande et pouvoir la retirer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": INVALID_EMAIL},
    )
    first_name = LineField(
        label=_("Prénom"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Indiquez le prénom de la personne à aider.")},
    )
    postcode = PostcodeField(
        error_messages={"required": _("Indiquez le code postal de la personne à aider.")}
    )
    commune = CommuneChoiceField(required=False)
    phone = LineField(
        label=_("Téléphone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": INVALID_EMAIL},
    )
    category = forms.ChoiceField(
        label=_("De quel coup de main s'agit-il ?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez le type de coup de main."),
            "invalid_choice": _("Choisissez le type de coup de main dans la liste."),
        },
    )
    availability = forms.MultipleChoiceField(
        label=_("Quels moments conviennent (facultatif) ?"),
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choisissez les moments dans la liste.")},
    )
    when_details = LineField(
        label=_("Quand (facultatif) ?"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : jeudi matin, avant le 15 mars"),
    )
    details = DetailsField(
        label=_("En quelques mots (facultatif)"),
        max_length=500,
        required=False,
        help_text=_(
            "Le ou la référent·e et le ou la bénévole liront ce texte. N'indiquez pas "
            "d'information de santé ni de code d'accès."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent_self = forms.BooleanField(
        label=CONSENT_SELF_LABEL,
        required=False,
        help_text=_("Si vous demandez pour vous."),
    )
    consent_behalf = forms.BooleanField(
        label=CONSENT_BEHALF_LABEL,
        required=False,
        help_text=_("Si vous demandez pour quelqu'un d'autre : demandez-lui d'abord son accord."),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(label=_("Ne remplissez pas ce champ"), required=False)
    # When the form was shown, signed (volunteers.forms.form_timestamp_make).
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = interest_choices()
        self._setup_commune()
        # Set by the anti-bot check: the timestamp was refused (and whether for speed).
        self.started_refused = self.too_fast = False

    @property
    def is_spam(self):
        return bool(self.is_bound and self.data.get(self.add_prefix("website")))

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned_data = super().clean()
        self.check_started(cleaned_data.get("started") or "")
        self._clean_commune(cleaned_data)
        asked_by = cleaned_data.get("asked_by")
        on_behalf = bool(asked_by) and asked_by != AskedBy.SELF
        if (
            on_behalf
            and not cleaned_data.get("requester_name")
            and "requester_name" not in self.errors
        ):
            self.add_error(
                "requester_name",
                ValidationError(
                    _(
                        "Vous demandez pour quelqu'un : indiquez votre prénom et votre lien avec "
                        "la personne."
                    ),
                    code="required",
                ),
            )
        if not on_behalf:
            # Asking for oneself: nobody else's name or address to keep (nor to correct).
            for name in ("requester_name", "requester_email"):
                self.errors.pop(name, None)
                cleaned_data[name] = ""
        if (
            not cleaned_data.get("phone")
            and not cleaned_data.get("email")
            and "phone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error(
                "phone",
                ValidationError(
                    _(
                        "Indiquez au moins un moyen de joindre la personne : un téléphone ou une "
                        "adresse e-mail."
                    ),
                    code="required",
                ),
            )
        if asked_by:
            box = "consent_behalf" if on_behalf else "consent_self"
            if not cleaned_data.get(box):
                self.add_error(
                    box,
                    ValidationError(
                        _(
                            "Cochez cette case : sans l'accord de la personne, la demande ne peut "
                            "pas être transmise."
                        )
                        if on_behalf
                        else _(
                            "Cochez cette case : sans votre accord, le ou la référent·e ne "
                            "peut pas vous contacter."
                        ),
                        code="required",
                    ),
                )
        return cleaned_data

    @property
    def consent_wording(self) -> str:
        """The words of the consent the visitor ticked, in the language they read them."""
        on_behalf = self.cleaned_data.get("asked_by") != AskedBy.SELF
        return str(CONSENT_BEHALF_LABEL if on_behalf else CONSENT_SELF_LABEL)

    @property
    def contact_keys(self) -> list[str]:
        """What the per-contact rate limit counts on: the person's address in lower case, or
        their phone's digits; and the address of who asks for them, which gets the
        acknowledgement too (each address typed gets only a few emails a day)."""
        email = (self.cleaned_data.get("email") or "").strip().lower()
        digits = "".join(c for c in self.cleaned_data.get("phone", "") if c.isdigit())
        keys = ["email:" + email if email else "phone:" + digits]
        requester = (self.cleaned_data.get("requester_email") or "").strip().lower()
        if requester and requester != email:
            keys.append("email:" + requester)
        return keys


class DoneForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("Combien de temps avez-vous donné ?"),
        coerce=int,
        error_messages={
            "required": _("Choisissez le temps donné dans la liste."),
            "invalid_choice": _("Choisissez le temps donné dans la liste."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].choices = [("", _("Choisissez…"))] + [
            (str(m), duration_display(m)) for m in DURATIONS
        ]
