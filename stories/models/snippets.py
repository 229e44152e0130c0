from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from campaign.datacache import watch


class StoryTheme(TranslatableMixin, index.Indexed, models.Model):
    """A theme of stories (aînés, réparation…), translated with wagtail-localize.

    The slug stays the same in every language (it is synchronised, not translated): the
    index filters with `?theme=<slug>`, and a filtered address keeps working when the visitor
    switches language."""

    name = models.CharField(_("nom"), max_length=80)
    slug = models.SlugField(
        _("identifiant dans l'adresse"),
        max_length=80,
        help_text=_("En minuscules, sans accents ni espaces, par exemple « aines »."),
    )

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    override_translatable_fields = [SynchronizedField("slug")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        verbose_name = _("thème d'histoire")
        verbose_name_plural = _("thèmes d'histoire")
        constraints = [
            models.UniqueConstraint(
                fields=["locale", "slug"], name="stories_storytheme_unique_locale_slug"
            ),
        ]

    def __str__(self):
        return self.name


# Themes are kept in the cache by locale (stories.models.pages.themes_in).
watch(StoryTheme)
