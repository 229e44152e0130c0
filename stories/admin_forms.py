"""The story page's admin form: say why publishing is refused before the model refuses it."""

from django.db.models import Q

from wagtail.admin.forms import WagtailAdminPageForm

PUBLISHING_ACTIONS = ("action-publish", "action-submit")


class StoryPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("themes")
        locale_id = self.instance.locale_id or getattr(self.parent_page, "locale_id", None)
        if field is not None and locale_id:
            # Themes are snippets per language: a French story offers the French themes only
            # (and keeps any it already has, e.g. an English copy synchronised from French).
            # (A list: on a page being edited, themes is modelcluster's in-memory relation.)
            chosen = [theme.pk for theme in self.instance.themes.all()] if self.instance.pk else []
            field.queryset = field.queryset.filter(
                Q(locale_id=locale_id) | Q(pk__in=chosen)
            ).order_by("name")

    def is_publishing(self):
        """True when the editor asks to publish, to submit to moderation, approves the
        story in the moderation workflow (approving publishes it), or saves a story that is
        awaiting approval (a reviewer may approve that version from the dashboard, where no
        form can say why it is refused)."""
        data = self.data
        if any(data.get(name) for name in PUBLISHING_ACTIONS):
            return True
        if self.instance.pk and self.instance.workflow_in_progress:
            return True
        return bool(data.get("action-workflow-action")) and data.get("workflow-action-name") in (
            "approve",
            "approve-with-comment",
        )

    def clean(self):
        from stories.models.pages import CONSENT_REQUIRED

        cleaned_data = super().clean()
        if self.is_publishing() and not cleaned_data.get("consent_given"):
            self.add_error("consent_given", CONSENT_REQUIRED)
        return cleaned_data
