from django.urls import path

from .views import commune_search

app_name = "geography"

urlpatterns = [
    path("communes/", commune_search, name="search"),
]
