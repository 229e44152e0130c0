from pathlib import Path

from django.core.management.base import BaseCommand

from campaign.geography.services import communes_import


class Command(BaseCommand):
    help = (
        "Import or update France's regions, departments, communes and postcodes from the INSEE "
        "data shipped in campaign/geography/data/. Safe to run again: unchanged rows are not "
        "written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="Another data file in the same format (default: the one shipped).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, file=None, quiet=False, **options):
        communes_import(path=file, stdout=None if quiet else self.stdout)
