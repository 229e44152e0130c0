"""The printable booklet: an A5 PDF of the published gestures of one language, grouped by
category, with the campaign's identity and a QR code to the catalogue.

Drawn with reportlab (BSD) and segno (QR codes, pure Python). The text font is Bitstream Vera,
which ships inside reportlab: it is free, and unlike the PDF core fonts (Latin-1 only) it has
every character our French texts use, "œ", « », “ ” and ’ included; characters it lacks
are mapped to near equivalents before drawing (see `printable`)."""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import override

import reportlab
import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.tables import Table, TableStyle

FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
FONTS = {"Vera": "Vera.ttf", "Vera-Bold": "VeraBd.ttf", "Vera-Italic": "VeraIt.ttf"}
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#a3392b")
# Characters outside Vera's repertoire that editors may type, and what we print instead.
REPLACEMENTS = str.maketrans(
    {
        "\u202f": "\u00a0",  # narrow no-break space (French typography) → no-break space
        "\u2009": " ",
        "\u2011": "-",
        "\u2212": "-",
        "\u2010": "-",
    }
)


def register_fonts():
    """The embedded Vera fonts, as the campaign's PDFs use them (the booklet, the assisted
    sign-up's letter, the directory's commune sheet)."""
    for name, filename in FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic", boldItalic="Vera-Bold"
    )


def printable(text):
    """Escaped for reportlab's paragraph markup, with characters the font lacks replaced."""
    return escape((text or "").translate(REPLACEMENTS))


def _styles():
    base = {"fontName": "Vera", "textColor": INK, "fontSize": 9, "leading": 12.5}
    return {
        "cover_kicker": ParagraphStyle(
            "cover_kicker", **{**base, "fontSize": 11, "leading": 15, "textColor": ACCENT}
        ),
        "cover_title": ParagraphStyle(
            "cover_title", **{**base, "fontName": "Vera-Bold", "fontSize": 24, "leading": 29}
        ),
        "cover_text": ParagraphStyle("cover_text", **{**base, "fontSize": 11, "leading": 15}),
        "small": ParagraphStyle("small", **{**base, "fontSize": 8, "textColor": MUTED}),
        "small_center": ParagraphStyle(
            "small_center",
            **{**base, "fontSize": 8, "textColor": MUTED, "alignment": TA_CENTER},
        ),
        "category": ParagraphStyle(
            "category",
            **{
                **base,
                "fontName": "Vera-Bold",
                "fontSize": 13,
                "leading": 17,
                "textColor": colors.white,
            },
        ),
        "category_text": ParagraphStyle(
            "category_text", **{**base, "fontName": "Vera-Italic", "textColor": MUTED}
        ),
        "gesture": ParagraphStyle(
            "gesture", **{**base, "fontName": "Vera-Bold", "fontSize": 10.5, "leading": 13.5}
        ),
        "meta": ParagraphStyle("meta", **{**base, "fontSize": 7.5, "textColor": MUTED}),
        "body": ParagraphStyle("body", **base),
        "step": ParagraphStyle("step", **{**base, "fontSize": 8.5, "leading": 11.5}),
    }


class QRCode(Flowable):
    """A QR code drawn module by module as vector squares: sharp at any print size."""

    def __init__(self, url, size):
        super().__init__()
        self.qr = segno.make(url, error="m")
        self.size = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        matrix = list(self.qr.matrix_iter(scale=1, border=2))
        module = self.size / len(matrix)
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    canvas.rect(
                        x * module, self.size - (y + 1) * module, module, module, stroke=0, fill=1
                    )


class Bookmark(Flowable):
    """An invisible mark that adds an entry to the PDF's outline (its table of contents)."""

    def __init__(self, key, title, level):
        super().__init__()
        self.key, self.title, self.level = key, title, level

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=self.level, closed=True)


def _category_heading(category, styles, width):
    table = Table([[Paragraph(printable(category.name), styles["category"])]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(category.colour)),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
            ]
        )
    )
    return table


def _gesture_flowables(gesture, styles):
    meta = [str(gesture.get_time_needed_display())]
    meta.append(", ".join(str(label) for label in gesture.get_audiences_display()))
    meta.append(", ".join(str(label) for label in gesture.get_places_display()))
    if gesture.heure_civique:
        meta.append(_("idéal pour l'heure civique"))
    heading = _("N° %(number)s. %(title)s") % {"number": gesture.number, "title": gesture.title}
    steps = ListFlowable(
        [ListItem(Paragraph(printable(step), styles["step"])) for step in gesture.steps],
        bulletType="1",
        bulletFontName="Vera-Bold",
        bulletFontSize=8,
        leftIndent=4 * mm,
    )
    return [
        Bookmark(f"g{gesture.number}", f"{gesture.number}. {gesture.title}", 1),
        KeepTogether(
            [
                Paragraph(printable(heading), styles["gesture"]),
                Paragraph(printable(" · ".join(meta)), styles["meta"]),
                Spacer(0, 1.2 * mm),
                Paragraph(printable(gesture.description), styles["body"]),
                Spacer(0, 1 * mm),
            ]
        ),
        steps,
        Spacer(0, 4 * mm),
    ]


def booklet_pdf(*, gestures, categories, language_code, campaign_name, tagline, site_url):
    """The booklet as PDF bytes. `gestures` are the published GesturePages (with their
    category), `categories` in display order."""
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    with override(language_code):
        title = _("Les 100 gestes solidaires")
        width, height = A5
        margin = 14 * mm
        frame_width = width - 2 * margin

        def footer(canvas, doc):
            if doc.page == 1:
                return
            canvas.saveState()
            canvas.setFont("Vera", 7)
            canvas.setFillColor(MUTED)
            canvas.drawString(margin, 8 * mm, f"{campaign_name} · {title}")
            canvas.drawRightString(width - margin, 8 * mm, str(doc.page))
            canvas.restoreState()

        doc = BaseDocTemplate(
            buffer,
            pagesize=A5,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=16 * mm,
            title=f"{title} – {campaign_name}",
            author=campaign_name,
            subject=tagline,
            lang=language_code,
            invariant=True,
        )
        frame = Frame(margin, 16 * mm, frame_width, height - margin - 16 * mm, id="main")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
        story = [
            Spacer(0, 10 * mm),
            Paragraph(printable(campaign_name), styles["cover_kicker"]),
            Spacer(0, 3 * mm),
            Paragraph(printable(title), styles["cover_title"]),
            Spacer(0, 5 * mm),
            Paragraph(printable(tagline), styles["cover_text"]),
            Spacer(0, 4 * mm),
            Paragraph(
                printable(
                    _(
                        "Cinq minutes, un quart d'heure, une heure : choisissez un geste qui "
                        "vous ressemble et faites-le près de chez vous. Respectez toujours le "
                        "choix de la personne que vous aidez."
                    )
                ),
                styles["cover_text"],
            ),
            Spacer(0, 14 * mm),
            QRCode(site_url, 34 * mm),
            Spacer(0, 2 * mm),
            Paragraph(
                printable(_("Tous les gestes et leurs histoires : %(url)s") % {"url": site_url}),
                styles["small"],
            ),
            PageBreak(),
        ]
        for category in categories:
            members = [g for g in gestures if g.category_id == category.pk]
            if not members:
                continue
            story += [
                CondPageBreak(60 * mm),
                Bookmark(f"c{category.pk}", category.name, 0),
                _category_heading(category, styles, frame_width),
                Spacer(0, 2 * mm),
            ]
            if category.description:
                story += [Paragraph(printable(category.description), styles["category_text"])]
            story.append(Spacer(0, 4 * mm))
            for gesture in members:
                story += _gesture_flowables(gesture, styles)
        doc.build(story)
    return buffer.getvalue()
