"""Confidential reports by the people of a duo, and what staff do about them."""

urlpatterns: list = []
