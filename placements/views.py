from __future__ import annotations

import csv
import datetime as dt
import shutil

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from committee.exports import neutralise
from corporate_parenting import audit
from corporate_parenting.access import get_for_council_or_404, role_required
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import AuditLog, Role
from placements.codelists import code_labels
from placements.forms import UploadReturnForm
from placements.importer import close_interrupted_imports, upload_folder
from placements.models import (
    AD1,
    OC2,
    OC3,
    UASC,
    Child,
    Episode,
    Import,
    Missing,
    Review,
    collection_year_bounds,
    collection_year_label,
    imported_years,
)
from placements.tasks import import_uploaded_return

# --- imports ------------------------------------------------------------------------------


@role_required(Role.OFFICER)
def import_list(request: HttpRequest) -> HttpResponse:
    close_interrupted_imports(request.user.la_id)
    imports = Import.objects.filter(la_id=request.user.la_id).select_related("user")[:100]
    return render(request, "placements/import_list.html", {"imports": imports})


@role_required(Role.OFFICER)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadReturnForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = Import.objects.create(
            la_id=request.user.la_id,
            year=form.cleaned_data["year"],
            mode=Import.Mode.SKIP_INVALID
            if form.cleaned_data["skip_invalid"]
            else Import.Mode.STRICT,
            user=request.user,
            source="browser",
            files=[{"name": f.name, "bytes": f.size} for f in form.cleaned_data["files"]],
            stage="Waiting to start",
        )
        folder = upload_folder(run.pk)
        shutil.rmtree(folder, ignore_errors=True)  # a leftover from a reset database
        folder.mkdir(mode=0o700)
        for index, upload in enumerate(form.cleaned_data["files"]):
            # Stored by position only: the names (kept in run.files) can be anything.
            with (folder / f"{index:02d}.csv").open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        audit.record(
            user=request.user,
            action=AuditLog.Action.CREATE,
            obj=run,
            changed_fields={
                "year": run.year_label,
                "mode": run.get_mode_display(),
                "files": [f["name"] for f in run.files],
            },
            detail=f"SSDA903 upload for {run.year_label}: {len(form.cleaned_data['files'])} files",
        )
        import_uploaded_return.enqueue(run.pk)
        return redirect("import_detail", pk=run.pk)
    return render(request, "placements/import_upload.html", {"form": form})


@role_required(Role.OFFICER)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    close_interrupted_imports(request.user.la_id)  # so a dead import stops "running"
    run = get_for_council_or_404(Import.objects.select_related("user"), request.user, pk=pk)
    problems = run.problems.order_by("id")
    context = {
        "run": run,
        "errors": Paginator(problems.filter(severity="error"), 250).get_page(
            request.GET.get("page")
        ),
        "warnings": problems.filter(severity="warning")[:500],
    }
    partial = request.htmx and not request.htmx.history_restore_request
    if partial and not run.finished:
        return render(request, "placements/import_detail.html#progress", context)
    if partial:
        # Finished while the page was polling: reload the whole page for the result.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    # The problems listed quote the return's cells: children's identifiers and dates.
    audit.record(user=request.user, action=AuditLog.Action.VIEW, obj=run)
    return render(request, "placements/import_detail.html", context)


@role_required(Role.OFFICER)
@require_GET
def import_problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_for_council_or_404(Import.objects.all(), request.user, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="import-{run.pk}-{run.la.la_code}-{run.year}-problems.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["severity", "file", "row", "column", "value", "message"])
    for p in run.problems.order_by("id").iterator():
        writer.writerow(
            [
                p.severity,
                neutralise(p.file),
                p.row or "",
                p.column,
                neutralise(p.value),
                neutralise(p.message),
            ]
        )
    # Problems can carry child identifiers and dates of birth: exports are audited.
    audit.record(
        user=request.user,
        action=AuditLog.Action.EXPORT,
        obj=run,
        detail=f"problems CSV for import {run.pk}",
    )
    return response


# --- children -----------------------------------------------------------------------------

AGE_BANDS = {
    "under1": ("Under 1", 0, 0),
    "1-4": ("1 to 4", 1, 4),
    "5-9": ("5 to 9", 5, 9),
    "10-15": ("10 to 15", 10, 15),
    "16plus": ("16 and over", 16, 25),
}


def _filtered_children(request: HttpRequest, la_id: int, as_at: dt.date, year: int):
    episodes: QuerySet[Episode] = (
        Episode.objects.filter(la_id=la_id, decom__lte=as_at)
        .filter(Q(dec__isnull=True) | Q(dec__gt=as_at))
        .select_related("child")
        .annotate(is_uasc=Exists(UASC.objects.filter(child_id=OuterRef("child_id"), year=year)))
        # One row a child, even where a contradictory history leaves two open episodes.
        .order_by("child__child_id", "-decom")
        .distinct("child__child_id")
    )
    g = request.GET
    if g.get("ls"):
        episodes = episodes.filter(ls=g["ls"])
    if g.get("place"):
        episodes = episodes.filter(place=g["place"])
    if g.get("provider"):
        episodes = episodes.filter(place_provider=g["provider"])
    if g.get("out_of_area") == "yes":
        episodes = episodes.filter(placement_la_ons__gt="").exclude(
            placement_la_ons=request.user.la.ons_code
        )
    if g.get("far") == "yes":
        episodes = episodes.filter(distance_miles__gt=20)
    if g.get("uasc") == "yes":
        episodes = episodes.filter(is_uasc=True)
    if g.get("sex"):
        episodes = episodes.filter(child__sex=g["sex"])
    if g.get("ethnic"):
        episodes = episodes.filter(child__ethnic=g["ethnic"])
    band = AGE_BANDS.get(g.get("age", ""))
    if band:
        _, low, high = band
        # Age at the as-at date between low and high: born in this window.
        latest_dob = dt.date(as_at.year - low, as_at.month, as_at.day)
        earliest_dob = dt.date(as_at.year - high - 1, as_at.month, as_at.day) + dt.timedelta(1)
        episodes = episodes.filter(child__dob__lte=latest_dob, child__dob__gte=earliest_dob)
    return episodes


def _audit_children_page(request: HttpRequest, page: Page, year: int) -> None:
    """A page of the list shows children's identifiers: log which, and with what filters."""
    shown = [episode.child_id for episode in page.object_list]
    if not shown:
        return
    filters = "&".join(
        f"{k}={v}" for k, v in sorted(request.GET.items()) if k not in {"year", "page"}
    )
    audit.record_about(
        user=request.user,
        action=AuditLog.Action.VIEW,
        object_type=Child._meta.label,
        changed_fields={"children shown (record ids)": shown},
        detail=f"children list {collection_year_label(year)}, page {page.number}"
        + (f"; filters: {filters}" if filters else ""),
    )


@role_required(Role.OFFICER)
def children_list(request: HttpRequest) -> HttpResponse:
    la_id = request.user.la_id
    years = imported_years(la_id)[::-1]
    # Only a year with an import is shown: any other (or none, or "-1") means the latest.
    year = whole_number(request.GET.get("year"))
    if year not in years:
        year = years[0] if years else 0
    context: dict[str, object] = {"years": [(y, collection_year_label(y)) for y in years]}
    if year:
        as_at = collection_year_bounds(year)[1]
        episodes = _filtered_children(request, la_id, as_at, year)
        page = Paginator(episodes, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        _audit_children_page(request, page, year)
        lists = code_labels(year, ["LS", "PLACE", "PLACE_PROVIDER", "SEX", "ETHNIC"])
        context.update(
            {
                "year": year,
                "year_label": collection_year_label(year),
                "as_at": as_at,
                "page": page,
                "query": query.urlencode(),
                "filters": request.GET,
                "choices": {
                    "ls": list(lists["LS"].items()),
                    "place": list(lists["PLACE"].items()),
                    "provider": list(lists["PLACE_PROVIDER"].items()),
                    "sex": list(lists["SEX"].items()),
                    "ethnic": list(lists["ETHNIC"].items()),
                    "age": [(k, v[0]) for k, v in AGE_BANDS.items()],
                },
            }
        )
    template = "placements/children_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(Role.OFFICER)
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_for_council_or_404(Child.objects.select_related("la"), request.user, pk=pk)
    audit.record(user=request.user, action=AuditLog.Action.VIEW, obj=child)
    context = {
        "child": child,
        "labels": code_labels(child.last_year),
        "periods": child.periods.prefetch_related("placements").order_by("start"),
        "episodes": child.episodes.order_by("decom"),
        "missing": Missing.objects.filter(child=child).order_by("mis_start"),
        "reviews": Review.objects.filter(child=child).order_by("review"),
        "oc2": OC2.objects.filter(child=child).order_by("year"),
        "oc3": OC3.objects.filter(child=child).order_by("year"),
        "ad1": AD1.objects.filter(child=child).order_by("year"),
        "uasc": UASC.objects.filter(child=child).order_by("year"),
    }
    return render(request, "placements/child_detail.html", context)
