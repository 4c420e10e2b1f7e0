"""The URLs of group activities: participants' pages and the team's."""

from django.urls import path

from duos.activities import staff_views, views

urlpatterns: list = [
    path("activites/", views.activity_list, name="activities"),
    path("activites/<int:pk>/", views.activity_detail, name="activity"),
    path("activites/<int:pk>/inscription/", views.activity_register, name="activity_register"),
    path(
        "activites/<int:pk>/annulation/",
        views.activity_cancel_registration,
        name="activity_cancel_registration",
    ),
    path("activites/<int:pk>/calendrier.ics", views.activity_ics, name="activity_ics"),
    path(
        "activites/inscription/<str:token>/",
        views.activity_register_link,
        name="activity_register_link",
    ),
    path("equipe/activites/", staff_views.staff_activities, name="staff_activities"),
    path(
        "equipe/activites/nouvelle/",
        staff_views.staff_activity_create,
        name="staff_activity_create",
    ),
    path("equipe/activites/<int:pk>/", staff_views.staff_activity, name="staff_activity"),
    path(
        "equipe/activites/<int:pk>/modifier/",
        staff_views.staff_activity_edit,
        name="staff_activity_edit",
    ),
    path(
        "equipe/activites/<int:pk>/annuler/",
        staff_views.staff_activity_cancel,
        name="staff_activity_cancel",
    ),
    path(
        "equipe/activites/<int:pk>/presence/",
        staff_views.staff_activity_attendance,
        name="staff_activity_attendance",
    ),
]
