"""Retention of volunteers' data (CNIL's rule for prospects). Run it once a day, e.g. from
cron:

    15 3 * * *  cd /srv/tousvoisins && .venv/bin/python manage.py purge_volunteers

It deletes sign-ups left unconfirmed for 30 days, erases volunteers with no activity for
3 years (keeping only their address's fingerprint), and finishes erasures whose email task
never ran. `--dry-run` only counts."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from volunteers.services import volunteers_purge


class Command(BaseCommand):
    # The help stays plain text (argparse needs a str when the command starts).
    help = (
        "Efface les inscriptions non confirmées après 30 jours et les bénévoles sans activité "
        "depuis 3 ans. À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien effacer.")

    def handle(self, *args, dry_run=False, **options):
        counts = volunteers_purge(dry_run=dry_run)
        # One whole sentence per line and per case: the adjectives agree with their noun.
        if dry_run:
            lines = [
                _("Inscriptions non confirmées à effacer : %(count)d"),
                _("Bénévoles inactifs à effacer : %(count)d"),
                _("Effacements à terminer : %(count)d"),
            ]
        else:
            lines = [
                _("Inscriptions non confirmées effacées : %(count)d"),
                _("Bénévoles inactifs effacés : %(count)d"),
                _("Effacements terminés : %(count)d"),
            ]
        keys = ("unconfirmed", "inactive", "erasures_finished")
        self.stdout.write(
            "\n".join(line % {"count": counts[key]} for line, key in zip(lines, keys, strict=True))
        )
