"""Poster rendering: the mairie's texts, logo and QR code laid out on a template's artwork, as a
print-ready PDF (reportlab) and a PNG preview (Pillow).

One layout serves both outputs, so the preview shows what the PDF prints. Everything here is
pure: the same inputs give the same bytes (reportlab's invariant mode fixes the dates and the
document id; Pillow's encoders are deterministic), which is what lets the service cache the
files under a hash of the inputs.

Font: Bitstream Vera Sans, which ships inside the reportlab wheel (reportlab/fonts, Bitstream
Vera licence, free to embed and redistribute). It covers French, "œ", "’", "«»" and "€"
included; the few characters it lacks (narrow no-break space…) are mapped by `normalise_text`.
It is embedded (subset) in the PDF, so the text stays crisp at any size and selectable.
"""

import hashlib
import io
import os
import unicodedata
from dataclasses import dataclass

import reportlab
import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
FONT_REGULAR = os.path.join(FONT_DIR, "Vera.ttf")
FONT_BOLD = os.path.join(FONT_DIR, "VeraBd.ttf")
PDF_FONT_REGULAR = "TVSans"
PDF_FONT_BOLD = "TVSans-Bold"

MM = 72 / 25.4
PAGE_SIZES = {  # points (1/72 inch)
    "A4": (210 * MM, 297 * MM),
    "A3": (297 * MM, 420 * MM),
}
ZONE_PREFIXES = ("name", "logo", "contact", "qr", "event")
PRINT_DPI = 300
PREVIEW_WIDTH = 800  # pixels: enough to check the layout on screen
JPEG_QUALITY = 90

LINE_HEIGHT = 1.18  # of the font size
# The commune name never goes below this share of the size its zone allows for one line
# before it wraps to two lines; past two lines it keeps shrinking, so it is never cut.
NAME_MIN_SHARE = 0.6

_REPLACEMENTS = str.maketrans(
    {
        "\u202f": "\u00a0",  # narrow no-break space (French typography) -> no-break space
        "\u2009": " ",
        "\u2011": "-",  # non-breaking hyphen
        "\u2010": "-",
    }
)


def normalise_text(text):
    """NFC, one line, characters the font has."""
    text = unicodedata.normalize("NFC", text).translate(_REPLACEMENTS)
    return " ".join(text.split())


def register_fonts():
    if PDF_FONT_REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_FONT_REGULAR, FONT_REGULAR))
        pdfmetrics.registerFont(TTFont(PDF_FONT_BOLD, FONT_BOLD))


def text_width(text, bold, size):
    register_fonts()
    return pdfmetrics.stringWidth(text, PDF_FONT_BOLD if bold else PDF_FONT_REGULAR, size)


@dataclass(frozen=True)
class Box:
    """A rectangle in points, from the page's top left (converted for reportlab when drawn)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class TextBlock:
    lines: tuple
    size: float
    bold: bool
    box: Box
    align: str  # "center" or "left"


@dataclass(frozen=True)
class PosterInputs:
    """What a poster is made of; `artwork` is a Pillow image, `logo` PNG bytes or None."""

    artwork: Image.Image
    zones: dict  # prefix -> PosterZone (fractions)
    commune_name: str
    contact_line: str
    event_line: str
    qr_url: str
    logo: bytes | None
    text_colour: str
    page_size: str
    black_and_white: bool


def _split_candidates(text):
    """Where a name may break: after a hyphen or at a space ("Saint-Remy-en-" / "Bouzemont")."""
    for i, ch in enumerate(text):
        if ch == "-" and 0 < i < len(text) - 1:
            yield text[: i + 1], text[i + 1 :]
        elif ch == " " and 0 < i < len(text) - 1:
            yield text[:i], text[i + 1 :]


def fit_text(text, box, *, bold, max_size=None, min_share=NAME_MIN_SHARE, align="center"):
    """Lay `text` out in `box`: one line as large as fits; if that falls below `min_share` of
    the size the box's height allows, two lines broken at the best hyphen or space; if even
    that is too wide, smaller still. Never cut, never wider or taller than the box."""
    height_size = box.height / LINE_HEIGHT
    if max_size:
        height_size = min(height_size, max_size)
    one_line = min(height_size, box.width / max(text_width(text, bold, 1), 1e-6))
    if one_line >= height_size * min_share:
        return TextBlock((text,), one_line, bold, box, align)
    best = None
    for first, second in _split_candidates(text):
        widest = max(text_width(first, bold, 1), text_width(second, bold, 1))
        size = min(box.height / (2 * LINE_HEIGHT), height_size, box.width / widest)
        if best is None or size > best[0]:
            best = (size, (first, second))
    if best is None or best[0] <= one_line:
        return TextBlock((text,), one_line, bold, box, align)
    return TextBlock(best[1], best[0], bold, box, align)


def zone_box(zone, page_width, page_height):
    return Box(
        zone.x * page_width,
        zone.y * page_height,
        zone.width * page_width,
        zone.height * page_height,
    )


def layout(inputs):
    """The text blocks and boxes of a poster, in points."""
    page_width, page_height = PAGE_SIZES[inputs.page_size]
    boxes = {
        prefix: zone_box(zone, page_width, page_height) for prefix, zone in inputs.zones.items()
    }
    blocks = [fit_text(normalise_text(inputs.commune_name), boxes["name"], bold=True)]
    contact = normalise_text(inputs.contact_line)
    if contact:
        blocks.append(
            fit_text(
                contact, boxes["contact"], bold=False, max_size=22, min_share=0.5, align="left"
            )
        )
    event = normalise_text(inputs.event_line)
    if event:
        blocks.append(
            fit_text(event, boxes["event"], bold=True, max_size=26, min_share=0.6, align="left")
        )
    return page_width, page_height, boxes, blocks


def _colour(inputs):
    if inputs.black_and_white:
        return (0, 0, 0)
    value = inputs.text_colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def prepared_artwork(artwork, page_size, black_and_white):
    """The artwork at exactly 300 dpi for the page, as JPEG bytes (colour or greyscale)."""
    page_width, page_height = PAGE_SIZES[page_size]
    pixels = (round(page_width / 72 * PRINT_DPI), round(page_height / 72 * PRINT_DPI))
    image = ImageOps.exif_transpose(artwork)
    image = image.convert("L" if black_and_white else "RGB")
    if image.size != pixels:
        image = image.resize(pixels, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, dpi=(PRINT_DPI, PRINT_DPI))
    return out.getvalue()


def _logo_image(inputs):
    logo = Image.open(io.BytesIO(inputs.logo))
    logo.load()
    if inputs.black_and_white:
        return logo.convert("LA")
    return logo.convert("RGBA")


def _fit_into(image_size, box):
    """Scale an image (keeping its ratio) into a box, centred: (x, y, width, height)."""
    ratio = min(box.width / image_size[0], box.height / image_size[1])
    width, height = image_size[0] * ratio, image_size[1] * ratio
    return box.x + (box.width - width) / 2, box.y + (box.height - height) / 2, width, height


def qr_matrix(url):
    # Level M survives a bit of wear or a fold; the URL is short enough to stay a small code.
    return [list(row) for row in segno.make(url, error="m", micro=False).matrix]


QR_BORDER = 2  # modules of white around the code, on top of the artwork


def _qr_geometry(box, matrix):
    count = len(matrix) + 2 * QR_BORDER
    side = min(box.width, box.height)
    module = side / count
    x0 = box.x + (box.width - side) / 2
    y0 = box.y + (box.height - side) / 2
    return x0, y0, side, module


class _JpegReader(ImageReader):
    """A JPEG that reportlab embeds as it is (DCTDecode), named by the hash of its bytes.

    reportlab names an ImageReader's image by digesting its decoded RGB data, which for an
    A3 artwork at 300 dpi means decoding 52 MB just to make up a name; the hash of the JPEG
    bytes names it as well, and deterministically."""

    def __init__(self, data):
        super().__init__(io.BytesIO(data))
        self._name_data = hashlib.sha256(data).hexdigest().encode()
        self._dataA = None

    def getRGBData(self):
        return self._name_data


def render_pdf(inputs, artwork_jpeg):
    """The print PDF, one page, as bytes."""
    register_fonts()
    page_width, page_height, boxes, blocks = layout(inputs)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(page_width, page_height), invariant=1, pageCompression=1)
    pdf.setTitle(f"Tous Voisins – Tous Solidaires – {normalise_text(inputs.commune_name)}")
    pdf.setAuthor("Tous Voisins – Tous Solidaires")
    pdf.setCreator("Tous Voisins – Tous Solidaires")

    pdf.drawImage(_JpegReader(artwork_jpeg), 0, 0, page_width, page_height)

    if inputs.logo:
        logo = _logo_image(inputs)
        x, y, width, height = _fit_into(logo.size, boxes["logo"])
        pdf.drawImage(ImageReader(logo), x, page_height - y - height, width, height, mask="auto")

    matrix = qr_matrix(inputs.qr_url)
    x0, y0, side, module = _qr_geometry(boxes["qr"], matrix)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x0, page_height - y0 - side, side, side, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        top = page_height - y0 - (row_index + QR_BORDER + 1) * module
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                # One rectangle per run of dark modules: fewer operators, no hairline gaps.
                path.rect(x0 + (start + QR_BORDER) * module, top, (col - start) * module, module)
            else:
                col += 1
    pdf.drawPath(path, stroke=0, fill=1)

    red, green, blue = _colour(inputs)
    pdf.setFillColorRGB(red / 255, green / 255, blue / 255)
    for block in blocks:
        font = PDF_FONT_BOLD if block.bold else PDF_FONT_REGULAR
        pdf.setFont(font, block.size)
        line_height = block.size * LINE_HEIGHT
        total = line_height * len(block.lines)
        top = block.box.y + (block.box.height - total) / 2
        for index, line in enumerate(block.lines):
            # Baseline: the line's box top plus the ascent (about 0.8 of the size for Vera).
            baseline = top + index * line_height + block.size * 0.93
            y = page_height - baseline
            if block.align == "center":
                pdf.drawCentredString(block.box.x + block.box.width / 2, y, line)
            else:
                pdf.drawString(block.box.x, y, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def render_png(inputs, width=PREVIEW_WIDTH):
    """A screen preview of the same layout, as PNG bytes."""
    page_width, page_height, boxes, blocks = layout(inputs)
    scale = width / page_width
    height = round(page_height * scale)
    image = inputs.artwork
    # thumbnail() lets the JPEG decoder reduce while decoding: a print-size artwork is never
    # decoded whole for a preview.
    image.thumbnail((width * 2, height * 2))
    image = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)

    if inputs.logo:
        logo = _logo_image(inputs).convert("RGBA")
        x, y, logo_width, logo_height = _fit_into(logo.size, boxes["logo"])
        size = (max(1, round(logo_width * scale)), max(1, round(logo_height * scale)))
        logo = logo.resize(size, Image.Resampling.LANCZOS)
        image.paste(logo, (round(x * scale), round(y * scale)), logo)

    matrix = qr_matrix(inputs.qr_url)
    x0, y0, side, module = _qr_geometry(boxes["qr"], matrix)
    draw.rectangle([x0 * scale, y0 * scale, (x0 + side) * scale, (y0 + side) * scale], fill="white")
    for row_index, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                left = x0 + (col + QR_BORDER) * module
                top = y0 + (row_index + QR_BORDER) * module
                draw.rectangle(
                    [left * scale, top * scale, (left + module) * scale, (top + module) * scale],
                    fill="black",
                )

    colour = _colour(inputs)
    for block in blocks:
        font = ImageFont.truetype(
            FONT_BOLD if block.bold else FONT_REGULAR,
            max(1, round(block.size * scale)),
            layout_engine=ImageFont.Layout.BASIC,
        )
        line_height = block.size * LINE_HEIGHT
        total = line_height * len(block.lines)
        top = block.box.y + (block.box.height - total) / 2
        for index, line in enumerate(block.lines):
            baseline = (top + index * line_height + block.size * 0.93) * scale
            if block.align == "center":
                x, anchor = (block.box.x + block.box.width / 2) * scale, "ms"
            else:
                x, anchor = block.box.x * scale, "ls"
            draw.text((x, baseline), line, font=font, fill=colour, anchor=anchor)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
