"""Read-only lookups other apps may call (see DESIGN.md: apps meet through service and selector
functions)."""

from django.db.models import Prefetch, QuerySet

from .models import Commune, Postcode


def communes_for_postcode(code: str) -> QuerySet[Commune]:
    """The communes (and municipal arrondissements) a postcode serves, by name, with their
    department. `code` may hold spaces (" 77 000 "); an unknown or malformed code gives an
    empty queryset."""
    return Commune.objects.for_postcode(code)


def with_postcodes(communes: QuerySet[Commune]) -> QuerySet[Commune]:
    """Add each commune's postcodes, in order, in one more query whatever their number."""
    return communes.prefetch_related(
        Prefetch("postcodes", queryset=Postcode.objects.order_by("code"))
    )
