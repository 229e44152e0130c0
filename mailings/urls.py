"""The ESP's tracking webhooks, at the addresses the ESP is configured with: Brevo's own
view (mailings/webhooks.py), then Anymail's views for any other ESP. Included at the site's
root without a namespace, so the URL names stay what they were."""

from django.urls import include, path

from .webhooks import TrackingWebhookView

urlpatterns = [
    path(
        "anymail/brevo/tracking/",
        TrackingWebhookView.as_view(),
        name="anymail_brevo_tracking",
    ),
    path("anymail/", include("anymail.urls")),
]
