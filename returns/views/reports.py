"""Placeholder: filled in by the reports views."""

urlpatterns: list = []
