from django.urls import path

from . import views

app_name = "kits"

urlpatterns = [
    path("telechargements/<int:pk>/", views.download, name="download"),
    path("affiche-personnalisee/", views.poster_form, name="poster_form"),
    path(
        "affiche-personnalisee/<str:key>/<str:size>-<str:variant>/",
        views.poster_result,
        name="poster_result",
    ),
    path(
        "affiche-personnalisee/<str:key>/<str:size>-<str:variant>.<str:extension>",
        views.poster_file,
        name="poster_file",
    ),
    path("communes-engagees/", views.engaged_communes, name="engaged_communes"),
    path("communes-engagees/s-engager/", views.engagement_form, name="engaged_form"),
    path("communes-engagees/merci/", views.engagement_thanks, name="engaged_thanks"),
    path(
        "communes-engagees/confirmer/<str:token>/",
        views.engagement_confirm,
        name="engaged_confirm",
    ),
    path(
        "communes-engagees/<slug:slug>/",
        views.engaged_commune_detail,
        name="engaged_commune",
    ),
]
