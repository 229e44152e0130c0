from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gestures.importing import CATEGORIES_FILE, GESTURES_FILE, DataFileError
from gestures.services import gestures_import


class Command(BaseCommand):
    help = (
        "Importe les gestes et leurs catégories depuis gestures/data/ (voir le README de ce "
        "dossier) : crée ou met à jour chaque geste par son numéro, le publie et synchronise "
        "sa traduction anglaise. Un fichier mal formé ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--gestures", type=Path, default=GESTURES_FILE)
        parser.add_argument("--categories", type=Path, default=CATEGORIES_FILE)

    def handle(self, *args, gestures, categories, **options):
        try:
            report = gestures_import(gestures_path=gestures, categories_path=categories)
        except DataFileError as error:
            raise CommandError(
                "Import annulé, rien n'a été modifié :\n" + "\n".join(error.messages)
            ) from error
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Import terminé."))
