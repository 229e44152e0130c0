"""Read-only lookups other apps may call (home/ shows the latest stories)."""

from campaign.translated import translated_only

from .models import StoryPage, StoryTheme
from .models.pages import localize_themes


def latest_stories(*, locale_id, limit=3):
    """The latest live, public stories of a language, ready for cards (portrait renditions,
    commune, themes in that language) in a fixed number of queries."""
    stories = list(
        translated_only(StoryPage.objects.live().public())
        .filter(locale_id=locale_id)
        .for_cards()
        .newest_first()[:limit]
    )
    if not stories:
        return []
    return localize_themes(
        stories, locale_id, themes=StoryTheme.objects.filter(locale_id=locale_id)
    )
