"""The closing survey of a duo: the page behind the link of the closing email."""

urlpatterns: list = []
