from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Annuaire de la solidarité locale")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Actor
        from .signals import actor_deleted, actor_saved

        post_save.connect(actor_saved, sender=Actor, dispatch_uid="directory.actor.saved")
        post_delete.connect(actor_deleted, sender=Actor, dispatch_uid="directory.actor.deleted")
