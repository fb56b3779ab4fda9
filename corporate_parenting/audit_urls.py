"""URL patterns: filled in by the audit module."""

from __future__ import annotations

urlpatterns: list = []
