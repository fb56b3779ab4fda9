"""Regulation 44 visits: which months each council home had its visit and report.

Regulation 44 of the Children's Homes (England) Regulations 2015 says an independent
person must visit each children's home at least once a month and send the report of
the visit within a set time. Each month of each home gets one status:

- "on_time": visited, and the report was received within N days of the visit (on or
  before the visit date plus N days).
- "late": visited, and the report was received more than N days after the visit, or
  has still not been received and N days have passed.
- "awaiting": visited, no report yet, but N days have not passed since the visit
  ("Report awaited"). Not yet counted either way.
- "missing": no visit, and the month was due.
- "exempt": no visit was due because the home was not registered and open for the
  whole month: it was registered after the month's first day, or it was closed or
  temporarily closed on any day of the month. Closures are read from the home's
  closure periods (inspections.closures), so the months of a closure stay exempt
  after the home reopens or closes for good.
- "future": no visit, and the month has not finished yet, so the visit is not yet due.
- "unrecorded": no visit, in a month before the council's first recorded visit to any
  of its homes. Records kept elsewhere before the council started using this service
  are not counted as missed visits.

A month with a visit takes the visit's status even if the home is exempt that month.

N is `settings.CP_REG44_REPORT_DAYS` (28 by default). The indicator `reg44_on_time_pct`
is on-time visits over months due, where months due are on-time, late and missing
months: exempt, future and awaiting months are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from corporate_parenting.models import LocalAuthority
from inspections import closures
from inspections.models import Reg44Visit, Setting, SettingType
from performance.indicators import ratio

ON_TIME = "on_time"
LATE = "late"
AWAITING = "awaiting"
MISSING = "missing"
EXEMPT = "exempt"
FUTURE = "future"
UNRECORDED = "unrecorded"

LABELS = {
    ON_TIME: "On time",
    LATE: "Late",
    AWAITING: "Report awaited",
    MISSING: "No visit",
    EXEMPT: "Closed",
    FUTURE: "Not yet due",
    UNRECORDED: "Before records",
}
# GOV.UK tag colour classes; the text always says the status too.
TAG_CLASSES = {
    ON_TIME: "govuk-tag--green",
    LATE: "govuk-tag--orange",
    AWAITING: "govuk-tag--blue",
    MISSING: "govuk-tag--red",
    EXEMPT: "govuk-tag--grey",
    FUTURE: "govuk-tag--grey",
    UNRECORDED: "govuk-tag--grey",
}
DUE = {ON_TIME, LATE, MISSING}

HOME_TYPES = (SettingType.CHILDRENS_HOME, SettingType.SECURE_CHILDRENS_HOME)


def report_days() -> int:
    return settings.CP_REG44_REPORT_DAYS


def council_homes(la: LocalAuthority | int):
    """The children's homes and secure children's homes a council runs."""
    la_id = la if isinstance(la, int) else la.pk
    return Setting.objects.filter(run_by_council_id=la_id, setting_type__in=HOME_TYPES)


def closed_since(setting: Setting, on: dt.date) -> dt.date | None:
    """The first day of the home's closure, if it was closed (or temporarily closed) on `on`.

    Reads the home's prefetched closure periods when it has them (`closures.prefetch`).
    """
    closure = closures.closure_on(setting, on)
    return closure.start if closure else None


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from start's month to end's month, inclusive."""
    month, last = start.replace(day=1), end.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def report_status(visit: Reg44Visit, report_days: int, today: dt.date) -> str:
    """on_time, late or awaiting, for a visit."""
    deadline = visit.visit_date + dt.timedelta(days=report_days)
    if visit.report_received is not None:
        return ON_TIME if visit.report_received <= deadline else LATE
    return LATE if today > deadline else AWAITING


def month_status(
    setting: Setting,
    month: dt.date,
    visit: Reg44Visit | None,
    report_days: int,
    *,
    today: dt.date | None = None,
) -> str:
    """The status of one home's month: see the module docstring."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if visit is not None:
        return report_status(visit, report_days, today)
    last_day = month_end(month)
    if closures.closure_during(setting, month, last_day) or (
        setting.registration_date is not None and setting.registration_date > month
    ):
        return EXEMPT
    if last_day >= today:
        return FUTURE
    return MISSING


@dataclass
class Cell:
    month: dt.date
    status: str
    visit: Reg44Visit | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.status]

    @property
    def due(self) -> bool:
        return self.status in DUE


@dataclass
class Row:
    setting: Setting
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Grid:
    months: list[dt.date]
    rows: list[Row]
    today: dt.date
    report_days: int

    @property
    def on_time(self) -> int:
        return sum(c.status == ON_TIME for r in self.rows for c in r.cells)

    @property
    def due(self) -> int:
        return sum(c.due for r in self.rows for c in r.cells)

    @property
    def on_time_pct(self) -> float | None:
        """As the dashboard shows it: one decimal place, halves rounded up."""
        return ratio(self.on_time, self.due).value


def _build(la: LocalAuthority | int, months: list[dt.date], today: dt.date) -> Grid:
    days = report_days()
    if not months:
        return Grid(months=[], rows=[], today=today, report_days=days)
    first, last = months[0], months[-1]
    first_visit = Reg44Visit.objects.filter(setting=OuterRef("pk")).order_by("month")
    homes = list(
        council_homes(la)
        .annotate(first_visit=Subquery(first_visit.values("month")[:1]))
        .order_by("name", "urn")
        .prefetch_related(closures.prefetch())
    )
    visits: dict[tuple[int, dt.date], Reg44Visit] = {
        (v.setting_id, v.month): v
        for v in Reg44Visit.objects.filter(
            setting__in=[h.pk for h in homes], month__gte=first, month__lte=last
        )
    }
    visited = {setting_id for setting_id, _ in visits}
    # The council's first recorded visit to any of its homes.
    records_began = min((h.first_visit for h in homes if h.first_visit), default=None)
    rows = []
    for home in homes:
        # A home closed from before the period to its end, or registered after it, with
        # no visit in it, would be a row of "Closed": leave it out.
        closure = closures.closure_on(home, first - dt.timedelta(days=1))
        gone = closure is not None and (closure.end is None or closure.end >= month_end(last))
        unborn = home.registration_date is not None and home.registration_date > month_end(last)
        if (gone or unborn) and home.pk not in visited:
            continue
        row = Row(setting=home)
        for month in months:
            visit = visits.get((home.pk, month))
            status = month_status(home, month, visit, days, today=today)
            if status == MISSING and (records_began is None or month < records_began):
                status = UNRECORDED
            row.cells.append(Cell(month, status, visit))
        rows.append(row)
    return Grid(months=months, rows=rows, today=today, report_days=days)


def grid(la: LocalAuthority | int, start: dt.date, end: dt.date, today: dt.date) -> Grid:
    """Every council home (rows) by every month from start to end (columns). Three queries."""
    return _build(la, months_between(start, end), today)


def on_time_counts(
    la: LocalAuthority | int, start: dt.date, end: dt.date, today: dt.date
) -> tuple[int, int]:
    """(visits reported on time, months due) over months ending within [start, end]."""
    return counts_in(_build(la, months_between(start, end), today), start, end)


def counts_in(built: Grid, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(on time, due) over a grid's months that end within [start, end].

    A grid built once over many years answers each year and quarter without querying.
    """
    cells = [c for r in built.rows for c in r.cells if start <= month_end(c.month) <= end]
    return sum(c.status == ON_TIME for c in cells), sum(c.due for c in cells)
