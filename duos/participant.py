"""The participants' page: their duo, its months, the next reminder, activities, the team."""

urlpatterns: list = []
