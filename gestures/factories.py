from wagtail.models import Locale

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from gestures.models import GestureCategory, GestureIndexPage, GesturePage


class GestureCategoryFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Catégorie {n}")
    slug = factory.Sequence(lambda n: f"categorie-{n}")
    description = "Des gestes simples pour vos voisins."
    colour = "#a3392b"
    icon = "heart"
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))

    class Meta:
        model = GestureCategory


class GestureIndexPageFactory(wagtail_factories.PageFactory):
    title = "Les 100 gestes solidaires"
    slug = "gestes"
    introduction = "Choisissez un geste qui vous ressemble."

    class Meta:
        model = GestureIndexPage


class GesturePageFactory(wagtail_factories.PageFactory):
    number = factory.Sequence(lambda n: n % 100 + 1)
    title = factory.LazyAttribute(lambda o: f"Rendre service à un voisin, geste {o.number}")
    slug = factory.LazyAttribute(lambda o: f"geste-{o.number}")
    description = "Un petit service qui change une journée."
    howto = (
        "Proposez votre aide simplement.\n"
        "Convenez ensemble du moment.\n"
        "Respectez le choix de la personne."
    )
    category = factory.SubFactory(GestureCategoryFactory)
    time_needed = "15min"
    audiences = "aines,voisins"
    places = "immeuble"
    heure_civique = False

    class Meta:
        model = GesturePage
