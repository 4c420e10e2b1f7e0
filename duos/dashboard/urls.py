"""The dashboard's URLs."""

from django.urls import path

from duos.dashboard import views

urlpatterns: list = [
    path("equipe/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("equipe/tableau-de-bord/duos.csv", views.duos_csv, name="dashboard_duos_csv"),
    path("equipe/tableau-de-bord/checkins.csv", views.checkins_csv, name="dashboard_checkins_csv"),
]
