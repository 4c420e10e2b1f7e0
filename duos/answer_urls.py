"""The duo lifecycle's URLs: links emailed to the people of a duo, their pages, the team's."""

from django.urls import path

from duos import (
    activity_views,
    answers,
    checkins,
    dashboard,
    participant,
    reports,
    staff_views,
    survey,
)

app_name = "duos"
urlpatterns: list = [
    path("duo/reponse/<str:token>/", answers.answer, name="answer"),
    path("equipe/duos/en-attente/", answers.waiting, name="waiting"),
    path("duo/suivi/<str:token>/", checkins.checkin, name="checkin"),
    *survey.urlpatterns,
    *staff_views.urlpatterns,
    *reports.urlpatterns,
    *activity_views.urlpatterns,
    *participant.urlpatterns,
    *dashboard.urlpatterns,
]
