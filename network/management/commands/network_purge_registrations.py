"""Retention of meeting registrations (docs/PRIVACY.md): run it once a day."""

from django.core.management.base import BaseCommand

from network.services import registrations_purge


class Command(BaseCommand):
    help = (
        "Efface les inscriptions aux rencontres non confirmées après 7 jours, et toutes les "
        "inscriptions 30 jours après la fin de leur rencontre. À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien effacer.")

    def handle(self, *args, dry_run=False, **options):
        counts = registrations_purge(dry_run=dry_run)
        if dry_run:
            lines = [
                f"Inscriptions non confirmées à effacer : {counts['unconfirmed']}",
                f"Inscriptions de rencontres passées à effacer : {counts['past']}",
            ]
        else:
            lines = [
                f"Inscriptions non confirmées effacées : {counts['unconfirmed']}",
                f"Inscriptions de rencontres passées effacées : {counts['past']}",
            ]
        self.stdout.write("\n".join(lines))
