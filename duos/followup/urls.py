"""The follow-up's URLs: check-ins, the closing survey, the duo pages of participants and team."""

from django.urls import path

from duos.followup import staff_views, views

urlpatterns: list = [
    path("duo/suivi/<str:token>/", views.checkin, name="checkin"),
    path("duo/questionnaire/<str:token>/", views.survey, name="survey"),
    path("mon-duo/", views.my_duo, name="my_duo"),
    path("mon-duo/reponse/", views.my_duo_checkin, name="my_duo_checkin"),
    # Not under referent/personnes/<pk>/: that prefix's <slug:action> would catch "duo/".
    path("referent/duo/<int:pk>/", views.referred_duo, name="referred_duo"),
    path("referent/duo/<int:pk>/reponse/", views.referred_duo_checkin, name="referred_duo_checkin"),
    path("equipe/duos/suivi/", staff_views.followup_list, name="followup"),
    path("equipe/duos/<int:pk>/", staff_views.duo_detail, name="duo_detail"),
    path("equipe/duos/<int:pk>/note/", staff_views.duo_note, name="duo_note"),
    path("equipe/duos/<int:pk>/pause/", staff_views.duo_pause, name="duo_pause"),
    path("equipe/duos/<int:pk>/reprise/", staff_views.duo_resume, name="duo_resume"),
    path("equipe/duos/<int:pk>/prolonger/", staff_views.duo_extend, name="duo_extend"),
    path("equipe/duos/<int:pk>/fin/", staff_views.duo_end, name="duo_end"),
]
