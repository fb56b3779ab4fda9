"""Indicators from the inspection records officers keep, and keeping them up to date.

The four indicators of the "Children's homes and inspections" section come from
`inspections/` (homes' Ofsted ratings, Regulation 44 visits, council action plans) and,
for children in Good or better settings, from the 903 joined to settings by URN. They
are computed with the 903 indicators for each year and quarter (performance.services),
and again whenever an officer changes an inspection record (see `changed`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.tasks import task
from django.utils import timezone

from corporate_parenting.models import LocalAuthority
from performance.indicators import LOOKED_AFTER_AT, Figure, count, ratio

CODES = (
    "homes_good_or_better_pct",
    "reg44_on_time_pct",
    "inspection_actions_overdue",
    "children_in_good_or_better_settings_pct",
)

# The latest graded full inspection of each setting a child at %(d)s is placed in.
_SETTINGS_RATED = f"""
    WITH cla AS MATERIALIZED ({LOOKED_AFTER_AT}),
    rated AS (
        SELECT DISTINCT ON (i.setting_id) s.urn, g.good_or_better
        FROM inspections_settinginspection i
        JOIN inspections_setting s ON s.id = i.setting_id
        JOIN inspections_settingjudgement j ON j.inspection_id = i.id
        JOIN inspections_judgementarea a ON a.id = j.area_id AND a.is_overall
        JOIN inspections_grade g ON g.id = j.grade_id
        WHERE i.inspection_type = 'full' AND i.date <= %(d)s
          AND s.urn IN (SELECT urn FROM cla)
        ORDER BY i.setting_id, i.date DESC
    )
    SELECT count(*) FILTER (WHERE r.good_or_better),
           count(r.urn),
           count(*) FILTER (WHERE cla.urn NOT IN ('', 'XXXXXXX') AND r.urn IS NULL)
    FROM cla LEFT JOIN rated r ON r.urn = cla.urn
"""


@dataclass
class Preloaded:
    """A council's homes, Regulation 44 grid and action items, loaded once for many periods."""

    homes: list
    grid: object
    items: list


def preload(la: LocalAuthority, years: list[int]) -> Preloaded | None:
    from inspections import action_plans, ratings, reg44
    from performance.services import quarter_bounds

    if not years:
        return None
    first, _ = quarter_bounds(min(years), 0)
    _, last = quarter_bounds(max(years), 0)
    return Preloaded(
        homes=list(ratings.with_inspections(ratings.council_homes(la))),
        grid=reg44.grid(la, first, last, timezone.localdate()),
        items=list(action_plans.council_items(la)),
    )


def figures(
    la: LocalAuthority, start: dt.date, end: dt.date, *, loaded: Preloaded | None = None
) -> dict[str, Figure]:
    """The four indicators for one period: stocks at `end`, Regulation 44 over the period.

    `loaded` (from `preload`, covering the period) saves querying the same records again
    for each period.
    """
    from inspections import action_plans, ratings, reg44

    today = timezone.localdate()
    if loaded is None:
        good, rated = ratings.homes_good_or_better(la, end)
        on_time, due = reg44.on_time_counts(la, start, end, today)
        overdue = action_plans.overdue_count(la, end)
        planned = action_plans.council_items(la).filter(area__inspection__start_date__lte=end)
        planned = planned.exists()
    else:
        good, rated = ratings.homes_good_or_better(la, end, homes=loaded.homes)
        on_time, due = reg44.counts_in(loaded.grid, start, end)
        overdue = sum(action_plans.is_overdue(item, end) for item in loaded.items)
        planned = any(item.inspection_start <= end for item in loaded.items)
    with connection.cursor() as cursor:
        cursor.execute(_SETTINGS_RATED, {"la": la.pk, "d": end})
        children_good, children_rated, not_rated = cursor.fetchone()
    children = ratio(children_good, children_rated)
    if not_rated:
        children.notes["placed_in_settings_not_rated"] = not_rated
    return {
        "homes_good_or_better_pct": ratio(good, rated),
        "reg44_on_time_pct": ratio(on_time, due),
        # No action plan recorded by then: no value, rather than a reassuring 0.
        "inspection_actions_overdue": count(overdue if planned else None),
        "children_in_good_or_better_settings_pct": children,
    }


def refresh(la: LocalAuthority) -> int:
    """Recompute this section's values for every year the council has data; returns rows."""
    from performance.services import refresh_part

    return refresh_part(la, codes=CODES, preload=preload, figures=figures)


@task()
def redraw_charts(la_id: int) -> int:
    """Redraw this section's trend charts (about 0.1 s each) in the background."""
    from django.conf import settings

    from performance.services import render_charts, years_with_data

    if not settings.CP_RENDER_CHARTS:
        return 0
    la = LocalAuthority.objects.get(pk=la_id)
    return render_charts(la, years_with_data(la), exactly=True, codes=["reg44_on_time_pct"])


def _refresh_and_redraw(la_id: int) -> None:
    refresh(LocalAuthority.objects.get(pk=la_id))
    redraw_charts.enqueue(la_id)


def changed(la_id: int | None) -> None:
    """Note that a council's inspection records changed: refresh once, after commit.

    Many rows saved in one transaction (a form with judgements, a demo load) queue one
    refresh per council; a rolled-back transaction queues none.
    """
    from performance.services import once_after_commit

    once_after_commit("inspections", la_id, _refresh_and_redraw)
