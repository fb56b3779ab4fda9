"""Reports from the quarterly returns: the permanence team's counts beside the SSDA903.

Officers only: the reconciliation shows draft figures and unsuppressed counts, and is a
working tool for checking the two sources, not something to publish. Every figure is
the officer's own council's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from corporate_parenting.access import role_required
from corporate_parenting.models import Role
from performance.models import IndicatorValue
from placements.models import collection_year_label
from returns.figures import section
from returns.models import QuarterlyReturn, ReturnStatus

# The team's field and the SSDA903 indicator for each route out of care.
MEASURES = (
    ("exits_sgo", "ceased_sgo", "Special guardianship orders"),
    ("exits_cao", "ceased_cao", "Child arrangements orders"),
    ("exits_reunification", "ceased_reunification", "Reunifications (planned returns home)"),
    ("adoption_orders", "ceased_adoption", "Adoptions"),
)


@dataclass
class Line:
    period: str
    status: str  # the return's status, "No return", or for the year a summary
    draft: bool  # counts include a return not signed off
    team: int | None
    ssda903: int | None
    provisional: bool = False

    @property
    def difference(self) -> int | None:
        if self.team is None or self.ssda903 is None:
            return None
        return self.team - self.ssda903


@dataclass
class Table:
    title: str
    team_field: str
    code: str
    lines: list[Line]


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


@role_required(Role.OFFICER)
def reconciliation(request: HttpRequest) -> HttpResponse:
    la = request.user.la
    codes = [code for _, code, _ in MEASURES]
    returns = list(QuarterlyReturn.objects.filter(la=la).select_related("permanence"))
    stored = IndicatorValue.objects.filter(la=la, indicator__code__in=codes)
    years = sorted(
        {r.year for r in returns} | set(stored.values_list("year", flat=True)), reverse=True
    )
    wanted = request.GET.get("year")
    if not years and not wanted:
        return render(request, "returns/report_reconciliation.html", {"la": la, "years": []})
    try:
        year = int(wanted) if wanted else years[0]
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    by_quarter = {r.quarter: r for r in returns if r.year == year}
    ssda903 = {
        (code, quarter): (value, provisional)
        for code, quarter, value, provisional in stored.filter(year=year).values_list(
            "indicator__code", "quarter", "value", "provisional"
        )
    }
    tables = []
    for team_field, code, title in MEASURES:
        lines = []
        for quarter in (1, 2, 3, 4):
            ret = by_quarter.get(quarter)
            permanence = section(ret, "permanence") if ret else None
            value, provisional = ssda903.get((code, quarter), (None, False))
            lines.append(
                Line(
                    period=f"Q{quarter}",
                    status=ret.get_status_display() if ret else "No return",
                    draft=bool(ret) and ret.status != ReturnStatus.SIGNED_OFF,
                    team=getattr(permanence, team_field) if permanence else None,
                    ssda903=_int(value),
                    provisional=provisional,
                )
            )
        entered = [line.team for line in lines if line.team is not None]
        value, provisional = ssda903.get((code, 0), (None, False))
        statuses = [r.status for r in by_quarter.values()]
        drafts = sum(s != ReturnStatus.SIGNED_OFF for s in statuses)
        lines.append(
            Line(
                period="Year",
                status=(
                    f"{len(statuses)} of 4 returns"
                    + (f", {drafts} not signed off" if drafts else ", all signed off")
                ),
                draft=bool(drafts),
                team=sum(entered) if entered else None,
                ssda903=_int(value),
                provisional=provisional,
            )
        )
        tables.append(Table(title, team_field, code, lines))
    return render(
        request,
        "returns/report_reconciliation.html",
        {
            "la": la,
            "year": year,
            "years": [(y, collection_year_label(y)) for y in years],
            "period": collection_year_label(year),
            "tables": tables,
            "any_draft": any(r.status != ReturnStatus.SIGNED_OFF for r in by_quarter.values()),
            "has_903": any(key[0] in codes for key in ssda903),
        },
    )


urlpatterns = [
    path("returns/reconciliation/", reconciliation, name="returns_reconciliation"),
]
