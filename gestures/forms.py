from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

from .choices import AUDIENCE_CHOICES, PLACE_CHOICES, split_values


class MultipleChoiceTextField(forms.MultipleChoiceField):
    """Check boxes in the admin for a comma-separated CharField."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        return split_values(value) if isinstance(value, str) else value

    def clean(self, value):
        chosen = super().clean(value)
        # Stored in the choices' order, so that equal sets compare equal.
        return ",".join(key for key, _label in self.choices if key in chosen)


class GesturePageForm(WagtailAdminPageForm):
    audiences = MultipleChoiceTextField(label=_("pour qui"), choices=AUDIENCE_CHOICES)
    places = MultipleChoiceTextField(label=_("où"), choices=PLACE_CHOICES)
