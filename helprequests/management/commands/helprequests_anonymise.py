"""Retention of the help requests (docs/PRIVACY.md): run it once a day (deploy/systemd's
timer, `make run`'s loop):

    python manage.py helprequests_anonymise

It blanks the personal data of the requests closed more than three months ago (kept: the
commune, the category, the dates, the state and the time given) and deletes the access log's
lines older than a year. `--dry-run` only counts. Prints counts, never a name."""

from django.core.management.base import BaseCommand

from helprequests.services import requests_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise les demandes de coups de main closes depuis plus de trois mois et efface "
        "les lignes du journal des accès de plus d'un an. À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien changer.")

    def handle(self, *args, dry_run=False, **options):
        counts = requests_anonymise(dry_run=dry_run)
        # One whole sentence per case: the participles agree with their noun.
        if dry_run:
            lines = [
                f"Demandes closes à anonymiser : {counts['requests']}",
                f"Lignes du journal des accès à effacer : {counts['access_records']}",
            ]
        else:
            lines = [
                f"Demandes closes anonymisées : {counts['requests']}",
                f"Lignes du journal des accès effacées : {counts['access_records']}",
            ]
        self.stdout.write("\n".join(lines))
