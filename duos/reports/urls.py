"""The URLs of confidential reports."""

from django.urls import path

from duos.reports import staff_views, views

urlpatterns: list = [
    path("duo/<int:pk>/signaler/", views.report_new, name="report_new"),
    path("duo/signaler/<str:token>/", views.report_link, name="report_link"),
    path("duo/signalement-envoye/", views.report_sent, name="report_sent"),
    path("equipe/signalements/", staff_views.staff_reports, name="reports"),
    path("equipe/signalements/<int:pk>/", staff_views.staff_report, name="report"),
    path(
        "equipe/signalements/<int:pk>/suivi/", staff_views.staff_report_update, name="report_update"
    ),
    path(
        "equipe/signalements/<int:pk>/suspendre/",
        staff_views.staff_report_suspend,
        name="report_suspend",
    ),
    path(
        "equipe/signalements/<int:pk>/reprendre/",
        staff_views.staff_report_unsuspend,
        name="report_unsuspend",
    ),
]
