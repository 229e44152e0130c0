"""The practice sheet's admin form: a mairie user writes sheets of their own communes only."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

from volunteers.models.access import MairieAccess, is_mairie_user

NOT_YOUR_COMMUNE = _(
    "Choisissez une des communes de votre mairie : vous ne pouvez écrire que leurs fiches."
)


def mairie_commune_codes(user):
    """The INSEE codes of the communes a mairie user acts for."""
    return set(MairieAccess.objects.filter(user=user).values_list("commune_id", flat=True))


class PracticeSheetForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        user = self.for_user
        if user is not None and is_mairie_user(user):
            commune = cleaned_data.get("commune")
            if commune is None or commune.insee_code not in mairie_commune_codes(user):
                self.add_error("commune", NOT_YOUR_COMMUNE)
        return cleaned_data
