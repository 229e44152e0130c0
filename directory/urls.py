from django.urls import path
from django.utils.translation import gettext_lazy as _

from campaign.routes import french_path

from . import sheet_views, views
from .map import directory_map

app_name = "directory"

# Translated routes (campaign/routes.py): the French route, then the same as a msgid whose
# English msgstr is the English route.
ROUTES = [
    ("annuaire/", _("annuaire/"), views.directory_search, "search"),
    ("annuaire/carte/", _("annuaire/carte/"), directory_map, "map"),
    ("annuaire/proposer/", _("annuaire/proposer/"), views.proposal_form, "propose"),
    ("annuaire/proposer/merci/", _("annuaire/proposer/merci/"), views.proposal_thanks, "thanks"),
    (
        "annuaire/proposer/confirmer/<str:token>/",
        _("annuaire/proposer/confirmer/<str:token>/"),
        views.proposal_confirm,
        "confirm",
    ),
    (
        "annuaire/verifier/<str:token>/",
        _("annuaire/verifier/<str:token>/"),
        views.actor_check,
        "check",
    ),
    (
        "annuaire/acteur/<slug:slug>/",
        _("annuaire/acteur/<slug:slug>/"),
        views.actor_detail,
        "actor",
    ),
    (
        "annuaire/commune/<slug:slug>/",
        _("annuaire/commune/<slug:slug>/"),
        views.commune_detail,
        "commune",
    ),
    (
        "annuaire/commune/<slug:slug>/points-entraide.ics",
        _("annuaire/commune/<slug:slug>/points-entraide.ics"),
        views.commune_help_points_calendar,
        "commune_calendar",
    ),
    (
        "annuaire/commune/<slug:slug>/fiche.pdf",
        _("annuaire/commune/<slug:slug>/fiche.pdf"),
        sheet_views.commune_sheet,
        "commune_sheet",
    ),
]

urlpatterns = [path(route, view, name=name) for _french, route, view, name in ROUTES]
# The French addresses sent in emails and printed keep leading somewhere.
urlpatterns += [
    french_path(french, view, f"{app_name}:{name}") for french, _route, view, name in ROUTES
]
