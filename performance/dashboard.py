"""Everything a dashboard page shows, read from stored values in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from corporate_parenting.models import LocalAuthority
from performance.catalogue import SECTIONS
from performance.indicators import AGE_BANDS as AGE_BAND_ORDER
from performance.models import Benchmark, Chart, Commentary, Indicator, IndicatorValue, Target
from performance.presentation import (
    NO_FIGURE,
    SUPPRESSED,
    format_change,
    format_value,
    is_small,
    rag,
    second_to_withhold,
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
    "Children's homes and inspections": "reg44_on_time_pct",
    "Fostering and permanence": "foster_approvals",
    "Residential staffing and placement costs": "residential_vacancy_rate_pct",
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


def primary_withheld(v: IndicatorValue, indicator: Indicator) -> bool:
    return indicator.suppress and suppressed(
        unit=indicator.unit, numerator=v.numerator, denominator=v.denominator
    )


PERMANENCE_PARTS = ("ceased_adoption", "ceased_sgo", "ceased_cao", "ceased_reunification")
Key = tuple[int, int, int]  # indicator pk, year, quarter


def withheld_keys(values: dict[Key, IndicatorValue], indicators: dict[int, Indicator]) -> set[Key]:
    """Every figure a reader of suppressed figures mustn't see, or be able to work out.

    Beyond small counts: the permanence rate over the shown total would give away a
    withheld part, so it goes too; and a flow's quarters add up to its year, so one
    withheld quarter takes the next smallest with it (secondary suppression).
    """
    withheld = {
        k for k, v in values.items() if k[0] in indicators and primary_withheld(v, indicators[k[0]])
    }
    by_code = {i.code: i.pk for i in indicators.values()}
    rate = by_code.get("permanence_rate")
    if rate is not None:
        parts = [by_code[c] for c in PERMANENCE_PARTS if c in by_code]
        for _, year, quarter in list(values):
            if any((part, year, quarter) in withheld for part in parts):
                withheld.add((rate, year, quarter))
    for pk, indicator in indicators.items():
        if indicator.period_type != "flow" or indicator.unit != "count":
            continue
        for year in {y for (p, y, _) in values if p == pk}:
            quarters = {
                (pk, year, q): values[(pk, year, q)].value or 0
                for q in (1, 2, 3, 4)
                if (pk, year, q) in values
            }
            second = second_to_withhold(quarters, withheld)
            if second is not None:
                withheld.add(second)
    return withheld


@dataclass
class Shown:
    """A figure as this reader may see it."""

    value: float | None
    text: str
    withheld: bool = False


def show(v: IndicatorValue | None, indicator: Indicator, *, withheld: bool) -> Shown:
    if v is None or v.value is None:
        return Shown(None, NO_FIGURE)
    if withheld:
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


class Sections(list):
    """The dashboard's sections; `returns_panels` carries the quarterly returns' panels."""

    returns_panels: object = None


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


def _latest_benchmarks(la: LocalAuthority, year: int) -> dict[tuple[int, str], Benchmark]:
    wanted = Benchmark.objects.filter(year__lte=year).filter(
        Q(area=Benchmark.Area.ENGLAND)
        | Q(area=Benchmark.Area.REGION, area_code=la.region)
        | Q(area=Benchmark.Area.NEIGHBOURS, area_code=la.la_code)
    )
    return {(b.indicator_id, b.area): b for b in wanted.order_by("year")}


def build(la: LocalAuthority, year: int, quarter: int, *, suppress: bool) -> Sections:
    indicators = list(Indicator.objects.all())
    by_pk = {i.pk: i for i in indicators}
    # The quarterly chart and its table both cover the eight quarters to Q4 of the year.
    periods = trend_periods(year, 4 if quarter else 0)
    prev = previous_period(year, quarter)
    values = {
        (v.indicator_id, v.year, v.quarter): v
        for v in IndicatorValue.objects.filter(
            la=la, year__gte=min(periods[0][0], prev[0]), year__lte=year
        ).defer("notes")
    }
    hidden = withheld_keys(values, by_pk)

    def shown(ind: Indicator, key: tuple[int, int], *, public: bool = False) -> Shown:
        full = (ind.pk, *key)
        return show(values.get(full), ind, withheld=(suppress or public) and full in hidden)

    notes = dict(
        IndicatorValue.objects.filter(la=la, year=year, quarter=quarter).values_list(
            "indicator_id", "notes"
        )
    )
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
            v = values.get((ind.pk, year, quarter))
            if ind.section != title or v is None:
                continue
            tile = Tile(ind, shown(ind, (year, quarter)), v.provisional)
            _describe_change(tile, shown(ind, prev), prev)
            target = targets.get(ind.pk)
            # An annual target says nothing about one quarter's flow, or a part-year.
            comparable = quarter == 0 or ind.period_type != "flow"
            if target is not None and comparable and not v.provisional:
                tile.target_text = format_value(target, ind.unit)
                if not tile.shown.withheld:
                    status = rag(
                        value=tile.shown.value,
                        target=target,
                        polarity=ind.polarity,
                        tolerance=ind.tolerance,
                    )
                    tile.rag_status, tile.rag_label = status.status, status.label
            tile.benchmarks = _benchmarks_for(ind, benchmarks, la.region)
            tile.commentary = commentary.get(ind.pk, "")
            left_out = (notes.get(ind.pk) or {}).get("period_start_not_in_data")
            if left_out and not (suppress and is_small(left_out)):
                tile.notes = {"period_start_not_in_data": left_out}
            tiles.append(tile)
        if not tiles:
            continue
        section = Section(title, tiles)
        headline = next((i for i in indicators if i.code == HEADLINES.get(title)), None)
        if headline and (quarter == 0 or headline.period_type != "cohort"):
            section.chart_indicator = headline
            section.chart_svg = charts.get(headline.pk, "")
            # Charts and their tables are shown to councillors too: always suppressed.
            section.chart_rows = [
                (period_label(*p), shown(headline, p, public=True).text) for p in periods
            ]
        sections.append(section)
    from returns.figures import panels  # built from what is loaded here: no queries

    result = Sections(sections)
    result.returns_panels = panels(
        year=year,
        quarter=quarter,
        suppress=suppress,
        indicators=indicators,
        values=values,
        hidden=hidden,
        targets=targets,
        notes=notes,
    )
    return result


def _describe_change(tile: Tile, earlier: Shown, prev: tuple[int, int]) -> None:
    if earlier.value is None or tile.shown.value is None:
        return
    change = tile.shown.value - earlier.value
    tile.change_direction = "up" if change > 0 else "down" if change < 0 else "same"
    label = period_label(*prev)
    tile.change_text = (
        f"no change from {label}"
        if change == 0
        else f"{tile.change_direction} {format_change(change, tile.indicator.unit)} from {label}"
    )


def _benchmarks_for(ind: Indicator, benchmarks, region: str) -> list[tuple[str, str, str]]:
    # A council's count beside England's total compares nothing: counts show no benchmark.
    if ind.unit == "count":
        return []
    found = []
    for area, who in (
        ("england", "England"),
        ("neighbours", "Statistical neighbours"),
        ("region", region),
    ):
        b = benchmarks.get((ind.pk, area))
        if b:
            found.append((who, collection_year_label(b.year), format_value(b.value, ind.unit)))
    return found


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
    # A fixed order: sorting by size would hint at where a withheld cell ranks.
    order = [band for band, *_ in AGE_BAND_ORDER] if dimension == "age" else sorted(cells)
    ordered = {k: cells[k] for k in order if k in cells}
    shown = suppress_table(ordered) if suppress else {k: f"{n:,}" for k, n in ordered.items()}
    return list(shown.items())
