"""The sign-up and preference forms. French msgids; every message in the visitor's
language."""

import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaign.geography.forms import CommuneChoiceField, PostcodeField
from campaign.geography.models import Postcode
from campaign.geography.selectors import communes_for_postcode
from campaign.text import clean_line as clean_name
from campaign.text import clean_phone

from . import conf
from .interests import interest_choices
from .models import AVAILABILITY_CHOICES, AssistedSignup
from .services import Wording

# Bump when the wording of a consent box changes: the records say which one a person saw.
# A new box needs no bump: no record of its purpose carries an older text under this version
# (and each record keeps the full text anyway); a bump would claim the other boxes changed.
CONSENT_WORDING_VERSION = "2026-11-v1"
CONSENT_EMAILS_LABEL = _(
    "J'accepte de recevoir les e-mails de la campagne Tous Voisins – Tous Solidaires "
    "(une idée d'action par mois, au plus). Je peux me désinscrire à tout moment."
)
CONSENT_MAIRIE_LABEL = _(
    "J'accepte que ma mairie voie mon prénom, mon nom, mon adresse e-mail et mon téléphone, "
    "pour me proposer des actions près de chez moi."
)
CONSENT_HELP_REQUESTS_LABEL = _(
    "J'accepte que le ou la référent·e de ma commune me propose par e-mail des coups de main "
    "près de chez moi. Il ou elle voit mon prénom, mes centres d'intérêt et mes "
    "disponibilités. Mes coordonnées ne sont transmises qu'à une personne dont j'accepte la "
    "demande."
)
HELP_PAUSED_LABEL = _("Mettre en pause les propositions pour le moment")
# The words of the "leave" action reached from an emailed proposal (the helprequests app's
# page shows them on its button): the withdrawal's record quotes them.
HELP_LEAVE_LABEL = _("Ne plus recevoir de propositions de coups de main")
INVALID_EMAIL = _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
FORM_TIMESTAMP_SALT = "volunteers.signup-form"
# Letters, marks, digits, spaces and the punctuation of names; no control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def consent_wording(label) -> Wording:
    return Wording(
        version=CONSENT_WORDING_VERSION, text=str(label), language=(get_language() or "fr")[:2]
    )


def form_timestamp_make() -> str:
    return signing.dumps(time.time(), salt=FORM_TIMESTAMP_SALT)


class CommuneMixin:
    """Postcode, then commune: a postcode with one commune settles it; one with several
    shows them as radio buttons (the form comes back), so no JavaScript is needed."""

    def _setup_commune(self):
        self.commune_choices = []
        postcode = self.data.get(self.add_prefix("postcode")) if self.is_bound else None
        if postcode:
            self.fields["commune"].limit_to_postcode(postcode)

    def _clean_commune(self, cleaned_data):
        postcode = cleaned_data.get("postcode")
        if not postcode:
            # The postcode's own error says what to fix; a commune error would only confuse.
            self.errors.pop("commune", None)
            return
        communes = list(communes_for_postcode(postcode))
        self.commune_choices = communes
        if not communes:
            self.add_error(
                "postcode",
                ValidationError(
                    _("Aucune commune ne correspond au code postal %(postcode)s."),
                    params={"postcode": postcode},
                    code="unknown",
                ),
            )
            return
        commune = cleaned_data.get("commune")
        if "commune" in self.errors:
            # A commune code that does not belong to this postcode (or does not exist).
            self.errors.pop("commune")
            self.add_error(
                "commune",
                _("Cette commune ne correspond pas au code postal : choisissez-la dans la liste."),
            )
            return
        if commune is None:
            if len(communes) == 1:
                cleaned_data["commune"] = communes[0]
            else:
                self.add_error(
                    "commune",
                    _("Plusieurs communes ont ce code postal : choisissez la vôtre."),
                )


class VolunteerFieldsMixin(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom (facultatif)"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    postcode = PostcodeField()
    commune = CommuneChoiceField(required=False)
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    interests = forms.MultipleChoiceField(
        label=_("Ce qui vous intéresse"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("Quand êtes-vous disponible ?"),
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours_per_month = forms.IntegerField(
        label=_("Heures par mois"),
        min_value=1,
        max_value=40,
        initial=1,
        help_text=_("Une heure suffit. Vous pourrez changer d'avis."),
    )

    def clean_first_name(self):
        value = clean_name(self.cleaned_data["first_name"])
        if not value:
            raise ValidationError(_("Indiquez votre prénom."), code="required")
        return value

    def clean_last_name(self):
        return clean_name(self.cleaned_data["last_name"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class DisplayTimeCheckMixin:
    """The anti-bot check on when a form of people's data was shown (its signed `started`
    field, volunteers.forms.form_timestamp_make): one rule and one wording for every
    anonymous form that uses it (the sign-up, the help request). The form sets
    `started_refused` and `too_fast` to False in its __init__."""

    def check_started(self, value):
        """The anti-bot check on when the form was displayed. Its errors belong to the whole
        form (no field label: the visitor never sees this hidden field)."""
        try:
            started = float(
                signing.loads(value, salt=FORM_TIMESTAMP_SALT, max_age=conf.FORM_MAX_AGE)
            )
        except (signing.BadSignature, TypeError, ValueError):
            self.started_refused = True
            self.add_error(
                None,
                ValidationError(
                    _("Le formulaire a expiré. Vérifiez vos réponses puis envoyez-le à nouveau."),
                    code="expired",
                ),
            )
            return
        if time.time() - started < conf.min_fill_seconds():
            self.started_refused = self.too_fast = True
            self.add_error(
                None,
                ValidationError(
                    _(
                        "Le formulaire a été envoyé trop vite. Merci de vérifier vos réponses "
                        "puis de l'envoyer à nouveau."
                    ),
                    code="too_fast",
                ),
            )


class SignupForm(DisplayTimeCheckMixin, CommuneMixin, VolunteerFieldsMixin):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
        },
    )
    consent_emails = forms.BooleanField(
        label=CONSENT_EMAILS_LABEL,
        error_messages={
            "required": _("Pour vous inscrire, acceptez de recevoir les e-mails de la campagne.")
        },
    )
    consent_mairie = forms.BooleanField(label=CONSENT_MAIRIE_LABEL, required=False)
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(label=_("Ne remplissez pas ce champ"), required=False)
    # When the form was displayed, signed so that it cannot be forged.
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = [
        "first_name",
        "last_name",
        "email",
        "postcode",
        "commune",
        "phone",
        "interests",
        "availability",
        "hours_per_month",
        "consent_emails",
        "consent_mairie",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = interest_choices()
        self._setup_commune()
        self._setup_preselected_commune()
        # Set by the anti-bot check: the timestamp was refused (and whether for speed).
        self.started_refused = self.too_fast = False

    def _setup_preselected_commune(self):
        """A commune preselected from the address (a poster's QR code: ?commune=<INSEE code>)
        is shown as the checked choice among its postcode's communes (or alone, when it has
        several postcodes), so that the visitor sees it, may pick another one, and sends it
        without JavaScript. Two queries: its postcodes, then the communes to show."""
        self.commune_preselected = False
        code = None if self.is_bound else self.initial.get("commune")
        if not code:
            return
        postcodes = list(Postcode.objects.filter(commune_id=code).values_list("code", flat=True))
        field = self.fields["commune"]
        if len(postcodes) == 1:
            communes = list(communes_for_postcode(postcodes[0]))
        else:
            communes = list(field.queryset.filter(insee_code=code))
        if not any(c.insee_code == code for c in communes):
            del self.initial["commune"]  # unknown: the visitor picks their own
            return
        if len(postcodes) == 1:
            self.initial.setdefault("postcode", postcodes[0])
        self.commune_choices = communes
        # Rendered from this list, without querying again.
        field.choices = [(c.insee_code, field.label_from_instance(c)) for c in communes]
        field.help_text = _("Une autre commune ? Changez le code postal.")
        self.commune_preselected = True

    @property
    def is_spam(self):
        return bool(self.is_bound and self.data.get(self.add_prefix("website")))

    def clean_email(self):
        email = self.cleaned_data["email"]
        if _CONTROL.search(email):
            raise ValidationError(self.fields["email"].error_messages["invalid"], code="invalid")
        return email

    def clean(self):
        cleaned_data = super().clean()
        self.check_started(cleaned_data.get("started") or "")
        self._clean_commune(cleaned_data)
        return cleaned_data


class PreferencesForm(CommuneMixin, VolunteerFieldsMixin):
    language = forms.ChoiceField(label=_("Langue des e-mails"), choices=settings.LANGUAGES)
    consent_emails = forms.BooleanField(label=CONSENT_EMAILS_LABEL, required=False)
    consent_mairie = forms.BooleanField(label=CONSENT_MAIRIE_LABEL, required=False)
    # Not on the sign-up form, which stays short: asked here, once the person is in.
    consent_help_requests = forms.BooleanField(label=CONSENT_HELP_REQUESTS_LABEL, required=False)
    help_paused = forms.BooleanField(label=HELP_PAUSED_LABEL, required=False)

    def __init__(self, *args, volunteer, **kwargs):
        self.volunteer = volunteer
        kwargs.setdefault(
            "initial",
            {
                "first_name": volunteer.first_name,
                "last_name": volunteer.last_name,
                "phone": volunteer.phone,
                "postcode": volunteer.postcode,
                "commune": volunteer.commune_id,
                "interests": volunteer.interest_slugs,
                "availability": volunteer.availability,
                "hours_per_month": volunteer.hours_per_month,
                "language": volunteer.language,
                "consent_emails": volunteer.consent_emails,
                "consent_mairie": volunteer.consent_mairie,
                "consent_help_requests": volunteer.consent_help_requests,
                "help_paused": volunteer.help_paused,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = interest_choices()
        self._setup_commune()
        if not self.is_bound and volunteer.postcode:
            self.fields["commune"].limit_to_postcode(volunteer.postcode)
            self.commune_choices = list(self.fields["commune"].queryset)

    def clean(self):
        cleaned_data = super().clean()
        self._clean_commune(cleaned_data)
        return cleaned_data


class PreferencesLinkForm(forms.Form):
    """A used confirmation link's page: ask for a link to one's preferences, sent by email
    to the address (never shown on the page)."""

    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Saisissez votre adresse e-mail."),
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."),
        },
    )


class LetterCodeForm(forms.Form):
    """The code printed on an assisted sign-up's letter (services/assisted.py)."""

    code = forms.CharField(
        label=_("Code de votre lettre"),
        max_length=20,
        help_text=_("Dix caractères, par exemple K7P4M-2QXAB. Majuscules ou minuscules."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Saisissez le code imprimé sur votre lettre.")},
    )


class AssistedSignupForm(forms.Form):
    """The admin's "inscription accompagnée": what the public form asks (first name, email,
    commune, interests, the consents in the public form's exact words, to be read to the
    person), and how the consent was given and the confirmation will reach them. Nothing
    more: no name, phone or availability the person has not typed themselves."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=80,
        help_text=_("Le prénom seul suffit. Il figure sur la lettre, s'il y en a une."),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne"),
        max_length=254,
        help_text=_(
            "Obligatoire : la campagne se fait par e-mail. Sans adresse, l'inscription n'est "
            "pas possible ; un point d'entraide peut aider la personne à en créer une."
        ),
        error_messages={"invalid": INVALID_EMAIL},
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=None,
        to_field_name="insee_code",
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choisissez une commune dans la liste."),
        },
    )
    language = forms.ChoiceField(
        label=_("Langue de la personne"),
        choices=settings.LANGUAGES,
        initial="fr",
        help_text=_("La langue de ses e-mails et de la lettre."),
    )
    interests = forms.MultipleChoiceField(
        label=_("Ce qui l'intéresse (facultatif)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_emails = forms.BooleanField(
        label=CONSENT_EMAILS_LABEL,
        help_text=_(
            "Lisez ce texte mot pour mot à la personne. Cochez seulement si elle l'accepte : "
            "sans cet accord, l'inscription n'est pas possible."
        ),
        error_messages={
            "required": _(
                "Sans l'accord de la personne pour recevoir les e-mails, l'inscription n'est "
                "pas possible."
            )
        },
    )
    consent_mairie = forms.BooleanField(
        label=CONSENT_MAIRIE_LABEL,
        required=False,
        help_text=_(
            "Facultatif. Lisez ce texte mot pour mot ; cochez seulement si elle l'accepte."
        ),
    )
    method = forms.ChoiceField(
        label=_("Comment la personne a donné son accord"),
        choices=AssistedSignup.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez comment la personne a donné son accord.")},
    )
    paper_reference = forms.CharField(
        label=_("Référence du formulaire papier (facultatif)"),
        max_length=50,
        required=False,
        help_text=_(
            "Pour un formulaire papier signé : son numéro ou sa référence, pour le retrouver à "
            "la mairie. Ni nom ni adresse ici."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Comment la personne reçoit sa confirmation"),
        choices=AssistedSignup.Channel.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Dans les deux cas, la personne confirme elle-même : par le lien de l'e-mail, ou "
            "par le code de la lettre que vous imprimerez."
        ),
        error_messages={"required": _("Indiquez comment la personne reçoit sa confirmation.")},
    )

    def __init__(self, *args, communes, **kwargs):
        """`communes`: the communes the agent may choose (a mairie user's), or None for any
        (staff): then the INSEE code is typed, since 35,000 choices is no form."""
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = interest_choices()
        field = self.fields["commune"]
        if communes is None:
            self.fields["commune"] = CommuneChoiceField(
                label=_("Commune (code INSEE)"),
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
                help_text=_("Cinq caractères, par exemple 77288 pour Melun."),
            )
        else:
            choices = list(communes)
            field.widget = forms.RadioSelect() if len(choices) <= 8 else forms.Select()
            field.queryset = communes  # after the widget: this gives it its choices
            if len(choices) == 1:
                field.initial = choices[0].insee_code
            field.help_text = _("Seules les communes de votre mairie sont proposées.")

    def clean_first_name(self):
        value = clean_name(self.cleaned_data["first_name"])
        if not value:
            raise ValidationError(_("Indiquez le prénom de la personne."), code="required")
        return value

    def clean_email(self):
        email = self.cleaned_data["email"]
        if _CONTROL.search(email):
            raise ValidationError(INVALID_EMAIL, code="invalid")
        return email

    def clean_paper_reference(self):
        return clean_name(self.cleaned_data["paper_reference"])
