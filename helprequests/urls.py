from django.urls import path
from django.utils.translation import gettext_lazy as _

from campaign.routes import french_path

from . import views

app_name = "helprequests"

# Translated routes (campaign/routes.py): the French route, then the same as a msgid whose
# English msgstr is the English route. The emailed links carry a signed token in a path
# segment (campaign/logging.py keeps it out of the logs); nothing else personal is ever in
# these addresses.
ROUTES = [
    ("coup-de-main/", _("coup-de-main/"), views.request_form, "request"),
    ("coup-de-main/merci/", _("coup-de-main/merci/"), views.request_thanks, "thanks"),
    ("coup-de-main/vos-donnees/", _("coup-de-main/vos-donnees/"), views.data_page, "data"),
    (
        "coup-de-main/retirer/<str:token>/",
        _("coup-de-main/retirer/<str:token>/"),
        views.withdraw,
        "withdraw",
    ),
    (
        "coup-de-main/proposition/<str:token>/",
        _("coup-de-main/proposition/<str:token>/"),
        views.answer,
        "answer",
    ),
    (
        "coup-de-main/fait/<str:token>/",
        _("coup-de-main/fait/<str:token>/"),
        views.done,
        "done",
    ),
]

urlpatterns = [path(route, view, name=name) for _french, route, view, name in ROUTES]
# The French addresses already sent in emails keep leading somewhere in English.
urlpatterns += [
    french_path(french, view, f"{app_name}:{name}") for french, _route, view, name in ROUTES
]
