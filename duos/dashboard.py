"""The programme dashboard for staff: figures, charts drawn on the server, CSV exports."""

urlpatterns: list = []
