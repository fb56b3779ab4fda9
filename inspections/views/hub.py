"""The inspections overview: one page leading to homes, visits and council inspections."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from corporate_parenting.access import role_required
from corporate_parenting.models import Role
from inspections import action_plans, ratings
from inspections.models import CouncilInspection

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK)


@require_GET
@role_required(*READERS)
def inspections_home(request: HttpRequest) -> HttpResponse:
    la = request.user.la
    today = timezone.localdate()
    homes = list(ratings.with_inspections(ratings.council_homes(la)))
    latest = (
        CouncilInspection.objects.filter(la=la)
        .exclude(framework=None)
        .prefetch_related("judgements__area", "judgements__grade")
        .first()
    )
    overall = None
    if latest:
        overall = next((j.grade for j in latest.judgements.all() if j.area.is_overall), None)
    return render(
        request,
        "inspections/hub.html",
        {
            "la": la,
            "homes_summary": ratings.summarise(homes, today) if homes else None,
            "latest": latest,
            "latest_overall": overall,
            "overdue_actions": action_plans.overdue_count(la, today),
        },
    )


urlpatterns = [path("inspections/", inspections_home, name="inspections_home")]
