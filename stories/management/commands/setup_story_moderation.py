from django.core.management.base import BaseCommand, CommandError

from stories.services import moderation_setup, story_index_for


class Command(BaseCommand):
    help = (
        "Crée (ou complète) les groupes « Contributeurs mairie » et « Communication », leurs "
        "droits sur la page des histoires et le circuit de modération. Sans effet si tout "
        "existe déjà."
    )

    def handle(self, *args, **options):
        index = story_index_for()
        if index is None:
            raise CommandError(
                "Aucune page des histoires : créez-la sous la page d'accueil, puis relancez."
            )
        result = moderation_setup(index=index)
        self.stdout.write(
            self.style.SUCCESS(
                f"Modération prête : groupes {result['contributors']} et "
                f"{result['communication']}, circuit « {result['workflow']} »."
            )
        )
