"""The mailings' safety net. Run it every few minutes, e.g. from cron:

    */5 * * * *  cd /srv/tousvoisins && .venv/bin/python manage.py mailings_recover

The database task queue never retries a task, and a killed worker leaves its task RUNNING
for ever. The `Delivery` rows are the source of truth: this command starts the scheduled
mailings whose time has come (if their deferred task was lost) and hands back to the
workers every mailing with deliveries left pending, due for a retry, or held by a worker
whose lease expired. It never sends a delivery already sent; running it often is harmless.
`make run` runs it every minute beside the worker."""

from django.core.management.base import BaseCommand

from mailings.services import mailings_recover


class Command(BaseCommand):
    help = (
        "Relance les envois programmés arrivés à échéance et les envois interrompus. "
        "À lancer toutes les 5 minutes."
    )

    def handle(self, *args, **options):
        counts = mailings_recover()
        self.stdout.write(
            f"Envois programmés démarrés : {counts['started']}\n"
            f"Envois relancés : {counts['resumed']}"
        )
