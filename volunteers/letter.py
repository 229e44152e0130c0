"""The letter of an "inscription accompagnée" (issue 15): one A4 page, in the person's
language, that says what was done, what comes next, how to confirm (a short address and a
code to type, or a QR code) and how to change one's mind. Printed by the agent, handed over
or posted; never stored.

It names the person by first name and commune only: no address, email or phone, since a
letter can be lost or read by others. Drawn with reportlab and segno, with the booklet's
embedded fonts and QR code (gestures/booklet.py)."""

import io
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gestures.booklet import INK, MUTED, QRCode, printable, register_fonts


def _styles():
    base = {"fontName": "Vera", "textColor": INK, "fontSize": 11.5, "leading": 16}
    return {
        "kicker": ParagraphStyle("kicker", **{**base, "fontSize": 10, "textColor": MUTED}),
        "title": ParagraphStyle(
            "title", **{**base, "fontName": "Vera-Bold", "fontSize": 19, "leading": 24}
        ),
        "heading": ParagraphStyle(
            "heading",
            **{**base, "fontName": "Vera-Bold", "fontSize": 13, "leading": 17, "spaceBefore": 8},
        ),
        "body": ParagraphStyle("body", **{**base, "spaceAfter": 4}),
        "code": ParagraphStyle(
            "code", **{**base, "fontName": "Vera-Bold", "fontSize": 16, "leading": 22}
        ),
        "small": ParagraphStyle("small", **{**base, "fontSize": 9, "textColor": MUTED}),
        # The address to type, on one line for any domain of a reasonable length.
        "url": ParagraphStyle("url", **{**base, "fontName": "Vera-Bold", "fontSize": 10}),
    }


def assisted_letter_pdf(
    *,
    first_name: str,
    commune_name: str,
    language: str,
    code_display: str,
    short_url: str,
    qr_url: str,
    site_url: str,
    contact_email: str,
    campaign_name: str,
    deadline: datetime | None = None,
    replaces: bool = False,
) -> bytes:
    """The letter as PDF bytes, in `language`. A letter printed again (`replaces`) says that
    the previous one's code no longer works, and `deadline` the date by which to confirm."""
    register_fonts()
    styles = _styles()
    with override(language):
        if deadline is None:
            todo = _(
                "Votre inscription n'est pas encore active : confirmez-la vous-même. "
                "Sans confirmation dans les 30 jours, elle est effacée."
            )
        else:
            todo = _(
                "Votre inscription n'est pas encore active : confirmez-la vous-même avant le "
                "%(date)s. Sans confirmation, elle est effacée."
            ) % {"date": formats.date_format(timezone.localtime(deadline), "DATE_FORMAT")}
        done = [
            Paragraph(
                printable(
                    _(
                        "Vous avez demandé à participer à l'heure civique à %(commune)s. Une "
                        "personne de votre mairie ou d'un point d'entraide a fait l'inscription "
                        "pour vous, avec votre accord."
                    )
                    % {"commune": commune_name}
                ),
                styles["body"],
            )
        ]
        if replaces:
            done.append(
                Paragraph(
                    printable(
                        _("Cette lettre remplace la précédente, dont le code ne fonctionne plus.")
                    ),
                    styles["body"],
                )
            )
        title = _("Votre inscription à l'heure civique")
        values = {"campaign": printable(campaign_name), "short_url": printable(short_url)}
        steps = [
            Paragraph(printable(_("Confirmez en allant à cette adresse :")), styles["body"]),
            Paragraph(values["short_url"], styles["url"]),
            Paragraph(printable(_("puis saisissez ce code :")), styles["body"]),
            Paragraph(printable(code_display), styles["code"]),
            Paragraph(
                printable(_("Ou scannez le code QR avec l'appareil photo de votre téléphone.")),
                styles["body"],
            ),
        ]
        confirm_box = Table(
            [[steps, QRCode(qr_url, 36 * mm)]],
            colWidths=[126 * mm, 40 * mm],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BOX", (0, 0), (-1, -1), 1, INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 4 * mm),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
                ]
            ),
        )
        story = [
            Paragraph(values["campaign"], styles["kicker"]),
            Spacer(1, 3 * mm),
            Paragraph(printable(title), styles["title"]),
            Spacer(1, 6 * mm),
            Paragraph(
                printable(_("Bonjour %(first_name)s,") % {"first_name": first_name}),
                styles["body"],
            ),
            Paragraph(printable(_("Ce qui a été fait")), styles["heading"]),
            *done,
            Paragraph(printable(_("Ce qu'il vous reste à faire")), styles["heading"]),
            Paragraph(printable(todo), styles["body"]),
            Spacer(1, 2 * mm),
            confirm_box,
            Paragraph(printable(_("Ce que vous recevrez")), styles["heading"]),
            Paragraph(
                printable(
                    _(
                        "Une fois votre inscription confirmée, vous recevrez par e-mail, au plus "
                        "une fois par mois, une idée d'action près de chez vous."
                    )
                ),
                styles["body"],
            ),
            Paragraph(printable(_("Si vous changez d'avis")), styles["heading"]),
            Paragraph(
                printable(
                    _(
                        "Vous pouvez vous désinscrire ou faire effacer vos données à tout moment, "
                        "sans avoir à vous justifier : à votre mairie, sur %(site_url)s, ou en "
                        "écrivant à %(email)s."
                    )
                    % {"site_url": site_url, "email": contact_email}
                ),
                styles["body"],
            ),
            Spacer(1, 8 * mm),
            Paragraph(
                printable(
                    _(
                        "Cette lettre ne contient ni votre adresse, ni votre e-mail, ni votre "
                        "téléphone. Le code ne sert qu'une fois."
                    )
                ),
                styles["small"],
            ),
        ]
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=22 * mm,
            rightMargin=22 * mm,
            topMargin=20 * mm,
            bottomMargin=18 * mm,
            title=f"{title} – {campaign_name}",
            author=campaign_name,
            lang=language,
        )
        doc.build(story)
    return buffer.getvalue()
