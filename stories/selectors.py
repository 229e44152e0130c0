"""Read-only lookups other apps may call (home/ shows the latest stories)."""

from campaign.translated import translated_only
from campaign.visibility import public_only

from .models import StoryPage, StoryTheme
from .models.pages import localize_themes


def latest_stories(*, locale_id, limit=3):
    """The latest live, public stories of a language, ready for cards (portrait renditions,
    commune, themes in that language) in a fixed number of queries."""
    stories = list(
        translated_only(public_only(StoryPage.objects.live()))
        .filter(locale_id=locale_id)
        .for_cards()
        .newest_first()[:limit]
    )
    if not stories:
        return []
    return localize_themes(
        stories, locale_id, themes=StoryTheme.objects.filter(locale_id=locale_id)
    )


def commune_stories(*, commune, language, limit=6):
    """The commune's published stories in `language`, newest first like every story listing
    (one query). Offered to the engaged-commune page through the `kits_commune_stories` hook
    (wagtail_hooks.py)."""
    return list(
        translated_only(StoryPage.objects.live())
        .filter(commune=commune, locale__language_code=language)
        .newest_first()[:limit]
    )
