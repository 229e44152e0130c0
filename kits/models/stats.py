"""Download counts: one row per kit file and day, nothing about who downloaded."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DownloadCount(models.Model):
    kit_file = models.ForeignKey(
        "kits.KitFile",
        verbose_name=_("fichier du kit"),
        on_delete=models.CASCADE,
        related_name="download_counts",
    )
    day = models.DateField(_("jour"))
    count = models.PositiveIntegerField(_("téléchargements"), default=0)

    class Meta:
        verbose_name = _("téléchargements du jour")
        verbose_name_plural = _("téléchargements par jour")
        constraints = [
            models.UniqueConstraint(fields=["kit_file", "day"], name="kits_download_unique_day"),
        ]
        indexes = [models.Index(fields=["day"], name="kits_download_day")]

    def __str__(self):
        return f"{self.kit_file_id} {self.day}: {self.count}"
