"""URL patterns: filled in by the account module."""

from __future__ import annotations

urlpatterns: list = []
