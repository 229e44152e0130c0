"""The directory's map ("Carte de la solidarité locale"): the engaged communes, the published
actors and the help points with an upcoming date, drawn as an SVG on the server from the
communes' centres the project ships (campaign/geography/data/README.md), with the same items
listed beside it. No tile, no script, no request to anyone else.

Where each item is drawn:

- an engaged commune, at its centre;
- an actor, at the commune of its postcode (one of those it serves if the postcode has several,
  else the most populous), else at the first commune it serves, else, when it serves only an
  intercommunality or a department, at the middle of that area (the mean of its communes'
  centres: the mark then stands for the whole area, and says so, rather than for one town);
- a help point, at the commune of each of its upcoming dates: an itinerant point has a mark in
  every commune it goes to.

A municipal arrondissement has no centre of its own in the data: it is drawn at its commune's.
An item with no position (a commune the data gives no centre) is listed, not drawn, and the
list says so.

The projection is equirectangular, the longitudes scaled by the cosine of the view's middle
latitude (at the scale of France the difference from a conformal projection does not show),
over the bounding box of what is drawn, with a margin and a minimum span so that one commune
alone is drawn among its neighbours; once the marks spread over a good part of the country,
the view is metropolitan France. Overseas items get an inset each, as French maps do. The
backdrop is the communes' centres themselves, gathered in a grid: the country's shape, from
data already in the database.

The page reads a fixed number of queries whatever the number of items (tests/directory/
test_map.py asserts it at two sizes), and is cached for anonymous visitors like the other
directory pages: actors, help points and engagements purge it when they change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Avg, F, Min
from django.db.models.functions import Floor
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.cache import cacheable
from campaign.geography.models import Commune, Department, Postcode
from kits.selectors import engaged_communes

from . import selectors
from .models import Actor, ActorCommune, ActorDepartment, ActorIntercommunality

COMMUNES, ACTORS, HELP_POINTS = "commune", "actor", "help_point"
LAYERS = (COMMUNES, ACTORS, HELP_POINTS)

# The SVG's user units: 600 wide, scaled by the browser to the column (an old phone's 320 px
# included: every size below is relative to this width).
WIDTH = 600.0
# Metropolitan France, Corsica included (the extreme centres are -5.09, 9.52, 41.40, 51.08).
METROPOLE = (-5.3, 41.2, 9.7, 51.2)  # west, south, east, north
# A view never spans less than this many degrees of latitude (about 30 km): one commune
# alone is drawn among its neighbours, not as a dot in the void.
MIN_SPAN = 0.27
# Once the marks spread wider than this (degrees of longitude or latitude), the view is the
# whole of metropolitan France: a reader recognises it at once.
NATIONAL_SPAN = (3.5, 2.5)
MARGIN = 0.08  # of the span, on every side
# Height over width of a view, kept within these bounds by widening the narrow side.
ASPECT = (0.65, 1.2)
# Marks at the same place are laid out on a grid, this far apart (user units).
SPACING = 14.0
# Past this many marks in a view, marks and their spacing shrink (to a third at most), so
# that a dense directory stays within the map rather than covering it.
CROWDED = 150
FONT_SIZE = 13.0
# The backdrop's grid: this many cells across the view.
GRID_COLUMNS = 120
BACKDROP_CACHE_SECONDS = 24 * 3600
INSET_SIZE = 150.0
INSET_GAP = 12.0
INSET_TITLE = 22.0


@dataclass
class Place:
    """Where a mark stands: a commune's centre, or the middle of an area."""

    longitude: float | None
    latitude: float | None
    name: str
    department_code: str
    commune_slug: str = ""  # empty for an area's middle
    is_area: bool = False
    intercommunality_code: str | None = None

    @property
    def found(self):
        return self.longitude is not None and self.latitude is not None

    @property
    def overseas(self):
        return self.found and not (
            METROPOLE[0] <= self.longitude <= METROPOLE[2]
            and METROPOLE[1] <= self.latitude <= METROPOLE[3]
        )

    @property
    def label(self):
        return self.name if self.is_area else f"{self.name} ({self.department_code})"


@dataclass
class Item:
    """One line of the list beside the map, and its marks on the map (none when it has no
    position: then it is listed only)."""

    layer: str
    name: str
    url: str
    places: list = field(default_factory=list)  # Place objects; none: listed, not drawn
    where: str = ""  # how the list and the mark's name say where it is
    # A help point: its communes, each with its next date ([(Place, url, "mardi 8 déc…")]).
    stops: list = field(default_factory=list)
    # An actor serving only an area: ("intercommunality" or "department", code, name).
    area: tuple | None = None
    pk: int | None = None

    @property
    def drawn(self):
        return any(place.found for place in self.places)


@dataclass
class Mark:
    layer: str
    x: float
    y: float
    url: str
    title: str
    scale: float = 1.0

    def svg(self):
        """The shape's coordinates, as text for the SVG (never localised: "12.3", not "12,3"):
        a circle 13 units across, a square of 11, a triangle of 15 (at scale 1)."""
        x, y, k = self.x, self.y, self.scale
        if self.layer == COMMUNES:
            return {"cx": _n(x), "cy": _n(y), "r": _n(6.5 * k)}
        if self.layer == ACTORS:
            return {"x": _n(x - 5.5 * k), "y": _n(y - 5.5 * k), "size": _n(11 * k)}
        points = [(x, y - 7.5 * k), (x + 7.5 * k, y + 5.5 * k), (x - 7.5 * k, y + 5.5 * k)]
        return {"points": " ".join(f"{_n(px)},{_n(py)}" for px, py in points)}


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str  # "start" or "end"

    def svg(self):
        return {"x": _n(self.x), "y": _n(self.y)}


@dataclass
class Frame:
    """A view of the map: the part of the SVG (x, y, width, height) where a box of the Earth
    (west, south, east, north) is drawn."""

    west: float
    south: float
    east: float
    north: float
    x: float
    y: float
    width: float
    height: float
    title: str = ""
    marks: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    backdrop: str = ""  # an SVG path

    def svg(self):
        """Its box and its title's place, as text for the SVG."""
        return {
            "x": _n(self.x),
            "y": _n(self.y),
            "width": _n(self.width),
            "height": _n(self.height),
            "title_x": _n(self.x + 4),
            "title_y": _n(self.y - 6),
        }

    def project(self, longitude, latitude):
        return (
            self.x + (longitude - self.west) / (self.east - self.west) * self.width,
            self.y + (self.north - latitude) / (self.north - self.south) * self.height,
        )


def _n(value):
    return f"{value:.1f}"


# --- the items ---------------------------------------------------------------------------------

_COMMUNE_VALUES = (
    "insee_code",
    "name",
    "slug",
    "department_id",
    "longitude",
    "latitude",
    "parent__longitude",
    "parent__latitude",
)


def _commune_place(row, prefix=""):
    """A Place from a values() row of a commune (with its parent's centre, for an
    arrondissement)."""
    longitude, latitude = row[f"{prefix}longitude"], row[f"{prefix}latitude"]
    if longitude is None or latitude is None:
        longitude, latitude = row[f"{prefix}parent__longitude"], row[f"{prefix}parent__latitude"]
    return Place(
        longitude=longitude,
        latitude=latitude,
        name=row[f"{prefix}name"],
        department_code=row[f"{prefix}department_id"],
        commune_slug=row[f"{prefix}slug"],
    )


def _url_maker(name):
    """The address of the pattern `name` for a slug, reversed once: reverse() for each of
    thousands of items would take a good part of the page's time."""
    marker = "slug-marker"
    head, tail = reverse(name, kwargs={"slug": marker}).split(marker)
    return lambda slug: f"{head}{slug}{tail}"


def engaged_items():
    """The engaged communes, by name. One query."""
    rows = engaged_communes().order_by("name", "insee_code").values(*_COMMUNE_VALUES)
    commune_url = _url_maker("directory:commune")
    items = []
    for row in rows:
        place = _commune_place(row)
        items.append(
            Item(
                layer=COMMUNES,
                name=place.label,
                url=commune_url(place.commune_slug),
                places=[place],
                where=place.label,
            )
        )
    return items


def actor_items():
    """The published actors, by name, each placed as the module's docstring says. Five
    queries, seven when some actor serves only an intercommunality or a department."""
    published = Actor.objects.published()
    actor_url = _url_maker("directory:actor")
    actors = list(published.order_by("name", "pk").values("pk", "name", "slug", "postcode"))
    prefixed = tuple(f"commune__{name}" for name in _COMMUNE_VALUES)

    served = {}  # actor pk -> [Place], in name order
    for row in (
        ActorCommune.objects.filter(actor__status=Actor.Status.PUBLISHED)
        .order_by("commune__name", "commune_id")
        .values("actor_id", *prefixed)
    ):
        served.setdefault(row["actor_id"], []).append(_commune_place(row, "commune__"))
    intercommunalities, departments = {}, {}
    for actor_id, code, name in ActorIntercommunality.objects.filter(
        actor__status=Actor.Status.PUBLISHED
    ).values_list("actor_id", "intercommunality_id", "intercommunality__name"):
        intercommunalities.setdefault(actor_id, []).append((code, name))
    for actor_id, code, name in ActorDepartment.objects.filter(
        actor__status=Actor.Status.PUBLISHED
    ).values_list("actor_id", "department_id", "department__name"):
        departments.setdefault(actor_id, []).append((code, name))

    # The communes of the actors' postcodes, the most populous first.
    by_postcode = {}
    for row in (
        Postcode.objects.filter(code__in=published.exclude(postcode="").values("postcode"))
        .order_by(F("commune__population").desc(nulls_last=True), "commune_id")
        .values("code", "commune__intercommunality_id", *prefixed)
    ):
        place = _commune_place(row, "commune__")
        place.intercommunality_code = row["commune__intercommunality_id"]
        by_postcode.setdefault(row["code"], []).append(place)

    items, area_needed = [], {"intercommunality": set(), "department": set()}
    for actor in actors:
        communes = served.get(actor["pk"], [])
        areas_i = intercommunalities.get(actor["pk"], [])
        areas_d = departments.get(actor["pk"], [])
        place = _actor_place(actor["postcode"], by_postcode, communes, areas_i, areas_d)
        item = Item(
            pk=actor["pk"],
            layer=ACTORS,
            name=actor["name"],
            url=actor_url(actor["slug"]),
            places=[place] if place else [],
        )
        if place is None:
            # Served only areas and no postcode found: the middle of its first area.
            if areas_i:
                code, name = areas_i[0]
                area_needed["intercommunality"].add(code)
                item.area = ("intercommunality", code, name)
            elif areas_d:
                code, name = areas_d[0]
                area_needed["department"].add(code)
                item.area = ("department", code, name)
        items.append(item)

    centres = _area_centres(area_needed)
    for item in items:
        if item.area is not None:
            kind, code, name = item.area
            longitude, latitude, department = centres.get((kind, code), (None, None, ""))
            item.places = [
                Place(
                    longitude=longitude,
                    latitude=latitude,
                    name=name,
                    department_code=department or "",
                    is_area=True,
                )
            ]
            item.where = (
                _("%(area)s (toute l'intercommunalité)")
                if kind == "intercommunality"
                else _("%(area)s (tout le département)")
            ) % {"area": name}
        elif item.places:
            item.where = item.places[0].label
            areas = [name for _code, name in intercommunalities.get(item.pk, [])] + [
                name for _code, name in departments.get(item.pk, [])
            ]
            if areas:
                item.where = _("%(place)s ; dessert : %(areas)s") % {
                    "place": item.where,
                    "areas": ", ".join(areas),
                }
    return items


def _actor_place(postcode, by_postcode, communes, intercommunalities, departments):
    """The commune an actor is drawn at (see the module's docstring), or None."""
    candidates = [p for p in by_postcode.get(postcode, []) if p.found] if postcode else []
    if candidates:
        slugs = {c.commune_slug for c in communes}
        areas = {code for code, _name in intercommunalities}
        area_departments = {code for code, _name in departments}
        for place in candidates:
            if (
                place.commune_slug in slugs
                or place.intercommunality_code in areas
                or place.department_code in area_departments
            ):
                return place
        return candidates[0]
    if communes:
        # The first served commune with a position, else the first (listed, not drawn).
        return next((c for c in communes if c.found), communes[0])
    return None


def _area_centres(needed):
    """{(kind, code): (longitude, latitude, department code)}: the mean of the centres of
    each area's communes. A query per kind of area, only when an actor needs it."""
    centres = {}
    for kind, group_by in (
        ("intercommunality", "intercommunality_id"),
        ("department", "department_id"),
    ):
        codes = needed[kind]
        if not codes:
            continue
        rows = (
            Commune.objects.filter(**{f"{group_by}__in": codes}, latitude__isnull=False)
            .order_by()
            .values(group_by)
            .annotate(lon=Avg("longitude"), lat=Avg("latitude"), department=Min("department_id"))
        )
        for row in rows:
            centres[kind, row[group_by]] = (row["lon"], row["lat"], row["department"])
    return centres


def help_point_items(today):
    """The published help points with an upcoming date (selectors.upcoming_help_points, one
    query), by next date, each with the communes of its dates. One more query when one of
    them is held in a municipal arrondissement (drawn at its commune's centre)."""
    points = selectors.upcoming_help_points(today=today)
    parents = {
        p.commune.parent_id
        for _point, permanences in points
        for p in permanences
        if p.commune.latitude is None and p.commune.parent_id
    }
    parent_centres = {}
    if parents:
        parent_centres = {
            code: (longitude, latitude)
            for code, longitude, latitude in Commune.objects.filter(
                insee_code__in=parents
            ).values_list("insee_code", "longitude", "latitude")
        }
    commune_url = _url_maker("directory:commune")
    items = []
    for point, permanences in points:
        stops, seen = [], set()
        for permanence in permanences:  # by next date: the first is the soonest
            commune = permanence.commune
            if commune.insee_code in seen:
                continue
            seen.add(commune.insee_code)
            longitude, latitude = commune.longitude, commune.latitude
            if latitude is None and commune.parent_id:
                longitude, latitude = parent_centres.get(commune.parent_id, (None, None))
            place = Place(
                longitude=longitude,
                latitude=latitude,
                name=commune.name,
                department_code=commune.department_id,
                commune_slug=commune.slug,
            )
            stops.append((place, commune_url(commune.slug), _when(permanence)))
        first = stops[0]
        items.append(
            Item(
                layer=HELP_POINTS,
                name=point.name,
                url=first[1],
                places=[place for place, _url, _when_text in stops],
                where=", ".join(place.label for place, _url, _text in stops),
                stops=stops,
            )
        )
    return items


def _when(permanence):
    """ "mardi 8 décembre, de 14 h à 17 h", in the active language: the next day, worded as
    the commune page and the printable sheet word it (selectors.day_text, Permanence.hours)."""
    return _("%(day)s, %(hours)s") % {
        "day": selectors.day_text(permanence.next_day),
        "hours": permanence.hours,
    }


# --- the drawing -------------------------------------------------------------------------------


def _mark_title(item, place, when=""):
    if item.layer == COMMUNES:
        return _("Commune engagée : %(name)s") % {"name": item.name}
    if item.layer == ACTORS:
        return _("Acteur : %(name)s, %(where)s") % {"name": item.name, "where": item.where}
    title = _("Point d'entraide : %(name)s, %(where)s") % {
        "name": item.name,
        "where": place.label,
    }
    return _("%(title)s, prochaine permanence %(when)s") % {"title": title, "when": when}


def _view_box(places):
    """(west, south, east, north) around `places`, with the minimum span, the margin, the
    national view once they spread, and an aspect kept within ASPECT."""
    if places:
        west = min(p.longitude for p in places)
        east = max(p.longitude for p in places)
        south = min(p.latitude for p in places)
        north = max(p.latitude for p in places)
    else:
        west, south, east, north = METROPOLE
    if east - west > NATIONAL_SPAN[0] or north - south > NATIONAL_SPAN[1]:
        west, south = min(west, METROPOLE[0]), min(south, METROPOLE[1])
        east, north = max(east, METROPOLE[2]), max(north, METROPOLE[3])
    cos = math.cos(math.radians((north + south) / 2))
    # The minimum span, in both directions (the longitudes' in kilometres too).
    if north - south < MIN_SPAN:
        middle = (north + south) / 2
        south, north = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    if (east - west) * cos < MIN_SPAN:
        middle = (east + west) / 2
        half = MIN_SPAN / cos / 2
        west, east = middle - half, middle + half
    margin_y = (north - south) * MARGIN
    margin_x = (east - west) * MARGIN
    west, east, south, north = west - margin_x, east + margin_x, south - margin_y, north + margin_y
    # Widen the narrow side: a long thin strip would draw the marks on top of each other.
    width, height = (east - west) * cos, north - south
    if height / width < ASPECT[0]:
        grow = (width * ASPECT[0] - height) / 2
        south, north = south - grow, north + grow
    elif height / width > ASPECT[1]:
        grow = (height / ASPECT[1] - width) / cos / 2
        west, east = west - grow, east + grow
    return west, south, east, north


def _frame(places, *, x, y, width, height=None, title=""):
    west, south, east, north = _view_box(places)
    cos = math.cos(math.radians((north + south) / 2))
    if height is None:
        height = width * (north - south) / ((east - west) * cos)
    else:
        # An inset: a square, whose box is widened to fit it.
        ratio = (north - south) / ((east - west) * cos)
        if ratio > height / width:
            grow = ((north - south) / cos * width / height - (east - west)) / 2
            west, east = west - grow, east + grow
        else:
            grow = ((east - west) * cos * height / width - (north - south)) / 2
            south, north = south - grow, north + grow
    return Frame(west, south, east, north, x, y, width, height, title=title)


def _backdrop(frame):
    """The communes of the frame's box as cells of a grid (GRID_COLUMNS across), drawn as one
    path, the cells of a row that touch joined in one run. One query whatever their number
    (at most a few thousand cells, grouped in the database), kept a day in the cache for
    the same box: it reads the 35,000 communes, tens of milliseconds on SQLite, and the
    communes' centres change once a year."""
    box = (frame.west, frame.south, frame.east, frame.north, frame.x, frame.y, frame.width)
    key = "directory:map:backdrop:" + ":".join(f"{value:.5f}" for value in (*box, frame.height))
    frame.backdrop = cache.get(key)
    if frame.backdrop is None:
        frame.backdrop = _backdrop_path(frame)
        cache.set(key, frame.backdrop, BACKDROP_CACHE_SECONDS)


def _backdrop_path(frame):
    columns = GRID_COLUMNS
    step_x = (frame.east - frame.west) / columns
    rows_count = max(1, round(frame.height / frame.width * columns))
    step_y = (frame.north - frame.south) / rows_count
    by_row = {}  # row -> set of columns
    for column, row in (
        Commune.objects.filter(
            longitude__range=(frame.west, frame.east), latitude__range=(frame.south, frame.north)
        )
        .order_by()
        .annotate(
            gx=Floor((F("longitude") - frame.west) / step_x),
            gy=Floor((frame.north - F("latitude")) / step_y),
        )
        .values_list("gx", "gy")
        .distinct()
    ):
        by_row.setdefault(int(row), set()).add(int(column))
    cell_w, cell_h = frame.width / columns, frame.height / rows_count
    parts = []
    for row in sorted(by_row):
        in_row = sorted(by_row[row])
        start = previous = in_row[0]
        for column in [*in_row[1:], None]:
            if column is not None and column == previous + 1:
                previous = column
                continue
            x = frame.x + start * cell_w
            y = frame.y + row * cell_h
            run = (previous - start + 1) * cell_w
            # A tenth of a unit more each way: no hairline between the runs of two rows.
            parts.append(f"M{_n(x)} {_n(y)}h{_n(run + 0.1)}v{_n(cell_h + 0.1)}h{_n(-run - 0.1)}z")
            if column is not None:
                start = previous = column
    return "".join(parts)


def _place_marks(frame, entries):
    """Lay out the marks of `entries` ([(item, place, when)]) in `frame`: those within
    SPACING of each other share a grid centred on the first (both smaller in a crowded view);
    the commune of the group is labelled where its name fits."""
    scale = max(1 / 3, min(1.0, math.sqrt(CROWDED / len(entries)))) if entries else 1.0
    spacing = SPACING * scale
    groups = []  # [x, y, [(item, place, when)]]
    near = {}  # a spacing-sized cell -> the groups anchored there (a linear pass, not n²)
    for entry in entries:
        x, y = frame.project(entry[1].longitude, entry[1].latitude)
        cell = (int(x // spacing), int(y // spacing))
        neighbours = (
            group
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for group in near.get((cell[0] + dx, cell[1] + dy), ())
        )
        for group in neighbours:
            if abs(group[0] - x) < spacing and abs(group[1] - y) < spacing:
                group[2].append(entry)
                break
        else:
            group = [x, y, [entry]]
            groups.append(group)
            near.setdefault(cell, []).append(group)
    order = {layer: index for index, layer in enumerate(LAYERS)}
    boxes = []
    for x, y, members in groups:
        members.sort(key=lambda e: order[e[0].layer])
        columns = math.ceil(math.sqrt(len(members)))
        rows = math.ceil(len(members) / columns)
        left = x - (columns - 1) * spacing / 2
        top = y - (rows - 1) * spacing / 2
        for index, (item, place, when) in enumerate(members):
            frame.marks.append(
                Mark(
                    layer=item.layer,
                    x=left + (index % columns) * spacing,
                    y=top + (index // columns) * spacing,
                    url=_stop_url(item, place),
                    title=_mark_title(item, place, when),
                    scale=scale,
                )
            )
        half_w = columns * spacing / 2
        half_h = rows * spacing / 2
        boxes.append((x - half_w, y - half_h, x + half_w, y + half_h))
    _place_labels(frame, groups, boxes)


def _stop_url(item, place):
    """A help point's mark leads to the page of its commune; any other, to the item's."""
    if item.layer == HELP_POINTS:
        for stop, url, _when_text in item.stops:
            if stop is place:
                return url
    return item.url


class _Boxes:
    """Rectangles (left, top, right, bottom) filed by the cells of a coarse grid they touch,
    so that asking whether a new one overlaps any reads a few cells, not every rectangle."""

    CELL = 60.0

    def __init__(self):
        self.cells = {}

    def _cells(self, box):
        for cx in range(int(box[0] // self.CELL), int(box[2] // self.CELL) + 1):
            for cy in range(int(box[1] // self.CELL), int(box[3] // self.CELL) + 1):
                yield cx, cy

    def add(self, box):
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(box)

    def overlaps(self, box):
        return any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for cell in self._cells(box)
            for other in self.cells.get(cell, ())
        )


def _place_labels(frame, groups, boxes):
    """A label for each group's commune where it fits: beside the group, right or left, within
    the frame, over no other group or label. Engaged communes first, then the groups with
    the most marks."""
    taken = _Boxes()
    for box in boxes:
        taken.add(box)
    ranked = sorted(
        zip(groups, boxes, strict=True),
        key=lambda gb: (
            not any(e[0].layer == COMMUNES for e in gb[0][2]),
            -len(gb[0][2]),
        ),
    )
    for (_x, y, members), box in ranked:
        place = next((e[1] for e in members if not e[1].is_area), None)
        if place is None:
            continue
        text = place.name
        width = len(text) * FONT_SIZE * 0.56
        top, bottom = y - FONT_SIZE * 0.8, y + FONT_SIZE * 0.4
        for anchor, left in (("start", box[2] + 3), ("end", box[0] - 3 - width)):
            label_box = (left, top, left + width, bottom)
            inside = (
                label_box[0] >= frame.x + 2
                and label_box[2] <= frame.x + frame.width - 2
                and label_box[1] >= frame.y + 2
                and label_box[3] <= frame.y + frame.height - 2
            )
            if inside and not taken.overlaps(label_box):
                taken.add(label_box)
                x = left if anchor == "start" else left + width
                frame.labels.append(Label(x=x, y=y + FONT_SIZE * 0.35, text=text, anchor=anchor))
                break


def draw(items):
    """The frames of the map: the main one (metropolitan France, or the part of it where the
    marks are) and an inset per overseas department with marks. Each with its marks, labels
    and backdrop; one backdrop query per frame."""
    entries = []  # (item, place, when) for each mark
    for item in items:
        whens = [when for _place, _url, when in item.stops] or [""] * len(item.places)
        for place, when in zip(item.places, whens, strict=True):
            if place.found:
                entries.append((item, place, when))
    main = [e for e in entries if not e[1].overseas]
    overseas = {}
    for entry in entries:
        if entry[1].overseas:
            overseas.setdefault(entry[1].department_code, []).append(entry)

    frame = _frame([e[1] for e in main], x=0, y=0, width=WIDTH)
    frames = [frame]
    codes = sorted(overseas)
    if codes:
        names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
        per_row = int((WIDTH + INSET_GAP) // (INSET_SIZE + INSET_GAP))
        for index, code in enumerate(codes):
            column, row = index % per_row, index // per_row
            frames.append(
                _frame(
                    [e[1] for e in overseas[code]],
                    x=column * (INSET_SIZE + INSET_GAP),
                    y=frame.height
                    + INSET_GAP
                    + row * (INSET_SIZE + INSET_GAP + INSET_TITLE)
                    + INSET_TITLE,
                    width=INSET_SIZE,
                    height=INSET_SIZE,
                    title=names.get(code, code),
                )
            )
    _place_marks(frame, main)
    for inset, code in zip(frames[1:], codes, strict=True):
        _place_marks(inset, overseas[code])
    for target in frames:
        _backdrop(target)
    return frames


@dataclass
class Map:
    layers: dict  # layer -> [Item]
    frames: list
    width: float
    height: float

    @property
    def main(self):
        return self.frames[0]

    @property
    def insets(self):
        return self.frames[1:]

    @property
    def marks(self):
        return [mark for frame in self.frames for mark in frame.marks]


def build(*, today):
    """Everything the map page shows: the items of each layer and the frames that draw
    them. A fixed number of queries whatever the number of items (ten at most, see each
    step)."""
    layers = {
        COMMUNES: engaged_items(),
        ACTORS: actor_items(),
        HELP_POINTS: help_point_items(today),
    }
    frames = draw([item for layer in LAYERS for item in layers[layer]])
    height = max(f.y + f.height for f in frames)
    return Map(layers=layers, frames=frames, width=WIDTH, height=height)


@cacheable
@require_GET
def directory_map(request):
    data = build(today=timezone.localdate())
    return render(
        request,
        "directory/map.html",
        {"map": data, "width": _n(data.width), "height": _n(data.height)},
    )
