from __future__ import annotations

from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance, dashboards and reports"
