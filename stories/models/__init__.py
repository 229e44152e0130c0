"""Stories of "héros du civisme ordinaire", their themes and hero nominations."""

from .nominations import Nomination, NominationQuerySet
from .pages import StoryGesture, StoryIndexPage, StoryPage, StoryPageQuerySet
from .snippets import StoryTheme

__all__ = [
    "Nomination",
    "NominationQuerySet",
    "StoryGesture",
    "StoryIndexPage",
    "StoryPage",
    "StoryPageQuerySet",
    "StoryTheme",
]
