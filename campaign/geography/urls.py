from django.urls import path
from django.utils.translation import gettext_lazy as _

from campaign.routes import french_path

from .views import commune_search

app_name = "geography"

urlpatterns = [
    # Translated route (campaign/routes.py); the French one keeps working in English.
    path(_("communes/"), commune_search, name="search"),
    french_path("communes/", commune_search, "geography:search"),
]
