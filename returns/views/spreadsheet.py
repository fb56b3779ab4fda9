"""Placeholder: filled in by the spreadsheet views."""

urlpatterns: list = []
