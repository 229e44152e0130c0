"""The catalogue of the gestures in French and English under the home page, then the import
of the data file. Idempotent: `make setup` runs it through load_demo."""

from django.db import transaction

from wagtail.models import Site

from campaign.demo import fields_update, page_publish
from campaign.localize import instance_translate

from .models import GestureIndexPage
from .services import gestures_import

INDEX = {
    "title": ("Les 100 gestes solidaires", "100 acts of solidarity"),
    "introduction": (
        "Cinq minutes, un quart d'heure, une heure : choisissez un geste qui vous ressemble, "
        "près de chez vous. Chacun explique comment faire, simplement, en respectant "
        "les choix de la personne que vous aidez.",
        "Five minutes, a quarter of an hour, one hour: pick a gesture that suits you, close "
        "to home. Each one explains how to go about it, simply, respecting the choices of "
        "the person you help.",
    ),
    "search_description": (
        "100 idées concrètes pour aider vos voisins, à filtrer selon votre temps et les "
        "personnes autour de vous, et un livret à imprimer.",
        "100 practical ideas to help your neighbours, to filter by the time you have and the "
        "people around you, and a booklet to print.",
    ),
}


def ensure_index_page():
    """The French catalogue page under the French home page, and its English translation."""
    # The default site's root is the French home page (home.demo runs first); gestures/
    # does not import home/.
    home = Site.objects.get(is_default_site=True).root_page
    index = GestureIndexPage.objects.filter(locale_id=home.locale_id).first()
    if index is None:
        index = GestureIndexPage(title=INDEX["title"][0], slug="gestes")
        home.add_child(instance=index)
    changed = fields_update(index, {name: fr_text for name, (fr_text, _en) in INDEX.items()})
    page_publish(index, changed=changed)
    instance_translate(
        instance=index,
        language_code="en",
        strings={"gestes": "gestures", **dict(INDEX.values())},
    )
    return index


@transaction.atomic
def load(stdout=None):
    ensure_index_page()
    report = gestures_import()
    if stdout is not None:
        for line in report.lines():
            stdout.write(f"    {line}")
    return report
