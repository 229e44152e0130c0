"""Building the emails the app sends, and the helpers the mailing workflow reuses:
the volunteer's links and the RFC 8058 one-click unsubscribe headers."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.models import Site

from campaign.models import CampaignSettings
from campaign.site_address import base_url, public_url

from . import tokens
from .models import EmailTemplate, Volunteer


def absolute_url(path: str) -> str:
    return public_url(path) if path else base_url()


def _link(name, volunteer, purpose):
    token = tokens.token_make(volunteer=volunteer, purpose=purpose)
    with translation.override(volunteer.language or settings.LANGUAGE_CODE):
        return absolute_url(reverse(name, kwargs={"token": token}))


def confirmation_url(volunteer: Volunteer) -> str:
    return _link("volunteers:confirm", volunteer, tokens.CONFIRM)


def preferences_url(volunteer: Volunteer) -> str:
    return _link("volunteers:preferences", volunteer, tokens.PREFERENCES)


def unsubscribe_url(volunteer: Volunteer) -> str:
    return _link("volunteers:unsubscribe", volunteer, tokens.UNSUBSCRIBE)


def unsubscribe_headers(volunteer: Volunteer, url: str | None = None) -> dict[str, str]:
    """The headers every non-transactional email carries (RFC 2369 and RFC 8058): mail
    clients show an "unsubscribe" button that POSTs to the link, no page to open. `url`:
    the volunteer's unsubscribe link, when already made."""
    return {
        "List-Unsubscribe": f"<{url or unsubscribe_url(volunteer)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class LinkMaker:
    """The signed links of many volunteers (a mailing's batch): each address pattern is
    resolved once per language, then only the token changes. The same URLs as `_link`."""

    SENTINEL = "0-token-0"

    def __init__(self):
        self._patterns = {}

    def _link(self, name, volunteer, purpose):
        language = volunteer.language or settings.LANGUAGE_CODE
        pattern = self._patterns.get((name, language))
        if pattern is None:
            with translation.override(language):
                pattern = absolute_url(reverse(name, kwargs={"token": self.SENTINEL}))
            self._patterns[(name, language)] = pattern
        token = tokens.token_make(volunteer=volunteer, purpose=purpose)
        return pattern.replace(self.SENTINEL, token)

    def preferences_url(self, volunteer):
        return self._link("volunteers:preferences", volunteer, tokens.PREFERENCES)

    def unsubscribe_url(self, volunteer):
        return self._link("volunteers:unsubscribe", volunteer, tokens.UNSUBSCRIBE)


# Used when staff have not written a template for a kind yet, so that no email is ever lost.
DEFAULT_TEMPLATES = {
    EmailTemplate.Kind.CONFIRMATION: (
        gettext_lazy("Confirmez votre inscription à l'heure civique"),
        gettext_lazy(
            "Bonjour {prenom},\n\nMerci de votre inscription. Pour la confirmer, ouvrez ce "
            "lien dans les 7 jours :\n\n{lien}\n\nSi vous ne vous êtes pas inscrit, ignorez "
            "ce message : sans confirmation, votre adresse sera effacée."
        ),
    ),
    EmailTemplate.Kind.WELCOME: (
        gettext_lazy("Bienvenue dans l'heure civique"),
        gettext_lazy(
            "Bonjour {prenom},\n\nVotre inscription est confirmée. Merci ! Chaque mois, nous "
            "vous proposerons une action près de chez vous.\n\nVos préférences : "
            "{lien_preferences}"
        ),
    ),
    EmailTemplate.Kind.PREFERENCES_LINK: (
        gettext_lazy("Vos préférences pour l'heure civique"),
        gettext_lazy(
            "Bonjour {prenom},\n\nQuelqu'un, peut-être vous, a demandé à inscrire votre "
            "adresse. Vous êtes déjà inscrit. Pour modifier vos préférences, ouvrez ce lien :"
            "\n\n{lien}"
        ),
    ),
    EmailTemplate.Kind.ERASURE_DONE: (
        gettext_lazy("Vos données ont été effacées"),
        gettext_lazy(
            "Bonjour {prenom},\n\nComme vous l'avez demandé, nous avons effacé vos données. "
            "Vous ne recevrez plus d'e-mails de la campagne. Merci pour votre engagement."
        ),
    ),
}


def email_template_get(*, kind: str, language: str) -> EmailTemplate | None:
    """The staff's template in `language`, else in French, else the built-in text."""
    templates = {
        t.locale.language_code: t
        for t in EmailTemplate.objects.filter(
            kind=kind, locale__language_code__in=[language, settings.LANGUAGE_CODE]
        ).select_related("locale")
    }
    return templates.get(language) or templates.get(settings.LANGUAGE_CODE)


def default_site_settings():
    """The default site and its campaign settings ((None, None) without a site): emails
    are sent outside any request."""
    site = Site.objects.filter(is_default_site=True).first()
    return site, (CampaignSettings.for_site(site) if site else None)


def reply_to(campaign) -> list[str] | None:
    return [campaign.reply_to_email] if campaign and campaign.reply_to_email else None


def message_build(
    *, to: str, kind: str, language: str, values: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    """One email from the template of `kind`, as plain text and HTML."""
    template = email_template_get(kind=kind, language=language)
    _site, campaign = default_site_settings()
    with translation.override(language):
        if template is None:
            subject, body = DEFAULT_TEMPLATES[kind]
            template = EmailTemplate(kind=kind, subject=str(subject), body=str(body))
        subject, text, html_fragment = template.render(values)
        html = render_to_string(
            "volunteers/email/base.html",
            {
                "subject": subject,
                "content": html_fragment,
                "unsubscribe_url": values.get("lien_desinscription"),
                "campaign_name": campaign.campaign_name if campaign else settings.WAGTAIL_SITE_NAME,
                "language": language,
            },
        )
        if values.get("lien_desinscription"):
            text += "\n\n-- \n" + _("Se désinscrire : %(url)s") % {
                "url": values["lien_desinscription"]
            }
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], reply_to=reply_to(campaign), headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message


def volunteer_values(volunteer: Volunteer) -> dict:
    return {
        "prenom": volunteer.first_name,
        "commune": volunteer.commune.name if volunteer.commune_id else "",
    }
