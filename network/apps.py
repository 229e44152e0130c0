from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Réseau des élus solidaires")
    default_auto_field = "django.db.models.BigAutoField"
