"""England and regional views, for system admins: every council's figures, suppressed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from corporate_parenting.access import role_required
from corporate_parenting.models import LocalAuthority, Region, Role
from performance import england
from performance.presentation import SUPPRESSION_TEXT, threshold
from performance.views import _period
from placements.models import collection_year_label


def _context(request: HttpRequest) -> tuple[int | None, dict[str, object]]:
    years = england.years_with_figures()
    year, _ = _period(request, years)
    return year, {
        "years": [(y, collection_year_label(y)) for y in years],
        "year": year,
        "period": collection_year_label(year) if year else "",
        "suppression_text": SUPPRESSION_TEXT.format(n=threshold() + 1),
        "regions": [(r.label, slugify(r.label)) for r in Region],
    }


@role_required(Role.SYSTEM_ADMIN)
def england_page(request: HttpRequest) -> HttpResponse:
    year, context = _context(request)
    if year is not None:
        columns, rows = england.england_rows(year)
        context.update({"columns": columns, "rows": rows})
    return render(request, "performance/england.html", context)


@role_required(Role.SYSTEM_ADMIN)
def region_page(request: HttpRequest, region: str) -> HttpResponse:
    chosen = england.region_for_slug(region)
    if chosen is None:
        raise Http404
    year, context = _context(request)
    members = list(LocalAuthority.objects.filter(region=chosen).order_by("name"))
    context.update({"region": chosen.label, "members": members})
    if year is not None:
        context["rows"] = england.council_rows(members, year, beside_a_total=True)
    return render(request, "performance/england_region.html", context)
