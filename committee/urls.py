from __future__ import annotations

from committee.views import meetings

urlpatterns = [*meetings.urlpatterns]
