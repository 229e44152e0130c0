"""The monthly "heure civique" reminder. Run it once a month, e.g. from cron on the 1st:

    0 9 1 * *  cd /srv/tousvoisins && .venv/bin/python manage.py send_monthly_reminder

It builds one mailing per language and department (for the local stories) from the
"rappel mensuel" email template, with the gesture of the month, and sends it to the
confirmed volunteers. Running it again in the same month sends nothing more, so a daily
schedule is safe too (it catches a missed 1st)."""

from django.core.management.base import BaseCommand

from mailings.services import mailing_monthly_reminder_send


class Command(BaseCommand):
    help = (
        "Envoie le rappel mensuel de l'heure civique (une seule fois par mois, même lancé "
        "plusieurs fois)."
    )

    def handle(self, *args, **options):
        started = mailing_monthly_reminder_send()
        recipients = sum(m.recipients_count for m in started)
        self.stdout.write(
            f"Rappels envoyés ce mois-ci par cette commande : {len(started)} envois, "
            f"{recipients} destinataires."
        )
