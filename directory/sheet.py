"""A commune's printable sheet (issue 15): an A4 PDF to post at the mairie, listing the
commune's help points with their next dates and hours, then the solidarity actors serving it
(the commune page's list), with a QR code and the printed address of the commune's directory
page, and the day the information was drawn.

Made for a notice board: large type (title 26 pt, body 12.5 pt), dark ink on white, one
column. Long lists flow onto further pages, each with a small header and a footer
("page 2 sur 3"); an entry is never split across two pages. Only public contact fields are
printed (name, kind, a line of description, phone, address, opening hours), never an
actor's proposer or token. Every text typed by users goes through `printable()`: `&`, `<`,
`>` print as typed, never as markup. Drawn with reportlab and segno, with the booklet's
embedded fonts and QR code (gestures/booklet.py).

Three queries whatever the numbers of actors and help points: the help points with their
dates (`upcoming_help_points`), the actors (`commune_actors`, at most ACTORS_MAX of them: a
notice board is no directory; more are announced with the address where to find them)."""

import io
import re

from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from campaign.site_address import public_url
from gestures.booklet import INK, MUTED, QRCode, printable, register_fonts

from . import selectors

# A notice board lists at most this many actors (about eight pages); the others are on the
# commune's page, whose address the sheet prints.
ACTORS_MAX = 60
# Dates shown per help point; the others are on the commune's page.
DATES_MAX = 6
DESCRIPTION_CHARS = 180
HELP_NOTE_CHARS = 220
HOURS_CHARS = 240

CONTRACTION = re.compile(r"(?<!\w)([Àà]) (Les|Le) ")
CONTRACTIONS = {
    ("À", "Le"): "Au ",
    ("à", "Le"): "au ",
    ("À", "Les"): "Aux ",
    ("à", "Les"): "aux ",
}
# The space inside an hour as selectors.hour_text writes it: "14 h 30", "9 h", "2 pm".
HOUR_SPACE = re.compile(r"(?<=\d) (?=h\b|am\b|pm\b)|(?<=\bh) (?=\d\d\b)")
FRENCH_SPACE = re.compile(r" (?=[:;?!])")
RULE = colors.HexColor("#9aa5b1")
NBSP = "\u00a0"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
TOP = 20 * mm  # room for the header of the following pages
BOTTOM = 20 * mm  # room for the footer


def _styles():
    base = {"fontName": "Vera", "textColor": INK, "fontSize": 12.5, "leading": 17}
    bold = {**base, "fontName": "Vera-Bold"}
    return {
        "kicker": ParagraphStyle("kicker", **{**base, "fontSize": 12, "textColor": MUTED}),
        "title": ParagraphStyle("title", **{**bold, "fontSize": 26, "leading": 31}),
        "lead": ParagraphStyle("lead", **{**base, "fontSize": 14, "leading": 19}),
        "section": ParagraphStyle(
            "section", **{**bold, "fontSize": 19, "leading": 24, "spaceBefore": 4 * mm}
        ),
        "section_text": ParagraphStyle("section_text", **{**base, "spaceAfter": 2 * mm}),
        "name": ParagraphStyle("name", **{**bold, "fontSize": 15, "leading": 19}),
        "when": ParagraphStyle("when", **{**bold, "fontSize": 13, "leading": 17.5}),
        "body": ParagraphStyle("body", **base),
        "address": ParagraphStyle("address", **{**bold, "fontSize": 13, "leading": 17}),
        "note": ParagraphStyle("note", **{**base, "fontSize": 12, "leading": 16}),
    }


# --- words ------------------------------------------------------------------------------------


def _french_spaces(text, language):
    """French typography: no line break before : ; ? ! (our own sentences only)."""
    return FRENCH_SPACE.sub(NBSP, text) if language == "fr" else text


def _text(text, language):
    return printable(_french_spaces(str(text), language))


def _label(label, value, language):
    """ "<b>Téléphone :</b> 01 64 …", the value escaped."""
    return f"<b>{_text(label, language)}</b> {printable(value)}"


def contracted(text, language):
    """French contracts "à" with a commune's article: "À Le Mée-sur-Seine" is printed
    "Au Mée-sur-Seine", "à Les Lilas" "aux Lilas". For sentences holding a commune's name
    (official data), never a user's text."""
    if language != "fr":
        return text
    return CONTRACTION.sub(lambda m: CONTRACTIONS[(m[1], m[2])], text)


def _unbroken(text):
    """No line break inside an hour: "14 h 30", "2 pm"."""
    return HOUR_SPACE.sub(NBSP, text)


def _list(items, language):
    """Phrases that may hold commas, one after the other: "a ; b" in French, "a; b" in
    English."""
    return (NBSP + "; " if language == "fr" else "; ").join(items)


def _capitalised(text):
    return text[:1].upper() + text[1:]


def permanence_text(permanence, *, today):
    """A permanence in plain words, in the active language, as the commune page says it
    (selectors.Permanence.when), with the year always (a sheet stays up for months) and the
    first day of a weekly permanence not started yet: "Tous les mardis de 14 h à 17 h,
    jusqu'au 29 juin 2027"; "Samedi 12 décembre 2026, de 9 h à 12 h"."""
    row = permanence.date_row
    if not permanence.weekly:
        text = _("%(day)s, %(hours)s") % {
            "day": selectors.day_text(permanence.next_day, year=True),
            "hours": permanence.hours,
        }
    elif row.date > today:
        text = _("%(every)s %(hours)s, du %(first)s au %(last)s") % {
            "every": selectors.EVERY_WEEKDAY[row.date.weekday()],
            "hours": permanence.hours,
            "first": selectors.day_text(row.date, weekday=False, year=True),
            "last": selectors.day_text(row.repeat_until, weekday=False, year=True),
        }
    else:
        text = permanence.when
    return _capitalised(str(text))


def shortened(text, limit):
    """`text` on one line, cut cleanly: its first sentence when that fits, else whole words
    and an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    for end in (". ", "! ", "? "):
        stop = head.rfind(end)
        if stop >= limit // 2:
            return head[: stop + 1]
    space = head.rfind(" ")
    cut = head[:space] if space > limit // 2 else text[:limit]
    return cut.rstrip(" ,;:–-(") + "…"


def _address(address, postcode=""):
    address = " ".join((address or "").split())
    if postcode and postcode not in address:
        return f"{address}, {postcode}" if address else postcode
    return address


def commune_page_url(commune, *, language):
    """The absolute address of the commune's directory page in `language`: what the QR
    code encodes and the sheet prints (on the site's public address, never the request's
    host nor the Site record's)."""
    with override(language):
        return public_url(reverse("directory:commune", kwargs={"slug": commune.slug}))


def printed_address(url):
    """The address as printed, to type by hand: without "https://"."""
    return url.split("://", 1)[-1]


# --- entries ----------------------------------------------------------------------------------


def _where(permanence, commune):
    """Where a date is held: its place, the point's address unless the date is held
    elsewhere, and its commune when it is not the sheet's."""
    parts = [permanence.place, _address(permanence.address)]
    if permanence.commune.insee_code != commune.insee_code:
        parts.append(permanence.commune.name)
    return ", ".join(part for part in parts if part)


def _help_point_block(point, permanences, *, commune, today, language, styles):
    """A help point: its name, its next dates (those held in the commune, when it has any),
    where, what help is given, what to know, its phone and who runs it."""
    shown = selectors.held_in(permanences, commune)
    places = {_where(p, commune) for p in shown[:DATES_MAX]}
    one_place = len(places) == 1
    lines = [Paragraph(printable(point.name), styles["name"])]
    for permanence in shown[:DATES_MAX]:
        when = permanence_text(permanence, today=today)
        where = _where(permanence, commune)
        if where and not one_place:
            when = f"{when} – {where}"
        lines.append(Paragraph(printable(_unbroken(when)), styles["when"]))
    if len(shown) > DATES_MAX:
        lines.append(
            Paragraph(_text(_("Et d'autres dates, sur le site."), language), styles["body"])
        )
    if one_place and places != {""}:
        lines.append(Paragraph(_label(_("Lieu :"), places.pop(), language), styles["body"]))
    given = point.help_given()
    if given:
        lines.append(
            Paragraph(
                _label(_("Aide proposée :"), _list(given, language), language), styles["body"]
            )
        )
    if point.description.strip():
        note = shortened(point.description, HELP_NOTE_CHARS)
        lines.append(Paragraph(_label(_("Bon à savoir :"), note, language), styles["body"]))
    contact = []
    if point.phone:
        contact.append(_label(_("Téléphone :"), point.phone, language))
    if point.actor is not None and point.actor.is_public:
        contact.append(_label(_("Organisé par :"), point.actor.name, language))
    if point.step_free_access:
        contact.append(_text(_("accès de plain-pied ou adapté"), language))
    if contact:
        lines.append(Paragraph(" · ".join(contact), styles["body"]))
    return _entry(lines)


def _actor_block(actor, *, language, styles):
    kind = actor.get_kind_display()
    lines = [
        Paragraph(
            f"{printable(actor.name)}<font name='Vera' size='12.5'> – {_text(kind, language)}"
            "</font>",
            styles["name"],
        )
    ]
    if actor.description.strip():
        lines.append(
            Paragraph(printable(shortened(actor.description, DESCRIPTION_CHARS)), styles["body"])
        )
    contact = []
    if actor.phone:
        contact.append(_label(_("Téléphone :"), actor.phone, language))
    elif actor.email:
        contact.append(_label(_("E-mail :"), actor.email, language))
    address = _address(actor.address, actor.postcode)
    if address:
        contact.append(_label(_("Adresse :"), address, language))
    if contact:
        lines.append(Paragraph(" · ".join(contact), styles["body"]))
    if actor.opening_hours.strip():
        lines.append(
            Paragraph(
                _label(_("Horaires :"), shortened(actor.opening_hours, HOURS_CHARS), language),
                styles["body"],
            )
        )
    if actor.step_free_access:
        lines.append(
            Paragraph(_text(_("Accès de plain-pied ou adapté."), language), styles["body"])
        )
    return _entry(lines)


def _entry(lines):
    """An entry kept on one page, with a thin rule above it. (Flowables in a row, not a
    table: a table's cell is wrapped again at each measure, and doubled the time of a long
    sheet.)"""
    rule = HRFlowable(width="100%", thickness=0.75, color=RULE, spaceBefore=0, spaceAfter=2.5 * mm)
    return KeepTogether([rule, *lines, Spacer(0, 3 * mm)])


# --- pages ------------------------------------------------------------------------------------


def _numbered_canvas(*, header, footer, page_of):
    """A canvas that draws the header (from page 2), the footer and "page 2 sur 3" once the
    number of pages is known (pages are kept until `save()`)."""

    class SheetCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total):
            number = self.getPageNumber()
            width = PAGE_WIDTH - 2 * MARGIN
            self.saveState()
            self.setFillColor(INK)
            if number > 1:
                self._fitted(header, PAGE_HEIGHT - 12 * mm, width)
                self.setStrokeColor(RULE)
                self.setLineWidth(0.5)
                self.line(MARGIN, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm)
            if total > 1:
                counter = page_of % {"page": number, "total": total}
                self.setFont("Vera", 10)
                self.drawRightString(PAGE_WIDTH - MARGIN, 11 * mm, counter)
                width -= pdfmetrics.stringWidth(counter, "Vera", 10) + 6 * mm
            self._fitted(footer, 11 * mm, width)
            self.restoreState()

        def _fitted(self, text, y, width):
            """`text` on one line of `width`: smaller type if need be, then cut."""
            size = 10
            while size > 8 and pdfmetrics.stringWidth(text, "Vera", size) > width:
                size -= 0.5
            while pdfmetrics.stringWidth(text, "Vera", size) > width:
                text = text[:-2] + "…"
            self.setFont("Vera", size)
            self.drawString(MARGIN, y, text)

    return SheetCanvas


def _top(*, title, lead, kicker, url, language, styles):
    """The title and a few words beside the QR code, then the printed address."""
    text_width = PAGE_WIDTH - 2 * MARGIN - 42 * mm
    left = [
        Paragraph(printable(kicker), styles["kicker"]),
        Spacer(0, 2 * mm),
        Paragraph(printable(title), styles["title"]),
        Spacer(0, 3 * mm),
        Paragraph(_text(lead, language), styles["lead"]),
    ]
    box = Table(
        [[left, QRCode(url, 38 * mm)]],
        colWidths=[text_width, 42 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    address = Table(
        [
            [
                [
                    Paragraph(
                        _text(
                            _("Toutes les adresses, à jour, et le calendrier des permanences :"),
                            language,
                        ),
                        styles["note"],
                    ),
                    Paragraph(printable(printed_address(url)), styles["address"]),
                ]
            ]
        ],
        colWidths=[PAGE_WIDTH - 2 * MARGIN],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5 * mm),
            ]
        ),
    )
    return [box, Spacer(0, 5 * mm), address, Spacer(0, 3 * mm)]


def commune_sheet_pdf(commune, *, language, today, campaign_name=""):
    """The printable sheet of `commune` as PDF bytes, in `language`, as of `today` (a date:
    past permanences are left out), with the QR code and printed address of the commune's
    page on the site's public address (campaign/site_address.py)."""
    help_points = selectors.upcoming_help_points(today=today, communes=[commune])
    actors = list(selectors.commune_actors(commune).prefetch_related(None)[: ACTORS_MAX + 1])
    more_actors = len(actors) > ACTORS_MAX
    actors = actors[:ACTORS_MAX]
    url = commune_page_url(commune, language=language)
    register_fonts()
    styles = _styles()
    with override(language):
        title = contracted(
            _("À %(commune)s, on s'entraide près de chez vous") % {"commune": commune.name},
            language,
        )
        drawn_on = _("Informations à jour le %(date)s") % {
            "date": selectors.day_text(today, weekday=False, year=True)
        }
        story = _top(
            title=title,
            lead=_(
                "Besoin d'un coup de main pour une démarche, un formulaire ou le numérique ? "
                "Envie d'aider à votre tour ? Voici les lieux et les personnes qui vous "
                "accueillent."
            ),
            kicker=campaign_name or _("Annuaire de la solidarité locale"),
            url=url,
            language=language,
            styles=styles,
        )
        story += [
            Paragraph(_text(_("Les points d'entraide"), language), styles["section"]),
            Paragraph(
                _text(
                    _(
                        "Des permanences où l'on vous aide, avec patience, pour vos démarches "
                        "et pour le numérique."
                    ),
                    language,
                ),
                styles["section_text"],
            ),
        ]
        if help_points:
            for point, permanences in help_points:
                story.append(
                    _help_point_block(
                        point,
                        permanences,
                        commune=commune,
                        today=today,
                        language=language,
                        styles=styles,
                    )
                )
        else:
            story.append(
                Paragraph(
                    _text(_("Aucune permanence n'est annoncée pour le moment."), language),
                    styles["body"],
                )
            )
        story += [
            CondPageBreak(45 * mm),
            Paragraph(_text(_("Les acteurs de la solidarité"), language), styles["section"]),
            Paragraph(
                _text(
                    _("Associations, services publics et lieux qui agissent près de chez vous."),
                    language,
                ),
                styles["section_text"],
            ),
        ]
        story += [_actor_block(actor, language=language, styles=styles) for actor in actors]
        if not actors:
            story.append(
                Paragraph(
                    _text(_("Aucun acteur n'est encore inscrit pour cette commune."), language),
                    styles["body"],
                )
            )
        if more_actors:
            story.append(
                Paragraph(
                    _text(
                        _("D'autres acteurs agissent près de chez vous : retrouvez-les sur %(url)s")
                        % {"url": printed_address(url)},
                        language,
                    ),
                    styles["body"],
                )
            )
        story.append(
            KeepTogether(
                [
                    Spacer(0, 6 * mm),
                    Paragraph(_text(drawn_on + ".", language), styles["note"]),
                    Paragraph(
                        _text(
                            _(
                                "Une information est fausse ou a changé ? Dites-le à l'accueil "
                                "de votre mairie : elle peut la corriger."
                            ),
                            language,
                        ),
                        styles["note"],
                    ),
                ]
            )
        )
        footer = " · ".join(part for part in (campaign_name, commune.name, drawn_on) if part)
        canvas_class = _numbered_canvas(
            header=_("%(commune)s : l'entraide près de chez vous (suite)")
            % {"commune": commune.name},
            footer=footer,
            page_of=_("page %(page)s sur %(total)s"),
        )
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=title,
            author=campaign_name,
            lang=language,
            invariant=True,
        )
        frame = Frame(
            MARGIN,
            BOTTOM,
            PAGE_WIDTH - 2 * MARGIN,
            PAGE_HEIGHT - TOP - BOTTOM,
            id="main",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


def sheet_filename(commune, *, language):
    """An ASCII file name: "fiche-entraide-melun-77288.pdf"."""
    with override(language):
        stem = slugify(_("fiche-entraide"))
    return f"{stem}-{slugify(commune.slug) or commune.insee_code}.pdf"
