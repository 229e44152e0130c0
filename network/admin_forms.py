"""The practice sheet's admin form: a mairie user writes sheets of their own communes only."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

from volunteers.models.access import MairieAccess, is_mairie_user

NOT_YOUR_COMMUNE = _(
    "Choisissez une des communes de votre mairie : vous ne pouvez écrire que leurs fiches."
)


def mairie_commune_codes(user):
    """The INSEE codes of the communes a mairie user acts for. Kept on the user object for
    the request, as `is_mairie_user` keeps its answer: the explorer asks it once per page it
    lists (models/pages.py, NetworkPagePermissionTester)."""
    codes = getattr(user, "_network_commune_codes", None)
    if codes is None:
        codes = set(MairieAccess.objects.filter(user=user).values_list("commune_id", flat=True))
        user._network_commune_codes = codes
    return codes


class PracticeSheetForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("categories")
        locale_id = self.instance.locale_id or getattr(self.parent_page, "locale_id", None)
        if field is not None and locale_id:
            # Categories are snippets per language: a French sheet offers the French ones (and
            # keeps any it already has, e.g. an English copy synchronised from French).
            chosen = [c.pk for c in self.instance.categories.all()] if self.instance.pk else []
            field.queryset = field.queryset.filter(
                Q(locale_id=locale_id) | Q(pk__in=chosen)
            ).order_by("name")

    def clean(self):
        cleaned_data = super().clean()
        user = self.for_user
        if user is not None and is_mairie_user(user):
            commune = cleaned_data.get("commune")
            if commune is None or commune.insee_code not in mairie_commune_codes(user):
                self.add_error("commune", NOT_YOUR_COMMUNE)
        return cleaned_data
