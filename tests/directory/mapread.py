"""Reading the directory's map page back, for tests/directory/test_map*.py: its SVG's marks
(parsed as XML: a malformed SVG fails) and the list beside it."""

import html as html_lib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.urls import reverse

URL = "/annuaire/carte/"
ENGLISH_URL = "/en/directory/map/"
SHAPES = {"circle": "commune", "rect": "actor", "polygon": "help_point"}


@dataclass
class Mark:
    layer: str
    title: str
    href: str
    x: float
    y: float
    aria_label: str


def svg_of(page):
    """The map's SVG, parsed as XML: a malformed SVG fails here."""
    start = page.index('<svg class="directory-map__svg"')
    end = page.index("</svg>", start) + len("</svg>")
    return ET.fromstring(page[start:end])  # noqa: S314 - our own page


def marks_of(page):
    marks = []
    for link in svg_of(page).iter("a"):
        [shape] = [child for child in link if child.tag != "title"]
        if shape.tag == "circle":
            x, y = float(shape.get("cx")), float(shape.get("cy"))
        elif shape.tag == "rect":
            x = float(shape.get("x")) + float(shape.get("width")) / 2
            y = float(shape.get("y")) + float(shape.get("height")) / 2
        else:
            points = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
            x, y = sum(p[0] for p in points) / 3, sum(p[1] for p in points) / 3
        marks.append(
            Mark(
                layer=SHAPES[shape.tag],
                title=link.find("title").text,
                href=link.get("href"),
                x=x,
                y=y,
                aria_label=link.get("aria-label"),
            )
        )
    return marks


def listed(page):
    """The list beside the map, per layer: its text (tags removed) and its links."""
    sections = {}
    for layer, anchor in (
        ("commune", 'id="map-list-communes"'),
        ("actor", 'id="map-list-actors"'),
        ("help_point", 'id="map-list-help-points"'),
    ):
        chunk = page.split(anchor, 1)[1].split("</section>", 1)[0]
        links = [
            (href, html_lib.unescape(text))
            for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', chunk)
        ]
        text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk)))
        sections[layer] = {"links": links, "text": text}
    return sections


def label(commune):
    return f"{commune.name} ({commune.department_id})"


def commune_url(commune):
    return reverse("directory:commune", args=[commune.slug])
