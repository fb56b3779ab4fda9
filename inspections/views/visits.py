"""Placeholder: filled in by the visits views."""

urlpatterns: list = []
