"""Placeholder: filled in by the meetings views."""

urlpatterns: list = []
