"""Admin: the campaign mailings ("Envois d'e-mails"): listing with progress, edit form with
the audience, preview, test send, send, cancel and report. Mairie users never see a
mailing."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.forms import CheckboxSelectMultiple, Textarea
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from volunteers.models.access import MAIRIE_GROUP_NAME, is_mairie_user

from . import admin_views
from .admin_forms import MailingAdminForm, MailingAudienceCountPanel
from .models import Delivery, Mailing


class MailingPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, with two limits: mairie users never see a mailing, even
    if a group gave them a permission by mistake, and a mailing that has deliveries cannot
    be deleted (its rows are the proof of what was sent to whom)."""

    def user_has_permission(self, user, action):
        return not is_mairie_user(user) and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and instance.pk and instance.deliveries.exists():
            return False
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return (
            super()
            .users_with_any_permission(actions)
            .exclude(Q(is_superuser=False) & Q(groups__name=MAIRIE_GROUP_NAME))
        )


# Before the viewset is registered, or Wagtail creates its default policy.
register_permission_policy(Mailing, MailingPermissionPolicy(Mailing))

# A delivery that is neither waiting nor in a worker's hands has been dealt with.
SETTLED_STATUSES = [
    status
    for status in Delivery.Status
    if status not in (Delivery.Status.PENDING, Delivery.Status.SENDING)
]


class MailingProgressColumn(Column):
    """ "1 234 / 5 000" and a small bar; the count comes from the listing's annotation."""

    cell_template_name = "mailings/admin/mailing_progress_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        total = instance.recipients_count
        done = getattr(instance, "settled_count", None) or 0
        context.update(
            {
                "started": instance.started_at is not None,
                "done": admin_views._number(done),
                "total": admin_views._number(total),
                "percent": round(100 * done / total) if total else 0,
            }
        )
        return context


class MailingViewSet(SnippetViewSet):
    model = Mailing
    icon = "mail"
    menu_label = _("Envois d'e-mails")
    menu_name = "mailings"
    menu_order = 251
    add_to_admin_menu = True
    index_view_class = admin_views.MailingIndexView
    add_view_class = admin_views.MailingCreateView
    edit_view_class = admin_views.MailingEditView
    preview_on_add_view_class = admin_views.MailingPreviewOnCreateView
    preview_on_edit_view_class = admin_views.MailingPreviewOnEditView
    list_display = [
        "subject",
        "language",
        "kind",
        "status",
        Column(
            "when",
            label=_("Programmé ou parti le"),
            accessor=lambda mailing: mailing.started_at or mailing.scheduled_at,
        ),
        MailingProgressColumn("progress", label=_("Progression")),
    ]
    list_filter = ["status", "kind"]
    list_per_page = 50
    ordering = ["-created_at", "-pk"]
    search_fields = ["subject"]
    search_backend_name = None  # the ORM: mailings stay out of the search index

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("subject"),
                    FieldPanel("preheader"),
                    FieldPanel("language"),
                    FieldPanel("body"),
                ],
                heading=_("Contenu"),
            ),
            ObjectList(
                [
                    MailingAudienceCountPanel(heading=_("Nombre de destinataires")),
                    MultiFieldPanel(
                        [
                            FieldPanel("audience_regions", widget=CheckboxSelectMultiple),
                            FieldPanel("audience_departments", widget=CheckboxSelectMultiple),
                            FieldPanel(
                                "audience_communes",
                                widget=Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                            ),
                        ],
                        heading=_("Où"),
                        help_text=_(
                            "Les lieux s'additionnent. Sans lieu, l'envoi va à toute la France."
                        ),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("audience_interests"),
                            FieldPanel("audience_language"),
                            FieldPanel("audience_signed_up_after"),
                            FieldPanel("audience_signed_up_before"),
                        ],
                        heading=_("Qui"),
                    ),
                ],
                heading=_("Destinataires"),
            ),
        ],
        base_form_class=MailingAdminForm,
    )

    def get_queryset(self, request):
        settled = (
            Delivery.objects.filter(mailing=OuterRef("pk"), status__in=SETTLED_STATUSES)
            .order_by()
            .values("mailing")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # One query for the page, whatever the number of deliveries: the subquery is
        # counted on the (mailing, status) index for the listed rows only.
        return Mailing.objects.annotate(settled_count=Subquery(settled))

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                f"{name}_url_name": self.get_url_name(name)
                for name in (
                    "report",
                    "send",
                    "test",
                    "cancel",
                    "progress",
                    "sent_preview",
                    "resend",
                )
            },
            **kwargs,
        )

    @property
    def report_view(self):
        return self.construct_view(admin_views.MailingReportView)

    @property
    def progress_view(self):
        return self.construct_view(admin_views.MailingProgressView)

    @property
    def sent_preview_view(self):
        return self.construct_view(admin_views.MailingSentPreviewView)

    @property
    def test_view(self):
        return self.construct_view(admin_views.MailingTestView)

    @property
    def send_view(self):
        return self.construct_view(admin_views.MailingSendView)

    @property
    def cancel_view(self):
        return self.construct_view(admin_views.MailingCancelView)

    @property
    def resend_view(self):
        return self.construct_view(admin_views.MailingResendView)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("report/<int:pk>/", self.report_view, name="report"),
            path("progress/<int:pk>/", self.progress_view, name="progress"),
            path("sent/<int:pk>/", self.sent_preview_view, name="sent_preview"),
            path("test/<int:pk>/", self.test_view, name="test"),
            path("send/<int:pk>/", self.send_view, name="send"),
            path("cancel/<int:pk>/", self.cancel_view, name="cancel"),
            path("resend/<int:pk>/", self.resend_view, name="resend"),
        ]


register_snippet(MailingViewSet)


@hooks.register("before_delete_snippet")
def refuse_deleting_mailings_that_went_out(request, instances):
    """Both the delete view and the bulk delete action run this hook."""
    mailings = [instance for instance in instances if isinstance(instance, Mailing)]
    if mailings and Delivery.objects.filter(mailing__in=mailings).exists():
        messages.error(
            request,
            ngettext(
                "Cet envoi est parti : il est gardé, avec la trace de chaque e-mail.",
                "Certains de ces envois sont partis : ils sont gardés, avec la trace de "
                "chaque e-mail.",
                len(mailings),
            ),
        )
        return redirect(MailingViewSet().get_url_name("list"))
    return None
