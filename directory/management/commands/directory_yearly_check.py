"""The directory's yearly check ("régulièrement actualisé"). Run it once a day (deploy/systemd's
timer, `make run`'s loop):

    python manage.py directory_yearly_check

It emails each published actor not checked for a year (or never), at most once a year per
actor, a signed link (valid 60 days) to confirm its entry or propose changes. Running it twice
the same day sends nothing twice; a send that fails is tried again on the next run.
`--dry-run` only counts."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from directory.services import actor_checks_send


class Command(BaseCommand):
    # The help stays plain text (argparse needs a str when the command starts).
    help = (
        "Demande une fois par an à chaque acteur publié de l'annuaire de vérifier sa fiche. "
        "À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien envoyer.")

    def handle(self, *args, dry_run=False, **options):
        sent, failed = actor_checks_send(dry_run=dry_run)
        if dry_run:
            self.stdout.write(_("Demandes de vérification à envoyer : %(count)d") % {"count": sent})
            return
        self.stdout.write(_("Demandes de vérification envoyées : %(count)d") % {"count": sent})
        if failed:
            # A non-zero exit: the timer's unit shows as failed; the next run retries.
            raise CommandError(
                _("Demandes non envoyées, à retenter au prochain passage : %(count)d")
                % {"count": failed}
            )
