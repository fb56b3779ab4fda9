from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from corporate_parenting import audit
from corporate_parenting.access import role_required
from corporate_parenting.db_router import use_replica
from corporate_parenting.models import AuditLog, ComparisonGroup, Role
from performance import dashboard, england
from performance.catalogue import SECTIONS
from performance.forms import CommentaryForm
from performance.models import Commentary, Indicator, IndicatorValue, Target
from performance.presentation import SUPPRESSION_TEXT, threshold
from performance.services import render_charts
from placements.codelists import code_labels
from placements.models import collection_year_label

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK, Role.COUNCIL_ADMIN)


def _period(request: HttpRequest, years: list[int]) -> tuple[int | None, int]:
    """The requested period, or the latest with data. None if the request names no data."""
    year, quarter = _ints(
        request.GET.get("year") or (str(years[0]) if years else None), request.GET.get("quarter")
    )
    return (year if year in years else None), quarter


def _ints(year: str | None, quarter: str | None) -> tuple[int, int]:
    """A year and quarter from the query string, or (0, 0) if they aren't one."""
    try:
        y, q = int(year or 0), int(quarter or 0)
    except ValueError:
        return 0, 0
    return (y, q) if 1900 < y < 3000 and q in (0, 1, 2, 3, 4) else (0, 0)


def _labels(year: int) -> dict[str, str]:
    fields = {"SEX": "sex", "ETHNIC": "ethnicity", "LS": "legal_status", "PLACE": "placement"}
    return {
        f"{fields[field]}:{code}": f"{code}: {label}"
        for field, codes in code_labels(year, list(fields)).items()
        for code, label in codes.items()
    }


@role_required(*READERS)
@use_replica
def dashboard_page(request: HttpRequest) -> HttpResponse:
    la = request.user.la
    years = dashboard.available_periods(la)
    year, quarter = _period(request, years)
    # Officers work with unsuppressed figures; everything else a reader sees is suppressed.
    suppress = request.user.role != Role.OFFICER
    context: dict[str, object] = {
        "la": la,
        "years": [(y, collection_year_label(y)) for y in years],
        "quarter": quarter,
        "suppress": suppress,
        "suppression_text": SUPPRESSION_TEXT.format(n=threshold() + 1),
        "dimensions": dashboard.DIMENSIONS,
    }
    if (
        year is not None
        and not IndicatorValue.objects.filter(la=la, year=year, quarter=quarter).exists()
    ):
        year = None  # a quarter an in-year extract hasn't reached yet
    if year is None:
        wanted = _ints(request.GET.get("year"), request.GET.get("quarter"))
        context["requested"] = (
            dashboard.period_label(*wanted) if wanted[0] else request.GET.get("year", "")[:20]
        )
        return render(request, "performance/no_data.html", context, status=404 if years else 200)
    context.update(
        {
            "year": year,
            "period": dashboard.period_label(year, quarter),
            "sections": dashboard.build(la, year, quarter, suppress=suppress),
        }
    )
    dimension = request.GET.get("breakdown")
    if dimension in dashboard.DIMENSIONS:
        labels = _labels(year)
        rows = dashboard.breakdown(la, year, quarter, dimension, suppress=suppress)
        context["breakdown"] = {
            "dimension": dimension,
            "title": dashboard.DIMENSIONS[dimension],
            "rows": [(labels.get(f"{dimension}:{k}", k), v) for k, v in rows or []],
        }
        if request.htmx and not request.htmx.history_restore_request:
            return render(request, "performance/dashboard.html#breakdown", context)
    response = render(request, "performance/dashboard.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*READERS)
def glossary(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "performance/glossary.html",
        {
            "sections": [
                (s, [i for i in Indicator.objects.all() if i.section == s]) for s in SECTIONS
            ],
            "suppression_text": SUPPRESSION_TEXT.format(n=threshold() + 1),
            "threshold": threshold(),
        },
    )


@role_required(Role.OFFICER)
def commentary_edit(request: HttpRequest, code: str) -> HttpResponse:
    la = request.user.la
    indicator = get_object_or_404(Indicator, code=code)
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
        quarter = int(request.GET.get("quarter") or request.POST.get("quarter") or 0)
    except ValueError:
        raise Http404 from None
    value = IndicatorValue.objects.filter(
        la=la, indicator=indicator, year=year, quarter=quarter
    ).first()
    if value is None:
        raise Http404
    current = Commentary.objects.filter(
        la=la, indicator=indicator, year=year, quarter=quarter
    ).first()
    stamp = current.updated_at.isoformat() if current else ""
    form = CommentaryForm(
        request.POST or None, initial={"text": current.text if current else "", "seen": stamp}
    )
    back = reverse("dashboard") + f"?year={year}&quarter={quarter}#{indicator.code}"
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            latest = (
                Commentary.objects.select_for_update()
                .filter(la=la, indicator=indicator, year=year, quarter=quarter)
                .first()
            )
            if (latest.updated_at.isoformat() if latest else "") != form.cleaned_data["seen"]:
                form.add_error(
                    "text",
                    "Someone else changed this commentary while you were editing. "
                    "Their version is shown below: copy anything you need and save again.",
                )
                form.data = form.data.copy()
                form.data["text"] = latest.text if latest else ""
                form.data["seen"] = latest.updated_at.isoformat() if latest else ""
            else:
                text = form.cleaned_data["text"].strip()
                if text:
                    saved, _ = Commentary.objects.update_or_create(
                        la=la,
                        indicator=indicator,
                        year=year,
                        quarter=quarter,
                        defaults={"text": text, "updated_by": request.user},
                    )
                    audit.record(
                        user=request.user,
                        action=AuditLog.Action.UPDATE,
                        obj=saved,
                        changed_fields={"text": text[:200]},
                    )
                elif latest:
                    audit.record(user=request.user, action=AuditLog.Action.DELETE, obj=latest)
                    latest.delete()
                return redirect(back)
    return render(
        request,
        "performance/commentary_form.html",
        {
            "form": form,
            "indicator": indicator,
            "year": year,
            "quarter": quarter,
            "period": dashboard.period_label(year, quarter),
            "back": back,
        },
    )


@role_required(*READERS)
@use_replica
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a group the user's own council belongs to; any other is "not found".
    group = get_object_or_404(ComparisonGroup.objects.filter(members=request.user.la_id), pk=pk)
    members = list(group.members.order_by("name"))
    years = sorted(
        set(
            IndicatorValue.objects.filter(la__in=members, quarter=0).values_list("year", flat=True)
        ),
        reverse=True,
    )
    year, _ = _period(request, years)
    context: dict[str, object] = {
        "group": group,
        "members": members,
        "years": [(y, collection_year_label(y)) for y in years],
        "suppression_text": SUPPRESSION_TEXT.format(n=threshold() + 1),
    }
    if year is None:
        context["la"] = request.user.la
        return render(request, "performance/no_data.html", context, status=404 if years else 200)
    # Other councils' figures are always suppressed aggregates, even for officers. The
    # group's readers see no pooled total, so nothing is withheld to protect one.
    rows = england.council_rows(members, year)
    context.update({"year": year, "period": collection_year_label(year), "rows": rows})
    return render(request, "performance/compare.html", context)


@role_required(Role.OFFICER, Role.COUNCIL_ADMIN)
def targets_edit(request: HttpRequest) -> HttpResponse:
    la = request.user.la
    with_data = dashboard.available_periods(la)
    # Targets are set ahead: offer the year after the latest with data too.
    years = sorted({*with_data, (max(with_data) if with_data else 2022) + 1}, reverse=True)
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or years[0])
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    indicators = [i for i in Indicator.objects.all() if i.polarity != "neutral"]
    current = {t.indicator_id: t for t in Target.objects.filter(la=la, year=year)}
    stamp = max((t.updated_at for t in current.values()), default=None)
    stamp_text = stamp.isoformat() if stamp else ""
    errors: dict[str, str] = {}
    values: dict[str, str] = {
        i.code: (f"{current[i.pk].value:g}" if i.pk in current else "") for i in indicators
    }
    if request.method == "POST":
        values = {i.code: request.POST.get(i.code, "").strip() for i in indicators}
        parsed: dict[int, float | None] = {}
        for i in indicators:
            raw = values[i.code]
            if not raw:
                parsed[i.pk] = None
                continue
            try:
                number = float(raw.rstrip("%"))
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors[i.code] = f"Enter the target for {i.title.lower()} as a number, like 57.5"
                continue
            if i.unit == "percent" and not 0 <= number <= 100:
                errors[i.code] = (
                    f"The target for {i.title.lower()} must be a percentage from 0 to 100"
                )
            elif number < 0:
                errors[i.code] = f"The target for {i.title.lower()} can't be negative"
            parsed[i.pk] = number
        if request.POST.get("seen", "") != stamp_text:
            errors["__all__"] = (
                "Someone else changed these targets while you were editing. "
                "The saved targets are shown below: enter your changes again."
            )
            values = {
                i.code: (f"{current[i.pk].value:g}" if i.pk in current else "") for i in indicators
            }
        if not errors:
            with transaction.atomic():
                changed = {}
                for i in indicators:
                    old = current.get(i.pk)
                    new = parsed.get(i.pk)
                    if new is None and old:
                        old.delete()
                        changed[i.code] = None
                    elif new is not None and (old is None or old.value != new):
                        Target.objects.update_or_create(
                            la=la,
                            indicator=i,
                            year=year,
                            defaults={"value": new, "updated_by": request.user},
                        )
                        changed[i.code] = new
                if changed:
                    AuditLog.objects.create(
                        user_id_at_time=request.user.pk,
                        username=request.user.username,
                        la=la,
                        action=AuditLog.Action.UPDATE,
                        object_type="performance.Target",
                        object_id=f"{la.la_code}/{year}",
                        changed_fields=changed,
                    )
                if changed and settings.CP_RENDER_CHARTS:
                    # The year's charts draw the target line: redraw them.
                    render_charts(la, [year], exactly=True)
            messages.success(request, f"Targets for {collection_year_label(year)} saved.")
            return redirect(reverse("targets_edit") + f"?year={year}")
    rows = [(i, values[i.code], errors.get(i.code, "")) for i in indicators]
    return render(
        request,
        "performance/targets.html",
        {
            "la": la,
            "year": year,
            "years": [(y, collection_year_label(y)) for y in years],
            "period": collection_year_label(year),
            "rows": rows,
            "errors": errors,
            "seen": stamp_text,
        },
    )
