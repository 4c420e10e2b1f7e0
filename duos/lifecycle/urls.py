"""The introduction's URLs: the answer links, the team's list of silent duos."""

from django.urls import path

from duos.lifecycle import views

urlpatterns: list = [
    path("duo/reponse/<str:token>/", views.answer, name="answer"),
    path("equipe/duos/en-attente/", views.waiting, name="waiting"),
]
