from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("benevoles/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("benevoles/preferences/<str:token>/", views.preferences, name="preferences"),
    path(
        "benevoles/preferences/<str:token>/mes-donnees.json",
        views.data_download,
        name="data_download",
    ),
    path("benevoles/preferences/<str:token>/effacer/", views.erase, name="erase"),
    path("benevoles/desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
