import factory
import wagtail_factories

from home.models import HomePage


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Accueil"
    slug = "accueil"
    hero_title = "Tous voisins, tous solidaires"
    hero_text = "Donnez une heure par mois à vos voisins."
    cta_label = "Je donne une heure par mois"
    civic_hour_title = "L'heure civique"
    civic_hour_text = factory.Faker("sentence", locale="fr_FR")

    class Meta:
        model = HomePage
