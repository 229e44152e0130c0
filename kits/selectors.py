"""Read-only lookups of the kits app, and the guarded calls into the apps written beside it
(volunteers, stories): if they are not there, the commune page simply shows less."""

from django.db.models import Count

from campaign.translated import translated_only

from .models import EngagedCommune


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
    """The commune's confirmed volunteers, from the volunteers app; None when that app does
    not offer the count (the page then says nothing about it)."""
    try:
        from volunteers.selectors import commune_volunteer_count as count
    except ImportError:
        return None
    return count(commune=commune)


def commune_stories(commune, *, language, limit=6):
    """The commune's published stories in the visitor's language, from the stories app; an
    empty list when that app has no stories by commune."""
    try:
        from stories.models import StoryPage
    except ImportError:
        return []
    return list(
        translated_only(StoryPage.objects.live())
        .filter(commune=commune, locale__language_code=language)
        .order_by("-first_published_at")[:limit]
    )


def poster_counts_by_department():
    from .models import PersonalisedPoster

    return list(PersonalisedPoster.objects.public().count_by_department())


def engaged_count():
    return EngagedCommune.objects.public().aggregate(n=Count("pk"))["n"]


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
