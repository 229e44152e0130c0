"""Retention of volunteers' data (CNIL's rule for prospects). Run it once a day, e.g. from
cron:

    15 3 * * *  cd /srv/tousvoisins && .venv/bin/python manage.py purge_volunteers

It deletes sign-ups left unconfirmed for 30 days, erases volunteers with no activity for
3 years (keeping only their address's fingerprint), and finishes erasures whose email task
never ran. `--dry-run` only counts."""

from django.core.management.base import BaseCommand

from volunteers.services import volunteers_purge


class Command(BaseCommand):
    help = (
        "Efface les inscriptions non confirmées après 30 jours et les bénévoles sans activité "
        "depuis 3 ans. À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien effacer.")

    def handle(self, *args, dry_run=False, **options):
        counts = volunteers_purge(dry_run=dry_run)
        verb = "à effacer" if dry_run else "effacés"
        finished = "à terminer" if dry_run else "terminés"
        self.stdout.write(
            f"Inscriptions non confirmées {verb} : {counts['unconfirmed']}\n"
            f"Bénévoles inactifs {verb} : {counts['inactive']}\n"
            f"Effacements {finished} : {counts['erasures_finished']}"
        )
