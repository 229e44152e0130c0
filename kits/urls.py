from django.urls import path
from django.utils.translation import gettext_lazy as _

from campaign.routes import french_path

from . import views

app_name = "kits"

# Translated routes (campaign/routes.py): the French route, then the same as a msgid whose
# English msgstr is the English route.
ROUTES = [
    ("telechargements/<int:pk>/", _("telechargements/<int:pk>/"), views.download, "download"),
    ("affiche-personnalisee/", _("affiche-personnalisee/"), views.poster_form, "poster_form"),
    (
        "affiche-personnalisee/<str:key>/<str:size>-<str:variant>/",
        _("affiche-personnalisee/<str:key>/<str:size>-<str:variant>/"),
        views.poster_result,
        "poster_result",
    ),
    (
        "affiche-personnalisee/<str:key>/<str:size>-<str:variant>.<str:extension>",
        _("affiche-personnalisee/<str:key>/<str:size>-<str:variant>.<str:extension>"),
        views.poster_file,
        "poster_file",
    ),
    ("communes-engagees/", _("communes-engagees/"), views.engaged_communes, "engaged_communes"),
    (
        "communes-engagees/s-engager/",
        _("communes-engagees/s-engager/"),
        views.engagement_form,
        "engaged_form",
    ),
    (
        "communes-engagees/merci/",
        _("communes-engagees/merci/"),
        views.engagement_thanks,
        "engaged_thanks",
    ),
    (
        "communes-engagees/confirmer/<str:token>/",
        _("communes-engagees/confirmer/<str:token>/"),
        views.engagement_confirm,
        "engaged_confirm",
    ),
    (
        "communes-engagees/<slug:slug>/",
        _("communes-engagees/<slug:slug>/"),
        views.engaged_commune_detail,
        "engaged_commune",
    ),
]

urlpatterns = [path(route, view, name=name) for _french, route, view, name in ROUTES]
# The French addresses printed on posters and sent in emails keep leading somewhere.
urlpatterns += [
    french_path(french, view, f"{app_name}:{name}") for french, _route, view, name in ROUTES
]
