from __future__ import annotations

from django.apps import AppConfig


class CorporateParentingConfig(AppConfig):
    name = "corporate_parenting"
    verbose_name = "Councils, users and audit"
