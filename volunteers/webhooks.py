"""The ESP's tracking webhooks. Anymail checks the shared secret (HTTP basic auth with
ANYMAIL["WEBHOOK_SECRET"]) and normalises the events; `tracking_event_record` applies them.

Brevo's view is Anymail's own, made to answer a malformed body with 400 instead of a 500
(which an ESP would retry for days). Other ESPs use Anymail's views as they are
(`anymail/<esp>/tracking/`)."""

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.brevo import BrevoTrackingWebhookView

from . import services


class TrackingWebhookView(BrevoTrackingWebhookView):
    def parse_events(self, request):
        try:
            events = super().parse_events(request)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # A SuspiciousOperation: Django answers 400. The body is not logged: it holds
            # an address.
            raise AnymailWebhookValidationFailure("Malformed Brevo tracking payload") from error
        return events


def tracking_received(sender, event, esp_name, **kwargs):
    """Anymail's `tracking` signal: hand the event to the service, nothing more."""
    services.tracking_event_record(event=event)
