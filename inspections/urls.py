from __future__ import annotations

from inspections.views import council, homes, hub, visits

urlpatterns = [
    *hub.urlpatterns,
    *homes.urlpatterns,
    *visits.urlpatterns,
    *council.urlpatterns,
]
