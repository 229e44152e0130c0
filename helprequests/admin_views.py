"""The help requests' admin: the queue, a request's page, the volunteers it may be proposed
to, the request taken by a mairie agent, and the access log. Registered in wagtail_hooks.py.

Who sees what: `HelpRequest.objects.visible_to(user)` (a referent: their communes' requests;
staff granted the model's permissions and superusers: all), through
campaign.admin_visibility. A request the user may not see answers 404 at every address, GET
or POST. The queue shows no name and no contact (it is read over shoulders); a request's page
shows them and writes a line of the access log each time it is opened, as the candidates'
page does. Every change of state goes through services.py; addresses carry only the
request's number, and the volunteer proposed travels in the POST body."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from campaign.admin_visibility import VisiblePermissionPolicy, visible
from campaign.exports import SafeSpreadsheetExportMixin
from campaign.geography.models import Commune
from volunteers.interests import interest_choices, interest_labels
from volunteers.models import AVAILABILITY_CHOICES

from . import services
from .admin_forms import ADMIN_CONSENT_LABEL, AdminHelpRequestForm, CloseForm
from .models import AccessRecord, HelpProposal, HelpRequest, is_referent
from .services import HelpError

Status = HelpRequest.Status
Action = AccessRecord.Action

# The model permissions (migrations/0002_groups.py), scoped by `visible_to` for each request.
request_policy = VisiblePermissionPolicy(HelpRequest)
access_log_policy = ModelPermissionPolicy(AccessRecord)
SEEING = ["add", "change", "view"]

INDEX = "helprequests_admin:index"
DETAIL = "helprequests_admin:detail"
CANDIDATES = "helprequests_admin:candidates"


def can_see_requests(user) -> bool:
    """Superusers, staff granted a permission on requests, referents (in their group)."""
    return request_policy.user_has_any_permission(user, SEEING)


def can_handle_requests(user) -> bool:
    """May propose, cancel a proposal and close: the "change" permission."""
    return request_policy.user_has_permission(user, "change")


def any_commune(user) -> bool:
    """Staff (and superusers) take requests for any commune; a referent for theirs only."""
    return user.is_superuser or not is_referent(user)


def error_message(code):
    """A HelpError's code, in the referent's words."""
    return {
        "already_proposed": _(
            "Une autre personne vient de proposer cette demande à un·e bénévole : attendez sa "
            "réponse, ou annulez cette proposition depuis la demande."
        ),
        "not_open": _(
            "Cette demande n'attend plus de bénévole (acceptée, faite ou close) : rien n'a été "
            "proposé."
        ),
        "not_available": _(
            "Ce ou cette bénévole ne peut plus recevoir de proposition (pause, départ, ou déjà "
            "sollicité·e pour cette demande) : choisissez-en un·e autre."
        ),
        "not_candidate": _(
            "Ce ou cette bénévole ne fait pas partie des bénévoles disponibles pour cette "
            "demande : choisissez dans la liste."
        ),
        "answered": _(
            "Le ou la bénévole a répondu entre-temps : la proposition n'est plus en attente."
        ),
        "closed": _("Cette demande est déjà faite ou close : rien n'a changé."),
        "bad_reason": _("Choisissez la raison de la clôture."),
    }.get(code, _("Cette action n'est plus possible : rien n'a changé."))


# --- the queue ---------------------------------------------------------------------------

STATE_OPEN = "open"
STATE_ALL = "all"


class HelpRequestFilterSet(WagtailFilterSet):
    """The state ("en cours" unless another is chosen), the commune (staff: referents only
    have their own), the kind of help, who asked and the dates. Nothing personal: these
    values travel in the address."""

    state = django_filters.ChoiceFilter(
        label=gettext_lazy("État"),
        method="filter_state",
        empty_label=None,
        choices=[
            (STATE_OPEN, gettext_lazy("En cours (ni faites ni closes)")),
            (STATE_ALL, gettext_lazy("Toutes")),
            *Status.choices,
        ],
    )
    commune = django_filters.CharFilter(
        label=gettext_lazy("Commune"),
        method="filter_commune",
        help_text=gettext_lazy("Code INSEE ou début du nom."),
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Type d'aide"), choices=interest_choices
    )
    asked_by = django_filters.ChoiceFilter(
        label=gettext_lazy("Demande faite par"), choices=HelpRequest.AskedBy.choices
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Reçue entre"), widget=DateRangePickerWidget
    )
    status_changed_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("État changé entre"), widget=DateRangePickerWidget
    )

    class Meta:
        model = HelpRequest
        fields = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and not data.get("state"):
            data = data.copy()
            data["state"] = STATE_OPEN
        super().__init__(data, *args, request=request, **kwargs)
        self.filters["state"].extra["initial"] = STATE_OPEN
        if request is not None and not any_commune(request.user):
            del self.filters["commune"]

    def filter_state(self, queryset, name, value):
        if value == STATE_OPEN:
            return queryset.open()
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset

    def filter_commune(self, queryset, name, value):
        value = " ".join(value.split())[:100]
        if not value:
            return queryset
        if len(value) == 5 and value[:2].isalnum() and value[2:].isdigit():
            return queryset.filter(commune_id=value.upper())
        return queryset.filter(commune__name__istartswith=value)


class HelpRequestIndexView(SafeSpreadsheetExportMixin, IndexView):
    """The queue. No first name, no contact, no free text: only the request's number (which
    opens its page), its commune, the kind of help, who asked, its state and dates. The
    export holds the same columns and the outcome, nothing personal."""

    model = HelpRequest
    permission_policy = request_policy
    any_permission_required = SEEING
    index_url_name = INDEX
    index_results_url_name = "helprequests_admin:index_results"
    add_url_name = "helprequests_admin:add"
    filterset_class = HelpRequestFilterSet
    page_title = gettext_lazy("Demandes de coup de main")
    add_item_label = gettext_lazy("Saisir une demande")
    header_icon = "help"
    paginate_by = 50
    default_ordering = "-created_at"
    list_export = [
        "pk",
        "commune.insee_code",
        "commune.name",
        "commune.department_id",
        "category",
        "category_label",
        "get_asked_by_display",
        "get_source_display",
        "get_status_display",
        "get_closed_reason_display",
        "created_at",
        "status_changed_at",
        "matched_at",
        "done_at",
        "closed_at",
        "minutes",
    ]
    export_headings = {
        "pk": gettext_lazy("N°"),
        "commune.insee_code": gettext_lazy("Code INSEE"),
        "commune.name": gettext_lazy("Commune"),
        "commune.department_id": gettext_lazy("Département"),
        "category": gettext_lazy("Code du type d'aide"),
        "category_label": gettext_lazy("Type d'aide"),
        "get_asked_by_display": gettext_lazy("Demande faite par"),
        "get_source_display": gettext_lazy("Origine"),
        "get_status_display": gettext_lazy("État"),
        "get_closed_reason_display": gettext_lazy("Raison de la clôture"),
        "minutes": gettext_lazy("Temps donné (minutes)"),
    }
    export_filename = "coups-de-main"

    def get_base_queryset(self):
        return visible(self.request, HelpRequest).select_related("commune")

    @cached_property
    def category_labels(self):
        return interest_labels()

    def to_row_dict(self, item):
        item.category_label = self.category_labels.get(item.category, item.category)
        return super().to_row_dict(item)

    def get_valid_orderings(self):
        return ["created_at", "-created_at", "status_changed_at", "-status_changed_at"]

    @cached_property
    def columns(self):
        labels = self.category_labels
        return [
            TitleColumn(
                "title",
                label=_("Demande"),
                accessor=str,
                get_url=lambda obj: reverse(DETAIL, args=[obj.pk]),
            ),
            Column("commune", label=_("Commune")),
            Column(
                "category",
                label=_("Type d'aide"),
                accessor=lambda obj: labels.get(obj.category, obj.category),
            ),
            Column("asked_by", label=_("Demande faite par"), accessor="get_asked_by_display"),
            Column("status", label=_("État"), accessor="get_status_display"),
            DateColumn("created_at", label=_("Reçue"), sort_key="created_at"),
            DateColumn("status_changed_at", label=_("État changé"), sort_key="status_changed_at"),
        ]

    def get_list_more_buttons(self, instance):
        return []


# --- one request -------------------------------------------------------------------------


class RequestMixin(WagtailAdminTemplateMixin):
    """A view of one request: the user may see requests (or, with `action = "change"`,
    handle them) and this one is among those they see; 404 otherwise."""

    header_icon = "help"
    action = None

    def dispatch(self, request, *args, **kwargs):
        allowed = (
            can_handle_requests(request.user)
            if self.action == "change"
            else can_see_requests(request.user)
        )
        if not allowed:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_help_request(self):
        try:
            return (
                visible(self.request, HelpRequest)
                .select_related("commune__department", "created_by", "volunteer")
                .get(pk=self.kwargs["pk"])
            )
        except HelpRequest.DoesNotExist as exc:
            raise Http404 from exc

    def get_breadcrumbs_items(self):
        items = self.breadcrumbs_items + [{"url": reverse(INDEX), "label": _("Coups de main")}]
        help_request = getattr(self, "help_request", None)
        if help_request is not None:
            items.append(
                {"url": reverse(DETAIL, args=[help_request.pk]), "label": str(help_request)}
            )
        return items


def _availability_labels(values):
    labels = dict(AVAILABILITY_CHOICES)
    return [str(labels.get(value, value)) for value in values or []]


class HelpRequestDetailView(RequestMixin, TemplateView):
    """The request and the person's contact, who asked, the consent, the dates, the
    proposals, and once a volunteer accepted, their first name, email and phone; the actions
    the state allows. Each opening is written in the access log (and the volunteer's contact
    too, when shown)."""

    template_name = "helprequests/admin/detail.html"

    def get_page_title(self):
        return str(self.help_request)

    def get(self, request, *args, **kwargs):
        self.help_request = help_request = self.get_help_request()
        proposals = list(
            help_request.proposals.select_related("volunteer", "proposed_by").order_by(
                "created_at", "pk"
            )
        )
        volunteer = help_request.volunteer
        show_volunteer = (
            volunteer is not None
            and help_request.status in (Status.ACCEPTED, Status.DONE)
            and help_request.anonymised_at is None
        )
        services.access_record(
            user=request.user, action=Action.VIEW_REQUEST, help_request=help_request
        )
        if show_volunteer:
            services.access_record(
                user=request.user,
                action=Action.VIEW_VOLUNTEER,
                help_request=help_request,
                volunteer=volunteer,
            )
        handles = can_handle_requests(request.user)
        context = self.get_context_data(
            help_request=help_request,
            category=interest_labels().get(help_request.category, help_request.category),
            availability=_availability_labels(help_request.availability),
            proposals=[
                {
                    "proposal": proposal,
                    "label": (
                        services.volunteer_label(proposal.volunteer)
                        if proposal.volunteer_id
                        else _("bénévole parti·e")
                    ),
                    "overdue": proposal.is_overdue,
                }
                for proposal in proposals
            ],
            volunteer=volunteer if show_volunteer else None,
            can_search=handles and help_request.status in (Status.NEW, Status.SEARCHING),
            can_close=handles and help_request.is_open,
            can_cancel=handles,
            close_form=CloseForm(auto_id="close_%s"),
            phone_only=(
                help_request.is_open
                and help_request.anonymised_at is None
                and not help_request.email
            ),
        )
        return self.render_to_response(context)


class CandidatesView(RequestMixin, TemplateView):
    """The volunteers this request may be proposed to (services.candidates): a label (first
    name and initial), their commune and distance, interests, moments and helps done, never
    a contact. Two boxes relax the interest and the moment (a GET form: nothing personal in
    the address). Opening the list is written in the access log."""

    template_name = "helprequests/admin/candidates.html"
    action = "change"
    page_title = gettext_lazy("Chercher un·e bénévole")

    def get_page_subtitle(self):
        return str(self.help_request)

    def get(self, request, *args, **kwargs):
        self.help_request = help_request = self.get_help_request()
        any_interest = request.GET.get("any_interest") == "1"
        any_time = request.GET.get("any_time") == "1"
        searching = help_request.status in (Status.NEW, Status.SEARCHING)
        rows = []
        if searching:
            found = services.candidates(
                help_request=help_request, interest=not any_interest, availability=not any_time
            )
            prefetch_related_objects([c.volunteer for c in found], "interests", "commune")
            labels = interest_labels()
            wanted = set(help_request.availability or [])
            for candidate in found:
                volunteer = candidate.volunteer
                slugs = [i.slug for i in volunteer.interests.all()]
                rows.append(
                    {
                        "candidate": candidate,
                        "commune": volunteer.commune,
                        "distance": (
                            round(candidate.distance_km)
                            if candidate.distance_km is not None
                            else None
                        ),
                        "interests": [str(labels.get(slug, slug)) for slug in slugs],
                        "matches_interest": help_request.category in slugs,
                        "availability": _availability_labels(volunteer.availability),
                        "matches_time": not wanted or bool(wanted & set(volunteer.availability)),
                    }
                )
            services.access_record(
                user=request.user, action=Action.VIEW_CANDIDATES, help_request=help_request
            )
        context = self.get_context_data(
            help_request=help_request,
            category=interest_labels().get(help_request.category, help_request.category),
            availability=_availability_labels(help_request.availability),
            searching=searching,
            rows=rows,
            any_interest=any_interest,
            any_time=any_time,
            hours=services.PROPOSAL_HOURS,
            neighbour_km=services.NEIGHBOUR_KM,
        )
        return self.render_to_response(context)


def _flag(data, name):
    return "1" if data.get(name) == "1" else ""


LARGEST_KEY = 2**63 - 1


def _posted_id(data, name):
    """A row's number from the POST body, or None for anything that cannot be one (a word,
    a number no database key holds)."""
    raw = data.get(name, "")
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= LARGEST_KEY:
        return int(raw)
    return None


def _candidates_url(help_request, any_interest, any_time):
    url = reverse(CANDIDATES, args=[help_request.pk])
    params = {k: v for k, v in (("any_interest", any_interest), ("any_time", any_time)) if v}
    return f"{url}?{urlencode(params)}" if params else url


class ProposeView(RequestMixin, View):
    """POST: propose the request to one volunteer of its candidates' list (the same list the
    referent saw, with the same two boxes), never anyone else. One outcome when two referents
    propose at once (services.request_propose); the other is told why."""

    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.help_request = help_request = self.get_help_request()
        any_interest = _flag(request.POST, "any_interest")
        any_time = _flag(request.POST, "any_time")
        back = _candidates_url(help_request, any_interest, any_time)
        detail = reverse(DETAIL, args=[help_request.pk])
        if help_request.status == Status.PROPOSED:
            messages.error(request, error_message("already_proposed"))
            return redirect(detail)
        if help_request.status not in (Status.NEW, Status.SEARCHING):
            messages.error(request, error_message("not_open"))
            return redirect(detail)
        wanted = _posted_id(request.POST, "volunteer")
        candidate = None
        if wanted is not None:
            candidate = next(
                (
                    c
                    for c in services.candidates(
                        help_request=help_request,
                        interest=not any_interest,
                        availability=not any_time,
                    )
                    if c.volunteer.pk == wanted
                ),
                None,
            )
        if candidate is None:
            messages.error(request, error_message("not_candidate"))
            return redirect(back)
        try:
            proposal = services.request_propose(
                help_request=help_request, volunteer=candidate.volunteer, user=request.user
            )
        except HelpError as error:
            messages.error(request, error_message(error.code))
            return redirect(back if error.code == "not_available" else detail)
        messages.success(
            request,
            _(
                "La demande a été proposée. Le ou la bénévole a jusqu'au %(deadline)s pour "
                "répondre ; vous serez prévenu·e par e-mail."
            )
            % {
                "deadline": date_format(
                    timezone.localtime(proposal.deadline), "SHORT_DATETIME_FORMAT"
                )
            },
        )
        return redirect(detail)


class CancelProposalView(RequestMixin, View):
    """POST: take back the proposal still waiting for its answer (its id in the body)."""

    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.help_request = help_request = self.get_help_request()
        detail = reverse(DETAIL, args=[help_request.pk])
        proposal_id = _posted_id(request.POST, "proposal")
        proposal = None
        if proposal_id is not None:
            proposal = help_request.proposals.filter(pk=proposal_id).first()
        if proposal is None or proposal.status != HelpProposal.Status.PENDING:
            messages.error(request, error_message("answered"))
            return redirect(detail)
        try:
            services.proposal_cancel(proposal=proposal, user=request.user)
        except HelpError as error:
            messages.error(request, error_message(error.code))
            return redirect(detail)
        messages.success(
            request,
            _("La proposition est annulée : vous pouvez proposer la demande à quelqu'un d'autre."),
        )
        return redirect(detail)


class CloseView(RequestMixin, View):
    """POST: close the request without help, with a reason (services.request_close)."""

    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.help_request = help_request = self.get_help_request()
        detail = reverse(DETAIL, args=[help_request.pk])
        form = CloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, error_message("bad_reason"))
            return redirect(detail)
        try:
            services.request_close(
                help_request=help_request, user=request.user, reason=form.cleaned_data["reason"]
            )
        except HelpError as error:
            messages.error(request, error_message(error.code))
            return redirect(detail)
        messages.success(request, _("La demande est close."))
        return redirect(detail)


# --- a request taken by the mairie -------------------------------------------------------


class AddView(RequestMixin, FormView):
    """A request taken by phone or at a help point: the public form's questions and the
    person's spoken consent, recorded with its words (services.request_create, source
    "admin"). A referent chooses among their communes; staff type any commune."""

    template_name = "helprequests/admin/add.html"
    form_class = AdminHelpRequestForm
    page_title = gettext_lazy("Saisir une demande de coup de main")

    def dispatch(self, request, *args, **kwargs):
        if not request_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs["communes"] = (
            None
            if any_commune(user)
            else Commune.objects.filter(help_referents__user=user).order_by("name")
        )
        return kwargs

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        data = form.cleaned_data
        help_request = services.request_create(
            commune=data["commune"],
            category=data["category"],
            first_name=data["first_name"],
            phone=data["phone"],
            email=data["email"],
            availability=data["availability"],
            when_details=data["when_details"],
            details=data["details"],
            asker=services.Asker(
                asked_by=data["asked_by"],
                name=data["requester_name"],
                email=data["requester_email"],
            ),
            # The words on the agent's screen, in the admin's language: what was read.
            consent_wording=str(ADMIN_CONSENT_LABEL),
            language=data["language"],
            source=HelpRequest.Source.ADMIN,
            created_by=self.request.user,
        )
        messages.success(
            self.request,
            _("%(request)s enregistrée.") % {"request": help_request},
        )
        return redirect(DETAIL, help_request.pk)


# --- the access log ----------------------------------------------------------------------


def _users_in_log(request):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(pk__in=AccessRecord.objects.values("user_id"))
        .order_by("username")
    )


class AccessLogFilterSet(WagtailFilterSet):
    user = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Utilisateur"), queryset=_users_in_log
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"), choices=AccessRecord.Action.choices
    )
    commune = django_filters.CharFilter(
        label=gettext_lazy("Commune"),
        method="filter_commune",
        help_text=gettext_lazy("Code INSEE ou début du nom."),
    )
    at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = AccessRecord
        fields = []

    filter_commune = HelpRequestFilterSet.filter_commune


def _user_label(record):
    user = record.user
    if user is None:
        return _("compte supprimé")
    return user.get_full_name() or user.get_username()


class AccessLogIndexView(IndexView):
    """Who opened which request's data or which volunteer's contact, when. Read-only, for
    staff granted "view" on the log (and superusers): a request's and a volunteer's number,
    never a name."""

    model = AccessRecord
    permission_policy = access_log_policy
    any_permission_required = ["view"]
    index_url_name = "helprequests_access_log:index"
    index_results_url_name = "helprequests_access_log:index_results"
    filterset_class = AccessLogFilterSet
    page_title = gettext_lazy("Journal des accès aux coups de main")
    header_icon = "history"
    paginate_by = 100
    default_ordering = "-at"

    def get_base_queryset(self):
        return AccessRecord.objects.select_related("user", "commune")

    def get_valid_orderings(self):
        return ["at", "-at"]

    @cached_property
    def columns(self):
        return [
            Column(
                "at",
                label=_("Date"),
                sort_key="at",
                accessor=lambda r: date_format(timezone.localtime(r.at), "SHORT_DATETIME_FORMAT"),
            ),
            Column("user", label=_("Utilisateur"), accessor=_user_label),
            Column("action", label=_("Action"), accessor="get_action_display"),
            TitleColumn(
                "request",
                label=_("Demande"),
                accessor=lambda r: (
                    _("Demande n° %(pk)s") % {"pk": r.request_id} if r.request_id else "—"
                ),
                get_url=lambda r: reverse(DETAIL, args=[r.request_id]) if r.request_id else None,
            ),
            Column(
                "volunteer",
                label=_("Bénévole"),
                accessor=lambda r: (
                    _("Bénévole n° %(pk)s") % {"pk": r.volunteer_id} if r.volunteer_id else "—"
                ),
            ),
            Column("commune", label=_("Commune"), accessor=lambda r: r.commune or "—"),
        ]

    def get_list_more_buttons(self, instance):
        return []
