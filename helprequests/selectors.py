"""What other apps may ask of the help requests: the public, anonymous figure of time given
("heures données entre voisins"), shown on the home page and on a commune's directory page.
They call this module only, never the models or services (docs/DESIGN.md: imports run one
way, through a selector)."""

from __future__ import annotations

from dataclasses import dataclass

from . import services


@dataclass(frozen=True)
class Hours:
    """A public amount of time given: the minutes summed, shown in whole hours ("12
    heures", rounded down: a figure of 40 minutes reads as nothing given yet). False while
    it is under one hour, so that a template hides a figure of "0 heure"."""

    minutes: int

    @property
    def hours(self) -> int:
        return self.minutes // 60

    @property
    def display(self) -> str:
        """In the active language (the visitor's)."""
        return services.hours_display(self.minutes)

    def __bool__(self) -> bool:
        return self.hours > 0


@dataclass(frozen=True)
class PublicHours:
    """The time given everywhere, and in `commune` and its department when one was asked
    for (None otherwise)."""

    total: Hours
    commune: Hours | None = None
    department: Hours | None = None


def public_hours(*, commune=None) -> PublicHours:
    """The time volunteers gave to the requests marked done: in total and, with `commune`
    (a geography Commune), in that commune and in its department. One query. Nothing in it
    names anyone: sums only. Not cached on purpose: marking a request done purges the pages
    that show it (services.request_done), which then read the new figure."""
    minutes = services.public_minutes(commune=commune)
    if commune is None:
        return PublicHours(total=Hours(minutes["total"]))
    return PublicHours(
        total=Hours(minutes["total"]),
        commune=Hours(minutes["commune"]),
        department=Hours(minutes["department"]),
    )
