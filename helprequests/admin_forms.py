"""The admin's forms of the help requests: the request a mairie agent takes by phone or at a
help point (the public form's questions, and the person's spoken consent), closing a request,
and a referent row (which puts its user in the referents' group).

The public form (forms.py) belongs to the public pages; this one asks the same things in the
agent's words ("la personne", not "vous")."""

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from campaign.geography.forms import CommuneChoiceField
from campaign.geography.models import INSEE_CODE_RE, Commune
from campaign.text import clean_line, clean_phone, clean_text
from volunteers.interests import interest_choices
from volunteers.models import AVAILABILITY_CHOICES

from .models import REFERENT_GROUP, HelpRequest, Referent

# The words the agent reads to the person (recorded with the request as its consent).
ADMIN_CONSENT_LABEL = _(
    "La personne a donné son accord, à l'oral, pour être contactée et pour que ses "
    "coordonnées soient transmises au ou à la bénévole qui accepte"
)
INVALID_EMAIL = _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
UNKNOWN_COMMUNE = _(
    "Aucune commune ne correspond à « %(text)s ». Vérifiez l'orthographe, ou saisissez un code."
)
# More matches than this: the agent is asked to be more precise, not to scroll.
COMMUNE_MATCHES_MAX = 20


def _one_line(value):
    return clean_line(value or "")


class AdminHelpRequestForm(forms.Form):
    """A request taken for the person. `communes`: the referent's communes (a choice among
    them), or None for staff, who type the commune's name, postcode or INSEE code; when
    several communes match, the form comes back with them as radio buttons (no script)."""

    first_name = forms.CharField(
        label=_("Prénom de la personne"),
        max_length=80,
        help_text=_("Le prénom seul suffit."),
        error_messages={"required": _("Indiquez le prénom de la personne.")},
    )
    category = forms.ChoiceField(
        label=_("Type d'aide"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le type d'aide demandée.")},
    )
    availability = forms.MultipleChoiceField(
        label=_("Moments possibles (facultatif)"),
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    when_details = forms.CharField(
        label=_("Quand ? (facultatif)"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : jeudi matin, ou avant le 12."),
    )
    details = forms.CharField(
        label=_("En quelques mots (facultatif)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ce que le ou la bénévole lira avant d'accepter : pas d'adresse, pas de "
            "renseignement de santé."
        ),
    )
    phone = forms.CharField(
        label=_("Téléphone de la personne"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne"),
        max_length=254,
        required=False,
        error_messages={"invalid": INVALID_EMAIL},
        help_text=_("Au moins l'un des deux : téléphone ou adresse e-mail."),
    )
    language = forms.ChoiceField(
        label=_("Langue de la personne"),
        choices=settings.LANGUAGES,
        initial="fr",
        help_text=_("La langue de ses e-mails."),
    )
    asked_by = forms.ChoiceField(
        label=_("Qui fait la demande"),
        choices=HelpRequest.AskedBy.choices,
        initial=HelpRequest.AskedBy.MAIRIE,
        widget=forms.RadioSelect,
    )
    requester_name = forms.CharField(
        label=_("Nom de qui demande pour la personne (facultatif)"),
        max_length=120,
        required=False,
        help_text=_("Un proche, un voisin, un travailleur social : son nom ou sa structure."),
    )
    requester_email = forms.EmailField(
        label=_("Son adresse e-mail (facultatif)"),
        max_length=254,
        required=False,
        error_messages={"invalid": INVALID_EMAIL},
        help_text=_("Elle ou il recevra l'accusé de réception et le lien pour retirer la demande."),
    )
    consent = forms.BooleanField(
        label=ADMIN_CONSENT_LABEL,
        help_text=_(
            "Lisez-le à la personne. Sans son accord, la demande ne peut pas être enregistrée."
        ),
        error_messages={
            "required": _(
                "Sans l'accord de la personne pour être contactée, la demande ne peut pas être "
                "enregistrée."
            )
        },
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = interest_choices()
        self.commune_choices = []
        if communes is None:
            self.fields["commune_search"] = forms.CharField(
                label=_("Commune de la personne"),
                max_length=100,
                help_text=_("Son nom, son code postal ou son code INSEE : Melun, 77000 ou 77288."),
                error_messages={"required": _("Indiquez la commune de la personne.")},
            )
            field = CommuneChoiceField(required=False, label=_("Laquelle ?"))
            text = self.data.get(self.add_prefix("commune_search"), "") if self.is_bound else ""
            field.queryset = _lookup(text) if text else Commune.objects.none()
            self.fields["commune"] = field
        else:
            choices = list(communes)
            self.fields["commune"] = forms.ModelChoiceField(
                label=_("Commune de la personne"),
                queryset=communes,
                to_field_name="insee_code",
                empty_label=None if len(choices) == 1 else _("Choisissez la commune"),
                widget=forms.RadioSelect() if len(choices) <= 8 else forms.Select(),
                help_text=_("Seules les communes dont vous êtes référent·e sont proposées."),
                error_messages={"invalid_choice": _("Choisissez l'une de vos communes.")},
            )
            if len(choices) == 1:
                self.fields["commune"].initial = choices[0].insee_code
        self.staff = communes is None
        # The commune first, after the first name: the order the agent asks in.
        order = ["first_name", "commune_search", "commune"]
        self.order_fields(order + [name for name in self.fields if name not in order])

    def clean_first_name(self):
        value = _one_line(self.cleaned_data["first_name"])
        if not value:
            raise ValidationError(_("Indiquez le prénom de la personne."), code="required")
        return value

    def clean_when_details(self):
        return _one_line(self.cleaned_data["when_details"])

    def clean_details(self):
        return clean_text(self.cleaned_data["details"] or "")

    def clean_requester_name(self):
        return _one_line(self.cleaned_data["requester_name"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return (self.cleaned_data["email"] or "").strip().lower()

    def clean_requester_email(self):
        return (self.cleaned_data["requester_email"] or "").strip().lower()

    def clean(self):
        cleaned_data = super().clean()
        if (
            "phone" not in self.errors
            and "email" not in self.errors
            and not cleaned_data.get("phone")
            and not cleaned_data.get("email")
        ):
            self.add_error(
                "phone",
                ValidationError(
                    _(
                        "Indiquez un téléphone ou une adresse e-mail de la personne : il faut "
                        "pouvoir la joindre."
                    ),
                    code="no_contact",
                ),
            )
        if self.staff:
            self._clean_commune_search(cleaned_data)
        return cleaned_data

    def _clean_commune_search(self, cleaned_data):
        text = cleaned_data.get("commune_search")
        if not text:
            self.errors.pop("commune", None)
            return
        matches = list(_lookup(text)[: COMMUNE_MATCHES_MAX + 1])
        chosen = cleaned_data.get("commune")
        if "commune" in self.errors or (chosen is not None and chosen not in matches):
            # A commune picked for an earlier search: choose again among these.
            self.errors.pop("commune", None)
            chosen = None
            cleaned_data["commune"] = None
        if chosen is not None:
            # Shown again, the chosen one checked, if another field sends the form back.
            self.commune_choices = matches if len(matches) > 1 else []
            return
        if not matches:
            self.add_error(
                "commune_search",
                ValidationError(
                    UNKNOWN_COMMUNE,
                    code="unknown",
                    params={"text": text[:100]},
                ),
            )
        elif len(matches) == 1:
            cleaned_data["commune"] = matches[0]
        elif len(matches) > COMMUNE_MATCHES_MAX:
            self.add_error(
                "commune_search",
                ValidationError(
                    _("Trop de communes correspondent : précisez le nom, ou saisissez un code."),
                    code="too_many",
                ),
            )
        else:
            self.commune_choices = matches
            self.add_error(
                "commune",
                ValidationError(
                    _("Plusieurs communes correspondent : choisissez la bonne."),
                    code="several",
                ),
            )


def _lookup(text):
    # What the agent typed, before any validation: printable characters only (a NUL byte is
    # refused by PostgreSQL in a query).
    text = " ".join("".join(c for c in str(text) if c.isprintable()).split())[:100]
    code = text.replace(" ", "").upper()
    if code and INSEE_CODE_RE.fullmatch(code):
        text = code
    return Commune.objects.lookup(text)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Raison"),
        choices=[("", _("Choisissez une raison"))] + list(HelpRequest.ClosedReason.choices),
        error_messages={
            "required": _("Choisissez la raison de la clôture."),
            "invalid_choice": _("Choisissez la raison de la clôture."),
        },
    )


def referents_group_sync(users):
    """Who has a Referent row is in the referents' group, and who has none left is not: a
    member of that group without a commune would be taken for staff by
    HelpRequestQuerySet.visible_to and see every commune's requests."""
    group, _created = Group.objects.get_or_create(name=REFERENT_GROUP)
    for user in {u for u in users if u is not None}:
        if Referent.objects.filter(user=user).exists():
            user.groups.add(group)
        else:
            user.groups.remove(group)
        # is_referent() caches its answer on the user object.
        user.__dict__.pop("_helprequests_is_referent", None)


class CommuneCodeField(forms.ModelChoiceField):
    """One commune, typed as its INSEE code ("77288", "2A004")."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Code INSEE inconnu : %(value)s.")}
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"size": 6, "autocomplete": "off", "spellcheck": "false"}),
        )
        super().__init__(Commune.objects.all(), to_field_name="insee_code", **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()
            if value and not INSEE_CODE_RE.fullmatch(value):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value[:20]},
                )
        return super().to_python(value)


class ReferentAdminForm(WagtailAdminModelForm):
    """A referent row: the commune typed as its INSEE code (a list of 35,000 communes is no
    form for anyone). Saving puts the user in the referents' group (and takes out the user
    the row named before, if that was their last commune)."""

    commune = CommuneCodeField(
        label=_("Commune"),
        help_text=_("Son code INSEE, par exemple 77288 pour Melun."),
    )

    class Meta:
        model = Referent
        fields = ["user", "commune", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._previous_user = self.instance.user if self.instance.user_id else None

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit:
            referents_group_sync([instance.user, self._previous_user])
        return instance
