"""The reminder of the day before a network meeting. Run it every hour (deploy/systemd's
timer, the `make run` loop): the first run of the day before a meeting sends its reminders,
the others send nothing (each registration is reminded once)."""

from django.core.management.base import BaseCommand

from network.services import reminders_send


class Command(BaseCommand):
    help = (
        "Envoie le rappel de la veille aux inscrits confirmés des rencontres du réseau des "
        "élus qui ont lieu demain. Chaque inscrit ne reçoit qu'un rappel."
    )

    def handle(self, *args, **options):
        count = reminders_send()
        self.stdout.write(f"Rappels envoyés : {count}")
