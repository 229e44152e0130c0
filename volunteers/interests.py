"""The interests a volunteer can pick: the gesture categories of the visitor's language when
they exist, or the campaign's fixed list until then. Stored as slugs either way."""

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gestures.models import GestureCategory

# The slugs of gestures/data/categories.csv, so that the data survives the switch.
FIXED_INTERESTS = [
    ("aines", _("Prendre soin des aînés")),
    ("courses-services", _("Courses et petits services")),
    ("lien-social", _("Créer du lien")),
    ("entraide-numerique", _("Entraide numérique")),
    ("reparation-partage", _("Réparer et partager")),
    ("accueil", _("Accueillir")),
    ("environnement", _("Un cadre de vie agréable")),
    ("enfance-education", _("Enfants et soutien scolaire")),
    ("solidarite-climat", _("Canicule et grand froid")),
    ("veille-secours", _("Veiller les uns sur les autres")),
]


def interest_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(slug, label) pairs in `language` (the active one by default). One query, then cached
    five minutes (an export calls this for every row)."""
    language = (language or get_language() or "fr")[:2]
    return cache.get_or_set(f"volunteers:interests:{language}", lambda: _load(language), 300)


def _load(language):
    rows = list(
        GestureCategory.objects.filter(locale__language_code=language)
        .order_by("name")
        .values_list("slug", "name")
    )
    return rows or _fixed(language)


def _fixed(language):
    with translation.override(language):
        return [(slug, str(label)) for slug, label in FIXED_INTERESTS]


def interest_labels(language: str | None = None) -> dict[str, str]:
    return dict(interest_choices(language))
