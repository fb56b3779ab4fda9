from __future__ import annotations

from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = "Committee meetings and reports"
