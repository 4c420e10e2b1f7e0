"""Group activities: staff create them, participants register, cancel, add them to a calendar."""

urlpatterns: list = []
