from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeographyConfig(AppConfig):
    name = "campaign.geography"
    label = "geography"
    verbose_name = _("Géographie")
    default_auto_field = "django.db.models.BigAutoField"
