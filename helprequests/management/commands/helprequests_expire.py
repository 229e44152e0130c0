"""The help requests' proposals left unanswered past their deadline (48 hours): run it every
hour (deploy/systemd's timer, `make run`'s loop):

    python manage.py helprequests_expire

Each expired proposal's request looks for a volunteer again, and its referents (or staff) are
told by email, from the task queue. Prints a count, never a name."""

from django.core.management.base import BaseCommand

from helprequests.services import proposals_expire


class Command(BaseCommand):
    help = (
        "Marque sans réponse les propositions de coups de main dont le délai est passé : la "
        "demande cherche à nouveau un·e bénévole et ses référent·es sont prévenu·es. À lancer "
        "chaque heure."
    )

    def handle(self, *args, **options):
        count = proposals_expire()
        self.stdout.write(f"Propositions sans réponse dans le délai : {count}")
