from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from corporate_parenting.models import LocalAuthority, Population
from performance import indicators, oversight
from performance.catalogue import BY_CODE, CATALOGUE
from performance.models import Indicator, IndicatorValue
from placements.models import (
    SAVED,
    Import,
    collection_year_bounds,
    collection_year_label,
    imported_years,
)


def sync_catalogue() -> dict[str, Indicator]:
    """Make the Indicator table match performance.catalogue; returns them by code.

    Safe to run in several processes at once (recomputes for different councils in
    parallel): a missing indicator is inserted with ON CONFLICT DO NOTHING, so the
    second process waits for the first's row rather than failing on the unique code,
    and rows are changed in the catalogue's order, so two can't deadlock.
    """
    existing = {i.code: i for i in Indicator.objects.all()}
    missing = []
    for order, d in enumerate(CATALOGUE):
        fields = {
            "title": d.title,
            "definition": d.definition,
            "unit": d.unit,
            "polarity": d.polarity,
            "period_type": d.period_type,
            "section": d.section,
            "source": d.source,
            "suppress": d.suppress,
            "version": d.version,
            "england_benchmark": d.england_benchmark,
            "tolerance": d.tolerance,
            "order": order,
        }
        current = existing.get(d.code)
        if current is None:
            missing.append(Indicator(code=d.code, **fields))
        elif any(getattr(current, k) != v for k, v in fields.items()):
            Indicator.objects.filter(pk=current.pk).update(**fields)
    if missing:
        Indicator.objects.bulk_create(missing, ignore_conflicts=True)
    return {i.code: i for i in Indicator.objects.all()}


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """Quarter 1 of 2022 (2021/22) is April to June 2021; quarter 4 is January to March 2022."""
    if quarter == 0:
        return collection_year_bounds(year)
    starts = {1: (year - 1, 4), 2: (year - 1, 7), 3: (year - 1, 10), 4: (year, 1)}
    ends = {1: (year - 1, 6, 30), 2: (year - 1, 9, 30), 3: (year - 1, 12, 31), 4: (year, 3, 31)}
    y, m = starts[quarter]
    return dt.date(y, m, 1), dt.date(*ends[quarter])


def years_with_data(la: LocalAuthority) -> list[int]:
    return imported_years(la.pk)


def latest_import(la: LocalAuthority, year: int) -> Import | None:
    return Import.objects.filter(la=la, year=year, status__in=SAVED).first()


def compute_year(
    la: LocalAuthority, year: int, latest: Import | None
) -> dict[int, dict[str, indicators.Figure]]:
    """Every indicator for the year (quarter 0) and, for stock and flow, each quarter.

    `latest` is the year's latest saved import: an in-year extract (as_at) limits it.
    """
    as_at = latest.as_at if latest else None
    population = (
        Population.objects.filter(la=la, year=year - 1)
        .values_list("population_0_17", flat=True)
        .first()
    )
    loaded = oversight.preload(la, [year])
    from returns import figures as returns_figures  # the quarterly returns' indicators

    returns_loaded = returns_figures.preload(la, [year])
    results: dict[int, dict[str, indicators.Figure]] = {}
    for quarter, start, end in periods(year, latest):
        figures = indicators.stock(
            la=la.pk, ons=la.ons_code, d=end, year=year, population=population
        )
        figures.update(indicators.flow(la=la.pk, s=start, d=end, population=population))
        if quarter == 0 and not as_at:
            figures.update(indicators.cohorts(la=la.pk, s=start, d=end, year=year))
        figures.update(oversight.figures(la, start, end, loaded=loaded))
        figures.update(returns_figures.figures(la, start, end, loaded=returns_loaded))
        results[quarter] = {
            code: figure
            for code, figure in figures.items()
            if year >= BY_CODE[code].first_year
            and (quarter == 0 or BY_CODE[code].period_type != "cohort")
        }
    return results


def periods(year: int, latest: Import | None) -> list[tuple[int, dt.date, dt.date]]:
    """The year (quarter 0) and its quarters as (quarter, start, end); an in-year
    extract (the latest import's `as_at`) cuts them short and leaves out later ones."""
    as_at = latest.as_at if latest else None
    result = []
    for quarter in (0, 1, 2, 3, 4):
        start, end = quarter_bounds(year, quarter)
        if as_at and start > as_at:
            continue
        result.append((quarter, start, min(end, as_at) if as_at else end))
    return result


def value_rows(
    la: LocalAuthority,
    year: int,
    latest: Import | None,
    results: dict[int, dict[str, indicators.Figure]],
    catalogue: dict[str, Indicator],
) -> list[IndicatorValue]:
    """The rows storing one year's figures ({quarter: {code: Figure}})."""
    now = timezone.now()
    return [
        IndicatorValue(
            la=la,
            indicator=catalogue[code],
            version=catalogue[code].version,
            year=year,
            quarter=quarter,
            numerator=f.numerator,
            denominator=f.denominator,
            value=f.value,
            notes=f.notes,
            provisional=bool(latest and latest.as_at),
            computed_at=now,
            source_import=latest,
        )
        for quarter, figures in results.items()
        for code, f in figures.items()
    ]


@transaction.atomic
def refresh_part(
    la: LocalAuthority,
    *,
    codes: Iterable[str],
    preload: Callable[[LocalAuthority, list[int]], object],
    figures: Callable[..., dict[str, indicators.Figure]],
) -> int:
    """Recompute one source's indicators (say, the inspection records') for every year
    the council has data, leaving the rest alone; returns the values stored.

    `preload(la, years)` loads the source's records once; `figures(la, start, end,
    loaded=...)` gives one period's figures from them.
    """
    lock_indicators(la)
    catalogue = sync_catalogue()
    years = years_with_data(la)
    loaded = preload(la, years)
    rows = []
    for year in years:
        latest = latest_import(la, year)
        results = {q: figures(la, s, e, loaded=loaded) for q, s, e in periods(year, latest)}
        rows += value_rows(la, year, latest, results, catalogue)
    IndicatorValue.objects.filter(la=la, indicator__code__in=list(codes)).delete()
    IndicatorValue.objects.bulk_create(rows)
    return len(rows)


def once_after_commit(key: str, la_id: int | None, run: Callable[[int], object]) -> None:
    """Run `run(la_id)` once after the transaction commits, however often it is asked
    for in it; a rolled-back transaction runs nothing. Robust: the change itself has
    committed, so a failure is logged (and mended by the next refresh or
    `recompute_indicators`), never shown as a failed save."""
    if la_id is None:
        return
    conn = transaction.get_connection()
    for _, queued, *_ in conn.run_on_commit:
        if getattr(queued, "queued_for", None) == (key, la_id) and not queued.done:
            return

    def callback() -> None:
        callback.done = True
        run(la_id)

    callback.queued_for, callback.done = (key, la_id), False
    transaction.on_commit(callback, robust=True)


def lock_indicators(la: LocalAuthority) -> None:
    """Hold the council's indicator values until this transaction ends.

    Recomputes replace a council's values (delete, then insert): two at once, say an
    import's and an officer's save, would collide. Taken before computing, so the
    second computes from what the first committed.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(4401, %s)", [la.pk])


@transaction.atomic
def recompute(
    la: LocalAuthority, years: Iterable[int] | None = None, *, charts: bool = True
) -> dict[str, object]:
    """Recompute and store a council's indicators for the given years (default: all),
    then re-render the trend charts that show them."""
    lock_indicators(la)
    started = time.perf_counter()
    catalogue = sync_catalogue()
    wanted = sorted(set(years) if years is not None else years_with_data(la))
    rows = []
    for year in wanted:
        latest = latest_import(la, year)
        rows += value_rows(la, year, latest, compute_year(la, year, latest), catalogue)
    IndicatorValue.objects.filter(la=la, year__in=wanted).delete()
    IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    computed = time.perf_counter() - started
    rendered = render_charts(la, wanted) if charts and settings.CP_RENDER_CHARTS else 0
    return {
        "years": wanted,
        "values": len(rows),
        "seconds": computed,
        "charts": rendered,
        "chart_seconds": time.perf_counter() - started - computed,
    }


def values_as_json(la: LocalAuthority, year: int, quarter: int = 0) -> dict[str, dict[str, object]]:
    result = {}
    for v in IndicatorValue.objects.filter(la=la, year=year, quarter=quarter).select_related(
        "indicator"
    ):
        result[v.indicator.code] = {
            "numerator": v.numerator,
            "denominator": v.denominator,
            "value": v.value,
        }
    return dict(sorted(result.items()))


def render_charts(
    la: LocalAuthority,
    years: Iterable[int],
    *,
    exactly: bool = False,
    codes: Iterable[str] | None = None,
) -> int:
    """Render and store each section's trend charts for the given years (and the years
    whose five-year trend includes them); `codes` limits it to those headline indicators.
    Suppressed figures are gaps: charts are shown to councillors and printed in reports."""
    from performance import charts, dashboard
    from performance.models import Benchmark, Chart, Target

    have = set(years_with_data(la))
    wanted = sorted((set(years) if exactly else {y + k for y in years for k in range(5)}) & have)
    if not wanted:
        return 0
    wanted_codes = set(dashboard.HEADLINES.values())
    if codes is not None:
        wanted_codes &= set(codes)
    headlines = {i.code: i for i in Indicator.objects.filter(code__in=wanted_codes)}
    values = {
        (v.indicator_id, v.year, v.quarter): v
        for v in IndicatorValue.objects.filter(
            la=la, indicator__in=headlines.values(), year__gte=min(wanted) - 4
        ).defer("notes")
    }
    hidden = dashboard.withheld_keys(values, {i.pk: i for i in headlines.values()})
    targets = {
        (t.indicator_id, t.year): t.value
        for t in Target.objects.filter(la=la, indicator__in=headlines.values())
    }
    england = {
        (b.indicator_id, b.year): b.value
        for b in Benchmark.objects.filter(area="england", indicator__in=headlines.values())
    }
    rendered = []
    for year in wanted:
        for indicator in headlines.values():
            for quarterly in (False, True):
                if quarterly and indicator.period_type == "cohort":
                    continue
                periods = dashboard.trend_periods(year, 4 if quarterly else 0)
                points, withheld = [], []
                for p in periods:
                    label, key = dashboard.period_label(*p), (indicator.pk, *p)
                    shown = dashboard.show(values.get(key), indicator, withheld=key in hidden)
                    points.append((label, shown.value))
                    if shown.withheld:
                        withheld.append(label)
                bench_year = max(
                    (y for i, y in england if i == indicator.pk and y <= year), default=None
                )
                rendered.append(
                    Chart(
                        la=la,
                        indicator=indicator,
                        year=year,
                        quarterly=quarterly,
                        svg=charts.trend_svg(
                            title=f"{indicator.title}, {dashboard.period_label(*periods[0])} to "
                            f"{dashboard.period_label(*periods[-1])}",
                            points=points,
                            unit=indicator.unit,
                            # An annual target isn't a line for quarterly flows.
                            target=None
                            if quarterly and indicator.period_type == "flow"
                            else targets.get((indicator.pk, year)),
                            benchmark=(
                                (
                                    f"England {collection_year_label(bench_year)}",
                                    england[(indicator.pk, bench_year)],
                                )
                                if bench_year and indicator.unit != "count"
                                else None
                            ),
                            chart_id=_chart_id(indicator.code, year, quarterly),
                            withheld=tuple(withheld),
                        ),
                    )
                )
    Chart.objects.filter(la=la, year__in=wanted, indicator__in=headlines.values()).delete()
    Chart.objects.bulk_create(rendered)
    return len(rendered)


def _chart_id(code: str, year: int, quarterly: bool) -> str:
    return f"chart-{code.replace('_', '-')}-{year}" + ("-quarters" if quarterly else "")
