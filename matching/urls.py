from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("", views.runs, name="runs"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/progress.json", views.run_progress, name="run_progress"),
    path("<int:pk>/propositions/", views.review, name="review"),
    path("<int:pk>/propositions/approuver/", views.approve_many, name="approve_many"),
    path("<int:pk>/paire-manuelle/", views.manual_pair, name="manual_pair"),
    path("propositions/<int:pk>/approuver/", views.approve, name="approve"),
    path("propositions/<int:pk>/refuser/", views.reject, name="reject"),
    path("propositions/<int:pk>/echanger/", views.swap, name="swap"),
]
