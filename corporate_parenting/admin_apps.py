from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class SystemAdminConfig(AdminConfig):
    default_site = "corporate_parenting.admin_site.SystemAdminSite"
