from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import GestureCategory


class GestureCategoryViewSet(SnippetViewSet):
    model = GestureCategory
    icon = "tag"
    menu_label = _("Catégories de gestes")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "slug", "colour", "locale"]


register_snippet(GestureCategoryViewSet)
