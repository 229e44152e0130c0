"""Retention of the directory's personal data (docs/PRIVACY.md). Run it once a day
(deploy/systemd's timer, `make run`'s loop):

    python manage.py directory_purge

It deletes the proposals never confirmed after 30 days (their proposer's address with them)
and empties the proposer's address of any rejected entry still holding one. `--dry-run` only
counts."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from directory.services import actors_purge


class Command(BaseCommand):
    # The help stays plain text (argparse needs a str when the command starts).
    help = (
        "Efface les propositions d'acteurs non confirmées après 30 jours et l'adresse des "
        "personnes dont la proposition a été refusée. À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien effacer.")

    def handle(self, *args, dry_run=False, **options):
        deleted, emptied = actors_purge(dry_run=dry_run)
        # One whole sentence per line and per case: the adjectives agree with their noun.
        if dry_run:
            lines = [
                _("Propositions non confirmées à effacer : %(count)d") % {"count": deleted},
                _("Adresses de propositions refusées à effacer : %(count)d") % {"count": emptied},
            ]
        else:
            lines = [
                _("Propositions non confirmées effacées : %(count)d") % {"count": deleted},
                _("Adresses de propositions refusées effacées : %(count)d") % {"count": emptied},
            ]
        self.stdout.write("\n".join(lines))
