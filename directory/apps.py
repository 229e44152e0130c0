from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Annuaire de la solidarité locale")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Actor, HelpPoint, HelpPointDate
        from .signals import (
            actor_deleted,
            actor_saved,
            engagement_changed,
            help_point_date_changed,
            help_point_deleted,
            help_point_saved,
        )

        post_save.connect(actor_saved, sender=Actor, dispatch_uid="directory.actor.saved")
        post_delete.connect(actor_deleted, sender=Actor, dispatch_uid="directory.actor.deleted")
        post_save.connect(
            help_point_saved, sender=HelpPoint, dispatch_uid="directory.help_point.saved"
        )
        post_delete.connect(
            help_point_deleted, sender=HelpPoint, dispatch_uid="directory.help_point.deleted"
        )
        post_save.connect(
            help_point_date_changed,
            sender=HelpPointDate,
            dispatch_uid="directory.help_point_date.saved",
        )
        post_delete.connect(
            help_point_date_changed,
            sender=HelpPointDate,
            dispatch_uid="directory.help_point_date.deleted",
        )
        # The map draws kits' engaged communes: named by label, kits is not imported.
        for signal, action in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                engagement_changed,
                sender="kits.EngagedCommune",
                dispatch_uid=f"directory.engagement.{action}",
            )
