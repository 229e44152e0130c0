"""The story page's admin form: say why publishing is refused before the model refuses it."""

from wagtail.admin.forms import WagtailAdminPageForm

PUBLISHING_ACTIONS = ("action-publish", "action-submit")


class StoryPageForm(WagtailAdminPageForm):
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
