from django.core.management.base import BaseCommand, CommandError

from network.models import NetworkIndexPage
from network.services import network_moderation_setup


class Command(BaseCommand):
    help = (
        "Place l'espace des élus sous le circuit de modération des histoires : le groupe "
        "« Mairie » écrit et soumet les fiches pratiques de ses communes, « Communication » "
        "les publie. Sans effet si tout existe déjà."
    )

    def handle(self, *args, **options):
        index = NetworkIndexPage.objects.filter(alias_of__isnull=True).order_by("pk").first()
        if index is None:
            raise CommandError(
                "Aucune page « Réseau des élus solidaires » : créez-la sous la page d'accueil, "
                "puis relancez."
            )
        workflow = network_moderation_setup(index=index)
        self.stdout.write(self.style.SUCCESS(f"Modération prête : circuit « {workflow} »."))
