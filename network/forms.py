"""The registration form of a meeting."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.text import clean_line

CONSENT_LABEL = _(
    "J'accepte que la campagne garde mon nom, mon adresse, ma commune et ma fonction pour "
    "organiser cette rencontre et m'envoyer sa confirmation et son rappel. Ces données sont "
    "effacées 30 jours après la rencontre."
)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Votre nom"), max_length=120)
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        help_text=_("Pour confirmer votre inscription et vous envoyer un rappel la veille."),
    )
    commune = forms.CharField(
        label=_("Votre commune ou collectivité (facultatif)"), max_length=120, required=False
    )
    role = forms.CharField(
        label=_("Votre fonction (facultatif)"),
        max_length=120,
        required=False,
        help_text=_("Par exemple : maire, adjointe aux solidarités, agent du CCAS."),
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={"required": _("Cochez cette case pour que nous puissions vous inscrire.")},
    )
    # A field people never see (hidden by the stylesheet, skipped by keyboards and screen
    # readers): bots that fill every field are thanked and nothing is saved.
    site_web = forms.CharField(required=False, label=_("Laissez ce champ vide"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["site_web"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_spam(self):
        return bool(self.data.get("site_web"))

    def full_clean(self):
        super().full_clean()
        # Tie each error to its field for screen readers (Django links help texts only).
        for name, field in self.fields.items():
            if name in self.errors:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if field.help_text:
                    ids.append(f"{bound.auto_id}_helptext")
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def clean_name(self):
        value = clean_line(self.cleaned_data["name"])
        if not value:
            raise ValidationError(self.fields["name"].error_messages["required"])
        return value

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_commune(self):
        return clean_line(self.cleaned_data["commune"])

    def clean_role(self):
        return clean_line(self.cleaned_data["role"])
