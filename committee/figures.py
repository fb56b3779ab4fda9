"""The figures part of a committee report: sentences, tables and charts, from stored data.

`data_for(report)` returns a JSON-serialisable dict frozen into the published record:

    {"paragraphs": [str], "tables": [{"id", "caption", "columns", "rows", "numeric"}],
     "charts": [{"id", "title", "svg", "table"}]}

Committee reports are public, so every figure is suppressed as for councillors: a small
count (and anything built on one) reads "c" in tables, and sentences give the withheld
wording rather than a number. No child-level data is read into a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.template import Context, Template

from committee.models import Report, ReportType
from inspections import action_plans, ratings, reg44
from inspections.models import CouncilInspection, MemberVisit
from performance import dashboard
from performance.dashboard import period_label, previous_period, trend_periods, withheld_keys
from performance.models import Benchmark, Chart, Indicator, IndicatorValue
from performance.presentation import (
    NO_FIGURE,
    SUPPRESSED,
    SUPPRESSION_TEXT,
    format_value,
    is_small,
    suppress_table,
    threshold,
)
from placements.models import collection_year_label
from returns import figures as returns_figures
from returns.models import ActionStatus, Consultation

MONTH_OF_QUARTER_END = {0: "March", 1: "June", 2: "September", 3: "December", 4: "March"}


def withheld_words() -> str:
    return "a small number (" + SUPPRESSION_TEXT.format(n=threshold() + 1) + ")"


def period_end(year: int, quarter: int) -> dt.date:
    return {
        0: dt.date(year, 3, 31),
        1: dt.date(year - 1, 6, 30),
        2: dt.date(year - 1, 9, 30),
        3: dt.date(year - 1, 12, 31),
        4: dt.date(year, 3, 31),
    }[quarter]


def period_start(year: int, quarter: int) -> dt.date:
    return dt.date(year - 1, 4, 1) if quarter == 0 else returns_figures.quarter_start(year, quarter)


def end_words(year: int, quarter: int) -> str:
    """ "the end of March 2022"."""
    end = period_end(year, quarter)
    return f"the end of {end:%B %Y}"


@dataclass
class Builder:
    """What one report's figures part collects."""

    report: Report
    paragraphs: list[str] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return period_label(self.report.year, self.report.quarter)

    def say(self, text: str) -> None:
        self.paragraphs.append(text)

    def table(self, id: str, caption: str, columns, rows, numeric) -> str:
        self.tables.append(
            {
                "id": id,
                "caption": caption,
                "columns": [str(c) for c in columns],
                "rows": [[str(c) for c in row] for row in rows],
                "numeric": [bool(n) for n in numeric],
            }
        )
        return id

    def chart(self, id: str, title: str, svg: str, table: str) -> None:
        if svg:
            self.charts.append({"id": id, "title": title, "svg": svg, "table": table})

    def result(self) -> dict:
        return {"paragraphs": self.paragraphs, "tables": self.tables, "charts": self.charts}


class Values:
    """A council's stored figures for the years a report needs, suppressed for the public."""

    def __init__(self, la, year: int) -> None:
        self.la = la
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        by_pk = {i.pk: i for i in self.indicators.values()}
        self.values = {
            (v.indicator_id, v.year, v.quarter): v
            for v in IndicatorValue.objects.filter(la=la, year__gte=year - 5, year__lte=year)
        }
        self.hidden = withheld_keys(self.values, by_pk)

    def stored(self, code: str, year: int, quarter: int) -> IndicatorValue | None:
        ind = self.indicators.get(code)
        return self.values.get((ind.pk, year, quarter)) if ind else None

    def shown(self, code: str, year: int, quarter: int) -> dashboard.Shown:
        ind = self.indicators.get(code)
        if ind is None:
            return dashboard.Shown(None, NO_FIGURE)
        key = (ind.pk, year, quarter)
        return dashboard.show(self.values.get(key), ind, withheld=key in self.hidden)

    def words(self, code: str, year: int, quarter: int) -> str:
        """The figure for a sentence: the withheld wording, never "c" or a small number."""
        s = self.shown(code, year, quarter)
        return withheld_words() if s.withheld else s.text

    def trend_table(self, b: Builder, code: str, quarterly: bool) -> str | None:
        """The trend table a stored chart draws (always suppressed), and the chart."""
        ind = self.indicators.get(code)
        year = b.report.year
        if ind is None or (quarterly and ind.period_type == "cohort"):
            return None
        periods = trend_periods(year, 4 if quarterly else 0)
        rows = [(period_label(*p), self.shown(code, *p).text) for p in periods]
        if all(r[1] == NO_FIGURE for r in rows):
            return None
        table_id = f"trend-{code}"
        b.table(
            table_id,
            f"{ind.title}: the chart's figures",
            ["Period", ind.title],
            rows,
            [False, True],
        )
        chart = Chart.objects.filter(la=self.la, indicator=ind, year=year, quarterly=quarterly)
        svg = chart.values_list("svg", flat=True).first() or ""
        b.chart(
            f"chart-{code}",
            f"{ind.title}, {period_label(*periods[0])} to {period_label(*periods[-1])}",
            svg,
            table_id,
        )
        return table_id


def _cla_sentence(b: Builder, v: Values) -> None:
    year, quarter = b.report.year, b.report.quarter
    now = v.shown("cla_at_31_march", year, quarter)
    if now.value is None and not now.withheld:
        b.say(f"The number of children in care at {end_words(year, quarter)} is not available yet.")
        return
    text = f"At {end_words(year, quarter)} there were "
    if now.withheld:
        b.say(text + f"{withheld_words()} of children in care.")
        return
    text += f"{now.text} children in care"
    prev = previous_period(year, quarter)
    before = v.shown("cla_at_31_march", *prev)
    if before.value is not None:
        change = now.value - before.value
        when = "a year earlier" if quarter == 0 else f"at {end_words(*prev)}"
        if change == 0:
            text += f", the same as {when}"
        else:
            more = "more" if change > 0 else "fewer"
            text += f", {format_value(abs(change), 'count')} {more} than {when}"
    b.say(text + ".")


def _benchmarks(la, year: int) -> dict[tuple[int, str], Benchmark]:
    return dashboard._latest_benchmarks(la, year)


# --- the report types -------------------------------------------------------------------


def cic_performance(b: Builder) -> None:
    r = b.report
    v = Values(r.la, r.year)
    _cla_sentence(b, v)
    sections = dashboard.build(r.la, r.year, r.quarter, suppress=True)
    if not sections:
        b.say(f"No performance figures are available for {b.label} yet.")
        return
    prev = previous_period(r.year, r.quarter)
    rows = []
    for section in sections:
        for tile in section.tiles:
            ind = tile.indicator
            bench = {who: f"{value} ({year})" for who, year, value in tile.benchmarks}
            rows.append(
                [
                    section.title,
                    ind.title,
                    tile.shown.text,
                    v.shown(ind.code, *prev).text,
                    tile.target_text or NO_FIGURE,
                    bench.get("England", NO_FIGURE),
                    bench.get("Statistical neighbours", NO_FIGURE),
                ]
            )
        headline = section.chart_indicator
        if headline and section.title != "Numbers in care":
            shown = v.words(headline.code, r.year, r.quarter)
            if shown != NO_FIGURE:
                b.say(f"{section.title}: {headline.title.lower()} was {shown} in {b.label}.")
    b.table(
        "headlines",
        f"Headline figures, {b.label}",
        [
            "Section",
            "Measure",
            b.label,
            period_label(*prev),
            "Target",
            "England",
            "Statistical neighbours",
        ],
        rows,
        [False, False, True, True, True, True, True],
    )
    v.trend_table(b, "cla_at_31_march", r.quarter != 0)


def annual_performance(b: Builder) -> None:
    r = b.report
    v = Values(r.la, r.year)
    _cla_sentence(b, v)
    benchmarks = _benchmarks(r.la, r.year)
    rows, better, worse, compared, years = [], 0, 0, 0, set()
    for ind in v.indicators.values():
        stored = v.stored(ind.code, r.year, 0)
        if stored is None:
            continue
        shown = v.shown(ind.code, r.year, 0)
        cells = [ind.section, ind.title, shown.text]
        for area in (Benchmark.Area.ENGLAND, Benchmark.Area.NEIGHBOURS):
            bm = benchmarks.get((ind.pk, area)) if ind.unit != "count" else None
            if bm:
                cells += [format_value(bm.value, ind.unit), collection_year_label(bm.year)]
            else:
                cells += [NO_FIGURE, NO_FIGURE]
            if bm:
                years.add(bm.year)
            if (
                bm
                and area == Benchmark.Area.ENGLAND
                and shown.value is not None
                and ind.polarity in ("higher", "lower")
            ):
                compared += 1
                gap = shown.value - bm.value
                if gap and (gap > 0) == (ind.polarity == "higher"):
                    better += 1
                elif gap:
                    worse += 1
        rows.append(cells)
    if not rows:
        b.say(f"No figures for {b.label} are available yet.")
        return
    b.table(
        "annual",
        f"{b.label} against England and statistical neighbours",
        [
            "Section",
            "Measure",
            b.label,
            "England",
            "England year",
            "Statistical neighbours",
            "Neighbours year",
        ],
        rows,
        [False, False, True, True, False, True, False],
    )
    if years:
        b.say(
            f"Of {compared} measures compared with England, {better} were better than England "
            f"and {worse} worse. The latest benchmarks are for {collection_year_label(max(years))}."
        )
    else:
        b.say("No England or statistical neighbour benchmarks are available yet.")
    v.trend_table(b, "cla_at_31_march", False)


def _panels(b: Builder):
    r = b.report
    sections = dashboard.build(r.la, r.year, r.quarter, suppress=True)
    panels = sections.returns_panels
    if panels is None:
        b.say(
            f"No quarterly return for {b.label} has been signed off yet, so these figures "
            "are not available."
        )
    return panels


FUNNEL_SVG = Template(
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{{ f.width }}" '
    'height="{{ f.height }}" viewBox="0 0 {{ f.width }} {{ f.height }}" '
    'font-family="arial, sans-serif" font-size="16"><title>{{ f.title }}</title>'
    "<desc>{{ f.description }}</desc>{% for s in f.stages %}"
    '<text x="{{ f.label_x }}" y="{{ s.text_y }}" text-anchor="end" fill="#0b0c0c">'
    "{{ s.short_label }}</text>"
    '<rect x="{{ f.bar_x }}" y="{{ s.y }}" width="{{ s.bar_width }}" height="{{ f.bar_height }}"'
    ' fill="#1d70b8"></rect>{% if s.target_x %}<line x1="{{ s.target_x }}" '
    'x2="{{ s.target_x }}" y1="{{ s.target_y1 }}" y2="{{ s.target_y2 }}" stroke="#0b0c0c" '
    'stroke-width="3"></line>{% endif %}<text x="{{ s.value_x }}" y="{{ s.text_y }}" '
    'fill="#0b0c0c" font-weight="bold">{{ s.done.text }}</text>{% endfor %}</svg>'
)


def _count(value, *, children: bool) -> str:
    if value is None:
        return NO_FIGURE
    if children and is_small(value):
        return SUPPRESSED
    return f"{value:,}" if isinstance(value, int) else f"{float(value):,.1f}"


def _totals(b: Builder) -> dict:
    r = b.report
    rets = [
        x for x in returns_figures.load_returns(r.la, [r.year]) if x.quarter <= (r.quarter or 4)
    ]
    return returns_figures.totals(rets)


def fostering_annual(b: Builder) -> None:
    panels = _panels(b)
    if panels is None:
        return
    b.say(panels.basis)
    funnel = panels.funnel
    if funnel:
        rows = [[s.label, s.done.text, s.target, s.conversion or NO_FIGURE] for s in funnel.stages]
        tid = b.table(
            "funnel",
            "Fostering recruitment against target",
            ["Stage", "Year to date", "Target", "From the stage before"],
            rows,
            [False, True, True, True],
        )
        b.chart("chart-funnel", funnel.title, FUNNEL_SVG.render(Context({"f": funnel})), tid)
        done = {s.code: s for s in funnel.stages}
        enquiries, approvals = done["foster_enquiries"], done["foster_approvals"]
        text = (
            f"The service received {enquiries.done.text} enquiries and approved "
            f"{approvals.done.text} foster carer households"
        )
        if approvals.target != NO_FIGURE:
            text += f" against a target of {approvals.target}"
        if panels.approvals_split:
            text += f" ({panels.approvals_split})"
        b.say(text + ".")
    else:
        b.say("No fostering recruitment figures have been entered for the period yet.")
    t = _totals(b)
    capacity = [
        ("Approved households", "households_approved", False),
        ("Households with a child placed", "households_filled", False),
        ("Households with a vacancy", "households_vacant", False),
        ("Approved places", "places_approved", False),
        ("Places filled", "places_filled", True),
        ("Places vacant", "places_vacant", False),
        ("Children placed with the council's own foster carers", "internal_placements", True),
    ]
    b.table(
        "capacity",
        "Fostering capacity at the latest signed-off quarter",
        ["Measure", "Number"],
        [[label, _count(t.get(k), children=c)] for label, k, c in capacity],
        [False, True],
    )
    labels = {
        "dereg_retirement": "Retirement",
        "dereg_circumstances": "Change of circumstances",
        "dereg_transfer_ifa": "Transfer to an independent fostering agency",
        "dereg_dissatisfaction": "Dissatisfaction",
        "dereg_other": "Other reason",
    }
    dereg = [[labels[k], _count(t.get(k), children=False)] for k in returns_figures.DEREGISTRATIONS]
    b.table(
        "deregistrations",
        "Foster carer households deregistered, by reason",
        ["Reason", "Households"],
        dereg,
        [False, True],
    )
    total = sum(t.get(k) or 0 for k in returns_figures.DEREGISTRATIONS)
    b.say(f"{total:,} foster carer households were deregistered in the period.")


def permanence(b: Builder) -> None:
    r = b.report
    panels = _panels(b)
    v = Values(r.la, r.year)
    if panels is not None:
        b.say(panels.basis)
        rows = [
            [
                p.label,
                p.done.text,
                p.target,
                NO_FIGURE if p.done.withheld else (p.progress or NO_FIGURE),
            ]
            for p in panels.permanence
        ]
        b.table(
            "permanence-targets",
            "Permanence: the year to date against the year's targets",
            ["Children", "Year to date", "Target", "Progress"],
            rows,
            [False, True, True, False],
        )
        if panels.routes:
            b.table(
                "routes",
                "Exits by route, the year to date",
                ["Route", "Children"],
                [[label, cell.text] for label, cell in panels.routes],
                [False, True],
            )
        elif panels.routes_note:
            b.say(panels.routes_note)
        orders = next((p for p in panels.permanence if p.code == "adoption_orders"), None)
        if orders:
            words = withheld_words() if orders.done.withheld else orders.done.text
            text = f"{words[0].upper()}{words[1:]} adoption orders were made in the year to date"
            b.say(
                text
                + (f", against a target of {orders.target}." if orders.target != NO_FIGURE else ".")
            )
        t = _totals(b)
        pipeline = [
            ("Children placed for adoption", "placed_for_adoption"),
            ("Best-interest decisions", "best_interest_decisions"),
            ("Placement orders granted", "placement_orders"),
            ("Matches approved at panel", "matches"),
            ("Children with a plan of adoption", "plan_of_adoption"),
            ("Of those, allocated to a worker", "allocated"),
            ("Tracked, awaiting a placement order", "tracked_awaiting_placement_order"),
            ("Adoption order granted, tasks outstanding", "order_granted_tasks_outstanding"),
            ("Placements projected next quarter", "projection_next_quarter"),
        ]
        rows = [[label, _count(t.get(k), children=True)] for label, k in pipeline]
        capacity = t.get("team_capacity_pct")
        rows.append(["Team capacity used", NO_FIGURE if capacity is None else f"{capacity}%"])
        b.table(
            "pipeline", "Adoption pipeline and caseload", ["Measure", "Number"], rows, [False, True]
        )
    quarters = [
        [f"Q{q}", v.shown("adoption_orders", r.year, q).text]
        for q in (1, 2, 3, 4)
        if q <= (r.quarter or 4)
    ]
    if any(row[1] != NO_FIGURE for row in quarters):
        b.table(
            "adoption-orders-by-quarter",
            f"Adoption orders by quarter, {collection_year_label(r.year)}",
            ["Quarter", "Adoption orders"],
            quarters,
            [False, True],
        )


def childrens_homes(b: Builder) -> None:
    r = b.report
    start, end = period_start(r.year, r.quarter), period_end(r.year, r.quarter)
    homes = list(ratings.with_inspections(ratings.council_homes(r.la)))
    if homes:
        rows = []
        for home in homes:
            full = ratings.latest_full_inspection(home, end)
            interim = ratings.later_interim(home, full, end)
            rows.append(
                [
                    home.name or home.urn,
                    home.get_setting_type_display(),
                    "Closed" if ratings.is_closed_on(home, end) else "Open",
                    full.date.strftime("%d/%m/%Y") if full else NO_FIGURE,
                    full.overall_grade.label if full else "Not yet rated",
                    interim.get_interim_outcome_display() if interim else NO_FIGURE,
                ]
            )
        b.table(
            "homes",
            f"The council's children's homes and Ofsted, at {end:%d %B %Y}",
            [
                "Home",
                "Type",
                "Status",
                "Last full inspection",
                "Overall judgement",
                "Later interim inspection",
            ],
            rows,
            [False] * 6,
        )
        b.say(f"At {end:%d %B %Y}: {ratings.summarise(homes, end)}.")
        grid = reg44.grid(r.la, start, end, min(dt.date.today(), end + dt.timedelta(days=60)))
        rows = []
        for row in grid.rows:
            due = sum(c.due for c in row.cells)
            on_time = sum(c.status == reg44.ON_TIME for c in row.cells)
            rows.append([row.setting.name or row.setting.urn, on_time, due])
        if grid.due:
            rows.append(["All homes", grid.on_time, grid.due])
            b.table(
                "reg44",
                f"Regulation 44 visits reported on time, {b.label}",
                ["Home", "On time", "Visits due"],
                rows,
                [False, True, True],
            )
            b.say(
                f"{grid.on_time} of {grid.due} Regulation 44 visits due in {b.label} were "
                f"reported on time ({format_value(grid.on_time_pct, 'percent')})."
            )
        else:
            b.say(f"No Regulation 44 visits were due in {b.label}.")
    else:
        b.say("The council runs no children's homes recorded here.")
    visits = (
        MemberVisit.objects.filter(setting__run_by_council=r.la, date__gte=start, date__lte=end)
        .select_related("setting")
        .order_by("date", "pk")
    )
    if visits:
        b.table(
            "member-visits",
            f"Members' visits, {b.label}",
            ["Date", "Home", "Findings"],
            [[f"{m.date:%d/%m/%Y}", m.setting.name or m.setting.urn, m.findings] for m in visits],
            [False, False, False],
        )
    b.say(
        f"Members made {len(visits)} visits to the council's homes in {b.label}."
        if visits
        else f"No members' visits were recorded in {b.label}."
    )
    inspection = (
        CouncilInspection.objects.filter(la=r.la, start_date__lte=end)
        .prefetch_related("areas_for_improvement__actions", "judgements__grade", "judgements__area")
        .order_by("-start_date")
        .first()
    )
    if inspection is None:
        b.say("No inspection of the council's services is recorded yet.")
        return
    grades = "; ".join(f"{j.area.name}: {j.grade.label}" for j in inspection.judgements.all())
    b.say(
        f"The council's latest inspection was the {inspection.get_inspection_type_display()} "
        f"of {inspection.start_date:%B %Y}" + (f" ({grades})." if grades else ".")
    )
    p = action_plans.progress(inspection, end)
    rows = [[label, n] for _, label, n in p["status_counts"]]
    rows += [[f"RAG: {label}", n] for _, label, n in p["rag_counts"]]
    rows.append(["Overdue", p["overdue"]])
    b.table(
        "action-plan",
        f"Action plan progress at {end:%d %B %Y}",
        ["Action items", "Number"],
        rows,
        [False, True],
    )
    b.say(
        f"Of {p['total']} action-plan items, {p['complete']} were complete and "
        f"{p['overdue']} overdue at {end:%d %B %Y}."
    )


def placements(b: Builder) -> None:
    r = b.report
    v = Values(r.la, r.year)
    rows = []
    for code in ("cla_at_31_march", "placed_20_miles_plus", "placed_out_of_area"):
        ind = v.indicators.get(code)
        if ind and v.stored(code, r.year, r.quarter):
            rows.append([ind.title, v.shown(code, r.year, r.quarter).text])
    if rows:
        b.table(
            "distance",
            f"Placements and distance, {b.label}",
            ["Measure", b.label],
            rows,
            [False, True],
        )
        for code in ("placed_20_miles_plus", "placed_out_of_area"):
            if v.stored(code, r.year, r.quarter):
                ind = v.indicators[code]
                b.say(
                    f"{ind.title}: {v.words(code, r.year, r.quarter)} at "
                    f"{end_words(r.year, r.quarter)}."
                )
    else:
        b.say(f"No placement figures for {b.label} are available yet.")
    types = dashboard.breakdown(r.la, r.year, r.quarter, "placement", suppress=True)
    if types:
        from placements.codelists import code_labels

        # Readers of a committee paper need "Children's home", not "K2".
        labels = code_labels(r.year, ["PLACE"]).get("PLACE", {})
        b.table(
            "placement-types",
            f"Children in care by placement type, {b.label}",
            ["Placement type", "Children"],
            [
                [f"{labels[code]} ({code})" if code in labels else code, *rest]
                for code, *rest in types
            ],
            [False, True],
        )
    v.trend_table(b, "placed_out_of_area", r.quarter != 0)
    cost = v.stored("external_weekly_cost", r.year, r.quarter)
    by_type = ((cost.notes or {}).get("by_type") or {}) if cost else {}
    if not by_type:
        b.say(
            "No signed-off quarterly return gives external placements and costs for the period yet."
        )
        return
    counts = {k: t.get("placements") for k, t in by_type.items()}
    shown = suppress_table({k: n for k, n in counts.items() if n is not None})
    rows = []
    for k, t in by_type.items():
        placed = shown.get(k, NO_FIGURE)
        avg = t.get("average_weekly_cost")
        rows.append(
            [
                t["label"],
                placed,
                SUPPRESSED
                if placed == SUPPRESSED
                else (NO_FIGURE if avg is None else f"£{avg:,.2f}"),
            ]
        )
    b.table(
        "external",
        f"External placements and average weekly cost, "
        f"{(cost.notes or {}).get('quarter', b.label)}",
        ["Placement type", "Children", "Average weekly cost"],
        rows,
        [False, True, True],
    )
    total = v.shown("external_placements", r.year, r.quarter)
    words = withheld_words() if total.withheld else total.text
    if total.value is not None or total.withheld:
        b.say(f"There were {words} children in external placements.")


def cicc(b: Builder) -> None:
    r = b.report
    end = period_end(r.year, r.quarter)
    rets = [
        x for x in returns_figures.load_returns(r.la, [r.year]) if x.quarter <= (r.quarter or 4)
    ]
    if r.quarter:
        rets = [x for x in rets if x.quarter == r.quarter]
    if not rets:
        b.say(
            f"No quarterly return for {b.label} has been signed off yet, so the Children "
            "in Care Council's figures are not available."
        )
        return
    t = returns_figures.totals(rets)
    meetings, attendance = t.get("meetings"), t.get("attendance")
    b.table(
        "cicc-meetings",
        f"Children in Care Council meetings, {b.label}",
        ["Measure", "Number"],
        [
            ["Meetings held", _count(meetings, children=False)],
            ["Attendance (young people, added up)", _count(attendance, children=True)],
        ],
        [False, True],
    )
    if meetings is not None:
        people = (
            withheld_words()
            if attendance and is_small(attendance)
            else (NO_FIGURE if attendance is None else f"{attendance:,}")
        )
        b.say(
            f"The Children in Care Council met {meetings} times in {b.label}, "
            f"with {people} attendances in all."
        )
    consultations = list(Consultation.objects.filter(ret__in=rets).order_by("ret__quarter", "pk"))
    if consultations:
        b.table(
            "consultations",
            f"Consultations, {b.label}",
            ["Topic", "Young people"],
            [[c.topic, _count(c.young_people, children=True)] for c in consultations],
            [False, True],
        )
        b.say("Consultations covered: " + "; ".join(c.topic for c in consultations) + ".")
    else:
        b.say(f"No consultations were recorded in {b.label}.")
    loaded = returns_figures.preload(r.la, [r.year])
    actions = [
        a
        for a in loaded.actions
        if (
            a.raised_in is None
            or returns_figures.quarter_start(a.raised_in.year, a.raised_in.quarter) <= end
        )
        and not (a.completed_on and a.completed_on < period_start(r.year, r.quarter))
    ]
    if actions:
        b.table(
            "you-said-we-did",
            "You said, we did",
            ["You said", "We did", "Owner", "Due", "Status"],
            [
                [
                    a.you_said,
                    a.we_did or NO_FIGURE,
                    a.owner,
                    f"{a.due_date:%d/%m/%Y}",
                    ActionStatus(a.status).label,
                ]
                for a in actions
            ],
            [False] * 5,
        )
        done = sum(a.status == ActionStatus.COMPLETE for a in actions)
        b.say(f"{done} of {len(actions)} “you said, we did” actions were complete.")
    else:
        b.say("No “you said, we did” actions are recorded for the period.")


BUILDERS = {
    ReportType.CIC_PERFORMANCE: cic_performance,
    ReportType.ANNUAL_PERFORMANCE: annual_performance,
    ReportType.FOSTERING_ANNUAL: fostering_annual,
    ReportType.PERMANENCE: permanence,
    ReportType.CHILDRENS_HOMES: childrens_homes,
    ReportType.PLACEMENTS: placements,
    ReportType.CICC: cicc,
}


def data_for(report: Report) -> dict:
    """The report's sentences, tables and charts, suppressed for the public."""
    b = Builder(report)
    build = BUILDERS.get(report.report_type)
    if build is None:
        b.say("This type of report has no figures.")
    else:
        build(b)
    return b.result()
