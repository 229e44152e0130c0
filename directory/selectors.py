"""Read-only lookups of the directory: the needs (gesture categories) in the visitor's
language, the search by place and need, a commune's actors. Each runs a fixed number of
queries whatever the number of actors, communes or categories."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from campaign.geography.models import Commune, Postcode, search_key
from gestures.models import GestureCategory

from .models import Actor, ActorCommune, ActorIntercommunality, HelpPoint, HelpPointDate

PER_PAGE = 20
# A commune page lists at most this many help points (a printable sheet will list them all).
HELP_POINTS_MAX = 30
# A name search offers at most this many communes to choose from.
COMMUNE_CHOICES = 12


def needs(language):
    """(slug, name) of the gesture categories, named in `language` when translated, in French
    otherwise; ordered as the gestures order them. One query."""
    rows = GestureCategory.objects.filter(locale__language_code__in={language, "fr"}).values_list(
        "slug", "name", "locale__language_code", "pk"
    )
    french, local = {}, {}
    for slug, name, code, pk in rows:
        (french if code == "fr" else local)[slug] = (pk, name)
    if language == "fr":
        local = french
    return [
        (slug, local.get(slug, french[slug])[1])
        for slug in sorted(french, key=lambda s: french[s][0])
    ]


def french_categories(slugs):
    """The French rows of the categories named by `slugs` (actors link to those)."""
    return list(GestureCategory.objects.filter(locale__language_code="fr", slug__in=slugs))


def _cards(actors, labels):
    """Resolve what each card shows once: the categories' names in the visitor's language,
    and the kind's label (get_kind_display rebuilds and hashes the lazy choices on every call:
    a tenth of a commune page's render, measured with bench/profile_page.py)."""
    kinds = {value: str(label) for value, label in Actor.Kind.choices}
    for actor in actors:
        actor.need_labels = [labels.get(c.slug, c.name) for c in actor.categories.all()]
        actor.kind_label = kinds.get(actor.kind, actor.kind)
    return actors


def _listing(queryset):
    return (
        queryset.published()
        .defer("proposer_email", "token", "search_name", "language")
        .prefetch_related(
            Prefetch(
                "categories", queryset=GestureCategory.objects.only("slug", "name", "locale_id")
            )
        )
    )


def page_of(queryset, page_number, *, labels, per_page=PER_PAGE):
    """One page of actors (two queries, three with their categories) and whether the page
    asked for was a page number at all."""
    paginator = Paginator(queryset, per_page)
    valid = True
    try:
        number = int(page_number or 1)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        number, valid = 1, False
    page = paginator.get_page(number)
    if page.number != number:
        valid = False
    _cards(page.object_list, labels)
    return page, valid


@dataclass
class Place:
    """Where the visitor looks: the communes they mean (one, or those of a postcode), the
    communes to choose from when a name is ambiguous."""

    communes: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    postcode: str = ""

    @property
    def found(self):
        return bool(self.communes)


def place_for(*, query="", commune_code=""):
    """The place a search means: a postcode's communes, the commune chosen (`commune_code`),
    the one commune whose name matches, or communes to choose from. Two queries at most."""
    communes = Commune.objects.select_related("department")
    if commune_code:
        return Place(communes=list(communes.filter(insee_code=commune_code.upper())[:1]))
    if not query:
        return Place()
    if query.isdigit():  # the form already checked it is a known postcode
        return Place(communes=list(communes.for_postcode(query)), postcode=query)
    matches = list(communes.search(query)[: COMMUNE_CHOICES + 1])
    exact = [c for c in matches if c.search_name == search_key(query)]
    if len(matches) == 1 or len(exact) == 1:
        return Place(communes=exact or matches)
    return Place(choices=matches[:COMMUNE_CHOICES])


def around(communes):
    """The INSEE codes of the communes around `communes`: those sharing one of their
    postcodes, and those of their intercommunalities (themselves included). One query,
    resolved here into a list: as a subquery, its OR over the postcodes' join made SQLite scan
    the 35,000 communes in each of the search's three queries (30-40 ms each,
    docs/PERFORMANCE.md); as literal codes (at most the largest intercommunality's 130-odd
    and a postcode's few), each query reads the indexes."""
    codes = [c.insee_code for c in communes]
    intercommunalities = {c.intercommunality_id for c in communes if c.intercommunality_id}
    postcodes = Postcode.objects.filter(commune_id__in=codes).values("code")
    sharing_a_postcode = Postcode.objects.filter(code__in=postcodes).values("commune_id")
    return sorted(
        set(codes)
        | set(
            Commune.objects.filter(
                Q(insee_code__in=sharing_a_postcode) | Q(intercommunality_id__in=intercommunalities)
            ).values_list("insee_code", flat=True)
        )
    )


def search(*, communes, need="", with_around=True):
    """Published actors for a place and a need: those serving the communes or the communes
    around them, their intercommunality or their department; the place's own first, then
    around, then the intercommunality's, then the department's, each by name. Without a
    place, every published actor (of the need). A queryset: one query per page."""
    actors = Actor.objects.all()
    if communes:
        codes = [c.insee_code for c in communes]
        intercommunalities = {c.intercommunality_id for c in communes if c.intercommunality_id}
        departments = {c.department_id for c in communes}
        near = around(communes) if with_around else codes
        actors = actors.serving(
            commune_codes=near,
            intercommunality_codes=intercommunalities,
            department_codes=departments,
        ).alias(
            rank=Case(
                When(
                    pk__in=ActorCommune.objects.filter(commune_id__in=codes).values("actor_id"),
                    then=Value(0),
                ),
                When(
                    pk__in=ActorCommune.objects.filter(commune_id__in=near).values("actor_id"),
                    then=Value(1),
                ),
                When(
                    pk__in=ActorIntercommunality.objects.filter(
                        intercommunality_id__in=intercommunalities
                    ).values("actor_id"),
                    then=Value(2),
                ),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        order = ["rank", "name", "pk"]
    else:
        order = ["name", "pk"]
    if need:
        actors = actors.filter(pk__in=Actor.objects.in_category(need).values("pk"))
    return _listing(actors).order_by(*order)


def commune_actors(commune):
    """Published actors serving `commune` itself, its intercommunality or its department
    (not its neighbours): the commune's own first. A queryset."""
    return search(communes=[commune], with_around=False)


def actor_detail(slug):
    """A published actor with its area and categories (four queries), or None."""
    return (
        _listing(Actor.objects.filter(slug=slug))
        .prefetch_related(
            Prefetch(
                "communes",
                queryset=Commune.objects.only("name", "slug", "insee_code", "department_id"),
            ),
            "intercommunalities",
            "departments",
        )
        .first()
    )


# "tous les mardis": the weekday of a weekly permanence, Monday first (date.weekday()).
EVERY_WEEKDAY = [
    _("tous les lundis"),
    _("tous les mardis"),
    _("tous les mercredis"),
    _("tous les jeudis"),
    _("tous les vendredis"),
    _("tous les samedis"),
    _("tous les dimanches"),
]


def hour_text(value):
    """An hour as people say it: "14 h", "9 h 30" in French; "2 pm", "9:30 am" in
    English."""
    if (get_language() or "fr").startswith("en"):
        suffix = "am" if value.hour < 12 else "pm"
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {suffix}" if value.minute else f"{hour} {suffix}"
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


def day_text(day, *, weekday=True, year=None):
    """ "samedi 12 décembre" ("samedi 1er décembre"), "Saturday 12 December"; the year added
    when asked, or when it is not the current one."""
    if year is None:
        year = day.year != timezone.localdate().year
    french = not (get_language() or "fr").startswith("en")
    number = r"1\e\r" if french and day.day == 1 else "j"
    fmt = f"{'l ' if weekday else ''}{number} F{' Y' if year else ''}"
    return date_format(day, fmt)


@dataclass
class Permanence:
    """One upcoming date of a help point, as the public pages, the iCalendar feed, the map and
    the printable sheet show it: the next day it is held, its hours, and where (an itinerant
    date's own commune and place, or the point's)."""

    help_point: HelpPoint
    date_row: HelpPointDate
    next_day: object  # datetime.date
    commune: Commune
    place: str

    @property
    def weekly(self):
        return self.date_row.repeat_until is not None

    @property
    def address(self):
        """The point's address, unless this date is held elsewhere (its own place or
        commune): an itinerant date's place says where it is."""
        row, point = self.date_row, self.help_point
        if row.place or (row.commune_id and row.commune_id != point.commune_id):
            return ""
        return point.address

    @property
    def where(self):
        """ "Place de la gare, Melun": the place, the address, and the commune unless the
        address already names it."""
        parts = [" ".join(part.split()) for part in (self.place, self.address) if part.strip()]
        if self.commune.name.casefold() not in " ".join(parts).casefold():
            parts.append(self.commune.name)
        return ", ".join(parts)

    @property
    def hours(self):
        return gettext("de %(start)s à %(end)s") % {
            "start": hour_text(self.date_row.starts_at),
            "end": hour_text(self.date_row.ends_at),
        }

    @property
    def when(self):
        """In plain words, in the active language: "tous les mardis de 14 h à 17 h, jusqu'au
        29 juin 2027", "samedi 12 décembre, de 9 h à 12 h"."""
        if self.weekly:
            return gettext("%(every)s %(hours)s, jusqu'au %(last)s") % {
                "every": EVERY_WEEKDAY[self.date_row.date.weekday()],
                "hours": self.hours,
                "last": day_text(self.date_row.repeat_until, weekday=False, year=True),
            }
        return gettext("%(day)s, %(hours)s") % {
            "day": day_text(self.next_day),
            "hours": self.hours,
        }

    @property
    def next_day_text(self):
        return day_text(self.next_day)


def held_in(permanences, commune):
    """The permanences held in `commune`, or all of them when none is (an itinerant point
    that only starts from there): what a commune's page and feed show of a point."""
    local = [p for p in permanences if p.commune.insee_code == commune.insee_code]
    return local or list(permanences)


def held_elsewhere(permanences, commune):
    """The names of the other communes an itinerant point stops in, in the order of its
    next stops ("Passe aussi à : Vaux-le-Pénil, Dammarie-lès-Lys")."""
    names = []
    for permanence in permanences:
        name = permanence.commune.name
        if permanence.commune.insee_code != commune.insee_code and name not in names:
            names.append(name)
    return names


def upcoming_help_points(*, today, communes=None, actor=None, limit=None):
    """Published help points with their upcoming dates, in one query whatever their number:
    a list of (help point, [Permanence, ...]) ordered by the next date. With `communes`
    (Commune objects), only the points held in one of them (the point's own commune, or
    the commune of one of its upcoming dates); with `actor`, only the points it organises.
    A point with no upcoming date is left out."""
    upcoming = Q(repeat_until__gte=today) | Q(repeat_until__isnull=True, date__gte=today)
    dates = HelpPointDate.objects.filter(upcoming, help_point__published=True).select_related(
        "commune", "help_point__commune", "help_point__actor"
    )
    if communes is not None:
        codes = {c.insee_code for c in communes}
        # A bus that came once and will not come back is not listed there any more.
        dates = dates.filter(
            Q(help_point__commune_id__in=codes)
            | Q(
                help_point__in=HelpPointDate.objects.filter(upcoming, commune_id__in=codes).values(
                    "help_point_id"
                )
            )
        )
    if actor is not None:
        dates = dates.filter(help_point__actor=actor)
    by_point = {}
    for row in dates:
        day = row.next_occurrence(today)
        if day is None:
            continue
        point = row.help_point
        permanence = Permanence(
            help_point=point,
            date_row=row,
            next_day=day,
            commune=row.commune or point.commune,
            place=row.place or point.place,
        )
        by_point.setdefault(point.pk, (point, []))[1].append(permanence)
    result = []
    for point, permanences in by_point.values():
        permanences.sort(key=lambda p: (p.next_day, p.date_row.starts_at, p.date_row.pk))
        result.append((point, permanences))
    result.sort(key=lambda item: (item[1][0].next_day, item[1][0].date_row.starts_at, item[0].name))
    return result[:limit] if limit is not None else result
