"""Demo content of the kits app: three kits whose files the application generates at load
time from the campaign's own wording (nothing is downloaded), and one poster template whose
artwork is drawn with Pillow. Idempotent: documents, images, pages and the template are found
by a stable title or slug before they are created."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Site

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from campaign.localize import instance_translate

from . import rendering
from .models import KitFile, KitIndexPage, KitPage, PosterTemplate, Season, Theme

CREAM = (246, 239, 226)
BRICK = (166, 61, 37)
TEAL = (29, 92, 99)
CAMPAIGN = "Tous Voisins – Tous Solidaires"

INDEX = {
    "slug": "kits",
    "title": ("Kits et affiches pour les mairies", "Kits and posters for town halls"),
    "introduction": (
        "Affiches, flyers, visuels pour les réseaux sociaux et kit presse : tout est gratuit. "
        "Personnalisez aussi une affiche avec le nom de votre commune en une minute.",
        "Posters, flyers, social media visuals and a press kit: everything is free. You can "
        "also personalise a poster with your town's name in one minute.",
    ),
}

KITS = [
    {
        "slug": "une-heure-par-mois",
        "slug_en": "one-hour-a-month",
        "title": ("Une heure par mois pour vos voisins", "One hour a month for your neighbours"),
        "description": (
            "L'affiche et le flyer de la campagne, pour inviter vos habitants à donner une "
            "heure par mois à une action solidaire près de chez eux.",
            "The campaign's poster and flyer, to invite your residents to give one hour a month "
            "to an act of solidarity near home.",
        ),
        "season": Season.ALL_YEAR,
        "theme": Theme.CIVIC_HOUR,
        "audience": "mairies",
        "headline": "Une heure par mois pour vos voisins",
        "body": (
            "Porter les courses d'une voisine, prendre des nouvelles, réparer un vélo : près de "
            "chez vous, un petit geste change une journée. Donnez une heure par mois, à votre "
            "rythme. Votre mairie vous propose des idées."
        ),
        "files": ["affiche-a3", "flyer", "reseaux-sociaux"],
    },
    {
        "slug": "canicule-prenez-des-nouvelles",
        "slug_en": "heatwave-check-on-your-neighbours",
        "title": ("Canicule : prenez des nouvelles", "Heatwave: check on your neighbours"),
        "description": (
            "Quand il fait très chaud, les personnes âgées et isolées sont en danger. Une "
            "affiche et un visuel pour rappeler à chacun de frapper à la porte d'à côté.",
            "When it is very hot, elderly and isolated people are in danger. A poster and a "
            "visual to remind everyone to knock on the door next door.",
        ),
        "season": Season.HEATWAVE,
        "theme": Theme.WEATHER,
        "audience": "habitants",
        "headline": "Canicule : frappez à la porte d'à côté",
        "body": (
            "Un voisin âgé ou seul ? Passez le voir, proposez un verre d'eau, aidez-le à fermer "
            "ses volets aux heures chaudes. En cas de malaise, appelez le 15."
        ),
        "files": ["affiche-a4", "reseaux-sociaux"],
    },
    {
        "slug": "kit-presse",
        "slug_en": "press-kit",
        "title": ("Kit presse de la campagne", "The campaign's press kit"),
        "description": (
            "Le communiqué de presse de la campagne et son visuel, pour la presse locale et le "
            "bulletin municipal.",
            "The campaign's press release and its visual, for the local press and the town "
            "newsletter.",
        ),
        "season": Season.ALL_YEAR,
        "theme": Theme.MUTUAL_AID,
        "audience": "presse",
        "headline": "Tous Voisins – Tous Solidaires : les mairies lancent l'heure civique",
        "body": (
            "Des mairies et des associations de toute la France lancent Tous Voisins – Tous "
            "Solidaires, une campagne pour l'entraide entre voisins. Chacun est invité à donner "
            "une heure par mois à une action solidaire près de chez lui : prendre des nouvelles "
            "d'une personne isolée, aider aux devoirs, accompagner un voisin chez le médecin. "
            "Les mairies trouvent sur le site de la campagne des affiches gratuites, qu'elles "
            "personnalisent avec le nom de leur commune, et peuvent déclarer leur commune "
            "engagée."
        ),
        "files": ["kit-presse"],
    },
]

USAGE_TERMS = (
    "Libre d'utilisation, gratuite, par les mairies et les associations, sans modification "
    "du visuel.",
    "Free to use by town halls and associations, without changing the visual.",
)


def _font(size, bold=False):
    return ImageFont.truetype(rendering.FONT_BOLD if bold else rendering.FONT_REGULAR, size)


A5 = (148 * rendering.MM, 210 * rendering.MM)


def _pdf(page_size, headline, body):
    """A simple, sober campaign document: a brick band, the headline, the text."""
    rendering.register_fonts()
    width, height = rendering.PAGE_SIZES.get(page_size, page_size)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(width, height), invariant=1)
    pdf.setTitle(headline)
    pdf.setAuthor(CAMPAIGN)
    margin = width * 0.08
    pdf.setFillColorRGB(*(c / 255 for c in CREAM))
    pdf.rect(0, 0, width, height, stroke=0, fill=1)
    pdf.setFillColorRGB(*(c / 255 for c in BRICK))
    pdf.rect(0, height * 0.86, width, height * 0.14, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(rendering.PDF_FONT_BOLD, width * 0.04)
    pdf.drawString(margin, height * 0.915, CAMPAIGN)
    pdf.setFillColorRGB(*(c / 255 for c in TEAL))
    size = width * 0.065
    lines = simpleSplit(headline, rendering.PDF_FONT_BOLD, size, width - 2 * margin)
    y = height * 0.78
    pdf.setFont(rendering.PDF_FONT_BOLD, size)
    for line in lines:
        pdf.drawString(margin, y, line)
        y -= size * 1.2
    body_size = width * 0.028
    pdf.setFont(rendering.PDF_FONT_REGULAR, body_size)
    pdf.setFillColorRGB(0.15, 0.15, 0.15)
    y -= body_size
    for line in simpleSplit(body, rendering.PDF_FONT_REGULAR, body_size, width - 2 * margin):
        pdf.drawString(margin, y, line)
        y -= body_size * 1.4
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _flyer(headline, body):
    # A5 is half an A4: the flyer prints two to a sheet.
    return _pdf(A5, headline, body)


def _wrap(draw, text, font, width):
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def _social_visual(headline):
    """1080 × 1080 PNG for social media."""
    image = Image.new("RGB", (1080, 1080), CREAM)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 1080, 170], fill=BRICK)
    draw.ellipse([760, 760, 1260, 1260], fill=TEAL)
    draw.text((70, 60), CAMPAIGN, font=_font(48, bold=True), fill="white")
    font = _font(76, bold=True)
    y = 300
    for line in _wrap(draw, headline, font, 940):
        draw.text((70, y), line, font=font, fill=TEAL)
        y += 96
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _press_kit(kit):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        release = (
            f"{kit['headline']}\n\n{kit['body']}\n\nContact presse : bonjour@tousvoisins.example\n"
        )
        archive.writestr("communique-de-presse.txt", release)
        archive.writestr("communique-de-presse.pdf", _pdf("A4", kit["headline"], kit["body"]))
        archive.writestr("visuel-1080x1080.png", _social_visual(kit["headline"]))
    return out.getvalue()


FILE_MAKERS = {
    "affiche-a3": (lambda kit: _pdf("A3", kit["headline"], kit["body"]), "affiche-a3.pdf"),
    "affiche-a4": (lambda kit: _pdf("A4", kit["headline"], kit["body"]), "affiche-a4.pdf"),
    "flyer": (lambda kit: _flyer(kit["headline"], kit["body"]), "flyer-a5.pdf"),
    "reseaux-sociaux": (lambda kit: _social_visual(kit["headline"]), "visuel-1080x1080.png"),
    "kit-presse": (_press_kit, "kit-presse.zip"),
}


def _document(title, filename, data):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save(filename, ContentFile(data), save=False)
        document.save()
    return document


def poster_artwork():
    """The template's artwork, A3 at 300 dpi: cream, brick and teal shapes, the campaign's
    name at the top; the lower half left clear for the mairie's texts, logo and QR code."""
    width, height = 3508, 4961
    image = Image.new("RGB", (width, height), CREAM)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, int(height * 0.09)], fill=BRICK)
    # The shapes sit between the headline and the zones, overlapping neither.
    draw.ellipse(
        [int(width * 0.60), int(height * 0.35), int(width * 1.10), int(height * 0.57)], fill=TEAL
    )
    draw.ellipse(
        [int(width * -0.12), int(height * 0.38), int(width * 0.26), int(height * 0.575)],
        fill=BRICK,
    )
    draw.text(
        (int(width * 0.08), int(height * 0.025)), CAMPAIGN, font=_font(190, bold=True), fill="white"
    )
    font = _font(280, bold=True)
    y = int(height * 0.13)
    for index, line in enumerate(("Une heure", "par mois pour", "vos voisins")):
        draw.text((int(width * 0.08), y), line, font=font, fill=BRICK if index == 2 else TEAL)
        y += 340
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _poster_template():
    Image_ = get_image_model()
    artwork = Image_.objects.filter(title="Affiche de la campagne (illustration)").first()
    if artwork is None:
        # An ImageFile lets the field record the width and height Wagtail needs.
        artwork = Image_(
            title="Affiche de la campagne (illustration)",
            file=ImageFile(io.BytesIO(poster_artwork()), name="affiche-campagne.png"),
        )
        artwork._set_image_file_metadata()
        artwork.save()
    template, _ = PosterTemplate.objects.get_or_create(
        name="Une heure par mois (crème, brique et bleu canard)",
        defaults={"artwork": artwork, "text_colour": "#1d5c63"},
    )
    template.full_clean()  # the demo template passes the same checks as an editor's
    return template


def _ensure_index(home):
    index = KitIndexPage.objects.child_of(home).first()
    if index is None:
        index = KitIndexPage(
            title=INDEX["title"][0], slug=INDEX["slug"], introduction=INDEX["introduction"][0]
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    instance_translate(
        instance=index,
        language_code="en",
        strings={
            INDEX["title"][0]: INDEX["title"][1],
            INDEX["introduction"][0]: INDEX["introduction"][1],
        },
    )
    return index


def _ensure_kit(index, kit):
    page = KitPage.objects.child_of(index).filter(slug=kit["slug"]).first()
    if page is None:
        page = KitPage(
            title=kit["title"][0],
            slug=kit["slug"],
            description=kit["description"][0],
            usage_terms=USAGE_TERMS[0],
            season=kit["season"],
            theme=kit["theme"],
            audience=kit["audience"],
        )
        for file_format in kit["files"]:
            make, filename = FILE_MAKERS[file_format]
            document = _document(f"{kit['title'][0]} – {filename}", filename, make(kit))
            page.files.add(
                KitFile(document=document, format=file_format, language="fr", locale=index.locale)
            )
        index.add_child(instance=page)
        page.save_revision().publish()
    instance_translate(
        instance=page,
        language_code="en",
        strings={
            kit["slug"]: kit["slug_en"],
            kit["title"][0]: kit["title"][1],
            kit["description"][0]: kit["description"][1],
            USAGE_TERMS[0]: USAGE_TERMS[1],
        },
    )
    return page


# Engaged communes: (INSEE code, contact, role, address, status). The approved ones show on
# the public pages; the pending one waits in the admin queue (Extraits > Communes engagées).
# The addresses are on example domains: nothing is ever sent to them.
ENGAGEMENTS = [
    (
        "77288",
        "Claire Martin",
        "Adjointe à la solidarité",
        "claire.martin@melun.example",
        "approved",
    ),
    ("29019", "Yann Le Gall", "Maire", "yann.legall@brest.example", "approved"),
    (
        "74010",
        "Sophie Perrin",
        "Conseillère municipale déléguée",
        "s.perrin@annecy.example",
        "approved",
    ),
    ("59350", "Karim Benali", "Adjoint à la vie associative", "k.benali@lille.example", "approved"),
    (
        "29232",
        "Anne Kervella",
        "Directrice générale des services",
        "a.kervella@quimper.example",
        "pending",
    ),
]
# One approved poster on Melun's page: the lines a mairie would print.
DEMO_POSTER = ("77288", "Mairie de Melun – 01 64 52 33 00", "Café des voisins, samedi 10 h")


def _engaged_communes(template):
    """The demo's engaged communes (those imported: none without `import_communes`) and
    Melun's poster, found again by commune and address on a second load."""
    from django.utils import timezone

    from campaign.geography.models import Commune

    from . import services
    from .models import EngagedCommune, PersonalisedPoster

    communes = Commune.objects.in_bulk([row[0] for row in ENGAGEMENTS], field_name="insee_code")
    now = timezone.now()
    count = 0
    for code, name, role, email, status in ENGAGEMENTS:
        commune = communes.get(code)
        if commune is None:
            continue
        EngagedCommune.objects.get_or_create(
            commune=commune,
            email=email,
            defaults={
                "contact_name": name,
                "role": role,
                "confirmed_at": now,
                "status": status,
                "reviewed_at": now if status == "approved" else None,
            },
        )
        count += 1
    code, contact, event = DEMO_POSTER
    if code in communes:
        poster = PersonalisedPoster.objects.filter(
            commune=communes[code], contact_line=contact, event_line=event
        ).first() or services.poster_create(
            template=template,
            commune=communes[code],
            logo_hash="",
            contact_line=contact,
            event_line=event,
        )
        if poster.status != PersonalisedPoster.Status.APPROVED:
            services.poster_approve(poster=poster)
    return count


@transaction.atomic
def load(stdout=None):
    """The kits index under the French home page, three kits with their files, one poster
    template, the engaged communes (four approved, one waiting for staff) and a poster.
    Runs after home.demo (and after volunteers.demo, whose sign-up page the poster's QR code
    names)."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    index = _ensure_index(home)
    kits = [_ensure_kit(index, kit) for kit in KITS]
    template = _poster_template()
    engaged = _engaged_communes(template)
    if stdout:
        stdout.write(
            f"Kits : {len(kits)} kits, modèle d'affiche « {template.name} », "
            f"{engaged} communes engagées.\n"
        )
    return index, kits, template
