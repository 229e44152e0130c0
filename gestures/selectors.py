"""Read-only queries of the gestures, each with a fixed number of SQL queries whatever the
number of gestures. Other apps (home, the monthly mailing) use these functions."""

from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, Mod, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.models import Page

from campaign.models import CampaignSettings
from campaign.translated import translated_only

from .choices import AUDIENCE_CHOICES, TIME_CHOICES
from .models import GestureCategory, GestureCounter, GesturePage, GestureSettings

DONE_COOKIE = "gestes_faits"
DONE_COOKIE_SALT = "gestures.done"

# The catalogue's GET parameters and their legends.
FILTERS = {
    "categorie": _("Catégorie"),
    "duree": _("Temps disponible"),
    "public": _("Pour qui"),
}
SORTS = ("categorie", "numero")


def with_done_count(queryset):
    """Annotate each gesture with its "J'ai fait ce geste" count, in the same query."""
    counts = GestureCounter.objects.filter(translation_key=OuterRef("translation_key"))
    return queryset.annotate(
        done_count=Coalesce(
            Subquery(counts.values("count")[:1], output_field=IntegerField()), Value(0)
        )
    )


def _values_of(gesture, name):
    if name == "categorie":
        return [gesture.category.slug]
    if name == "duree":
        return [gesture.time_needed]
    return gesture.audience_list


# Fields no card reads: not fetched (and not converted, dates above all) for the hundred rows.
CARD_UNUSED_FIELDS = (
    "howto",
    "places",
    "draft_title",
    "seo_title",
    "search_description",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "go_live_at",
    "expire_at",
    "locked_at",
    "locked_by",
    "owner",
    "latest_revision",
    "live_revision",
)


def catalogue_for(*, index_page, params):
    """Everything the catalogue shows: every published gesture of `index_page` (one query),
    which ones match the filters in `params` (unknown values are ignored), the counts per
    filter value, and the gestures grouped by category or sorted by number."""
    gestures = list(
        translated_only(GesturePage.objects.child_of(index_page).live())
        .select_related("category")
        .defer(*CARD_UNUSED_FIELDS)
        .order_by("number")
    )
    # What every card shows, resolved once for the catalogue rather than once per card (the
    # labels' translations, the addresses): a hundred cards made it a third of the render.
    time_labels = {key: str(label) for key, label in TIME_CHOICES}
    audience_labels = {key: str(label) for key, label in AUDIENCE_CHOICES}
    base_url = index_page.url or ""
    for gesture in gestures:
        gesture.card_url = f"{base_url}{gesture.slug}/"
        gesture.time_label = time_labels.get(gesture.time_needed, "")
        gesture.audiences_label = ", ".join(
            audience_labels[value] for value in gesture.audience_list if value in audience_labels
        )
    categories = []
    for gesture in gestures:
        if gesture.category not in categories:
            categories.append(gesture.category)
    categories.sort(key=lambda c: c.pk)
    options = {
        "categorie": [(c.slug, c.name) for c in categories],
        "duree": list(TIME_CHOICES),
        "public": list(AUDIENCE_CHOICES),
    }
    active = {}
    for name, choices in options.items():
        value = params.get(name, "")
        if value in {key for key, _label in choices}:
            active[name] = value

    def matches(gesture, skip=None):
        return all(
            value in _values_of(gesture, name) for name, value in active.items() if name != skip
        )

    filters = []
    for name, choices in options.items():
        # Facet counts: the gestures this value would show, the other filters kept.
        pool = [g for g in gestures if matches(g, skip=name)]
        counted = {}
        for gesture in pool:
            for value in _values_of(gesture, name):
                counted[value] = counted.get(value, 0) + 1
        filters.append(
            {
                "name": name,
                "label": FILTERS[name],
                "active": active.get(name, ""),
                "total": len(pool),
                "options": [
                    {
                        "value": key,
                        "label": label,
                        "count": counted.get(key, 0),
                        "selected": active.get(name) == key,
                    }
                    for key, label in choices
                ],
            }
        )
    for gesture in gestures:
        gesture.visible = matches(gesture)
    sort = params.get("tri") if params.get("tri") in SORTS else "categorie"
    if sort == "categorie":
        groups = [
            {
                "category": category,
                "gestures": [g for g in gestures if g.category_id == category.pk],
            }
            for category in categories
        ]
        for group in groups:
            group["visible"] = any(g.visible for g in group["gestures"])
    else:
        groups = [{"category": None, "gestures": gestures, "visible": True}]
    return {
        "gestures": gestures,
        "category_list": categories,
        "groups": groups,
        "filters": filters,
        "active_filters": active,
        "sort": sort,
        "visible_count": sum(1 for g in gestures if g.visible),
        "booklet_url": (index_page.url or "") + index_page.reverse_subpage("booklet"),
    }


def catalogue_categories(*, index_page, request=None):
    """The categories of `index_page`'s published gestures, in order, from the site-data
    cache (a gesture or a category saved starts a new generation): the catalogue's colours
    and the key of its kept fragment need them on every render."""
    from campaign.datacache import remember

    def build():
        used = translated_only(GesturePage.objects.child_of(index_page).live()).values(
            "category_id"
        )
        return list(GestureCategory.objects.filter(pk__in=used).order_by("pk"))

    return remember(f"gestures:catalogue-categories:{index_page.pk}", build, request)


def catalogue_key(*, params, categories):
    """What the catalogue's cards depend on besides the site data: the filters and the order
    of `params`, validated as catalogue_for() does (an unknown value counts as none), so that
    made-up query strings all share the unfiltered fragment and cannot fill the cache."""
    known = {
        "categorie": {c.slug for c in categories},
        "duree": {key for key, _label in TIME_CHOICES},
        "public": {key for key, _label in AUDIENCE_CHOICES},
    }
    values = [
        params.get(name, "") if params.get(name) in keys else "" for name, keys in known.items()
    ]
    values.append(params.get("tri") if params.get("tri") in SORTS else "categorie")
    return "|".join(values)


def done_counts():
    """{translation key as text: "J'ai fait ce geste" count} of every gesture that has one:
    one query on the small counter table. The catalogue keeps its cards as a fragment of the
    site data and punches these live counts into it (gestures/templatetags/gesture_counts.py).
    """
    rows = GestureCounter.objects.filter(count__gt=0).values_list("translation_key", "count")
    return {str(key): count for key, count in rows}


def done_numbers(*, request):
    """The numbers of the gestures this visitor said they did, from a signed cookie (no
    personal data: a list of numbers; a forged or broken cookie counts as empty)."""
    raw = request.get_signed_cookie(DONE_COOKIE, default="", salt=DONE_COOKIE_SALT)
    return {int(n) for n in raw.split(",") if n.isdigit()}


def done_cookie_value(numbers):
    return ",".join(str(n) for n in sorted(numbers))


def stories_for(*, page, limit=6):
    """The published stories of `page`'s language that illustrate it, newest first, through
    the reverse relation `page.stories` that the stories app's links declare (gestures/
    imports nothing of stories/). One query."""
    links = (
        translated_only(page.stories.all(), through="story")
        .filter(story__live=True, story__locale_id=page.locale_id)
        .select_related("story")
        .order_by("-story__first_published_at", "story_id")
    )
    stories = []
    for link in links:
        # A story linked twice to the same gesture is listed once.
        if link.story_id not in {story.pk for story in stories}:
            stories.append(link.story)
            if len(stories) == limit:
                break
    return stories


def signup_url_for(*, page, category, request=None):
    """The heure civique sign-up page that the campaign's settings name, in the gesture's
    language, with the gesture's category preselected; None when no page is named, or when
    it has no live version in that language (the gesture page then shows no link)."""
    settings = (
        CampaignSettings.for_request(request)
        if request is not None
        else CampaignSettings.for_site(page.get_site())
    )
    if not settings.signup_page_id:
        return None
    signup = (
        Page.objects.live()
        .filter(
            translation_key=Subquery(
                Page.objects.filter(pk=settings.signup_page_id).values("translation_key")[:1]
            ),
            locale_id=page.locale_id,
        )
        .first()
    )
    if signup is None:
        return None
    return f"{signup.url}?{urlencode({'interet': category.slug})}"


def gesture_page_context(*, page, request):
    """What a gesture page shows besides its own fields: its category, its neighbours by
    number, its counter, its stories and the sign-up link. A fixed number of queries.

    All but the counter and the visitor's own "already done" change only with the site data
    (a page published or saved, a setting or a category saved): for visitors they come from
    the site-data cache (campaign/datacache.py), so a kept page reads one query, its counter.
    A preview builds them afresh."""
    from campaign.datacache import remember

    if request is None or getattr(request, "is_preview", False) or not page.pk:
        data = _gesture_page_data(page=page, request=request)
    else:
        data = remember(
            f"gestures:page:{page.pk}",
            lambda: _gesture_page_data(page=page, request=request),
            request,
        )
    page.category = data["category"]
    count = (
        GestureCounter.objects.filter(translation_key=page.translation_key)
        .order_by("pk")
        .values_list("count", flat=True)
        .first()
    )
    done = done_numbers(request=request) if request is not None else set()
    return {
        **data,
        "category_list": [data["category"]],
        "done_count": count or 0,
        "already_done": page.number in done,
        "done_url": page.url + page.reverse_subpage("done") if page.url else "",
    }


def _gesture_page_data(*, page, request):
    siblings = translated_only(GesturePage.objects.live()).filter(locale_id=page.locale_id)
    category = GestureCategory.objects.get(pk=page.category_id)
    # A page being created and previewed in the admin has no URL or parent yet. The parent's
    # address is the page's without its slug: no query for the parent.
    url = page.url if page.path else None
    if url and url.endswith(f"/{page.slug}/"):
        catalogue_url = url[: -len(page.slug) - 1]
    else:
        catalogue_url = (page.get_parent().url or "") if page.path else ""
    # The neighbours by number, both in one query (a subquery finds each one's number).
    previous_number = siblings.filter(number__lt=page.number).order_by("-number")
    next_number = siblings.filter(number__gt=page.number).order_by("number")
    neighbours = {
        gesture.number: gesture
        for gesture in siblings.filter(
            Q(number=Subquery(previous_number.values("number")[:1]))
            | Q(number=Subquery(next_number.values("number")[:1]))
        )
    }
    previous_gesture = next_gesture = None
    for number, gesture in neighbours.items():
        if number < page.number:
            previous_gesture = gesture
        elif number > page.number:
            next_gesture = gesture
    return {
        "category": category,
        "catalogue_url": catalogue_url,
        "previous_gesture": previous_gesture,
        "next_gesture": next_gesture,
        "stories": stories_for(page=page),
        "signup_url": signup_url_for(page=page, category=category, request=request),
    }


def gesture_of_the_month(*, locale, site=None, request=None, today=None):
    """This month's gesture in `locale` (a Locale or its id): the one staff chose in the
    gestures' settings, when it is published, or else one of the heure civique gestures,
    rotating by month in number order (the same for everyone all month). None when there is
    none."""
    if request is not None:
        setting = GestureSettings.for_request(request)
    elif site is not None:
        setting = GestureSettings.for_site(site)
    else:
        setting = None
    published = (
        translated_only(GesturePage.objects.live()).filter(locale=locale).select_related("category")
    )
    if setting is not None and setting.gesture_of_the_month_id:
        chosen = published.filter(
            translation_key=Subquery(
                GesturePage.objects.filter(pk=setting.gesture_of_the_month_id).values(
                    "translation_key"
                )[:1]
            )
        ).first()
        if chosen is not None:
            return chosen
    # The rotation in one query: each candidate's position in number order and their total,
    # as window functions, keep the one whose position is this month's index.
    today = today or timezone.localdate()
    month_index = today.year * 12 + today.month
    return (
        published.filter(heure_civique=True)
        .annotate(
            position=Window(RowNumber(), order_by=F("number").asc()),
            total=Window(Count("pk")),
        )
        .filter(position=Mod(Value(month_index), F("total")) + 1)
        .first()
    )


__all__ = [
    "catalogue_for",
    "catalogue_categories",
    "catalogue_key",
    "done_counts",
    "done_numbers",
    "gesture_of_the_month",
    "gesture_page_context",
    "signup_url_for",
    "stories_for",
    "with_done_count",
]
