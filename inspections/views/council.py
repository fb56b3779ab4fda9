"""Placeholder: filled in by the council views."""

urlpatterns: list = []
