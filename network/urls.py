from django.urls import path
from django.utils.translation import gettext_lazy as _

from campaign.routes import french_path

from . import views

app_name = "network"

# Translated routes (campaign/routes.py): the French route, then the same as a msgid whose
# English msgstr is the English route. The emailed links carry a signed token (with colons,
# which Wagtail's page routes refuse), so they are plain views, not sub-routes of a meeting.
ROUTES = [
    (
        "rencontres/confirmer/<str:token>/",
        _("rencontres/confirmer/<str:token>/"),
        views.meeting_confirm,
        "confirm",
    ),
    (
        "rencontres/annuler/<str:token>/",
        _("rencontres/annuler/<str:token>/"),
        views.meeting_cancel,
        "cancel",
    ),
]

urlpatterns = [path(route, view, name=name) for _french, route, view, name in ROUTES]
# The French addresses already sent in emails keep leading somewhere.
urlpatterns += [
    french_path(french, view, f"{app_name}:{name}") for french, _route, view, name in ROUTES
]
