"""The programme team's follow-up of active duos: list, timelines, call queue, actions."""

urlpatterns: list = []
