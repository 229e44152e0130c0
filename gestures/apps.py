from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GesturesConfig(AppConfig):
    name = "gestures"
    verbose_name = _("Les 100 gestes solidaires")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from .models import GesturePage
        from .signals import gesture_publication_enqueue

        page_published.connect(gesture_publication_enqueue, sender=GesturePage)
        page_unpublished.connect(gesture_publication_enqueue, sender=GesturePage)
