from django.core.management.base import BaseCommand

from campaign import site_address


class Command(BaseCommand):
    help = (
        "Donne au site Wagtail par défaut le nom d'hôte et le port de WAGTAILADMIN_BASE_URL, "
        "l'adresse publique du site (idempotent)."
    )

    def handle(self, *args, **options):
        changed = site_address.default_site_sync()
        hostname, port = site_address.hostname_and_port()
        state = "mis à jour" if changed else "déjà à jour"
        self.stdout.write(f"Site par défaut : {hostname}:{port} ({state}).")
