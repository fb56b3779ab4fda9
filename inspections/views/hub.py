"""Placeholder: the inspections overview page."""

urlpatterns: list = []
