"""A mailing as an email: rendered once per mailing (HTML with inline styles, and plain
text), with placeholders that are filled per recipient, either here (the preview, the test
send, ESPs without batch merge) or by the ESP from each recipient's merge data (batch send).

The same `mailing_render` output feeds the preview and the send, so what staff see is what
volunteers get."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from wagtail.models import Locale

from campaign.translated import is_translated
from gestures.selectors import gesture_of_the_month
from volunteers import emails
from volunteers.models import Volunteer

from .models import Mailing

# The values filled in for each recipient. Staff may type the first two in paragraphs.
PLACEHOLDERS = (
    "salutation",
    "prenom",
    "commune",
    "inscription",
    "lien_preferences",
    "lien_desinscription",
)
PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

# Mail clients ignore <style> sheets more often than not: rich text gets its styles inline.
INLINE_STYLES = {
    "p": "margin:0 0 16px;",
    "ul": "margin:0 0 16px;padding-left:24px;",
    "ol": "margin:0 0 16px;padding-left:24px;",
    "li": "margin:0 0 6px;",
    "a": "color:#8a2b1f;text-decoration:underline;",
}
# Only tags without a style of their own: the rich text's, never our templates'.
TAG_RE = re.compile(r"<(p|ul|ol|li|a)((?:\s(?![^>]*\bstyle=)[^>]*)?)>")

TEXT_WIDTH = 560  # px: the email's content column; images are rendered at this width.


@dataclass(frozen=True)
class RenderedMailing:
    subject: str
    html: str
    text: str


def inline_styles(html: str) -> str:
    return TAG_RE.sub(
        lambda m: f'<{m.group(1)} style="{INLINE_STYLES[m.group(1)]}"{m.group(2) or ""}>', html
    )


HREF_ROOT_RE = re.compile(r'(href|src)="/(?!/)')


def absolutise_links(html: str) -> str:
    """Links to our own pages (rich text's internal links) must be full addresses in an
    email."""
    base = emails.absolute_url("")
    return HREF_ROOT_RE.sub(lambda m: f'{m.group(1)}="{base}/', html)


def _absolute(url: str) -> str:
    return emails.absolute_url(url) if url.startswith("/") else url


def _page_card(page, locale, summary_attr):
    """A chosen story or gesture as a card in the mailing's language; None (the block is left
    out) when the page has no live translation in that language: an untranslated page, or
    the alias wagtail-localize keeps in its place (campaign/translated.py), would show the
    other language's text in this email."""
    page = page if page.locale_id == locale.pk else page.get_translation_or_none(locale)
    if page is None or not page.live or not is_translated(page):
        return None
    page = page.specific
    card = {
        "title": page.title,
        "summary": getattr(page, summary_attr, ""),
        "url": _absolute(page.url or ""),
        "image": None,
    }
    portrait = getattr(page, "portrait", None)
    if portrait is not None:
        rendition = portrait.get_rendition("fill-120x120")
        card["image"] = {
            "url": _absolute(rendition.url),
            "width": 120,
            "height": 120,
            "alt": getattr(page, "portrait_alt", ""),
        }
    return card


def _block_value(child, *, locale, gesture_card):
    value = child.value
    if child.block_type in ("story", "gesture"):
        if value is None:
            return None
        return _page_card(
            value, locale, "summary" if child.block_type == "story" else "description"
        )
    if child.block_type == "gesture_of_the_month":
        return gesture_card
    if child.block_type == "image":
        rendition = value["image"].get_rendition(f"width-{TEXT_WIDTH}")
        return {
            "url": _absolute(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": value["alt"],
            "caption": value["caption"],
        }
    return value


def mailing_render(mailing: Mailing) -> RenderedMailing:
    """The mailing's subject, HTML and text with `{placeholders}` left for each recipient."""
    language = mailing.language
    locale = Locale.objects.get(language_code=language)
    site, campaign = emails.default_site_settings()
    with translation.override(language):
        gesture_card = None
        if any(child.block_type == "gesture_of_the_month" for child in mailing.body):
            gesture = gesture_of_the_month(locale=locale, site=site)
            if gesture is not None:
                gesture_card = {
                    "kicker": _("Le geste du mois"),
                    "title": gesture.title,
                    "summary": gesture.description,
                    "url": _absolute(gesture.url or ""),
                    "image": None,
                }
        html_parts, text_parts = [], []
        for child in mailing.body:
            value = _block_value(child, locale=locale, gesture_card=gesture_card)
            if value is None and child.block_type in ("story", "gesture", "gesture_of_the_month"):
                continue
            html = str(child.block.render(value))
            if child.block_type == "paragraph":
                html = inline_styles(html)
            # Our own block templates' output, escaped there.
            html_parts.append(mark_safe(absolutise_links(html)))  # noqa: S308
            text_parts.append(child.block.text(value, {}))
        campaign_name = campaign.campaign_name if campaign else settings.WAGTAIL_SITE_NAME
        html = render_to_string(
            "mailings/email/mailing.html",
            {
                "language": language,
                "subject": mailing.subject,
                "preheader": mailing.preheader,
                "campaign_name": campaign_name,
                "blocks": html_parts,
                "home_url": _absolute(
                    "/" if language == settings.LANGUAGE_CODE else f"/{language}/"
                ),
            },
        )
        text = render_to_string(
            "mailings/email/mailing.txt",
            {"campaign_name": campaign_name, "blocks": [t for t in text_parts if t]},
        )
    return RenderedMailing(subject=mailing.subject, html=html, text=text)


def _values(*, first_name, commune, preferences, unsubscribe, language) -> dict[str, str]:
    with translation.override(language):
        if first_name:
            salutation = _("Bonjour %(name)s,") % {"name": first_name}
        else:
            salutation = _("Bonjour,")
        if commune:
            inscription = _(
                "Vous recevez cet e-mail parce que vous êtes inscrit à l'heure civique à "
                "%(commune)s."
            ) % {"commune": commune}
        else:
            inscription = _(
                "Vous recevez cet e-mail parce que vous êtes inscrit à l'heure civique."
            )
    return {
        "salutation": salutation,
        "prenom": first_name,
        "commune": commune,
        "inscription": inscription,
        "lien_preferences": preferences,
        "lien_desinscription": unsubscribe,
    }


def recipient_values(
    volunteer: Volunteer, *, language: str, links: "emails.LinkMaker | None" = None
) -> dict[str, str]:
    """What fills the placeholders for one volunteer, in the mailing's language. `links`
    makes a batch's links faster (the same links)."""
    links = links or emails.LinkMaker()
    return _values(
        first_name=volunteer.first_name,
        commune=volunteer.commune.name if volunteer.commune_id else "",
        preferences=links.preferences_url(volunteer),
        unsubscribe=links.unsubscribe_url(volunteer),
        language=language,
    )


def sample_values(*, language: str) -> dict[str, str]:
    """Placeholder values for a preview or a test sent to staff: no volunteer's data, and
    links that lead nowhere."""
    with translation.override(language):
        first_name = _("Camille")
    home = emails.absolute_url("/")
    return _values(
        first_name=first_name,
        commune="Melun",
        preferences=home,
        unsubscribe=home,
        language=language,
    )


def escape_value(value: str) -> str:
    """HTML-escape a value that goes into the HTML part. Not the apostrophe: it is harmless
    in text and frequent in names (N'Diaye)."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def personalise(template: str, values: dict[str, str], *, html: bool) -> str:
    """Fill the placeholders of `template` with one recipient's values."""
    if html:
        return PLACEHOLDER_RE.sub(lambda m: escape_value(values[m.group(1)]), template)
    return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template)


def merge_template(template: str, field_format: str, *, html: bool) -> str:
    """Turn our placeholders into the ESP's merge fields (Brevo: `{{ params.h_prenom }}`).
    The HTML part uses the escaped copy of each value."""
    prefix = "h_" if html else "t_"
    return PLACEHOLDER_RE.sub(lambda m: field_format.format(name=prefix + m.group(1)), template)


def merge_data(values: dict[str, str]) -> dict[str, str]:
    """One recipient's merge data for `merge_template`: each value raw and HTML-escaped."""
    data = {f"t_{k}": v for k, v in values.items()}
    data.update({f"h_{k}": escape_value(v) for k, v in values.items()})
    return data


def mailing_preview_html(mailing: Mailing, volunteer: Volunteer | None = None) -> str:
    """The exact HTML a volunteer (or, without one, a sample reader) receives."""
    rendered = mailing_render(mailing)
    values = (
        recipient_values(volunteer, language=mailing.language)
        if volunteer is not None
        else sample_values(language=mailing.language)
    )
    return personalise(rendered.html, values, html=True)
