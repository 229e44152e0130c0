"""What the home page gathers from the other apps. Each function returns what its section
shows, already fetched with a bounded number of queries; an empty result shows the section's
empty state."""

from gestures import selectors as gestures_selectors
from kits import selectors as kits_selectors
from stories import selectors as stories_selectors


def featured_stories(*, page, request):
    """The latest three published stories of the page's language, portraits' renditions
    prefetched (a fixed number of queries)."""
    return stories_selectors.latest_stories(locale_id=page.locale_id, limit=3)


def gesture_of_the_month(*, page, request):
    """This month's gesture of the page's language: chosen by staff in the gestures'
    settings, or else rotated by month (None when there is no gesture yet)."""
    # locale_id rather than locale: the page's Locale is not fetched for this.
    return gestures_selectors.gesture_of_the_month(locale=page.locale_id, request=request)


def featured_kits(*, page, request):
    """Three live kits of the page's language, those in season first (a fixed number of
    queries)."""
    return kits_selectors.featured_kits(locale_id=page.locale_id, limit=3)
