"""Read-only lookups of the kits app: engaged communes, their volunteer count (asked of
volunteers/ through its selector) and their stories (offered by stories/ through a hook)."""

from django.db.models import Count

from wagtail import hooks

from campaign.geography.models import Commune
from campaign.translated import translated_only
from volunteers import selectors as volunteers_selectors

from .models import EngagedCommune

# The Wagtail hook through which apps offer a commune page its stories.
COMMUNE_STORIES_HOOK = "kits_commune_stories"


def engaged_communes_by_region():
    """Engaged communes staff approved, grouped by region, then department, with counts: a list of
    {"name", "count", "departments": [{"name", "code", "count", "communes": […]}]}, and the
    total. One query whatever their number."""
    rows = (
        EngagedCommune.objects.public()
        .select_related("commune__department__region")
        .only(
            "commune__name",
            "commune__slug",
            "commune__insee_code",
            "commune__department__code",
            "commune__department__name",
            "commune__department__region__name",
        )
        .order_by(
            "commune__department__region__name",
            "commune__department__code",
            "commune__name",
        )
    )
    regions, total = [], 0
    for row in rows:
        commune = row.commune
        department = commune.department
        region_name = department.region.name if department.region_id else ""
        if not regions or regions[-1]["name"] != region_name:
            regions.append({"name": region_name, "count": 0, "departments": []})
        region = regions[-1]
        if not region["departments"] or region["departments"][-1]["code"] != department.code:
            region["departments"].append(
                {"name": department.name, "code": department.code, "count": 0, "communes": []}
            )
        region["departments"][-1]["communes"].append(commune)
        region["departments"][-1]["count"] += 1
        region["count"] += 1
        total += 1
    return regions, total


def commune_volunteer_count(commune):
    """The commune's confirmed volunteers, from the volunteers app's selector (the one tie
    from kits/ to volunteers/ that DESIGN.md "Layout" allows)."""
    return volunteers_selectors.commune_volunteer_count(commune=commune)


def commune_stories(commune, *, language, limit=6):
    """The pages that tell of the commune's heroes, in the visitor's language, newest first:
    whatever the functions registered for the Wagtail hook `COMMUNE_STORIES_HOOK` return
    (stories/ registers its stories there; kits/ imports nothing of stories/). Each
    function takes `commune`, `language` and `limit`, and returns a list of pages."""
    found = []
    for stories_of in hooks.get_hooks(COMMUNE_STORIES_HOOK):
        found.extend(stories_of(commune=commune, language=language, limit=limit))
    return found[:limit]


def poster_counts_by_department():
    from .models import PersonalisedPoster

    return list(PersonalisedPoster.objects.public().count_by_department())


def engaged_count():
    return EngagedCommune.objects.public().aggregate(n=Count("pk"))["n"]


def engaged_communes():
    """The communes staff approved as engaged, as a Commune queryset (the engagements are a
    subquery of it, evaluated with it in one query): for the directory's map, which shows
    the same communes as the list of engaged communes."""
    return Commune.objects.filter(
        insee_code__in=EngagedCommune.objects.public().values("commune_id")
    )


def featured_kits(*, locale_id, limit=3, month=None):
    """Live kits of a language, those in season this month first, then all-year kits, then
    the newest; cover images and their renditions fetched with them (two queries, three
    when the kits have covers)."""
    from .models import KitPage

    return list(
        translated_only(KitPage.objects.live())
        .filter(locale_id=locale_id)
        .with_season_rank(month)
        .select_related("cover_image")
        .prefetch_related("cover_image__renditions")
        .order_by("season_rank", "-first_published_at", "pk")[:limit]
    )
