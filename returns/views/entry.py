"""Placeholder: filled in by the entry views."""

urlpatterns: list = []
