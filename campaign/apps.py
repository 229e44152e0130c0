from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campagne")

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the system checks
            purge,
        )

        purge.connect()
