from ..choices import AUDIENCE_CHOICES, ICON_CHOICES, PLACE_CHOICES, TIME_CHOICES, split_values
from .pages import GestureIndexPage, GesturePage, GesturePageQuerySet
from .snippets import GestureCategory, GestureCounter, GestureSettings

__all__ = [
    "AUDIENCE_CHOICES",
    "ICON_CHOICES",
    "PLACE_CHOICES",
    "TIME_CHOICES",
    "GestureCategory",
    "GestureCounter",
    "GestureIndexPage",
    "GesturePage",
    "GesturePageQuerySet",
    "GestureSettings",
    "split_values",
]
