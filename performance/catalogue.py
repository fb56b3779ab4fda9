"""The indicator catalogue: what each indicator means, as councillors read it.

Definitions follow DfE's (see docs/indicators.md for judgement calls). A changed
definition gets a new version, so figures computed under the old one stay labelled.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    code: str
    title: str
    definition: str
    unit: str  # count, rate, percent, days, score
    polarity: str  # higher, lower, neutral
    period_type: str  # stock, flow, cohort
    section: str
    source: str = "903"
    suppress: bool = True
    version: int = 1
    england_benchmark: bool = True
    tolerance: float = 5.0  # within this (in the indicator's unit) of target is amber
    first_year: int = 0  # collected from (SWEpisodes 2024, DoLo 2027)


NUMBERS = "Numbers in care"
STABILITY = "Stability and sufficiency"
HEALTH = "Health"
EDUCATION = "Education"
LEAVERS = "Care leavers"
PERMANENCE = "Permanence"
MISSING = "Missing"
HOMES = "Children's homes and inspections"
FOSTERING = "Fostering and permanence"
RESIDENTIAL = "Residential staffing and placement costs"
CICC = "Children in Care Council"
SECTIONS = [
    NUMBERS,
    STABILITY,
    HEALTH,
    EDUCATION,
    LEAVERS,
    PERMANENCE,
    MISSING,
    HOMES,
    FOSTERING,
    RESIDENTIAL,
    CICC,
]
RETURN = "quarterly return"  # figures officers enter each quarter (returns/), signed off

CATALOGUE: tuple[Definition, ...] = (
    Definition(
        "cla_at_31_march",
        "Children looked after",
        "Children looked after at the end of the period (31 March for a year), not counting "
        "children looked after only for short breaks (V3, V4).",
        "count",
        "neutral",
        "stock",
        NUMBERS,
        tolerance=20,
    ),
    Definition(
        "cla_rate_per_10k",
        "Children looked after per 10,000 children",
        "Children looked after at the end of the period for every 10,000 children aged 0 to 17 "
        "living in the area (ONS mid-year estimate for the year before the 31 March).",
        "rate",
        "neutral",
        "stock",
        NUMBERS,
        suppress=True,
        tolerance=3,
    ),
    Definition(
        "starts",
        "Children who started to be looked after",
        "Children who started to be looked after during the period. A child who started more "
        "than once counts once.",
        "count",
        "neutral",
        "flow",
        NUMBERS,
        tolerance=15,
    ),
    Definition(
        "ceased",
        "Children who ceased to be looked after",
        "Children who ceased to be looked after during the period. A child who ceased more "
        "than once counts once, at their last ceasing.",
        "count",
        "neutral",
        "flow",
        NUMBERS,
        tolerance=15,
    ),
    Definition(
        "ceased_rate_per_10k",
        "Children who ceased per 10,000 children",
        "Children who ceased to be looked after during the period, for every 10,000 children "
        "aged 0 to 17 in the area.",
        "rate",
        "neutral",
        "flow",
        NUMBERS,
        tolerance=3,
    ),
    Definition(
        "ceased_adoption",
        "Adoptions",
        "Children who ceased to be looked after because they were adopted (E11, E12).",
        "count",
        "higher",
        "flow",
        PERMANENCE,
        tolerance=3,
    ),
    Definition(
        "ceased_sgo",
        "Special guardianship orders",
        "Children who ceased to be looked after through a special guardianship order (E43 to E48).",
        "count",
        "higher",
        "flow",
        PERMANENCE,
        tolerance=3,
    ),
    Definition(
        "ceased_cao",
        "Child arrangements orders",
        "Children who ceased to be looked after through a child arrangements order (E41).",
        "count",
        "higher",
        "flow",
        PERMANENCE,
        tolerance=2,
    ),
    Definition(
        "ceased_reunification",
        "Planned returns home",
        "Children who returned home to live with their parents as part of their care plan (E4A).",
        "count",
        "higher",
        "flow",
        PERMANENCE,
        tolerance=2,
    ),
    Definition(
        "permanence_rate",
        "Leaving care into permanence",
        "Of children who ceased to be looked after, the percentage who left through adoption, "
        "a special guardianship order, a child arrangements order or a planned return home.",
        "percent",
        "higher",
        "flow",
        PERMANENCE,
        england_benchmark=False,
    ),
    Definition(
        "stability_3plus_placements",
        "Three or more placements in the year",
        "Of children looked after at 31 March, the percentage who had three or more placements "
        "during the year.",
        "percent",
        "lower",
        "cohort",
        STABILITY,
        tolerance=1,
    ),
    Definition(
        "stability_long_term",
        "Long-term placement stability",
        "Of children under 16 at 31 March who had been looked after for 2½ years or more, the "
        "percentage who had lived in the same placement for at least 2 years (or were placed "
        "for adoption and had been, with their previous placement, for 2 years).",
        "percent",
        "higher",
        "cohort",
        STABILITY,
        tolerance=3,
    ),
    Definition(
        "placed_20_miles_plus",
        "Placed more than 20 miles from home",
        "Of children looked after at the end of the period whose placement distance is known, "
        "the percentage placed more than 20 miles from home.",
        "percent",
        "lower",
        "stock",
        STABILITY,
        tolerance=2,
    ),
    Definition(
        "placed_out_of_area",
        "Placed outside the council's area",
        "Of children looked after at the end of the period whose placement council is known, "
        "the percentage placed outside the council's boundary.",
        "percent",
        "lower",
        "stock",
        STABILITY,
        tolerance=3,
    ),
    Definition(
        "oc2_cohort",
        "Children looked after for 12 months",
        "Children looked after continuously for at least 12 months at 31 March, the cohort for "
        "health and outcome measures.",
        "count",
        "neutral",
        "cohort",
        HEALTH,
        tolerance=20,
    ),
    Definition(
        "oc2_health_assessment",
        "Annual health assessment",
        "Of children looked after for at least 12 months, the percentage whose annual health "
        "assessment was up to date.",
        "percent",
        "higher",
        "cohort",
        HEALTH,
    ),
    Definition(
        "oc2_dental_check",
        "Dental check",
        "Of children looked after for at least 12 months, the percentage whose teeth were "
        "checked by a dentist in the year.",
        "percent",
        "higher",
        "cohort",
        HEALTH,
    ),
    Definition(
        "oc2_immunisations",
        "Immunisations up to date",
        "Of children looked after for at least 12 months, the percentage whose immunisations "
        "were up to date.",
        "percent",
        "higher",
        "cohort",
        HEALTH,
    ),
    Definition(
        "sdq_average",
        "Average SDQ score",
        "The average Strengths and Difficulties Questionnaire score of children aged 5 to 16 "
        "looked after for at least 12 months. 0 to 13 is normal, 14 to 16 borderline, and 17 "
        "or more a cause for concern.",
        "score",
        "lower",
        "cohort",
        HEALTH,
        tolerance=1,
    ),
    Definition(
        "oc2_convicted",
        "Convicted or given a final warning",
        "Of children aged 10 or over looked after for at least 12 months, the percentage "
        "convicted or subject to a final warning or reprimand during the year.",
        "percent",
        "lower",
        "cohort",
        EDUCATION,
        tolerance=1,
    ),
    *(
        Definition(
            f"care_leavers_{measure}_{band.replace('–', '_')}",
            f"Care leavers aged {band}: {label}",
            f"Of care leavers aged {band} at 31 March (whose 17th to 21st birthday fell in the "
            f"year), the percentage {text}. Those who died or returned home for 6 months or more "
            "are left out; those not in touch stay in.",
            "percent",
            "higher",
            "cohort",
            LEAVERS,
        )
        for band in ("17–18", "19–21")
        for measure, label, text in (
            ("in_touch", "in touch", "the council was in touch with"),
            ("eet", "in education, employment or training", "in education, employment or training"),
            (
                "suitable_accommodation",
                "in suitable accommodation",
                "in accommodation considered suitable",
            ),
        )
    ),
    Definition(
        "missing_children_pct",
        "Children who went missing",
        "Of children looked after during the year, the percentage with at least one missing "
        "incident.",
        "percent",
        "lower",
        "cohort",
        MISSING,
        tolerance=1,
        first_year=2015,
    ),
    Definition(
        "away_children_pct",
        "Children away from placement without authorisation",
        "Of children looked after during the year, the percentage with at least one incident of "
        "being away from placement without authorisation.",
        "percent",
        "lower",
        "cohort",
        MISSING,
        tolerance=1,
        first_year=2015,
    ),
    Definition(
        "adoption_a1_days",
        "Days from care to moving in with the adoptive family (A1)",
        "For children adopted in the last 3 years, the average days between entering care and "
        "moving in with their adoptive family.",
        "days",
        "lower",
        "cohort",
        PERMANENCE,
        tolerance=30,
    ),
    Definition(
        "adoption_a2_days",
        "Days from placement order to match (A2)",
        "For children adopted in the last 3 years, the average days between the court's "
        "placement order and the match with adopters (0 if the match came first).",
        "days",
        "lower",
        "cohort",
        PERMANENCE,
        tolerance=20,
    ),
    Definition(
        "adoption_a10_days",
        "Days from care to moving in, counting foster-carer adoptions from moving in (A10)",
        "As A1, but for children adopted by their foster carer the clock stops when they moved "
        "in with that carer.",
        "days",
        "lower",
        "cohort",
        PERMANENCE,
        tolerance=30,
    ),
    Definition(
        "review_participation",
        "Children taking part in their reviews",
        "Of reviews of children aged 4 or over, the percentage in which the child took part "
        "(PN1 to PN6).",
        "percent",
        "higher",
        "cohort",
        HEALTH,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "staying_put",
        "Staying put at 18",
        "Young people who ceased to be looked after at 18 or over and stayed with their former "
        "foster carers (E17).",
        "count",
        "higher",
        "flow",
        LEAVERS,
        tolerance=2,
    ),
    Definition(
        "uasc_at_31_march",
        "Unaccompanied asylum-seeking children",
        "Unaccompanied asylum-seeking children looked after at the end of the period.",
        "count",
        "neutral",
        "stock",
        NUMBERS,
        tolerance=5,
    ),
    Definition(
        "social_worker_changes",
        "Children with a change of social worker",
        "Of children looked after at 31 March, the percentage who had more than one social "
        "worker during the year. Collected from 2023/24.",
        "percent",
        "lower",
        "cohort",
        STABILITY,
        england_benchmark=False,
        first_year=2024,
    ),
    Definition(
        "dolo_at_31_march",
        "Children deprived of their liberty",
        "Children subject to a deprivation of liberty order at the end of the period. Collected "
        "from 2026/27.",
        "count",
        "neutral",
        "stock",
        STABILITY,
        england_benchmark=False,
        first_year=2027,
    ),
    # From the inspection records officers keep (inspections/), not the 903.
    Definition(
        "homes_good_or_better_pct",
        "Council children's homes rated Good or better",
        "Of the council's own children's homes open at the end of the period that have had "
        "a graded full Ofsted inspection, the percentage whose latest full inspection judged "
        "overall experiences and progress Good or Outstanding. Temporarily closed homes are "
        "left out.",
        "percent",
        "higher",
        "stock",
        HOMES,
        source="inspections",
        suppress=False,  # homes, not children
        england_benchmark=False,
        tolerance=10,
    ),
    Definition(
        "reg44_on_time_pct",
        "Regulation 44 visits reported on time",
        "Of the months in the period in which each open council children's home was due an "
        "independent person's visit (Regulation 44), the percentage with a visit whose "
        "report arrived within the council's set number of days (28 unless changed). A "
        "month with no visit counts as not on time. Left out: months the home was closed, "
        "visits whose report is not yet due, and months before the council's first "
        "recorded visit.",
        "percent",
        "higher",
        "flow",
        HOMES,
        source="inspections",
        suppress=False,
        england_benchmark=False,
        tolerance=5,
    ),
    Definition(
        "inspection_actions_overdue",
        "Inspection action-plan items overdue",
        "Items in the action plans for the council's own inspections (ILACS and others) "
        "that were past their due date and not complete at the end of the period. No "
        "value before the council's first recorded action plan.",
        "count",
        "lower",
        "stock",
        HOMES,
        source="inspections",
        suppress=False,  # actions, not children
        england_benchmark=False,
        tolerance=1,
    ),
    Definition(
        "children_in_good_or_better_settings_pct",
        "Children living in settings rated Good or better",
        "Of the children looked after at the end of the period whose placement has an "
        "Ofsted URN (903 URN) with a graded full inspection by then, the percentage whose "
        "setting's latest full inspection judged it Good or Outstanding. Placements without "
        "a URN, or in settings not yet inspected, are left out.",
        "percent",
        "higher",
        "stock",
        HOMES,
        source="903 and inspections",
        england_benchmark=False,
        tolerance=5,
    ),
    # From the quarterly returns officers sign off (returns/figures.py), not the 903: the
    # year is the year to date over the signed-off quarters; stocks are the latest's.
    Definition(
        "foster_enquiries",
        "Fostering enquiries",
        "Enquiries from people interested in fostering for the council, in the period.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        suppress=False,  # prospective carers, not children
        england_benchmark=False,
        tolerance=20,
    ),
    Definition(
        "foster_information_packs",
        "Fostering information packs sent",
        "Information packs sent to people who enquired about fostering, in the period.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        suppress=False,
        england_benchmark=False,
        tolerance=7,
    ),
    Definition(
        "foster_applications",
        "Fostering applications",
        "Applications to foster for the council returned in the period.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        suppress=False,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "foster_approvals",
        "Foster carer households approved",
        "New foster carer households approved in the period: mainstream carers and family "
        "and friends (connected) carers.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        suppress=False,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "foster_conversion_pct",
        "Fostering enquiries converted to mainstream approvals",
        "Mainstream foster carer households approved in the period as a percentage of "
        "fostering enquiries in the period. Family and friends carers are left out: they "
        "are assessed for a child they already know, not recruited. An approval usually "
        "follows its enquiry by several months, so this compares the period's flows rather "
        "than following each enquiry.",
        "percent",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        suppress=False,
        england_benchmark=False,
        tolerance=2,
    ),
    Definition(
        "foster_households_net_change",
        "Net change in foster carer households",
        "Households approved in the period less households deregistered in it (retirement, "
        "change of circumstances, transfer to an agency, dissatisfaction or another reason).",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        suppress=False,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "internal_foster_placements",
        "Children placed with the council's own foster carers",
        "Children placed with the council's own (internal) foster carers at the end of the "
        "latest signed-off quarter in the period.",
        "count",
        "higher",
        "stock",
        FOSTERING,
        source=RETURN,
        england_benchmark=False,
        tolerance=5,
    ),
    Definition(
        "permanence_exits_non_adoption",
        "Exits through SGO, CAO or reunification (team count)",
        "Children the permanence team recorded leaving care in the period through a special "
        "guardianship order, a child arrangements order or a planned return home "
        "(reunification). The team's own count: see the reconciliation with the 903.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "adoption_orders",
        "Adoption orders (team count)",
        "Adoption orders granted in the period for the council's children, as the "
        "permanence team recorded them.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "placed_for_adoption",
        "Children placed for adoption",
        "Children who moved in with their prospective adopters in the period.",
        "count",
        "higher",
        "flow",
        FOSTERING,
        source=RETURN,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "residential_vacancy_rate_pct",
        "Staff vacancies in the council's children's homes",
        "Vacant posts as a percentage of the staffing establishment, both in full-time "
        "equivalents (FTE), over the council's homes open at the end of the latest "
        "signed-off quarter in the period. Closed and temporarily closed homes are left out.",
        "percent",
        "lower",
        "stock",
        RESIDENTIAL,
        source=RETURN,
        suppress=False,  # staff posts, not children
        england_benchmark=False,
        tolerance=5,
    ),
    Definition(
        "residential_vacancies_fte",
        "Staff vacancies in the council's children's homes (FTE)",
        "Vacant posts in full-time equivalents in the council's open children's homes at the "
        "end of the latest signed-off quarter in the period.",
        "count",
        "lower",
        "stock",
        RESIDENTIAL,
        source=RETURN,
        suppress=False,
        england_benchmark=False,
        tolerance=5,
    ),
    Definition(
        "external_placements",
        "Children in external placements",
        "Children placed with independent fostering agencies, external children's homes, "
        "supported accommodation, secure welfare, parent and child placements or supported "
        "lodgings at the end of the latest signed-off quarter in the period.",
        "count",
        "neutral",
        "stock",
        RESIDENTIAL,
        source=RETURN,
        england_benchmark=False,
        tolerance=10,
    ),
    Definition(
        "external_weekly_cost",
        "Weekly cost of external placements (£)",
        "The weekly cost in pounds of the external placements at the end of the latest "
        "signed-off quarter in the period: for each type of placement, the number of "
        "placements times their average weekly cost, added up.",
        "count",
        "lower",
        "stock",
        RESIDENTIAL,
        source=RETURN,
        suppress=False,  # money; the number of children is its own indicator
        england_benchmark=False,
        tolerance=10000,
    ),
    Definition(
        "pep_completion_pct",
        "Personal Education Plans completed",
        "The Virtual School's percentage of children looked after of school age with a "
        "completed Personal Education Plan (PEP), at the latest signed-off quarter in the "
        "period.",
        "percent",
        "higher",
        "stock",
        EDUCATION,
        source=RETURN,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "school_attendance_pct",
        "School attendance of children in care",
        "The Virtual School's school attendance percentage for children looked after: for "
        "a year, the average of the signed-off quarters' figures.",
        "percent",
        "higher",
        "flow",
        EDUCATION,
        source=RETURN,
        england_benchmark=False,
        tolerance=2,
    ),
    Definition(
        "exclusions_fixed_term",
        "Fixed-term exclusions (suspensions)",
        "Fixed-term exclusions (suspensions) of children looked after in the period, as the "
        "Virtual School recorded them.",
        "count",
        "lower",
        "flow",
        EDUCATION,
        source=RETURN,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "exclusions_permanent",
        "Permanent exclusions",
        "Permanent exclusions of children looked after in the period, as the Virtual School "
        "recorded them.",
        "count",
        "lower",
        "flow",
        EDUCATION,
        source=RETURN,
        england_benchmark=False,
        tolerance=1,
    ),
    Definition(
        "not_in_full_time_education",
        "Children not in full-time education",
        "Children looked after of school age not in full-time education at the end of the "
        "latest signed-off quarter in the period.",
        "count",
        "lower",
        "stock",
        EDUCATION,
        source=RETURN,
        england_benchmark=False,
        tolerance=3,
    ),
    Definition(
        "cicc_actions_overdue",
        "Children in Care Council actions overdue",
        '"You said, we did" actions past their due date and not complete at the end of the '
        "period (or today, if sooner). Actions raised in a return not yet signed off are "
        "left out.",
        "count",
        "lower",
        "stock",
        CICC,
        source=RETURN,
        suppress=False,  # actions, not children
        england_benchmark=False,
        tolerance=1,
    ),
)
BY_CODE = {d.code: d for d in CATALOGUE}
