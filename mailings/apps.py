from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = _("Envois d'e-mails")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from anymail.signals import tracking

        from . import checks  # noqa: F401 - registers the system checks
        from .webhooks import tracking_received

        tracking.connect(tracking_received, dispatch_uid="mailings.tracking")
