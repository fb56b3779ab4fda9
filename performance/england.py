"""England and its regions: every council's stored figures, pooled or side by side.

Read from stored indicator values only (never the episodes), in a fixed number of
queries whatever the number of councils, so the England view answers as fast for 153
councils as for four.

Pooling follows the DfE's practice for an England figure: add up the numerators and the
denominators of the councils with a figure, then divide (a percentage is 100 times that,
a rate per 10,000 children 10,000 times). A count is the sum of the councils' counts. A
figure published without its numerator and denominator can't be pooled, and is left blank.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.text import slugify

from corporate_parenting.models import LocalAuthority, Region
from performance import dashboard
from performance.models import Indicator, IndicatorValue
from performance.presentation import (
    NO_FIGURE,
    SUPPRESSED,
    format_value,
    second_to_withhold,
    suppressed,
)

SCALE = {"percent": 100.0, "rate": 10_000.0, "days": 1.0, "score": 1.0}
ENGLAND = "England"


def region_for_slug(slug: str) -> Region | None:
    return next((r for r in Region if slugify(r.label) == slug), None)


def years_with_figures() -> list[int]:
    return list(
        IndicatorValue.objects.filter(quarter=0)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass
class Pooled:
    councils: int = 0  # councils with a figure
    value_sum: float = 0.0
    numerator: float = 0.0
    denominator: float = 0.0
    pairs: int = 0  # councils whose figure has both a numerator and a denominator

    def add(self, other: Pooled) -> None:
        self.councils += other.councils
        self.value_sum += other.value_sum
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.pairs += other.pairs

    def shown(self, indicator: Indicator) -> dashboard.Shown:
        """The pooled figure as a reader may see it (small pooled counts withheld)."""
        if not self.councils:
            return dashboard.Shown(None, NO_FIGURE)
        if indicator.unit == "count":
            value, numerator, denominator = self.value_sum, self.value_sum, None
        elif self.pairs == self.councils and self.denominator:
            value = SCALE[indicator.unit] * self.numerator / self.denominator
            numerator, denominator = self.numerator, self.denominator
        else:
            return dashboard.Shown(None, NO_FIGURE)
        if indicator.suppress and suppressed(
            unit=indicator.unit, numerator=numerator, denominator=denominator
        ):
            return dashboard.Shown(None, SUPPRESSED, withheld=True)
        return dashboard.Shown(value, format_value(value, indicator.unit))


def england_rows(year: int) -> tuple[list[str], list[tuple[Indicator, list[dashboard.Shown]]]]:
    """Columns (England, then each region) and a row of pooled figures per indicator."""
    both = Q(numerator__isnull=False, denominator__isnull=False)
    pooled: dict[tuple[int, str], Pooled] = {}
    for row in (
        IndicatorValue.objects.filter(year=year, quarter=0, value__isnull=False)
        .values("indicator_id", "la__region")
        .annotate(
            councils=Count("id"),
            value_sum=Sum("value"),
            num_sum=Sum("numerator", filter=both),
            den_sum=Sum("denominator", filter=both),
            pairs=Count("id", filter=both),
        )
    ):
        part = Pooled(
            row["councils"],
            row["value_sum"] or 0.0,
            row["num_sum"] or 0.0,
            row["den_sum"] or 0.0,
            row["pairs"],
        )
        pooled[(row["indicator_id"], row["la__region"])] = part
        pooled.setdefault((row["indicator_id"], ENGLAND), Pooled()).add(part)
    columns = [ENGLAND, *(r.value for r in Region)]
    rows = []
    for indicator in Indicator.objects.all():
        cells = [pooled.get((indicator.pk, c), Pooled()).shown(indicator) for c in columns]
        if any(c.value is not None or c.withheld for c in cells):
            rows.append((indicator, cells))
    return columns, rows


def council_rows(
    members: list[LocalAuthority], year: int, *, beside_a_total: bool = False
) -> list[tuple[Indicator, list[dashboard.Shown]]]:
    """Each council's suppressed figures for the year, side by side, a row per indicator.

    `beside_a_total`: the members make up a pooled total their reader can also see (a
    region's, in the England view). Then, where exactly one council's count in a row is
    withheld, it could be worked out by subtraction, so the next smallest goes too.
    """
    indicators = {i.pk: i for i in Indicator.objects.all()}
    by_council: dict[int, dict] = {m.pk: {} for m in members}
    for v in IndicatorValue.objects.filter(la__in=members, year=year, quarter=0).defer("notes"):
        by_council[v.la_id][(v.indicator_id, v.year, v.quarter)] = v
    hidden = {m.pk: dashboard.withheld_keys(by_council[m.pk], indicators) for m in members}
    rows = []
    for indicator in indicators.values():
        key = (indicator.pk, year, 0)
        if beside_a_total and indicator.unit == "count":
            counts = {
                m.pk: by_council[m.pk][key].value or 0
                for m in members
                if key in by_council[m.pk] and by_council[m.pk][key].value is not None
            }
            withheld = {m.pk for m in members if key in hidden[m.pk]}
            second = second_to_withhold(counts, withheld)
            if second is not None:
                hidden[second].add(key)
        cells = [
            dashboard.show(by_council[m.pk].get(key), indicator, withheld=key in hidden[m.pk])
            for m in members
        ]
        if any(c.value is not None or c.withheld for c in cells):
            rows.append((indicator, cells))
    return rows
