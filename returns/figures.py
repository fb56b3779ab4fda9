"""Indicators from the quarterly returns, and the dashboard's panels built on them.

Only signed-off returns count: a draft or a submitted return never reaches councillors.
A period's figures come from the signed-off quarters that start in it, so the year
(quarter 0) is the year to date over the quarters signed off so far. Flows (enquiries,
exits, exclusions...) are added up over those quarters; stocks (children placed with
the council's foster carers, staffing, external placements, PEPs...) are the latest
signed-off quarter's. A blank figure means "not entered": it adds nothing, and a
figure no signed-off quarter entered has no value. A period with no signed-off return
has no figures at all, so the dashboard shows no tiles for it.

The values are stored with the 903 indicators (performance.services.compute_year) and
refreshed after a return is signed off or reopened (`changed`, called by the workflow)
and when a Children in Care Council action changes (returns.signals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.tasks import task
from django.utils import timezone

from corporate_parenting.models import LocalAuthority
from performance.indicators import Figure, count, ratio
from placements.models import collection_year_label, collection_year_of
from returns.models import (
    ActionStatus,
    CiccAction,
    HomeStaffing,
    PlacementType,
    QuarterlyReturn,
    ReturnStatus,
)

SOURCE = "quarterly return"
CODES = (
    "foster_enquiries",
    "foster_information_packs",
    "foster_applications",
    "foster_approvals",
    "foster_conversion_pct",
    "foster_households_net_change",
    "internal_foster_placements",
    "permanence_exits_non_adoption",
    "adoption_orders",
    "placed_for_adoption",
    "residential_vacancy_rate_pct",
    "residential_vacancies_fte",
    "external_placements",
    "external_weekly_cost",
    "pep_completion_pct",
    "school_attendance_pct",
    "exclusions_fixed_term",
    "exclusions_permanent",
    "not_in_full_time_education",
    "cicc_actions_overdue",
)
# Charts for these are redrawn after a refresh (performance.dashboard.HEADLINES).
CHARTED = ("foster_approvals", "residential_vacancy_rate_pct")

# The figures of a return added up over quarters (flows) or taken from the latest (stocks).
FLOWS = {
    "fostering": (
        "enquiries",
        "information_packs",
        "initial_visits",
        "applications",
        "assessments_started",
        "approvals_mainstream",
        "approvals_family_friends",
        "withdrawals",
        "dereg_retirement",
        "dereg_circumstances",
        "dereg_transfer_ifa",
        "dereg_dissatisfaction",
        "dereg_other",
        "recruitment_events",
        "event_attendees",
    ),
    "permanence": (
        "exits_sgo",
        "exits_cao",
        "exits_reunification",
        "adoption_orders",
        "placed_for_adoption",
        "best_interest_decisions",
        "placement_orders",
        "matches",
    ),
    "education": ("fixed_term_exclusions", "permanent_exclusions"),
    "cicc": ("meetings", "attendance"),
}
STOCKS = {
    "fostering": (
        "households_approved",
        "households_filled",
        "households_vacant",
        "places_approved",
        "places_filled",
        "places_vacant",
        "internal_placements",
    ),
    "permanence": (
        "plan_of_adoption",
        "allocated",
        "tracked_awaiting_placement_order",
        "order_granted_tasks_outstanding",
        "projection_next_quarter",
        "team_capacity_pct",
    ),
    "education": ("pep_completion_pct", "attendance_pct", "not_in_full_time_education"),
}
DEREGISTRATIONS = (
    "dereg_retirement",
    "dereg_circumstances",
    "dereg_transfer_ifa",
    "dereg_dissatisfaction",
    "dereg_other",
)
ROUTES = (("sgo", "exits_sgo"), ("cao", "exits_cao"), ("reunification", "exits_reunification"))
ROUTE_LABELS = {
    "sgo": "Special guardianship orders",
    "cao": "Child arrangements orders",
    "reunification": "Reunifications (planned returns home)",
}


def quarter_start(year: int, quarter: int) -> dt.date:
    """The first day of a quarter: quarter 1 of 2022 (2021/22) starts on 1 April 2021."""
    return {
        1: dt.date(year - 1, 4, 1),
        2: dt.date(year - 1, 7, 1),
        3: dt.date(year - 1, 10, 1),
        4: dt.date(year, 1, 1),
    }[quarter]


def section(ret: QuarterlyReturn, name: str):
    """The return's section (fostering, permanence...), or None if it isn't saved."""
    try:
        return getattr(ret, name)
    except ObjectDoesNotExist:
        return None


def _entered(rets: Iterable[QuarterlyReturn], name: str, *fields: str) -> list:
    found = []
    for ret in rets:
        s = section(ret, name)
        if s is not None:
            found.extend(v for f in fields if (v := getattr(s, f)) is not None)
    return found


def added_up(rets: Iterable[QuarterlyReturn], name: str, *fields: str) -> int | Decimal | None:
    """The fields added up over the returns; None if none of them entered any."""
    values = _entered(rets, name, *fields)
    return sum(values) if values else None


def latest(rets: list[QuarterlyReturn], name: str, field_name: str):
    """The field as the latest of the returns (they are in date order) entered it."""
    s = section(rets[-1], name) if rets else None
    return getattr(s, field_name) if s is not None else None


def totals(rets: list[QuarterlyReturn]) -> dict[str, object]:
    """Every figure of these returns (in date order): flows added up, stocks the latest."""
    result: dict[str, object] = {}
    for name, fields in FLOWS.items():
        for f in fields:
            result[f] = added_up(rets, name, f)
    for name, fields in STOCKS.items():
        for f in fields:
            result[f] = latest(rets, name, f)
    return result


def load_returns(
    la: LocalAuthority | int, years: Iterable[int] | None = None, *, signed_off_only: bool = True
) -> list[QuarterlyReturn]:
    """A council's returns in date order, with their sections and rows, in 4 queries."""
    la_id = la if isinstance(la, int) else la.pk
    wanted = QuarterlyReturn.objects.filter(la_id=la_id)
    if signed_off_only:
        wanted = wanted.filter(status=ReturnStatus.SIGNED_OFF)
    if years is not None:
        wanted = wanted.filter(year__in=list(years))
    rets = list(
        wanted.select_related(
            "fostering", "permanence", "education", "cicc", "staffing", "placements"
        ).order_by("year", "quarter")
    )
    if rets:
        prefetch_related_objects(
            rets,
            Prefetch("staffing__homes", queryset=HomeStaffing.objects.select_related("setting")),
            "placements__rows",
        )
    return rets


def year_totals(la: LocalAuthority, year: int) -> dict[str, object]:
    """The year's figures to date over its signed-off quarters."""
    return totals(load_returns(la, [year]))


@dataclass
class Preloaded:
    """A council's signed-off returns and CiCC actions, loaded once for many periods."""

    returns: list[QuarterlyReturn]
    actions: list[CiccAction]


def preload(la: LocalAuthority, years: Iterable[int]) -> Preloaded:
    rets = load_returns(la, years)
    actions = []
    if rets:
        # Actions raised in a return not (or no longer) signed off aren't shown yet.
        actions = list(
            CiccAction.objects.filter(la=la)
            .filter(Q(raised_in__isnull=True) | Q(raised_in__status=ReturnStatus.SIGNED_OFF))
            .select_related("raised_in")
        )
    return Preloaded(rets, actions)


def _home_name(row: HomeStaffing) -> str:
    return row.setting.name or f"Home {row.setting.urn}"


def _number(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def figures(
    la: LocalAuthority,
    start: dt.date,
    end: dt.date,
    *,
    loaded: Preloaded | None = None,
    today: dt.date | None = None,
) -> dict[str, Figure]:
    """The indicators for one period from the signed-off quarters starting in it.

    `loaded` (from `preload`, covering the period's years) saves querying again for each
    period. No signed-off quarter in the period: no figures.
    """
    if loaded is None:
        loaded = preload(la, range(collection_year_of(start), collection_year_of(end) + 1))
    rets = [
        r
        for r in loaded.returns
        if r.la_id == la.pk and start <= quarter_start(r.year, r.quarter) <= end
    ]
    if not rets:
        return {}
    year = collection_year_of(end)
    to_date = [
        r
        for r in loaded.returns
        if r.la_id == la.pk and r.year == year and quarter_start(r.year, r.quarter) <= end
    ]
    result: dict[str, Figure] = {}

    # Fostering recruitment: households, not children, so never suppressed.
    enquiries = added_up(rets, "fostering", "enquiries")
    mainstream = added_up(rets, "fostering", "approvals_mainstream")
    family = added_up(rets, "fostering", "approvals_family_friends")
    approvals = added_up(rets, "fostering", "approvals_mainstream", "approvals_family_friends")
    deregistered = added_up(rets, "fostering", *DEREGISTRATIONS)
    result["foster_enquiries"] = count(enquiries)
    result["foster_information_packs"] = count(added_up(rets, "fostering", "information_packs"))
    result["foster_applications"] = count(added_up(rets, "fostering", "applications"))
    result["foster_approvals"] = count(approvals)
    result["foster_approvals"].notes = {
        "mainstream": mainstream,
        "family_and_friends": family,
        "year_to_date": {
            "mainstream": added_up(to_date, "fostering", "approvals_mainstream"),
            "family_and_friends": added_up(to_date, "fostering", "approvals_family_friends"),
        },
    }
    # Family and friends carers are assessed for a child they know, not recruited.
    result["foster_conversion_pct"] = ratio(mainstream, enquiries)
    net = None if approvals is None or deregistered is None else approvals - deregistered
    result["foster_households_net_change"] = count(net)
    result["foster_households_net_change"].notes = {
        "approvals": approvals,
        "deregistrations": {
            f.removeprefix("dereg_"): added_up(rets, "fostering", f) for f in DEREGISTRATIONS
        },
    }
    result["internal_foster_placements"] = count(latest(rets, "fostering", "internal_placements"))

    # Permanence: the team's own counts.
    exits = added_up(rets, "permanence", *(f for _, f in ROUTES))
    result["permanence_exits_non_adoption"] = count(exits)
    result["permanence_exits_non_adoption"].notes = {
        "routes": {k: added_up(rets, "permanence", f) for k, f in ROUTES},
        "year_to_date": {k: added_up(to_date, "permanence", f) for k, f in ROUTES},
    }
    result["adoption_orders"] = count(added_up(rets, "permanence", "adoption_orders"))
    result["placed_for_adoption"] = count(added_up(rets, "permanence", "placed_for_adoption"))

    # Residential staffing at the latest quarter: the open homes only.
    staffing = section(rets[-1], "staffing")
    rows = list(staffing.homes.all()) if staffing is not None else []
    counted = [
        r
        for r in rows
        if r.home_status == "open"
        and r.establishment_fte is not None
        and r.vacancies_fte is not None
    ]
    establishment = sum(r.establishment_fte for r in counted) if counted else None
    vacancies = sum(r.vacancies_fte for r in counted) if counted else None
    homes = [
        {
            "name": _home_name(r),
            "urn": r.setting.urn,
            "status": r.get_home_status_display(),
            "open": r.home_status == "open",
            "establishment_fte": _number(r.establishment_fte),
            "vacancies_fte": _number(r.vacancies_fte),
            "agency_fte": _number(r.agency_fte),
            "vacancy_rate_pct": ratio(_number(r.vacancies_fte), _number(r.establishment_fte)).value
            if r.home_status == "open"
            else None,
        }
        for r in sorted(rows, key=lambda r: _home_name(r))
    ]
    rate = ratio(_number(vacancies), _number(establishment))
    rate.notes = {"quarter": rets[-1].period_label, "homes": homes}
    result["residential_vacancy_rate_pct"] = rate
    result["residential_vacancies_fte"] = Figure(
        _number(vacancies), _number(establishment), _number(vacancies)
    )

    # External placements and their cost at the latest quarter.
    placements = section(rets[-1], "placements")
    cost_rows = list(placements.rows.all()) if placements is not None else []
    children = [r.placements for r in cost_rows if r.placements is not None]
    costed = [
        r for r in cost_rows if r.placements is not None and r.average_weekly_cost is not None
    ]
    weekly = sum(r.placements * r.average_weekly_cost for r in costed) if costed else None
    by_type = {
        r.placement_type: {
            "label": PlacementType(r.placement_type).label,
            "placements": r.placements,
            "average_weekly_cost": _number(r.average_weekly_cost),
        }
        for r in cost_rows
    }
    result["external_placements"] = count(sum(children) if children else None)
    result["external_weekly_cost"] = Figure(
        _number(weekly), sum(r.placements for r in costed) if costed else None, _number(weekly)
    )
    result["external_weekly_cost"].notes = {"quarter": rets[-1].period_label, "by_type": by_type}

    # Education: the Virtual School's figures.
    pep = latest(rets, "education", "pep_completion_pct")
    result["pep_completion_pct"] = Figure(None, None, _number(pep))
    attendance = _entered(rets, "education", "attendance_pct")
    mean = ratio(float(sum(attendance)), len(attendance), scale=1).value if attendance else None
    result["school_attendance_pct"] = Figure(None, None, mean)
    result["exclusions_fixed_term"] = count(added_up(rets, "education", "fixed_term_exclusions"))
    result["exclusions_permanent"] = count(added_up(rets, "education", "permanent_exclusions"))
    result["not_in_full_time_education"] = count(
        latest(rets, "education", "not_in_full_time_education")
    )

    # Children in Care Council actions, as at the period's end (or today, if sooner).
    as_at = min(end, today or timezone.localdate())
    known = [
        a
        for a in loaded.actions
        if a.la_id == la.pk
        and (a.raised_in is None or quarter_start(a.raised_in.year, a.raised_in.quarter) <= end)
    ]
    still_open = [
        a
        for a in known
        if not (a.status == ActionStatus.COMPLETE and a.completed_on and a.completed_on <= as_at)
    ]
    overdue = [a for a in still_open if a.due_date < as_at]
    result["cicc_actions_overdue"] = count(len(overdue))
    result["cicc_actions_overdue"].notes = {
        "as_at": as_at.isoformat(),
        "open": len(still_open),
        "completed_in_period": sum(
            1 for a in known if a.completed_on and start <= a.completed_on <= end
        ),
        "overdue_actions": [
            {"you_said": a.you_said, "owner": a.owner, "due": a.due_date.isoformat()}
            for a in sorted(overdue, key=lambda a: (a.due_date, a.pk))
        ],
    }
    return result


def refresh(la: LocalAuthority) -> int:
    """Recompute the returns' indicators for every year the council has data; returns rows."""
    from performance.services import refresh_part

    return refresh_part(la, codes=CODES, preload=preload, figures=figures)


@task()
def redraw_charts(la_id: int) -> int:
    """Redraw the returns' trend charts in the background."""
    from django.conf import settings

    from performance.services import render_charts, years_with_data

    if not settings.CP_RENDER_CHARTS:
        return 0
    la = LocalAuthority.objects.get(pk=la_id)
    return render_charts(la, years_with_data(la), exactly=True, codes=list(CHARTED))


def _refresh_and_redraw(la_id: int) -> None:
    refresh(LocalAuthority.objects.get(pk=la_id))
    redraw_charts.enqueue(la_id)


def changed(la_id: int | None) -> None:
    """Note that a council's signed-off figures changed: refresh once, after commit.

    Call it when a return is signed off or reopened. Many changes in one transaction
    queue one refresh per council; a rolled-back transaction queues none.
    """
    from performance.services import once_after_commit

    once_after_commit("returns", la_id, _refresh_and_redraw)


# ---------------------------------------------------------------------------
# The dashboard's panels, from the stored values the dashboard has already loaded.
# ---------------------------------------------------------------------------

FUNNEL = (  # code, label, the chart's shorter label
    ("foster_enquiries", "Enquiries", "Enquiries"),
    ("foster_information_packs", "Information packs sent", "Information packs"),
    ("foster_applications", "Applications", "Applications"),
    ("foster_approvals", "Approvals", "Approvals"),
)
PERMANENCE_ROWS = (
    ("permanence_exits_non_adoption", "Exits through an SGO, a CAO or reunification"),
    ("adoption_orders", "Adoption orders"),
    ("placed_for_adoption", "Children placed for adoption"),
)


@dataclass
class Cell:
    """A figure as this reader may see it: its text, or withheld."""

    value: float | None
    text: str
    withheld: bool = False


@dataclass
class FunnelStage:
    label: str
    code: str
    short_label: str
    done: Cell
    target: str
    conversion: str
    # The bar chart's geometry, as SVG attribute values.
    y: str = ""
    text_y: str = ""
    bar_width: str = "0"
    value_x: str = ""
    target_x: str = ""
    target_y1: str = ""
    target_y2: str = ""


@dataclass
class Funnel:
    stages: list[FunnelStage]
    title: str
    description: str
    width: int = 460
    height: int = 0
    label_x: int = 160
    bar_x: int = 170
    bar_height: int = 26
    legend_y: int = 0
    legend_text_y: int = 0
    has_targets: bool = False


@dataclass
class ProgressRow:
    label: str
    code: str
    done: Cell
    target: str
    progress: str


@dataclass
class Panels:
    year_label: str
    basis: str
    funnel: Funnel | None = None
    permanence: list[ProgressRow] = field(default_factory=list)
    routes: list[tuple[str, Cell]] = field(default_factory=list)
    routes_note: str = ""
    approvals_split: str = ""
    residential: dict[str, object] = field(default_factory=dict)
    cicc: dict[str, object] = field(default_factory=dict)


def _fmt(value: float | None, places: int = 0) -> str:
    from performance.presentation import NO_FIGURE

    if value is None:
        return NO_FIGURE
    return f"{value:,.{places}f}"


def _quarters_text(quarters: list[int]) -> str:
    names = [f"Q{q}" for q in quarters]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def panels(
    *,
    year: int,
    quarter: int,
    suppress: bool,
    indicators: Iterable,
    values: dict,
    hidden: set,
    targets: dict[int, float],
    notes: dict[int, dict],
) -> Panels | None:
    """What the dashboard shows from the returns for the year to date at the period.

    Built from what `performance.dashboard.build` has loaded (stored values, withheld
    keys, the year's targets, the period's notes): no queries. None if the year has no
    signed-off return.
    """
    from performance.presentation import NO_FIGURE, SUPPRESSED, is_small, suppress_table

    mine = {i.code: i for i in indicators if i.code in CODES}
    pks = {i.pk for i in mine.values()}
    signed = sorted({q for (pk, y, q) in values if y == year and q and pk in pks})
    if not signed:
        return None
    through = quarter or 4
    counted = [q for q in signed if q <= through]
    if not counted:
        return None
    label = collection_year_label(year)
    basis = (
        f"{label} to the end of Q{quarter}" if quarter else f"{label}, the year to date"
    ) + f", from the signed-off returns for {_quarters_text(counted)}."

    def to_date(code: str) -> Cell:
        """The year to date at the period: the year's value, or its quarters added up."""
        ind = mine.get(code)
        if ind is None:
            return Cell(None, NO_FIGURE)
        if quarter == 0:
            key = (ind.pk, year, 0)
            v = values.get(key)
            if v is None or v.value is None:
                return Cell(None, NO_FIGURE)
            if suppress and key in hidden:
                return Cell(None, SUPPRESSED, withheld=True)
            return Cell(v.value, _fmt(v.value))
        keys = [(ind.pk, year, q) for q in range(1, quarter + 1) if (ind.pk, year, q) in values]
        entered = [values[k].value for k in keys if values[k].value is not None]
        if not entered:
            return Cell(None, NO_FIGURE)
        total = sum(entered)
        # A total over quarters with exactly one withheld would give that one away.
        if suppress and ind.suppress and (is_small(total) or sum(k in hidden for k in keys) == 1):
            return Cell(None, SUPPRESSED, withheld=True)
        return Cell(total, _fmt(total))

    def target_of(code: str) -> float | None:
        ind = mine.get(code)
        return targets.get(ind.pk) if ind else None

    result = Panels(label, basis)

    # The fostering recruitment funnel, against the year's targets.
    approvals = mine.get("foster_approvals")
    split = (notes.get(approvals.pk) or {}).get("year_to_date") if approvals else None
    stages = []
    previous: Cell | None = None
    for code, stage_label, short_label in FUNNEL:
        done = to_date(code)
        target = target_of(code)
        conversion = ""
        if previous is not None:
            # Approvals follow applications only for mainstream carers: family and
            # friends carers are assessed for a child they know, without applying.
            after = done.value
            if code == "foster_approvals":
                after = (split or {}).get("mainstream")
            conversion = (
                ratio(after, previous.value).value if after is not None and previous.value else None
            )
            conversion = NO_FIGURE if conversion is None else f"{conversion:.1f}%"
        stages.append(FunnelStage(stage_label, code, short_label, done, _fmt(target), conversion))
        previous = done
    if split and split.get("mainstream") is not None:
        result.approvals_split = (
            f"{_fmt(split.get('mainstream'))} mainstream and "
            f"{_fmt(split.get('family_and_friends'))} family and friends"
        )
    if any(s.done.value is not None for s in stages):
        result.funnel = _funnel_chart(
            stages, targets=[target_of(c) for c, *_ in FUNNEL], basis=basis
        )

    # Permanence against the year's targets.
    for code, row_label in PERMANENCE_ROWS:
        done, target = to_date(code), target_of(code)
        progress = ""
        if target and done.value is not None:
            progress = f"{ratio(done.value, target, places=0).value:.0f}% of the target"
        result.permanence.append(ProgressRow(row_label, code, done, _fmt(target), progress))
    exits = mine.get("permanence_exits_non_adoption")
    routes = (notes.get(exits.pk) or {}).get("year_to_date") if exits else None
    if suppress and routes and quarter != 0:
        # Year-to-date routes in each quarter's view would give away a small quarter by
        # subtraction: councillors and clerks see the split for the year only.
        result.routes_note = "The split by route is shown in the year's view only."
        routes = None
    if routes and any(v is not None for v in routes.values()):
        cells = {k: routes.get(k) for k, _ in ROUTES}
        entered = {k: v for k, v in cells.items() if v is not None}
        shown = suppress_table(entered) if suppress else {k: _fmt(v) for k, v in entered.items()}
        if suppress and to_date("permanence_exits_non_adoption").withheld:
            # The routes add up to a withheld total: withhold them all.
            shown = dict.fromkeys(entered, SUPPRESSED)
        result.routes = [
            (
                ROUTE_LABELS[k],
                Cell(
                    cells[k],
                    shown.get(k, NO_FIGURE),
                    withheld=shown.get(k) == SUPPRESSED,
                ),
            )
            for k in cells
        ]

    # Residential staffing at the latest signed-off quarter to the period.
    rate_ind = mine.get("residential_vacancy_rate_pct")
    rate_value = values.get((rate_ind.pk, year, quarter)) if rate_ind else None
    if rate_value is not None:
        staffing = notes.get(rate_ind.pk) or {}
        result.residential = {
            "rate": NO_FIGURE if rate_value.value is None else f"{rate_value.value:.1f}%",
            "vacancies": _fmt(rate_value.numerator, 1),
            "establishment": _fmt(rate_value.denominator, 1),
            "quarter": staffing.get("quarter", ""),
            "homes": [
                {
                    **home,
                    "establishment": _fmt(home.get("establishment_fte"), 1),
                    "vacancies": _fmt(home.get("vacancies_fte"), 1),
                    "agency": _fmt(home.get("agency_fte"), 1),
                    "rate": NO_FIGURE
                    if home.get("vacancy_rate_pct") is None
                    else f"{home['vacancy_rate_pct']:.1f}%",
                }
                for home in staffing.get("homes", [])
            ],
        }

    # Children in Care Council actions at the period's end.
    actions_ind = mine.get("cicc_actions_overdue")
    overdue = values.get((actions_ind.pk, year, quarter)) if actions_ind else None
    if overdue is not None:
        about = notes.get(actions_ind.pk) or {}
        result.cicc = {
            "open": about.get("open"),
            "overdue": _fmt(overdue.value),
            "completed": about.get("completed_in_period"),
            "as_at": dt.date.fromisoformat(about["as_at"]) if about.get("as_at") else None,
            "overdue_actions": [
                {**a, "due": dt.date.fromisoformat(a["due"])}
                for a in about.get("overdue_actions", [])
            ],
        }
    return result


def _funnel_chart(stages: list[FunnelStage], *, targets: list[float | None], basis: str) -> Funnel:
    """Lay out a horizontal bar a stage, with the target as a line across it."""
    chart = Funnel(stages, title="", description="")
    row, top, bar_max = 46, 12, 230
    shown = [s.done.value for s in stages if s.done.value is not None]
    scale = max([*shown, *(t for t in targets if t)], default=0) or 1
    parts = []
    for i, (stage, target) in enumerate(zip(stages, targets, strict=True)):
        y = top + i * row
        width = (stage.done.value or 0) / scale * bar_max
        stage.y = f"{y}"
        stage.text_y = f"{y + chart.bar_height * 0.7:.1f}"
        stage.bar_width = f"{width:.1f}"
        reach = max(width, (target or 0) / scale * bar_max)  # past the bar and its target
        stage.value_x = f"{chart.bar_x + reach + 8:.1f}"
        if target is not None:
            chart.has_targets = True
            stage.target_x = f"{chart.bar_x + target / scale * bar_max:.1f}"
            stage.target_y1 = f"{y - 5}"
            stage.target_y2 = f"{y + chart.bar_height + 5}"
        parts.append(
            f"{stage.label} {stage.done.text}"
            + (f" (target {stage.target})" if target is not None else "")
        )
    chart.legend_y = top + len(stages) * row + 4
    chart.legend_text_y = chart.legend_y + 13
    chart.height = chart.legend_y + 26
    chart.title = "Fostering recruitment against target"
    chart.description = f"{basis} " + "; ".join(parts) + "."
    return chart
