"""The admin form of a mailing (content and audience, checked for staff), the panel that
shows how many volunteers the saved audience reaches, and the forms of the send and test
views."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import HelpPanel

from campaign.geography.models import Commune, Department, Region
from volunteers.interests import interest_choices, interest_labels
from volunteers.models.access import MAIRIE_GROUP_NAME

from . import services
from .models import Mailing
from .services import AudienceFilters

# Staff schedule in the campaign's time, whatever their own admin time zone.
PARIS = ZoneInfo("Europe/Paris")
CODE_SPLIT_RE = re.compile(r"[\s,;]+")


def parse_commune_codes(text: str) -> list[str]:
    """INSEE codes typed by staff, separated by commas, semicolons or spaces: upper case
    (Corsica's 2A/2B), each once, in the order typed."""
    codes = []
    for code in CODE_SPLIT_RE.split(text.upper()):
        if code and code not in codes:
            codes.append(code)
    return codes


class MailingAdminForm(WagtailAdminModelForm):
    """Content and audience of a mailing. The audience is checked here so that a typo never
    silently widens or empties it: unknown INSEE codes and inverted dates are refused."""

    audience_interests = forms.MultipleChoiceField(
        label=_("centres d'intérêt"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Laissez vide pour écrire à tous, quels que soient leurs centres d'intérêt."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audience_interests" in self.fields:
            choices = list(interest_choices())
            known = {slug for slug, _label in choices}
            # A slug saved earlier and since renamed stays selectable, or the form would
            # refuse to save the mailing again.
            choices += [(s, s) for s in self.instance.audience_interests or [] if s not in known]
            self.fields["audience_interests"].choices = choices
        if "audience_departments" in self.fields:
            self.fields["audience_departments"].queryset = Department.objects.order_by("code")

    def clean_audience_communes(self):
        codes = parse_commune_codes(self.cleaned_data.get("audience_communes") or "")
        if not codes:
            return ""
        found = set(
            Commune.objects.filter(insee_code__in=codes).values_list("insee_code", flat=True)
        )
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                ngettext(
                    "Ce code INSEE ne correspond à aucune commune : %(codes)s. Vérifiez-le "
                    "(c'est le code de la commune, pas son code postal).",
                    "Ces codes INSEE ne correspondent à aucune commune : %(codes)s. "
                    "Vérifiez-les (c'est le code de la commune, pas son code postal).",
                    len(unknown),
                )
                % {"codes": ", ".join(unknown)},
                code="unknown_communes",
            )
        return ", ".join(codes)

    def clean(self):
        cleaned_data = super().clean()
        after = cleaned_data.get("audience_signed_up_after")
        before = cleaned_data.get("audience_signed_up_before")
        if after and before and before <= after:
            self.add_error(
                "audience_signed_up_before",
                _(
                    "Cette date doit venir après la date « inscrits à partir du » : "
                    "sinon personne ne recevrait l'envoi."
                ),
            )
        return cleaned_data

    def audience_filters(self) -> AudienceFilters:
        """The audience as the form describes it now, saved or not (the preview of an
        unsaved form has no many-to-many values on its instance)."""
        data = self.cleaned_data
        instance = self.instance
        return AudienceFilters(
            regions=[region.code for region in data.get("audience_regions") or []],
            departments=[department.code for department in data.get("audience_departments") or []],
            communes=parse_commune_codes(data.get("audience_communes") or ""),
            interests=list(data.get("audience_interests") or []),
            language=data.get("audience_language") or "",
            signed_up_after=data.get("audience_signed_up_after"),
            signed_up_before=data.get("audience_signed_up_before"),
            without_commune=(
                instance.kind == Mailing.Kind.REMINDER and not instance.reminder_department
            ),
        )

    # What the edit form may change. Status, dates and what was sent belong to the
    # services: saving a form loaded before a scheduled mailing started must not put it
    # back to "scheduled" nor blank what was sent.
    EDITABLE_FIELDS = [
        "subject",
        "preheader",
        "language",
        "body",
        "audience_communes",
        "audience_interests",
        "audience_language",
        "audience_signed_up_after",
        "audience_signed_up_before",
        "updated_at",
    ]

    def save(self, commit=True):
        instance = super().save(commit=False)
        if commit:
            if instance._state.adding:
                instance.save()
            else:
                instance.save(update_fields=self.EDITABLE_FIELDS)
            self._save_m2m()
        return instance


def audience_summary(filters: AudienceFilters) -> list[str]:
    """The audience's filters in words, for staff: at most three queries (the names of the
    regions, departments and communes)."""
    lines = []
    if filters.regions:
        names = Region.objects.filter(code__in=filters.regions).values_list("name", flat=True)
        lines.append(_("Régions : %(names)s") % {"names": ", ".join(names)})
    if filters.departments:
        names = [
            str(d) for d in Department.objects.filter(code__in=filters.departments).order_by("code")
        ]
        lines.append(_("Départements : %(names)s") % {"names": ", ".join(names)})
    if filters.communes:
        names = [
            f"{name} ({code})"
            for code, name in Commune.objects.filter(insee_code__in=filters.communes)
            .order_by("name")
            .values_list("insee_code", "name")
        ]
        lines.append(_("Communes : %(names)s") % {"names": ", ".join(names)})
    if not (filters.regions or filters.departments or filters.communes):
        if filters.without_commune:
            lines.append(_("Bénévoles qui n'ont pas indiqué de commune"))
        else:
            lines.append(_("Partout en France"))
    if filters.interests:
        labels = interest_labels()
        names = [labels.get(slug, slug) for slug in filters.interests]
        lines.append(_("Centres d'intérêt (au moins un) : %(names)s") % {"names": ", ".join(names)})
    if filters.language:
        language = dict(settings.LANGUAGES).get(filters.language, filters.language)
        lines.append(_("Langue des bénévoles : %(language)s") % {"language": language})
    if filters.signed_up_after:
        lines.append(
            _("Inscrits à partir du %(date)s")
            % {"date": formats.date_format(filters.signed_up_after, "SHORT_DATE_FORMAT")}
        )
    if filters.signed_up_before:
        lines.append(
            _("Inscrits avant le %(date)s")
            % {"date": formats.date_format(filters.signed_up_before, "SHORT_DATE_FORMAT")}
        )
    return lines


class MailingAudienceCountPanel(HelpPanel):
    """How many volunteers the saved audience reaches today. The live count while editing
    is the preview panel's "Destinataires" mode."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "mailings/admin/mailing_audience_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["saved"] = instance.pk is not None
            if instance.pk is not None:
                # A form posted with errors has put its values on the instance; the count
                # is the saved audience's.
                saved = Mailing.objects.get(pk=instance.pk) if self.form.is_bound else instance
                filters = AudienceFilters.of(saved)
                context["count"] = services.mailing_audience(filters=filters).count()
                context["summary"] = audience_summary(filters)
            return context


# ---------------------------------------------------------------------------------------
# The send and test forms


def staff_addresses():
    """(address, label) of the active users who can reach the admin, mairie users left
    out: a test goes to staff, never to an address typed in a form."""
    User = get_user_model()
    access = Q(is_superuser=True) | Q(
        user_permissions__codename="access_admin",
        user_permissions__content_type__app_label="wagtailadmin",
    )
    access |= Q(
        groups__permissions__codename="access_admin",
        groups__permissions__content_type__app_label="wagtailadmin",
    )
    users = (
        User.objects.filter(access, is_active=True)
        .exclude(email="")
        .exclude(Q(is_superuser=False) & Q(groups__name=MAIRIE_GROUP_NAME))
        .distinct()
        .order_by("email")
    )
    choices, seen = [], set()
    for user in users:
        email = user.email.strip()
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        name = user.get_full_name()
        choices.append((email, f"{name} <{email}>" if name else email))
    return choices


class MailingTestForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Envoyer le test à"),
        choices=(),
        help_text=_(
            "Les adresses des membres de l'équipe. Le test montre des valeurs d'exemple "
            "(prénom, commune) à la place de celles de chaque bénévole."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = staff_addresses()
        self.fields["to"].choices = choices
        emails = {email for email, _label in choices}
        if user is not None and user.email in emails:
            self.fields["to"].initial = user.email


class MailingSendForm(forms.Form):
    NOW = "now"
    LATER = "later"

    when = forms.ChoiceField(
        label=_("Quand ?"),
        choices=[(NOW, _("Envoyer maintenant")), (LATER, _("Programmer"))],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    scheduled_at = forms.CharField(
        label=_("Date et heure de l'envoi (heure de Paris)"),
        required=False,
        help_text=_("Seulement si vous programmez l'envoi. Par exemple 2026-12-01 à 09:00."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, mailing=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mailing is not None and mailing.status == Mailing.Status.SCHEDULED:
            self.fields["when"].initial = self.LATER
            if mailing.scheduled_at:
                local = mailing.scheduled_at.astimezone(PARIS)
                self.fields["scheduled_at"].initial = local.strftime("%Y-%m-%dT%H:%M")

    def clean_scheduled_at(self):
        text = (self.cleaned_data.get("scheduled_at") or "").strip()
        if not text:
            return None
        try:
            naive = datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError as exc:
            raise ValidationError(
                _("Indiquez une date et une heure, par exemple 2026-12-01T09:00."),
                code="invalid",
            ) from exc
        if naive.tzinfo is not None:
            return naive
        return naive.replace(tzinfo=PARIS)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("when") == self.LATER and "scheduled_at" not in self.errors:
            when = cleaned_data.get("scheduled_at")
            if when is None:
                self.add_error(
                    "scheduled_at", _("Indiquez la date et l'heure de l'envoi programmé.")
                )
            elif when <= timezone.now():
                self.add_error(
                    "scheduled_at",
                    _("Cette date est passée : choisissez une date et une heure à venir."),
                )
        return cleaned_data

    def send_at(self):
        """None to send now, else the aware datetime to send at."""
        if self.cleaned_data["when"] == self.NOW:
            return None
        return self.cleaned_data["scheduled_at"]
