from __future__ import annotations

from returns.views import entry, reports, spreadsheet

urlpatterns = [*entry.urlpatterns, *spreadsheet.urlpatterns, *reports.urlpatterns]
