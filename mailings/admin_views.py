"""Admin views of the mailings: preview, send, test send, cancel, report and progress.

The snippet views (listing, create, edit, preview) are Wagtail's, narrowed here; the others
are added to the mailing viewset's URLs (see `MailingViewSet.get_urlpatterns` in
wagtail_hooks.py). Each calls a service; none sends an email inside the request."""

from django.contrib.admin.utils import quote
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView, View

from wagtail.admin import messages
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    IndexView,
    PreviewOnCreateView,
    PreviewOnEditView,
)

from . import emails as mailing_emails
from . import services, tasks
from .admin_forms import PARIS, MailingSendForm, MailingTestForm, audience_summary
from .models import Delivery, Mailing
from .services import AudienceFilters


def mailing_preview_serve(request, mailing, mode_name):
    """Wagtail's preview of a mailing: the exact email with sample values, or the number of
    volunteers the audience reaches now."""
    if mode_name == "audience":
        filters = getattr(mailing, "_preview_filters", None) or AudienceFilters.of(mailing)
        count = services.mailing_audience(filters=filters).count()
        return TemplateResponse(
            request,
            "mailings/admin/mailing_audience_preview.html",
            {
                "mailing": mailing,
                "count": count,
                "filters": filters,
                "summary": audience_summary(filters),
            },
        )
    return HttpResponse(mailing_emails.mailing_preview_html(mailing))


def _number(value: int) -> str:
    """1234 as "1 234", as French readers expect, whatever USE_THOUSAND_SEPARATOR says."""
    return formats.number_format(value, force_grouping=True)


def _paris(moment):
    return timezone.localtime(moment, PARIS) if moment else None


# ---------------------------------------------------------------------------------------
# What staff may do with a mailing, in one place for the listing, the edit view and the
# report.


class MailingActionsMixin:
    """URL names given by the viewset, and the actions the user may take on a mailing."""

    report_url_name = None
    send_url_name = None
    test_url_name = None
    cancel_url_name = None
    progress_url_name = None
    sent_preview_url_name = None
    resend_url_name = None

    def mailing_url(self, name, mailing):
        return reverse(getattr(self, f"{name}_url_name"), args=[quote(mailing.pk)])

    def mailing_permissions(self):
        user, policy = self.request.user, self.permission_policy
        return {
            action: policy.user_has_permission(user, action)
            for action in ("change", "send", "delete")
        }

    def resend_action(self, mailing, progress):
        """ "Resend what failed", for the report only (it needs the figures)."""
        if (
            progress["failed"]
            and mailing.status in (Mailing.Status.SENDING, Mailing.Status.SENT)
            and self.mailing_permissions()["send"]
        ):
            return [
                ("resend", _("Renvoyer les échecs"), self.mailing_url("resend", mailing), "redo")
            ]
        return []

    def mailing_actions(self, mailing):
        """(name, label, url, icon) of what the user may do now, in the order shown."""
        can = self.mailing_permissions()
        actions = []
        if mailing.is_editable and can["change"] and getattr(self, "edit_url_name", None):
            actions.append(
                (
                    "edit",
                    _("Modifier"),
                    reverse(self.edit_url_name, args=[quote(mailing.pk)]),
                    "edit",
                )
            )
        if mailing.is_editable and can["send"]:
            label = (
                _("Envoyer ou reprogrammer")
                if mailing.status == Mailing.Status.SCHEDULED
                else _("Envoyer ou programmer")
            )
            actions.append(("send", label, self.mailing_url("send", mailing), "mail"))
        if mailing.is_editable and (can["change"] or can["send"]):
            actions.append(
                ("test", _("Envoyer un test"), self.mailing_url("test", mailing), "mail")
            )
        if mailing.is_cancellable and can["send"]:
            label = (
                _("Annuler l'envoi programmé")
                if mailing.status == Mailing.Status.SCHEDULED
                else _("Arrêter l'envoi")
            )
            actions.append(("cancel", label, self.mailing_url("cancel", mailing), "cross"))
        actions.append(
            ("report", _("Suivi de l'envoi"), self.mailing_url("report", mailing), "list-ul")
        )
        return actions


# ---------------------------------------------------------------------------------------
# Wagtail's snippet views, narrowed


class MailingIndexView(MailingActionsMixin, IndexView):
    def get_edit_url(self, instance):
        # A mailing that has gone cannot be edited: its title leads to its report.
        if instance.is_editable:
            return super().get_edit_url(instance)
        return None

    def get_inspect_url(self, instance):
        return self.mailing_url("report", instance)

    def get_list_more_buttons(self, instance):
        buttons = [
            Button(label, url=url, icon_name=icon, priority=10 * (i + 1))
            for i, (_name, label, url, icon) in enumerate(self.mailing_actions(instance))
        ]
        if copy_url := self.get_copy_url(instance):
            buttons.append(Button(_("Dupliquer"), url=copy_url, icon_name="copy", priority=80))
        # Only a mailing that never started can have no deliveries: no query per row here;
        # the delete view checks again (see the before_delete_snippet hook).
        if instance.started_at is None and (delete_url := self.get_delete_url(instance)):
            buttons.append(Button(_("Supprimer"), url=delete_url, icon_name="bin", priority=90))
        return buttons


class MailingCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class MailingEditView(MailingActionsMixin, EditView):
    def run_before_hook(self):
        # After the permission check, before anything is shown or saved.
        if not self.object.is_editable:
            messages.warning(
                self.request,
                _(
                    "Cet envoi est parti ou a été annulé : il ne peut plus être modifié. "
                    "Voici son suivi. Pour écrire un envoi semblable, dupliquez-le."
                ),
            )
            return redirect(self.mailing_url("report", self.object))
        return super().run_before_hook()

    @cached_property
    def _actions(self):
        return {
            name: (label, url, icon) for name, label, url, icon in self.mailing_actions(self.object)
        }

    @cached_property
    def header_buttons(self):
        buttons = []
        if "send" in self._actions:
            label, url, icon = self._actions["send"]
            buttons.append(HeaderButton(label, url=url, icon_name=icon))
        return buttons

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, name in enumerate(("test", "cancel", "report"), start=1):
            if name in self._actions:
                label, url, icon = self._actions[name]
                buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class MailingPreviewMixin:
    """The audience preview of an unsaved form: its instance has no many-to-many values
    yet, so the filters are taken from the form's cleaned data (see
    wagtail/admin/views/generic/preview.py: `get` validates the form, then previews
    `self.object`)."""

    def validate_form(self, form):
        is_valid = super().validate_form(form)
        if is_valid and hasattr(form, "audience_filters"):
            self.object._preview_filters = form.audience_filters()
        return is_valid


class MailingPreviewOnCreateView(MailingPreviewMixin, PreviewOnCreateView):
    pass


class MailingPreviewOnEditView(MailingPreviewMixin, PreviewOnEditView):
    pass


# ---------------------------------------------------------------------------------------
# The mailing's own views: report, progress, sent email, test, send, cancel


class MailingStateGuard:
    """Runs `refuse()` after the permission check (it comes after PermissionCheckedMixin
    in the MRO): a response there stops the view."""

    def dispatch(self, request, *args, **kwargs):
        response = self.refuse()
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)

    def refuse(self):
        return None


class MailingObjectView(
    MailingActionsMixin, PermissionCheckedMixin, MailingStateGuard, WagtailAdminTemplateMixin
):
    model = Mailing
    index_url_name = None
    edit_url_name = None
    header_icon = "mail"
    any_permission_required = ["add", "change", "delete", "view", "send"]

    @cached_property
    def object(self):
        # Looked up after the permission check: no 404 tells a stranger what exists.
        return get_object_or_404(Mailing, pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.object.subject

    def get_header_title(self):
        return f"{self.get_page_title()} : {self.object.subject}"

    def get_breadcrumbs_items(self):
        items = [
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(Mailing._meta.verbose_name_plural),
            }
        ]
        report_url = self.mailing_url("report", self.object)
        if self.request.path != report_url:
            items.append({"url": report_url, "label": self.object.subject})
            items.append({"url": "", "label": self.get_page_title()})
        else:
            items.append({"url": "", "label": self.object.subject})
        return self.breadcrumbs_items + items

    def report_redirect(self):
        return redirect(self.mailing_url("report", self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mailing"] = self.object
        context["report_url"] = self.mailing_url("report", self.object)
        return context


def _progress_rows(progress):
    """The report's figures: (key, label, value) in reading order."""
    labels = [
        ("recipients", _("Destinataires")),
        ("sent", _("Remis au prestataire d'envoi")),
        ("delivered", _("Distribués")),
        ("bounced", _("Rejetés (adresse en échec)")),
        ("complained", _("Signalés comme indésirables")),
        ("unsubscribed", _("Désinscrits depuis cet e-mail")),
        ("failed", _("Échecs de l'envoi")),
        ("skipped", _("Non envoyés (plus destinataires)")),
        ("cancelled", _("Annulés")),
        ("pending", _("En attente")),
    ]
    return [(key, label, _number(progress[key])) for key, label in labels]


class MailingReportView(MailingObjectView, TemplateView):
    template_name = "mailings/admin/mailing_report.html"
    page_title = _("Suivi de l'envoi")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mailing = self.object
        progress = services.mailing_progress(mailing=mailing)
        context.update(
            {
                "progress": progress,
                "rows": _progress_rows(progress),
                "settled": _number(progress["settled"]),
                "recipients": _number(progress["recipients"]),
                "actions": [a for a in self.mailing_actions(mailing) if a[0] != "report"]
                + self.resend_action(mailing, progress),
                "polling": mailing.status in (Mailing.Status.SENDING, Mailing.Status.SCHEDULED),
                "progress_url": self.mailing_url("progress", mailing),
                "sent_preview_url": (
                    self.mailing_url("sent_preview", mailing) if mailing.sent_html else ""
                ),
                "dates": [
                    (label, _paris(value))
                    for label, value in (
                        (_("Programmé pour le"), mailing.scheduled_at),
                        (_("Commencé le"), mailing.started_at),
                        (_("Terminé le"), mailing.finished_at),
                        (_("Annulé le"), mailing.cancelled_at),
                    )
                    if value
                ],
            }
        )
        return context


class MailingProgressView(MailingObjectView, View):
    """The report's figures as JSON, for mailing-progress.js."""

    def get(self, request, *args, **kwargs):
        mailing = self.object
        progress = services.mailing_progress(mailing=mailing)
        response = JsonResponse(
            {
                **progress,
                "status_label": str(mailing.get_status_display()),
                "display": {key: value for key, _label, value in _progress_rows(progress)}
                | {"settled": _number(progress["settled"])},
            }
        )
        response["Cache-Control"] = "no-store"
        return response


class MailingSentPreviewView(MailingObjectView, View):
    """What was sent (the HTML fixed when sending started), with sample values: later
    edits to a story do not change it."""

    def get(self, request, *args, **kwargs):
        mailing = self.object
        if not mailing.sent_html:
            raise Http404
        html = mailing_emails.personalise(
            mailing.sent_html, mailing_emails.sample_values(language=mailing.language), html=True
        )
        response = HttpResponse(html)
        # The email's HTML has inline styles and remote images, and never needs a script.
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'"
        )
        return response


class MailingTestView(MailingObjectView, FormView):
    template_name = "mailings/admin/mailing_test.html"
    form_class = MailingTestForm
    page_title = _("Envoyer un test")
    any_permission_required = ["change", "send"]

    def refuse(self):
        if not self.object.is_editable:
            messages.warning(
                self.request,
                _("Cet envoi est parti ou a été annulé : un test n'a plus de sens."),
            )
            return self.report_redirect()
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        next_url = get_valid_next_url_from_request(self.request)
        if next_url:
            return next_url
        if self.mailing_permissions()["change"]:
            return reverse(self.edit_url_name, args=[quote(self.object.pk)])
        return self.mailing_url("report", self.object)

    def form_valid(self, form):
        address = form.cleaned_data["to"]
        mailing_id = self.object.pk
        # Never inside the request: a task renders and sends it.
        transaction.on_commit(
            lambda: tasks.send_mailing_test.enqueue(mailing_id=mailing_id, to=address)
        )
        messages.success(
            self.request, _("Un e-mail de test part vers %(address)s.") % {"address": address}
        )
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = get_valid_next_url_from_request(self.request)
        return context


class MailingSendView(MailingObjectView, FormView):
    template_name = "mailings/admin/mailing_send.html"
    form_class = MailingSendForm
    page_title = _("Envoyer")
    any_permission_required = None
    permission_required = "send"

    def refuse(self):
        if not self.object.is_editable:
            messages.warning(self.request, _("Cet envoi est déjà parti ou a été annulé."))
            return self.report_redirect()
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "mailing": self.object}

    def form_valid(self, form):
        when = form.send_at()
        try:
            mailing = services.mailing_send(mailing=self.object, when=when)
        except services.MailingError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        if when is not None:
            messages.success(
                self.request,
                _("L'envoi est programmé pour le %(date)s (heure de Paris).")
                % {"date": formats.date_format(_paris(mailing.scheduled_at), "DATETIME_FORMAT")},
            )
        else:
            # A worker writes the deliveries in a moment; this is the audience as it is now.
            count = services.mailing_audience(filters=AudienceFilters.of(mailing)).count()
            messages.success(
                self.request,
                ngettext(
                    "L'envoi part vers %(count)s bénévole.",
                    "L'envoi part vers %(count)s bénévoles.",
                    count,
                )
                % {"count": _number(count)},
            )
        return self.report_redirect()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mailing = self.object
        filters = AudienceFilters.of(mailing)
        count = services.mailing_audience(filters=filters).count()
        context.update(
            {
                "count": count,
                "count_display": _number(count),
                "summary": audience_summary(filters),
                "language": mailing.get_language_display(),
                "test_url": self.mailing_url("test", mailing),
                "esp": services.esp_profile(),
            }
        )
        return context


class MailingCancelView(MailingObjectView, TemplateView):
    template_name = "mailings/admin/mailing_cancel.html"
    page_title = _("Annuler l'envoi")
    any_permission_required = None
    permission_required = "send"
    http_method_names = ["get", "post"]

    def refuse(self):
        if not self.object.is_cancellable:
            messages.warning(self.request, _("Cet envoi ne peut plus être annulé."))
            return self.report_redirect()
        return None

    def post(self, request, *args, **kwargs):
        try:
            cancelled = services.mailing_cancel(mailing=self.object)
        except services.MailingError as error:
            messages.error(request, str(error))
            return self.report_redirect()
        if cancelled:
            messages.success(
                request,
                ngettext(
                    "Envoi annulé : %(count)s e-mail ne partira pas.",
                    "Envoi annulé : %(count)s e-mails ne partiront pas.",
                    cancelled,
                )
                % {"count": _number(cancelled)},
            )
        else:
            messages.success(request, _("Envoi annulé."))
        return self.report_redirect()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = _number(
            self.object.deliveries.filter(status=Delivery.Status.PENDING).count()
        )
        return context


class MailingResendView(MailingObjectView, TemplateView):
    """ "Resend what failed": a confirmation page, then a POST that asks the ESP what it took
    and hands only the rest back to the workers (`mailing_failed_resend`)."""

    template_name = "mailings/admin/mailing_resend.html"
    page_title = _("Renvoyer les échecs")
    any_permission_required = None
    permission_required = "send"
    http_method_names = ["get", "post"]

    @cached_property
    def failed(self):
        return self.object.deliveries.filter(status=Delivery.Status.FAILED).count()

    def refuse(self):
        if (
            self.object.status not in (Mailing.Status.SENDING, Mailing.Status.SENT)
            or not self.failed
        ):
            messages.warning(self.request, _("Cet envoi n'a pas d'échec à renvoyer."))
            return self.report_redirect()
        return None

    def post(self, request, *args, **kwargs):
        try:
            count = services.mailing_failed_resend(mailing=self.object)
        except services.MailingError as error:
            messages.error(request, str(error))
            return self.report_redirect()
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)s e-mail en échec repart.",
                    "%(count)s e-mails en échec repartent.",
                    count,
                )
                % {"count": _number(count)},
            )
        else:
            messages.success(
                request,
                _("Le prestataire avait déjà pris ces e-mails : ils sont comptés comme remis."),
            )
        return self.report_redirect()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failed"] = _number(self.failed)
        context["failed_count"] = self.failed
        context["esp"] = services.esp_profile()
        return context
