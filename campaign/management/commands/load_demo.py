from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from wagtail.models import Site

from campaign import demo
from campaign.site_address import public_url


class Command(BaseCommand):
    help = (
        "Charge le contenu de démonstration (idempotent : deux exécutions donnent le même "
        "résultat). Chaque application déclare son chargeur dans settings.DEMO_LOADERS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Autorise le chargement quand DEBUG est faux (jamais en production réelle).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Le contenu de démonstration crée des comptes aux mots de passe connus : "
                "il ne se charge qu'en développement (DEBUG) ou avec --force."
            )
        self.stdout.write("Chargement du contenu de démonstration…")
        demo.ACCOUNTS_CREATED.clear()
        for dotted_path in settings.DEMO_LOADERS:
            import_string(dotted_path)(stdout=self.stdout)
            self.stdout.write(f"  {dotted_path} : fait.")
        # New translations of the site root change the language prefixes Wagtail caches.
        Site.clear_site_root_paths_cache()
        self.stdout.write(self.style.SUCCESS("Contenu de démonstration prêt."))
        demo.accounts_list_write(self.stdout, public_url("/admin/"))
