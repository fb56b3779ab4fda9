from __future__ import annotations

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Quarterly returns"

    def ready(self) -> None:
        from returns import signals

        signals.connect()
