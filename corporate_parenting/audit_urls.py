"""The audit log viewer and its CSV export (corporate_parenting.audit_views)."""

from __future__ import annotations

from django.urls import path

from corporate_parenting import audit_views

urlpatterns = [
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/entries.csv", audit_views.audit_log_csv, name="audit_log_csv"),
]
