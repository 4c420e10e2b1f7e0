"""Links emailed to the people of a duo (answers to an introduction, later check-ins)."""

from django.urls import path

from duos import answers, checkins

app_name = "duos"
urlpatterns: list = [
    path("duo/reponse/<str:token>/", answers.answer, name="answer"),
    path("equipe/duos/en-attente/", answers.waiting, name="waiting"),
    path("duo/suivi/<str:token>/", checkins.checkin, name="checkin"),
]
