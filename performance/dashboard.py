"""Everything a dashboard page shows, read from stored values in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from corporate_parenting.models import LocalAuthority
from performance.catalogue import SECTIONS
from performance.models import Benchmark, Chart, Commentary, Indicator, IndicatorValue, Target
from performance.presentation import (
    NO_FIGURE,
    SUPPRESSED,
    format_change,
    format_value,
    rag,
    suppress_table,
    suppressed,
)
from placements.models import collection_year_label

# The trend chart for each section: the measure the committee reads first.
HEADLINES = {
    "Numbers in care": "cla_at_31_march",
    "Stability and sufficiency": "placed_out_of_area",
    "Health": "oc2_health_assessment",
    "Education": "oc2_convicted",
    "Care leavers": "care_leavers_eet_19_21",
    "Permanence": "ceased_adoption",
    "Missing": "missing_children_pct",
}
DIMENSIONS = {
    "age": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "legal_status": "Legal status",
    "placement": "Placement type",
    "uasc": "Unaccompanied asylum-seeking",
}


def period_label(year: int, quarter: int) -> str:
    return (
        collection_year_label(year) if quarter == 0 else f"Q{quarter} {collection_year_label(year)}"
    )


def previous_period(year: int, quarter: int) -> tuple[int, int]:
    if quarter == 0:
        return year - 1, 0
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def trend_periods(year: int, quarter: int) -> list[tuple[int, int]]:
    """Five years, or eight quarters, ending at the period."""
    if quarter == 0:
        return [(y, 0) for y in range(year - 4, year + 1)]
    periods = [(year, quarter)]
    while len(periods) < 8:
        periods.insert(0, previous_period(*periods[0]))
    return periods


@dataclass
class Shown:
    """A figure as this reader may see it."""

    value: float | None
    text: str
    withheld: bool = False


def show(v: IndicatorValue | None, indicator: Indicator, *, suppress: bool) -> Shown:
    if v is None or v.value is None:
        return Shown(None, NO_FIGURE)
    if (
        suppress
        and indicator.suppress
        and suppressed(unit=indicator.unit, numerator=v.numerator, denominator=v.denominator)
    ):
        return Shown(None, SUPPRESSED, withheld=True)
    return Shown(v.value, format_value(v.value, indicator.unit))


@dataclass
class Tile:
    indicator: Indicator
    shown: Shown
    provisional: bool
    change_text: str = ""
    change_direction: str = ""  # up, down, same
    rag_status: str = ""
    rag_label: str = ""
    target_text: str = ""
    # (who, which year, the figure): each benchmark keeps its own year.
    benchmarks: list[tuple[str, str, str]] = field(default_factory=list)
    commentary: str = ""
    notes: dict[str, object] = field(default_factory=dict)


@dataclass
class Section:
    title: str
    tiles: list[Tile]
    chart_svg: str = ""
    chart_indicator: Indicator | None = None
    chart_rows: list[tuple[str, str]] = field(default_factory=list)


def available_periods(la: LocalAuthority) -> list[int]:
    return sorted(
        set(IndicatorValue.objects.filter(la=la, quarter=0).values_list("year", flat=True)),
        reverse=True,
    )


def _latest_benchmarks(la: LocalAuthority, year: int) -> dict[tuple[str, str], Benchmark]:
    wanted = Benchmark.objects.filter(year__lte=year).filter(
        area__in=[Benchmark.Area.ENGLAND, Benchmark.Area.REGION, Benchmark.Area.NEIGHBOURS]
    )
    latest: dict[tuple[str, str], Benchmark] = {}
    for b in wanted.order_by("year"):
        if b.area == Benchmark.Area.REGION and b.area_code != la.region:
            continue
        if b.area == Benchmark.Area.NEIGHBOURS and b.area_code != la.la_code:
            continue
        latest[(b.indicator_id, b.area)] = b
    return latest


def build(la: LocalAuthority, year: int, quarter: int, *, suppress: bool) -> list[Section]:
    indicators = list(Indicator.objects.all())
    periods = trend_periods(year, quarter)
    prev = previous_period(year, quarter)
    values = {
        (v.indicator_id, v.year, v.quarter): v
        for v in IndicatorValue.objects.filter(la=la, year__gte=periods[0][0], year__lte=year)
    }
    targets = dict(Target.objects.filter(la=la, year=year).values_list("indicator_id", "value"))
    benchmarks = _latest_benchmarks(la, year)
    commentary = dict(
        Commentary.objects.filter(la=la, year=year, quarter=quarter).values_list(
            "indicator_id", "text"
        )
    )
    charts = {
        c.indicator_id: c.svg
        for c in Chart.objects.filter(la=la, year=year, quarterly=quarter != 0)
    }

    sections = []
    for title in SECTIONS:
        tiles = []
        for ind in indicators:
            if ind.section != title:
                continue
            v = values.get((ind.pk, year, quarter))
            if v is None:
                continue
            tiles.append(
                _tile(
                    ind,
                    v,
                    values.get((ind.pk, *prev)),
                    targets,
                    benchmarks,
                    commentary,
                    suppress=suppress,
                    region=la.region,
                )
            )
        if not tiles:
            continue
        section = Section(title, tiles)
        headline = next((i for i in indicators if i.code == HEADLINES.get(title)), None)
        if headline and (quarter == 0 or headline.period_type != "cohort"):
            section.chart_indicator = headline
            section.chart_svg = charts.get(headline.pk, "")
            section.chart_rows = [
                (
                    period_label(*p),
                    show(values.get((headline.pk, *p)), headline, suppress=True).text,
                )
                for p in periods
            ]
        sections.append(section)
    return sections


def _tile(ind, v, before, targets, benchmarks, commentary, *, suppress: bool, region: str) -> Tile:
    shown = show(v, ind, suppress=suppress)
    tile = Tile(ind, shown, v.provisional, notes=v.notes or {})
    earlier = show(before, ind, suppress=suppress) if before else None
    if earlier and earlier.value is not None and shown.value is not None:
        change = shown.value - earlier.value
        tile.change_direction = "up" if change > 0 else "down" if change < 0 else "same"
        label = period_label(before.year, before.quarter)
        tile.change_text = (
            f"no change from {label}"
            if change == 0
            else f"{tile.change_direction} {format_change(change, ind.unit)} from {label}"
        )
    target = targets.get(ind.pk)
    if target is not None:
        tile.target_text = format_value(target, ind.unit)
        if not shown.withheld:
            status = rag(
                value=shown.value, target=target, polarity=ind.polarity, tolerance=ind.tolerance
            )
            tile.rag_status, tile.rag_label = status.status, status.label
    for area, who in (
        ("england", "England"),
        ("neighbours", "Statistical neighbours"),
        ("region", region),
    ):
        b = benchmarks.get((ind.pk, area))
        if b:
            tile.benchmarks.append(
                (who, collection_year_label(b.year), format_value(b.value, ind.unit))
            )
    tile.commentary = commentary.get(ind.pk, "")
    return tile


def breakdown(
    la: LocalAuthority, year: int, quarter: int, dimension: str, *, suppress: bool
) -> list[tuple[str, str]] | None:
    v = (
        IndicatorValue.objects.filter(
            la=la, year=year, quarter=quarter, indicator__code="cla_at_31_march"
        )
        .only("notes")
        .first()
    )
    cells = ((v.notes or {}).get("breakdowns") or {}).get(dimension) if v else None
    if cells is None:
        return None
    ordered = dict(sorted(cells.items(), key=lambda kv: (-kv[1], kv[0])))
    shown = suppress_table(ordered) if suppress else {k: f"{n:,}" for k, n in ordered.items()}
    return list(shown.items())
