from django.urls import path
from django.utils.translation import gettext_lazy as _

from campaign.routes import french_path

from . import views

app_name = "volunteers"

# Translated routes (campaign/routes.py): the French route, then the same as a msgid whose
# English msgstr is the English route.
ROUTES = [
    (
        "benevoles/confirmer/<str:token>/",
        _("benevoles/confirmer/<str:token>/"),
        views.confirm,
        "confirm",
    ),
    (
        "benevoles/preferences/<str:token>/",
        _("benevoles/preferences/<str:token>/"),
        views.preferences,
        "preferences",
    ),
    (
        "benevoles/preferences/<str:token>/mes-donnees.json",
        _("benevoles/preferences/<str:token>/mes-donnees.json"),
        views.data_download,
        "data_download",
    ),
    (
        "benevoles/preferences/<str:token>/mes-donnees/",
        _("benevoles/preferences/<str:token>/mes-donnees/"),
        views.data_page,
        "data_page",
    ),
    (
        "benevoles/preferences/<str:token>/effacer/",
        _("benevoles/preferences/<str:token>/effacer/"),
        views.erase,
        "erase",
    ),
    (
        "benevoles/desinscription/<str:token>/",
        _("benevoles/desinscription/<str:token>/"),
        views.unsubscribe,
        "unsubscribe",
    ),
    (
        "benevoles/lettre/",
        _("benevoles/lettre/"),
        views.letter,
        "letter",
    ),
    (
        "benevoles/lettre/<str:token>/",
        _("benevoles/lettre/<str:token>/"),
        views.letter_link,
        "letter_link",
    ),
    (
        "benevoles/lien-preferences/",
        _("benevoles/lien-preferences/"),
        views.preferences_link_request,
        "preferences_link",
    ),
]

urlpatterns = [path(route, view, name=name) for _french, route, view, name in ROUTES]
# The French addresses already sent in emails keep working in English.
urlpatterns += [
    french_path(french, view, f"{app_name}:{name}") for french, _route, view, name in ROUTES
]
