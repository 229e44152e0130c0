"""Admin of the directory: the actors, their moderation (the `status` field: publish or
reject) and their area; the help points and their dates (below the actors). Staff see every
actor; a mairie user sees, edits and moderates only the actors serving one of their communes
(models.ActorQuerySet.visible_to), in every view that shows an actor: listing, edit, delete,
history, usage, chooser, bulk actions and wagtail-localize's snippet API (through the
permission policy)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.shortcuts import get_list_or_404
from django.utils import timezone
from django.utils.functional import classproperty
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
)
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

import django_filters

from campaign.admin_visibility import (
    VisibleIndexView,
    VisiblePermissionPolicy,
    VisibleSnippetViewSet,
    visible,
)
from campaign.geography.models import INSEE_CODE_RE, Commune, Department, Intercommunality
from campaign.wagtail_hooks import PermittedDeleteBulkAction
from gestures.models import GestureCategory
from volunteers.models.access import MairieAccess, is_mairie_user

from .models import WEB_SCHEMES, Actor, HelpPoint

# The model permissions (directory/migrations/0002 for actors, 0005 for help points), scoped
# by `visible_to`. Before the viewsets are registered, or Wagtail creates its default policy.
register_permission_policy(Actor, VisiblePermissionPolicy(Actor))
register_permission_policy(HelpPoint, VisiblePermissionPolicy(HelpPoint))


class CodesInput(forms.TextInput):
    """Official codes separated by commas or spaces ("77288, 77152"): a list of 35,000
    communes is no form for anyone, and a code is what the mairies know."""

    def format_value(self, value):
        if not value:
            return ""
        return ", ".join(str(v) for v in value)

    def value_from_datadict(self, data, files, name):
        raw = data.get(name, "") or ""
        return [part for part in raw.replace(",", " ").split() if part][:200]


class CodesField(forms.ModelMultipleChoiceField):
    widget = CodesInput

    def __init__(self, queryset, *, code_field, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset, to_field_name=code_field, **kwargs)
        self.code_field = code_field

    def prepare_value(self, value):
        # The initial value is a list of objects or primary keys: show their codes.
        if value and not isinstance(value, str) and hasattr(value, "__iter__"):
            codes = []
            for item in value:
                if hasattr(item, self.code_field):
                    codes.append(getattr(item, self.code_field))
                else:
                    codes.append(item)
            return codes
        return super().prepare_value(value)

    def clean(self, value):
        # A disabled field is cleaned from its initial value: objects, not codes.
        if value and not isinstance(value, str):
            value = [getattr(item, self.code_field, item) for item in value]
        return super().clean(value)


class ActorAdminForm(WagtailAdminModelForm):
    communes = CodesField(
        Commune.objects.all(),
        code_field="insee_code",
        label=_("Communes servies"),
        help_text=_("Leurs codes INSEE, séparés par des virgules : 77288, 77152."),
        error_messages={"invalid_choice": _("Code INSEE inconnu : %(value)s.")},
    )
    intercommunalities = CodesField(
        Intercommunality.objects.all(),
        code_field="code",
        label=_("Intercommunalités servies"),
        help_text=_("Leurs numéros SIREN, séparés par des virgules."),
        error_messages={"invalid_choice": _("Numéro SIREN inconnu : %(value)s.")},
    )
    departments = CodesField(
        Department.objects.all(),
        code_field="code",
        label=_("Départements servis"),
        help_text=_("Leurs codes, séparés par des virgules : 77, 2A."),
        error_messages={"invalid_choice": _("Code de département inconnu : %(value)s.")},
    )
    categories = forms.ModelMultipleChoiceField(
        GestureCategory.objects.filter(locale__language_code="fr"),
        label=_("Besoins auxquels il répond"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    website = forms.URLField(
        label=_("Site web"),
        required=False,
        max_length=300,
        assume_scheme="https",
        validators=[URLValidator(schemes=WEB_SCHEMES)],
        help_text=_("Une adresse qui commence par https:// ou http://."),
    )

    # Shown only while the actor has changes waiting (from the yearly check's page).
    pending_decision = forms.ChoiceField(
        label=_("Modifications proposées par l'acteur"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", _("Décider plus tard")),
            ("apply", _("Les appliquer à la fiche (vérifiée aujourd'hui)")),
            ("discard", _("Les écarter")),
        ],
        help_text=_(
            "Appliquées, elles remplacent les valeurs ci-dessous à l'enregistrement ; "
            "vous pouvez aussi les recopier vous-même, puis les écarter."
        ),
    )

    class Meta:
        model = Actor
        exclude = ["proposer_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pending_changes:
            del self.fields["pending_decision"]
        user = getattr(self, "for_user", None)
        self.mairie_communes = None
        if user is not None and is_mairie_user(user):
            self.mairie_communes = set(
                MairieAccess.objects.filter(user=user).values_list("commune_id", flat=True)
            )
            # A mairie speaks for its own communes, not for an intercommunality or a
            # department.
            for name in ("intercommunalities", "departments"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned_data = super().clean()
        if self.mairie_communes is not None and "communes" in cleaned_data:
            chosen = {c.insee_code for c in cleaned_data["communes"]}
            already = (
                set(self.instance.communes.values_list("insee_code", flat=True))
                if self.instance.pk
                else set()
            )
            if not chosen & self.mairie_communes:
                self.add_error(
                    "communes", _("L'acteur doit rester rattaché à l'une de vos communes.")
                )
            elif chosen - self.mairie_communes - already:
                self.add_error(
                    "communes",
                    _("Vous ne pouvez ajouter que vos propres communes."),
                )
        if (
            cleaned_data.get("status") == Actor.Status.PUBLISHED
            and not cleaned_data.get("last_checked_at")
            and "status" in self.changed_data
        ):
            # Published now: checked today, unless the moderator says otherwise.
            cleaned_data["last_checked_at"] = timezone.localdate()
        decision = cleaned_data.get("pending_decision")
        if decision == "apply":
            self._apply_pending_changes(cleaned_data)
        if decision in ("apply", "discard"):
            self.instance.pending_changes = {}
        if cleaned_data.get("status") == Actor.Status.REJECTED:
            # Rejected: the proposer's address is no longer needed (as services.actor_reject).
            self.instance.proposer_email = ""
        return cleaned_data

    def _apply_pending_changes(self, cleaned_data):
        """The actor's proposed values replace the form's (they were checked by the public
        form when proposed); the entry is then checked today."""
        for name, value in self.instance.pending_changes.items():
            if name == "categories":
                cleaned_data[name] = GestureCategory.objects.filter(
                    locale__language_code="fr", slug__in=value
                )
            elif name in self.fields and name in cleaned_data:
                cleaned_data[name] = value
        cleaned_data["last_checked_at"] = timezone.localdate()


class PendingChangesPanel(Panel):
    """What the actor proposed from the yearly check, beside the published values; shown
    only while there is something to decide."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "directory/admin/pending_changes.html"

        def is_shown(self):
            return bool(self.instance.pending_changes)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["changes"] = pending_changes_rows(self.instance)
            return context


def _display(value):
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return value


def pending_changes_rows(actor):
    """(label, published value, proposed value) for each proposed change."""
    rows = []
    for name, proposed in actor.pending_changes.items():
        if name == "categories":
            names = dict(
                GestureCategory.objects.filter(locale__language_code="fr").values_list(
                    "slug", "name"
                )
            )
            current = ", ".join(c.name for c in actor.categories.all())
            proposed = ", ".join(names.get(slug, slug) for slug in proposed)
            label = Actor._meta.get_field("categories").verbose_name
        else:
            field = Actor._meta.get_field(name)
            label = field.verbose_name
            current = getattr(actor, name)
            if field.choices:
                labels = dict(field.choices)
                current, proposed = labels.get(current, current), labels.get(proposed, proposed)
        rows.append((label, _display(current), _display(proposed)))
    return rows


class ActorFilterSet(WagtailFilterSet):
    to_check = django_filters.BooleanFilter(
        label=_("À vérifier"),
        method="filter_to_check",
        help_text=_("Publiées et non vérifiées depuis deux ans."),
    )
    pending_changes = django_filters.BooleanFilter(
        label=_("Modifications proposées"), method="filter_pending_changes"
    )

    class Meta:
        model = Actor
        fields = ["status", "kind", "hosts_help_point"]

    def filter_to_check(self, queryset, name, value):
        flagged = Actor.objects.long_unchecked(today=timezone.localdate()).values("pk")
        if value is None:
            return queryset
        return queryset.filter(pk__in=flagged) if value else queryset.exclude(pk__in=flagged)

    def filter_pending_changes(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.exclude(pending_changes={}) if value else queryset.filter(pending_changes={})
        )


class ActorViewSet(VisibleSnippetViewSet):
    model = Actor
    icon = "site"
    menu_label = _("Annuaire")
    menu_name = "directory"
    menu_order = 260
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = ActorFilterSet
    # Django's ORM, not the search index: no index to keep in step.
    search_backend_name = None
    search_fields = ["name", "postcode"]
    list_display = ["name", "kind", "status", "last_checked_at", "updated_at"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("status"), FieldPanel("last_checked_at")],
                heading=_("Modération"),
            ),
            MultiFieldPanel(
                [PendingChangesPanel(), FieldPanel("pending_decision")],
                heading=_("Modifications proposées par l'acteur"),
            ),
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldPanel("kind"),
            FieldPanel("description"),
            FieldPanel("categories"),
            MultiFieldPanel(
                [
                    FieldPanel("communes"),
                    FieldPanel("intercommunalities"),
                    FieldPanel("departments"),
                ],
                heading=_("Où il agit"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("address"),
                    FieldPanel("postcode"),
                    FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                    FieldPanel("website"),
                    FieldPanel("opening_hours"),
                    FieldPanel("languages"),
                ],
                heading=_("Contact public"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("step_free_access"),
                    FieldPanel("hearing_loop"),
                    FieldPanel("accessibility_notes"),
                    FieldPanel("hosts_help_point"),
                ],
                heading=_("Accessibilité et accueil"),
            ),
        ],
        base_form_class=ActorAdminForm,
    )


register_snippet(ActorViewSet)


# --- Help points ("points d'entraide") ------------------------------------------------------
# As the actors above: staff see every help point; a mairie user sees, edits and deletes only
# those held in one of their communes (models.HelpPointQuerySet.visible_to), in every view
# that shows one, and may only choose their own communes for a point and for each date.


def mairie_communes(user):
    """The INSEE codes of a mairie user's communes, or None for anyone else (staff choose
    any commune). Read once per request: kept on the user object, which the point's form and
    each of its dates' forms share."""
    if user is None or not is_mairie_user(user):
        return None
    codes = getattr(user, "_directory_mairie_communes", None)
    if codes is None:
        codes = frozenset(
            MairieAccess.objects.filter(user=user).values_list("commune_id", flat=True)
        )
        user._directory_mairie_communes = codes
    return codes


UNKNOWN_COMMUNE_CODE = _("Code INSEE inconnu : %(value)s.")
NOT_YOUR_COMMUNE = _("Vous ne pouvez choisir que l'une de vos communes : %(codes)s.")
ENDS_BEFORE_START = _("L'heure de fin doit venir après l'heure de début.")
REPEAT_BEFORE_DATE = _("La dernière semaine ne peut pas précéder la première date.")
DATE_PAST = _("Cette date est déjà passée : indiquez une date à venir.")
REPEAT_PAST = _(
    "Cette permanence est déjà terminée : indiquez une dernière semaine à venir, ou "
    "supprimez cette ligne."
)


class CommuneCodeField(forms.ModelChoiceField):
    """One commune, typed as its INSEE code ("77288", "2A004"): as CodesField above, a list
    of 35,000 communes is no form for anyone."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": UNKNOWN_COMMUNE_CODE})
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


def _check_mairie_commune(form, name, codes):
    """A mairie user may choose only their own communes; one already there, chosen by
    staff, may stay."""
    commune = form.cleaned_data.get(name)
    if (
        codes is not None
        and commune is not None
        and name in form.changed_data
        and commune.insee_code not in codes
    ):
        form.add_error(
            name,
            ValidationError(
                NOT_YOUR_COMMUNE,
                code="not_your_commune",
                params={"codes": ", ".join(sorted(codes))},
            ),
        )


class HelpPointDateForm(WagtailAdminModelForm):
    """One date of a help point. A date that ends before it starts, a weekly repeat ending
    before its first date, a new or changed date already past: a message on the field
    (never the database's check constraint). A past date left unchanged stays as it is:
    the point's history is not lost."""

    commune = CommuneCodeField(
        label=_("Commune de ce jour"),
        required=False,
        help_text=_(
            "Pour une permanence itinérante, son code INSEE (77288 pour Melun) ; sinon "
            "laissez vide : c'est celle du point."
        ),
    )

    def clean(self):
        cleaned_data = super().clean()
        day, until = cleaned_data.get("date"), cleaned_data.get("repeat_until")
        starts, ends = cleaned_data.get("starts_at"), cleaned_data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", ValidationError(ENDS_BEFORE_START, code="ends_before"))
        if day and until and until < day:
            self.add_error(
                "repeat_until", ValidationError(REPEAT_BEFORE_DATE, code="repeat_before")
            )
            until = None
        changed = self.instance.pk is None or bool(set(self.changed_data) - {"DELETE", "ORDER"})
        if changed and day and "repeat_until" not in self.errors:
            today = timezone.localdate()
            if until and until < today:
                self.add_error("repeat_until", ValidationError(REPEAT_PAST, code="past"))
            elif not until and day < today:
                self.add_error("date", ValidationError(DATE_PAST, code="past"))
        _check_mairie_commune(self, "commune", mairie_communes(self.for_user))
        return cleaned_data


class DatesPanel(InlinePanel):
    """The point's dates, each through HelpPointDateForm, which is given the user (their
    communes)."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name].update(
            form=HelpPointDateForm, inherit_kwargs=["for_user"]
        )
        return options


class HelpPointAdminForm(WagtailAdminModelForm):
    commune = CommuneCodeField(
        label=_("Commune"),
        help_text=_(
            "Son code INSEE, par exemple 77288 pour Melun. Pour une permanence itinérante, "
            "celle d'où elle part ; chaque date dit où elle se tient."
        ),
    )
    slug = forms.SlugField(
        label=_("Slug"),
        required=False,
        max_length=180,
        help_text=_("Laissez vide : il est tiré du nom."),
    )

    class Meta:
        model = HelpPoint
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mairie_communes = mairie_communes(self.for_user)
        if self.mairie_communes is None:
            return
        mine = list(Commune.objects.filter(insee_code__in=self.mairie_communes).order_by("name"))
        self.fields["commune"].help_text = _(
            "Le code INSEE de l'une de vos communes : %(list)s."
        ) % {"list": ", ".join(f"{c.name} ({c.insee_code})" for c in mine)}
        if "actor" in self.fields:
            # The published actors serving their communes (or the intercommunality, the
            # department), and those they moderate: a list, not staff's chooser of every
            # actor (whose pending entries of other communes are not theirs to see).
            field = self.fields["actor"]
            field.widget = forms.Select()
            field.queryset = Actor.objects.filter(
                Q(pk__in=Actor.objects.published().serving_communes(mine).values("pk"))
                | Q(pk__in=Actor.objects.visible_to(self.for_user).values("pk"))
            ).order_by("name")

    def clean(self):
        cleaned_data = super().clean()
        name = cleaned_data.get("name")
        if not cleaned_data.get("slug") and name:
            cleaned_data["slug"] = self._free_slug(name)
        _check_mairie_commune(self, "commune", self.mairie_communes)
        return cleaned_data

    def _free_slug(self, name):
        base = slugify(name)[:170].strip("-") or "point-d-entraide"
        taken = set(
            HelpPoint.objects.filter(slug__startswith=base)
            .exclude(pk=self.instance.pk)
            .values_list("slug", flat=True)
        )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        return slug


class HelpPointFilterSet(WagtailFilterSet):
    class Meta:
        model = HelpPoint
        fields = ["kind", "published"]


class HelpPointIndexView(VisibleIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("commune")


class HelpPointViewSet(VisibleSnippetViewSet):
    model = HelpPoint
    icon = "date"
    menu_label = _("Points d'entraide")
    menu_name = "help-points"
    menu_order = 261
    add_to_admin_menu = True
    index_view_class = HelpPointIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = HelpPointFilterSet
    # Django's ORM, not the search index: no index to keep in step.
    search_backend_name = None
    search_fields = ["name", "place"]
    list_display = ["name", "kind", "commune", "published", "updated_at"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldPanel("kind"),
            FieldPanel("actor"),
            FieldPanel("published"),
            MultiFieldPanel(
                [
                    FieldPanel("commune"),
                    FieldPanel("place"),
                    FieldPanel("address"),
                    FieldPanel("phone"),
                    FieldPanel("step_free_access"),
                ],
                heading=_("Où"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("helps_with_forms"),
                    FieldPanel("helps_sign_up"),
                    FieldPanel("digital_mediation"),
                    FieldPanel("other_help"),
                    FieldPanel("description"),
                ],
                heading=_("L'aide proposée"),
            ),
            DatesPanel(
                "dates",
                heading=_("Dates et horaires"),
                label=_("Date"),
                panels=[
                    FieldRowPanel(
                        [FieldPanel("date"), FieldPanel("starts_at"), FieldPanel("ends_at")]
                    ),
                    FieldPanel("repeat_until"),
                    FieldRowPanel([FieldPanel("commune"), FieldPanel("place")]),
                ],
            ),
        ],
        base_form_class=HelpPointAdminForm,
    )


register_snippet(HelpPointViewSet)


class HelpPointDeleteBulkAction(PermittedDeleteBulkAction):
    """The bulk delete of help points, which mairie users may do (campaign's bulk delete
    only checks the model's permission): on the help points the user sees, never listing
    another commune's, not even as "not allowed" (a 404 when none is left)."""

    @classproperty
    def models(cls):
        return [HelpPoint]

    def get_all_objects_in_listing_query(self, parent_id):
        return visible(self.request, HelpPoint).values_list("pk", flat=True)

    def get_queryset(self, model, object_ids):
        return get_list_or_404(visible(self.request, HelpPoint), pk__in=object_ids)


# After campaign's PermittedDeleteBulkAction (order 1) for every snippet: the registry keeps
# the last class registered for a model and action.
hooks.register("register_bulk_action", HelpPointDeleteBulkAction, order=2)
