"""Placeholder: filled in by the homes views."""

urlpatterns: list = []
