"""StreamField blocks shared by every page type (content pages, stories, kits, mailings)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Rich text stays sober: editors format meaning, the stylesheet handles the look.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Niveau"),
        choices=[("h2", _("Titre de section (h2)")), ("h3", _("Sous-titre (h3)"))],
        default="h2",
    )

    class Meta:
        template = "campaign/blocks/heading.html"
        icon = "title"
        label = _("Titre")
        preview_value = {"text": "Pourquoi une heure par mois ?", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        template = "campaign/blocks/paragraph.html"
        icon = "pilcrow"
        label = _("Paragraphe")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Texte alternatif"),
        max_length=250,
        help_text=_(
            "Décrivez ce que montre l'image pour les personnes qui ne la voient pas. "
            "Laissez vide si l'image est purement décorative."
        ),
        required=False,
    )
    decorative = blocks.BooleanBlock(
        label=_("Image décorative (aucun texte alternatif)"), required=False
    )
    caption = blocks.CharBlock(label=_("Légende"), max_length=250, required=False)

    class Meta:
        template = "campaign/blocks/image.html"
        icon = "image"
        label = _("Image")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not value.get("alt_text"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(
                        _("Le texte alternatif est obligatoire, sauf pour une image décorative.")
                    )
                }
            )
        return value


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citation"), max_length=600)
    attribution = blocks.CharBlock(label=_("Auteur ou autrice"), max_length=120, required=False)

    class Meta:
        template = "campaign/blocks/quote.html"
        icon = "openquote"
        label = _("Citation")
        preview_value = {
            "text": "On se croisait dans l'escalier depuis dix ans. Maintenant, on s'appelle.",
            "attribution": "Josiane, 78 ans, Nantes",
        }


class LinkStructValue(blocks.StructValue):
    """A link to a page of the site or to an address; the page wins when both are set.

    wagtail-localize points a translated block at the translated page, so no per-link
    lookup of translations is needed here (that would be a query per link)."""

    def url(self):
        page = self.get("page")
        if page:
            return page.url
        return self.get("link_url") or ""

    def text(self):
        if self.get("label"):
            return self.get("label")
        page = self.get("page")
        return page.title if page else self.get("link_url", "")


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Libellé"), max_length=80, required=False)
    page = blocks.PageChooserBlock(label=_("Page du site"), required=False)
    link_url = blocks.URLBlock(label=_("Ou adresse web"), required=False)

    class Meta:
        icon = "link"
        label = _("Lien")
        value_class = LinkStructValue

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("link_url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ValidationError(_("Choisissez une page ou saisissez une adresse web."))
                }
            )
        return value


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), max_length=400, required=False)
    link = LinkBlock(label=_("Bouton"))

    class Meta:
        template = "campaign/blocks/call_to_action.html"
        icon = "pick"
        label = _("Appel à l'action")


class VideoStructValue(blocks.StructValue):
    def host(self):
        from urllib.parse import urlsplit

        return urlsplit(self.get("url") or "").hostname or ""


class VideoBlock(blocks.StructBlock):
    """A video hosted elsewhere. We show a link, not an iframe: the visitor decides when to
    load a third-party player (no tracker on our pages), and the transcript serves everyone."""

    url = blocks.URLBlock(label=_("Adresse de la vidéo"))
    title = blocks.CharBlock(label=_("Titre de la vidéo"), max_length=150)
    duration = blocks.CharBlock(label=_("Durée"), max_length=20, required=False)
    transcript = blocks.TextBlock(label=_("Transcription"), required=False)

    class Meta:
        template = "campaign/blocks/video.html"
        icon = "media"
        label = _("Vidéo")
        value_class = VideoStructValue


class DocumentStructValue(blocks.StructValue):
    def file_extension(self):
        document = self.get("document")
        return document.file_extension.upper() if document else ""

    def file_size(self):
        document = self.get("document")
        try:
            return document.get_file_size() if document else None
        except OSError:
            return None


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(label=_("Libellé"), max_length=150, required=False)

    class Meta:
        template = "campaign/blocks/document.html"
        icon = "doc-full"
        label = _("Document à télécharger")
        value_class = DocumentStructValue


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=250)
    answer = ParagraphBlock(label=_("Réponse"))


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=120, required=False)
    items = blocks.ListBlock(FAQItemBlock(), label=_("Questions"))

    class Meta:
        template = "campaign/blocks/faq.html"
        icon = "help"
        label = _("Questions fréquentes")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    video = VideoBlock()
    document = DocumentBlock()
    faq = FAQBlock()

    class Meta:
        template = "campaign/blocks/body.html"


class NavigationLinksBlock(blocks.StreamBlock):
    link = LinkBlock()
