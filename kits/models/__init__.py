"""Kits and their files, download counts, poster templates and personalised posters, engaged
communes."""

from .communes import EngagedCommune, EngagedCommuneQuerySet
from .pages import AUDIENCES, KitFile, KitIndexPage, KitPage, KitPageQuerySet, Season, Theme
from .posters import PersonalisedPoster, PosterTemplate, PosterZone
from .stats import DownloadCount

__all__ = [
    "AUDIENCES",
    "DownloadCount",
    "EngagedCommune",
    "EngagedCommuneQuerySet",
    "KitFile",
    "KitIndexPage",
    "KitPage",
    "KitPageQuerySet",
    "PersonalisedPoster",
    "PosterTemplate",
    "PosterZone",
    "Season",
    "Theme",
]
