"""The home page in French and its English translation through wagtail-localize; it
becomes the default site's root. Idempotent."""

from django.db import transaction

from wagtail.models import Locale, Page, Site

from campaign import site_address
from campaign.demo import fields_update, page_publish
from campaign.localize import instance_translate

from .models import HomePage

HOME = {
    "title": ("Accueil", "Home"),
    "hero_title": (
        "Tous voisins, tous solidaires",
        "All neighbours, all in it together",
    ),
    "hero_text": (
        "Un voisin âgé qui ne sort plus, une famille qui vient d'arriver, un escalier trop "
        "raide pour les courses : près de chez vous, un petit geste change une journée. "
        "Donnez une heure par mois, à votre rythme.",
        "An elderly neighbour who no longer goes out, a family who has just moved in, stairs "
        "too steep for the shopping: near you, a small gesture changes someone's day. Give "
        "one hour a month, at your own pace.",
    ),
    "cta_label": ("Je donne une heure par mois", "I'll give one hour a month"),
    "civic_hour_title": ("L'heure civique, c'est quoi ?", "What is the civic hour?"),
    "civic_hour_text": (
        "Une heure par mois pour une action solidaire près de chez vous. Vous choisissez "
        "quand, et pour qui. Votre mairie et les associations de votre commune vous "
        "proposent des idées. Vous pouvez arrêter quand vous voulez.",
        "One hour a month for a local act of solidarity. You choose when, and for whom. Your "
        "town hall and local associations suggest ideas. You can stop whenever you like.",
    ),
    "seo_title": (
        "Une heure par mois pour ses voisins",
        "One hour a month for your neighbours",
    ),
    "search_description": (
        "La campagne des mairies et des associations pour l'entraide entre voisins : "
        "histoires, 100 gestes solidaires, l'heure civique.",
        "The campaign of town halls and associations for neighbours helping neighbours: "
        "stories, 100 acts of solidarity, the civic hour.",
    ),
}


def _ensure_home(fr):
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=fr, depth=2).first()
    if home is None:
        home = HomePage(
            title=HOME["title"][0],
            slug="accueil",
            locale=fr,
            hero_title=HOME["hero_title"][0],
        )
        root.add_child(instance=home)
    changed = fields_update(home, {field: fr_text for field, (fr_text, _en) in HOME.items()})
    page_publish(home, changed=changed)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        hostname, port = site_address.hostname_and_port()
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True
        )
    if site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Tous Voisins – Tous Solidaires"
        site.save()
    # The site's public address (WAGTAILADMIN_BASE_URL) is the one source of its host.
    site_address.default_site_sync()
    return home


def _translate_home(home):
    strings = {"accueil": "home", **dict(HOME.values())}
    translated, _missing = instance_translate(instance=home, language_code="en", strings=strings)
    return translated


@transaction.atomic
def load(stdout=None):
    fr = Locale.objects.get(language_code="fr")
    home = _ensure_home(fr)
    _translate_home(home)
    return home
