"""The sign-up page: staff edit its texts, the form is the app's."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import path
from wagtail.fields import RichTextField

from campaign.csrf import cross_origin_protect
from campaign.models import BasePage
from campaign.routes import TranslatedRoutablePageMixin

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class VolunteerSignupPage(TranslatedRoutablePageMixin, BasePage):
    """Sign up for l'heure civique. The form posts to the page itself; a successful sign-up
    redirects to its thank-you address, so a reload never posts twice."""

    introduction = RichTextField(_("introduction"), features=TEXT_FEATURES, blank=True)
    thank_you_title = models.CharField(
        _("titre du remerciement"), max_length=120, default="Merci, vérifiez vos e-mails"
    )
    thank_you_text = RichTextField(
        _("texte du remerciement"),
        features=TEXT_FEATURES,
        blank=True,
        help_text=_("Montré après l'envoi du formulaire, à tous, inscrits ou non."),
    )
    privacy_notice = RichTextField(
        _("information sur les données personnelles"),
        features=TEXT_FEATURES,
        blank=True,
        help_text=_("Qui reçoit les données, pourquoi, combien de temps, vos droits."),
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("introduction"),
        FieldPanel("privacy_notice"),
        FieldPanel("thank_you_title"),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("page d'inscription à l'heure civique")
        verbose_name_plural = _("pages d'inscription à l'heure civique")

    def get_meta_description(self):
        return self.search_description

    @path("")
    @cross_origin_protect  # the page is cached: no CSRF token in it (campaign/csrf.py)
    def signup(self, request):
        from volunteers.views import signup_page_serve

        return signup_page_serve(request, self)

    @path(_("merci/"), name="thanks")
    def thanks(self, request):
        from volunteers.views import signup_page_thanks

        return signup_page_thanks(request, self)
