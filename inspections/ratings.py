"""How a council's own children's homes stand with Ofsted: query helpers for pages and reports.

Everything here reads; nothing writes. Functions that take one setting read its
inspections and closure periods through `with_inspections`' prefetch when the setting
came from it, so a list of homes costs a fixed number of queries however many homes
there are:

    homes = with_inspections(council_homes(la))
    for home in homes:
        latest_full_inspection(home, today)  # no query
        next_inspection_due(home, today)  # no query

Without the prefetch each call makes its own queries, which is fine for one home.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from corporate_parenting.models import LocalAuthority
from inspections import closures
from inspections.models import (
    Grade,
    InspectionType,
    Setting,
    SettingInspection,
    SettingJudgement,
    SettingStatus,
    SettingType,
)

HOME_TYPES = (SettingType.CHILDRENS_HOME, SettingType.SECURE_CHILDRENS_HOME)

# Inspections that restart Ofsted's clock for a home: monitoring inspections and
# assurance visits are extra visits, not part of the inspection cycle.
CYCLE_TYPES = (InspectionType.FULL, InspectionType.INTERIM)

DUE_SOON_MONTHS = 3


def council_homes(la: LocalAuthority | int) -> QuerySet[Setting]:
    """The children's homes and secure children's homes the council runs, any status."""
    return Setting.objects.filter(run_by_council=la, setting_type__in=HOME_TYPES).order_by(
        "name", "urn"
    )


def inspections_prefetch() -> Prefetch:
    """Prefetch for `Setting.inspections`: newest first, judgements with area and grade."""
    return Prefetch(
        "inspections",
        queryset=SettingInspection.objects.select_related("framework")
        .prefetch_related(
            Prefetch(
                "judgements",
                queryset=SettingJudgement.objects.select_related("area", "grade").order_by(
                    "area__order"
                ),
            )
        )
        .order_by("-date", "-pk"),
    )


def with_inspections(settings: QuerySet[Setting]) -> QuerySet[Setting]:
    """The settings with every inspection, judgement and closure period loaded, for the
    helpers below."""
    return settings.prefetch_related(inspections_prefetch(), closures.prefetch())


def inspections_of(setting: Setting) -> list[SettingInspection]:
    """The setting's inspections, newest first (from the prefetch when there is one)."""
    cache = getattr(setting, "_prefetched_objects_cache", {})
    if "inspections" in cache:
        inspections = list(cache["inspections"])
    else:
        inspections = list(
            setting.inspections.prefetch_related("judgements__area", "judgements__grade")
        )
    return sorted(inspections, key=lambda i: (i.date, i.pk), reverse=True)


def latest_full_inspection(setting: Setting, on: dt.date) -> SettingInspection | None:
    """The latest full inspection dated on or before `on` that has an overall judgement."""
    for inspection in inspections_of(setting):
        if (
            inspection.date <= on
            and inspection.inspection_type == InspectionType.FULL
            and inspection.overall_grade is not None
        ):
            return inspection
    return None


def later_interim(
    setting: Setting, after: SettingInspection | None, on: dt.date
) -> SettingInspection | None:
    """The latest interim inspection on or before `on` and after the full inspection `after`."""
    for inspection in inspections_of(setting):
        if (
            inspection.inspection_type == InspectionType.INTERIM
            and inspection.date <= on
            and (after is None or inspection.date > after.date)
        ):
            return inspection
    return None


def is_closed_on(setting: Setting, on: dt.date) -> bool:
    """Whether the home was closed (temporarily or for good) on `on`.

    Read from the home's closure periods (inspections.closures), so a past date gets
    the answer that was true then: a home that has since reopened counts as closed
    while it was, and one closed for good after a temporary closure counts as closed
    from the day it first closed.
    """
    return closures.closed_on(setting, on)


def homes_good_or_better(
    la: LocalAuthority | int, on: dt.date, *, homes: list[Setting] | None = None
) -> tuple[int, int]:
    """(good or better, rated) over the council's homes open on `on`.

    `homes`, the council's homes loaded `with_inspections`, saves reloading them when
    this is asked for many dates.

    A home is rated when it has a full inspection with an overall grade dated on or
    before `on`; the grade's `good_or_better` decides the first number. Homes closed on
    `on` (see `is_closed_on`) and homes never rated are left out of both numbers.
    """
    good = rated = 0
    for home in homes if homes is not None else with_inspections(council_homes(la)):
        if is_closed_on(home, on):
            continue
        inspection = latest_full_inspection(home, on)
        if inspection is None:
            continue
        rated += 1
        good += inspection.overall_grade.good_or_better
    return good, rated


# --- a summary line ---------------------------------------------------------------------

# How a committee names the grades that aren't good or better, briefly.
SHORT_GRADE_LABELS = {"requires_improvement": "Requires improvement"}


def short_label(grade: Grade) -> str:
    return SHORT_GRADE_LABELS.get(grade.code, grade.label)


@dataclass
class HomesSummary:
    open: int = 0
    good_or_better: int = 0
    below_good: dict[str, int] | None = None  # short grade label -> homes, worst last
    not_rated: int = 0
    temporarily_closed: int = 0
    closed: int = 0

    def __str__(self) -> str:
        """E.g. "4 open homes: 2 Good or better, 2 Requires improvement; 1 temporarily closed"."""
        noun = "home" if self.open == 1 else "homes"
        parts = [f"{self.good_or_better} Good or better"]
        parts += [f"{n} {label}" for label, n in (self.below_good or {}).items()]
        if self.not_rated:
            parts.append(f"{self.not_rated} not yet rated")
        text = f"{self.open} open {noun}: {', '.join(parts)}"
        if self.temporarily_closed:
            text += f"; {self.temporarily_closed} temporarily closed"
        if self.closed:
            text += f"; {self.closed} closed"
        return text


def summarise(homes: list[Setting], on: dt.date) -> HomesSummary:
    """Open homes by their current overall grade, and closed homes, on `on`."""
    summary = HomesSummary()
    below: dict[Grade, int] = {}
    for home in homes:
        closure = closures.closure_on(home, on)
        if closure is not None:
            if closure.status == SettingStatus.TEMPORARILY_CLOSED:
                summary.temporarily_closed += 1
            else:
                summary.closed += 1
            continue
        summary.open += 1
        inspection = latest_full_inspection(home, on)
        if inspection is None:
            summary.not_rated += 1
        elif inspection.overall_grade.good_or_better:
            summary.good_or_better += 1
        else:
            grade = inspection.overall_grade
            below[grade] = below.get(grade, 0) + 1
    summary.below_good = {
        short_label(g): n for g, n in sorted(below.items(), key=lambda item: item[0].rank)
    }
    return summary


# --- when Ofsted is next expected -------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (31 Aug + 6)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class InspectionDue:
    setting: Setting
    last: SettingInspection | None  # the latest full or interim inspection
    rating: Grade | None  # the overall grade of the latest full inspection
    interval_months: int
    expected_by: dt.date | None
    overdue: bool
    due_soon: bool  # expected within DUE_SOON_MONTHS, and not overdue
    closed: bool  # not expected while closed

    @property
    def tag(self) -> str:
        if self.closed:
            return "Not expected while closed"
        if self.overdue:
            return "Overdue"
        if self.due_soon:
            return f"Due within {DUE_SOON_MONTHS} months"
        return ""


def next_inspection_due(setting: Setting, today: dt.date) -> InspectionDue:
    """When Ofsted is next expected at a home, and whether it is overdue.

    Ofsted inspects homes rated Requires improvement or Inadequate, and secure
    children's homes, twice a year; other children's homes at least once a year. So the
    next inspection is expected 6 months (those homes) or 12 months (the rest) after the
    last full or interim inspection. A home never inspected is expected 12 months after
    its registration date (no date when that isn't known). Nothing is expected of a
    home while it is closed or temporarily closed.
    """
    last = next(
        (
            i
            for i in inspections_of(setting)
            if i.inspection_type in CYCLE_TYPES and i.date <= today
        ),
        None,
    )
    full = latest_full_inspection(setting, today)
    rating = full.overall_grade if full else None
    secure = setting.setting_type == SettingType.SECURE_CHILDRENS_HOME
    interval = 6 if secure or (rating is not None and not rating.good_or_better) else 12
    if last is not None:
        expected_by = add_months(last.date, interval)
    elif setting.registration_date is not None:
        expected_by = add_months(setting.registration_date, 12)
    else:
        expected_by = None
    closed = is_closed_on(setting, today)
    overdue = not closed and expected_by is not None and expected_by < today
    due_soon = (
        not closed
        and not overdue
        and expected_by is not None
        and expected_by <= add_months(today, DUE_SOON_MONTHS)
    )
    return InspectionDue(
        setting=setting,
        last=last,
        rating=rating,
        interval_months=interval,
        expected_by=expected_by,
        overdue=overdue,
        due_soon=due_soon,
        closed=closed,
    )
