"""The blocks of a mailing's body. Each renders as email HTML (tables and inline styles, the
only layout every mail client reads) through its template, and as plain text through
`text()`, for the email's text alternative."""

import re
from html import unescape

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

SAFE_SCHEMES = ("https://", "http://", "mailto:")
HREF_RE = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def link_is_safe(url: str) -> bool:
    """Only web links and mailto: no javascript:, data: or relative links in an email."""
    return url.strip().lower().startswith(SAFE_SCHEMES)


UNSAFE_LINK_MESSAGE = _(
    "Ce lien n'est pas accepté dans un e-mail. Utilisez une adresse qui commence par "
    "https://, http:// ou mailto:."
)


def html_to_text(html: str) -> str:
    """Rich text as plain text: paragraphs separated by blank lines, links kept as
    "text (url)"."""
    html = re.sub(
        r"""<a\s[^>]*href=["']([^"']*)["'][^>]*>(.*?)</a>""",
        lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(1) != m.group(2) else m.group(1),
        html,
        flags=re.IGNORECASE | re.DOTALL,
    )
    html = re.sub(r"<li[^>]*>", "- ", html, flags=re.IGNORECASE)
    html = re.sub(r"</(p|li|h\d|ul|ol)>|<br\s*/?>", "\n", html, flags=re.IGNORECASE)
    lines = [unescape(strip_tags(line)).strip() for line in html.split("\n")]
    return "\n".join(line for line in lines if line)


class EmailHeadingBlock(blocks.CharBlock):
    def __init__(self, **kwargs):
        super().__init__(max_length=120, **kwargs)

    def text(self, value, context):
        return f"{value}\n{'=' * min(len(value), 60)}"

    class Meta:
        icon = "title"
        label = _("Intertitre")
        template = "mailings/email/blocks/heading.html"


class EmailParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=["bold", "italic", "link", "ul", "ol"], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        for url in HREF_RE.findall(value.source):
            if not link_is_safe(unescape(url)):
                raise ValidationError(UNSAFE_LINK_MESSAGE)
        return value

    def text(self, value, context):
        return html_to_text(str(value))

    class Meta:
        icon = "pilcrow"
        label = _("Paragraphe")
        template = "mailings/email/blocks/paragraph.html"
        help_text = _(
            "Vous pouvez écrire {prenom} et {commune} : ils seront remplacés pour chacun."
        )


class EmailImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("texte alternatif"),
        max_length=250,
        help_text=_(
            "Ce que montre l'image, pour qui ne la voit pas (beaucoup de messageries "
            "masquent les images)."
        ),
    )
    caption = blocks.CharBlock(label=_("légende"), max_length=200, required=False)

    def text(self, value, context):
        return f"[{value['alt']}]" + (f"\n{value['caption']}" if value["caption"] else "")

    class Meta:
        icon = "image"
        label = _("Image")
        template = "mailings/email/blocks/image.html"


class EmailButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("texte du bouton"), max_length=60)
    url = blocks.CharBlock(
        label=_("adresse du lien"),
        max_length=500,
        help_text=_("Une adresse complète, qui commence par https://"),
    )

    def clean(self, value):
        value = super().clean(value)
        if not link_is_safe(value["url"]):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(UNSAFE_LINK_MESSAGE)}
            )
        return value

    def text(self, value, context):
        return f"{value['label']} : {value['url']}"

    class Meta:
        icon = "link"
        label = _("Bouton")
        template = "mailings/email/blocks/button.html"


class EmailPageCardBlock(blocks.PageChooserBlock):
    """A chosen page as a card (title, summary, link), in the mailing's language when the
    page is translated. `mailings.emails` prepares the card: `value` in `text()` and in the
    template is that card, not the page."""

    target_page_type = None

    def __init__(self, **kwargs):
        super().__init__(page_type=self.target_page_type, **kwargs)

    def text(self, value, context):
        return f"{value['title']}\n{value['summary']}\n{value['url']}"


class EmailStoryBlock(EmailPageCardBlock):
    """A story's card, with the hero's portrait."""

    target_page_type = "stories.StoryPage"

    class Meta:
        icon = "user"
        label = _("Histoire")
        template = "mailings/email/blocks/story.html"


class EmailGestureBlock(EmailPageCardBlock):
    target_page_type = "gestures.GesturePage"

    class Meta:
        icon = "tick"
        label = _("Geste")
        template = "mailings/email/blocks/gesture.html"


class EmailGestureOfTheMonthBlock(blocks.StaticBlock):
    """Whatever gesture is the gesture of the month when the mailing is sent."""

    def text(self, value, context):
        # `value` is this month's gesture as a card, or None when there is none.
        if not value:
            return ""
        return f"{value['kicker']}\n{value['title']}\n{value['summary']}\n{value['url']}"

    class Meta:
        icon = "date"
        label = _("Geste du mois")
        admin_text = _("Le geste du mois au moment de l'envoi.")
        template = "mailings/email/blocks/gesture_of_the_month.html"


class MailingBodyBlock(blocks.StreamBlock):
    heading = EmailHeadingBlock()
    paragraph = EmailParagraphBlock()
    image = EmailImageBlock()
    button = EmailButtonBlock()
    story = EmailStoryBlock()
    gesture = EmailGestureBlock()
    gesture_of_the_month = EmailGestureOfTheMonthBlock()
