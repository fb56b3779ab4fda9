"""Made-up inspection records for the demo councils, shaped on the seeds.

Derby's picture follows its July 2022 committee papers (seed 004): five council homes,
two Good, two Requires improvement, one temporarily closed since early 2020; Regulation
44 visits resumed, with a few reports late and two months missed; two elected-member
visits in February 2022; the March 2022 ILACS judged Outstanding with two areas for
improvement and an action plan due at Ofsted by 19 August 2022; and the 2011
safeguarding and looked after children inspection (seed 002, "Record of main findings").

Every person named here is fictional. Loading again changes nothing: rows are matched on
their natural keys and updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from corporate_parenting.models import LocalAuthority
from inspections import frameworks
from inspections.models import (
    ActionItem,
    ActionStatus,
    AreaForImprovement,
    CouncilInspection,
    CouncilInspectionType,
    CouncilJudgement,
    Framework,
    InspectionType,
    InterimOutcome,
    MemberVisit,
    Reg44Recommendation,
    Reg44Visit,
    Reg45Review,
    Setting,
    SettingStatus,
)
from inspections.services import record_inspection

D = dt.date
# The demo's Regulation 44 year: April 2021 to March 2022 (2021/22).
MONTHS = [D(2021, m, 1) for m in range(4, 13)] + [D(2022, m, 1) for m in range(1, 4)]
VISITORS = ("Morgan Ashby", "Priya Lal", "Tom Reeve")

# (URN, month) -> what happened. Anything not listed: visited mid-month, report in time.
MISSED = {("SC900003", D(2021, 8, 1)), ("SC900004", D(2021, 12, 1)), ("SC900008", D(2022, 1, 1))}
LATE = {  # report received this many days after the visit
    ("SC900002", D(2021, 6, 1)): 41,
    ("SC900003", D(2021, 11, 1)): 35,
    ("SC900004", D(2022, 1, 1)): 52,
    ("SC900003", D(2022, 2, 1)): 30,
}
# Visits whose report found well-being not promoted, with the recommendations made.
CONCERNS = {
    ("SC900003", D(2021, 10, 1)): [
        (
            "Review the home's plan for matching new admissions with the children already "
            "living there, and record the matching decision for each admission.",
            "Registered manager",
            D(2021, 11, 30),
            ActionStatus.COMPLETE,
            D(2021, 11, 24),
        ),
        (
            "Make sure every child's keywork session is recorded and reviewed by the "
            "manager each month.",
            "Registered manager",
            D(2021, 12, 31),
            ActionStatus.COMPLETE,
            D(2022, 1, 14),
        ),
    ],
    ("SC900004", D(2022, 2, 1)): [
        (
            "Complete the outstanding fire-door and signage repairs reported in January.",
            "Head of Service, Children in Residential Care",
            D(2022, 3, 31),
            ActionStatus.IN_PROGRESS,
            None,
        ),
        (
            "Agree a recruitment plan for the deputy manager post.",
            "Head of Service, Children in Residential Care",
            D(2022, 4, 30),
            ActionStatus.NOT_STARTED,
            None,
        ),
    ],
}
RECOMMENDATIONS_WHEN_WELL = {
    ("SC900001", D(2021, 9, 1)): [
        (
            "Involve the children in planning the menu each week and keep a record of "
            "their choices.",
            "Registered manager",
            D(2021, 10, 31),
            ActionStatus.COMPLETE,
            D(2021, 10, 20),
        )
    ],
    ("SC900002", D(2022, 3, 1)): [
        (
            "Replace the home's vehicle, which failed its inspection.",
            "Service manager, residential",
            D(2022, 6, 30),
            ActionStatus.IN_PROGRESS,
            None,
        )
    ],
}

ILACS_2022_AFIS = [
    (
        "Access for all children to life-story work that helps them to understand their histories.",
        [
            (
                "Train every children-in-care social worker in life-story work, using the "
                "regional practice model.",
                "Principal social worker",
                D(2022, 12, 31),
                ActionStatus.COMPLETE,
                D(2022, 11, 30),
                "Training records: 48 of 52 social workers trained by November 2022.",
                "green",
            ),
            (
                "Audit life-story work for children with a plan of long-term foster care "
                "and report the findings to the Corporate Parenting Committee.",
                "Head of Service, Children in Care",
                D(2023, 3, 31),
                ActionStatus.COMPLETE,
                D(2023, 4, 20),
                "Audit of 40 case files reported to committee in April 2023.",
                "green",
            ),
            (
                "Give every child in care aged 10 and over a life-story book or equivalent "
                "work, reviewed at their looked-after review.",
                "Head of Service, Children in Care",
                D(2023, 9, 30),
                ActionStatus.IN_PROGRESS,
                None,
                "Monthly performance report: 71% of children aged 10 and over.",
                "amber",
            ),
        ],
    ),
    (
        "Sufficiency of placement choice and location for children in care.",
        [
            (
                "Publish an updated sufficiency strategy with the Derby model for "
                "residential care.",
                "Head of Commissioning",
                D(2022, 10, 31),
                ActionStatus.COMPLETE,
                D(2022, 10, 18),
                "Strategy approved by Cabinet, October 2022.",
                "green",
            ),
            (
                "Reopen the temporarily closed children's home once a registered manager "
                "is appointed.",
                "Head of Service, Children in Residential Care",
                D(2023, 3, 31),
                ActionStatus.IN_PROGRESS,
                None,
                "Recruitment campaign running; manager post advertised three times.",
                "red",
            ),
            (
                "Recruit 30 new mainstream fostering households in the year.",
                "Fostering service manager",
                D(2023, 3, 31),
                ActionStatus.IN_PROGRESS,
                None,
                "26 households approved in 2021/22; quarterly figures in the fostering return.",
                "amber",
            ),
        ],
    ),
]

# Seed 002, "Record of main findings": every area Adequate except two looked-after
# children's outcomes judged Good.
SLAC_2011_GOOD = {"lac_safe", "lac_economic"}
SLAC_2011_AFIS = [
    "Ensure that all statutory visits to looked after children and young people are "
    "recorded and carried out within expected timescales.",
    "Ensure that ethnicity and culture are fully taken account of in assessments and in "
    "direct work with children.",
    "Ensure that all foster carers receive appropriate health care information when "
    "children are newly placed in their care.",
    "Ensure robust and systematic auditing of the quality of practice and support to "
    "looked after children and young people, taking explicit account of the impact of "
    "ethnicity and culture, and that key issues arising from these are analysed and "
    "reported to senior managers and elected members.",
]


def _visit_day(index: int, month: dt.date) -> dt.date:
    return month.replace(day=8 + (index * 5 + month.month * 3) % 15)


def _reg44(setting: Setting, index: int) -> int:
    made = 0
    for month in MONTHS:
        key = (setting.urn, month)
        if key in MISSED:
            continue
        visit_date = _visit_day(index, month)
        delay = LATE.get(key, 6 + (index + month.month) % 12)
        concern = key in CONCERNS
        visit, _ = Reg44Visit.objects.update_or_create(
            setting=setting,
            month=month,
            defaults={
                "visit_date": visit_date,
                "announced": month.month % 4 == 0,
                "visitor": VISITORS[(index + month.month) % len(VISITORS)],
                "children_spoken_to": 1 + (index + month.month) % 3,
                "report_received": visit_date + dt.timedelta(days=delay),
                "children_safeguarded": True,
                "wellbeing_promoted": not concern,
                "summary": (
                    "The visitor spoke with children and staff, read the home's records "
                    "of incidents, missing episodes and complaints, and checked the "
                    "premises."
                    + (
                        " Well-being concerns are set out in the recommendations."
                        if concern
                        else ""
                    )
                ),
            },
        )
        recommendations = CONCERNS.get(key) or RECOMMENDATIONS_WHEN_WELL.get(key) or []
        for text, owner, due, status, completed in recommendations:
            Reg44Recommendation.objects.update_or_create(
                visit=visit,
                text=text,
                defaults={
                    "owner": owner,
                    "due_date": due,
                    "status": status,
                    "completed_on": completed,
                },
            )
        made += 1
    return made


def _reg45(setting: Setting, late: bool) -> None:
    periods = [
        (D(2021, 4, 1), D(2021, 9, 30), D(2021, 10, 31), ActionStatus.COMPLETE, D(2021, 10, 26)),
        (
            D(2021, 10, 1),
            D(2022, 3, 31),
            D(2022, 4, 30),
            ActionStatus.IN_PROGRESS if late else ActionStatus.COMPLETE,
            None if late else D(2022, 4, 22),
        ),
    ]
    for start, end, due, status, completed in periods:
        Reg45Review.objects.update_or_create(
            setting=setting,
            period_start=start,
            defaults={
                "period_end": end,
                "due_date": due,
                "status": status,
                "completed_on": completed,
                "summary": "Quality of care review under Regulation 45, with the "
                "registered manager's improvement plan.",
            },
        )


def _member_visits(homes: dict[str, Setting]) -> None:
    visits = [
        (
            "SC900001",
            D(2022, 2, 9),
            "Cllr Ruth Hale, Cllr Sam Okafor",
            "A warm, well-kept home; the children showed members their rooms. The back "
            "garden needs improving and the home's vehicle is due for replacement.",
            "Garden improvements costed and booked for spring; vehicle replacement "
            "approved by the service manager.",
        ),
        (
            "SC900002",
            D(2022, 2, 23),
            "Cllr Imran Qureshi, Cllr Ruth Hale",
            "Staff described the training offer as excellent. A young person said they "
            "were interested in an apprenticeship.",
            "An apprenticeship opportunity was found with the council's parks service "
            "and taken up.",
        ),
    ]
    for urn, day, councillors, findings, actions in visits:
        MemberVisit.objects.update_or_create(
            setting=homes[urn],
            date=day,
            defaults={"councillors": councillors, "findings": findings, "actions": actions},
        )


def _council_inspection(la: LocalAuthority, kind: str, code: str, **fields) -> CouncilInspection:
    grades = fields.pop("grades")
    framework = Framework.objects.get(code=code)
    inspection, _ = CouncilInspection.objects.update_or_create(
        la=la,
        inspection_type=kind,
        start_date=fields.pop("start_date"),
        defaults={"framework": framework, **fields},
    )
    areas = {a.code: a for a in framework.areas.all()}
    scale = {g.code: g for g in framework.scale.grades.all()}
    for area_code, grade_code in grades.items():
        CouncilJudgement.objects.update_or_create(
            inspection=inspection, area=areas[area_code], defaults={"grade": scale[grade_code]}
        )
    return inspection


def _derby_council_inspections(la: LocalAuthority) -> None:
    ilacs = _council_inspection(
        la,
        CouncilInspectionType.ILACS_STANDARD,
        frameworks.ILACS_2018,
        start_date=D(2022, 3, 21),
        end_date=D(2022, 3, 25),
        published_on=D(2022, 5, 11),
        summary="The overall effectiveness of services for children and young people in "
        "Derby is outstanding. The fostering service was judged within this inspection.",
        action_plan_due=D(2022, 8, 19),
        action_plan_sent=D(2022, 8, 12),
        grades={
            "impact_of_leaders": "outstanding",
            "help_and_protection": "outstanding",
            "children_in_care": "good",
            "overall_effectiveness": "outstanding",
        },
    )
    for number, (text, actions) in enumerate(ILACS_2022_AFIS, start=1):
        area, _ = AreaForImprovement.objects.update_or_create(
            inspection=ilacs, number=number, defaults={"text": text}
        )
        for action, owner, due, status, completed, evidence, rag in actions:
            ActionItem.objects.update_or_create(
                area=area,
                action=action,
                defaults={
                    "owner": owner,
                    "due_date": due,
                    "status": status,
                    "completed_on": completed,
                    "evidence": evidence,
                    "rag": rag,
                },
            )
    slac_areas = [a["code"] for a in frameworks._slac_areas()]
    slac = _council_inspection(
        la,
        CouncilInspectionType.SLAC,
        frameworks.SLAC_2011,
        start_date=D(2011, 5, 9),
        end_date=D(2011, 5, 20),
        published_on=D(2011, 6, 27),
        summary="Safeguarding services and services for looked after children were both "
        "judged adequate, with adequate capacity for improvement.",
        grades={c: "good" if c in SLAC_2011_GOOD else "adequate" for c in slac_areas},
    )
    for number, text in enumerate(SLAC_2011_AFIS, start=1):
        AreaForImprovement.objects.update_or_create(
            inspection=slac, number=number, defaults={"text": text}
        )


def _home_inspection_history(homes: dict[str, Setting]) -> None:
    """Earlier inspections than the Ofsted list's latest, so homes have a history."""
    sccif = Framework.objects.get(code=frameworks.SCCIF_CHILDRENS_HOMES)
    record_inspection(
        homes["SC900001"],
        date=D(2021, 7, 13),
        framework=sccif,
        grades={},
        inspection_type=InspectionType.INTERIM,
        interim_outcome=InterimOutcome.SUSTAINED,
        requirements=0,
        recommendations=1,
    )
    record_inspection(
        homes["SC900003"],
        date=D(2021, 6, 22),
        framework=sccif,
        grades={
            "overall_experiences": "good",
            "help_and_protection": "good",
            "leaders_and_managers": "requires_improvement",
        },
        requirements=1,
        recommendations=3,
    )
    record_inspection(
        homes["SC900004"],
        date=D(2021, 7, 20),
        framework=sccif,
        grades={},
        inspection_type=InspectionType.INTERIM,
        interim_outcome=InterimOutcome.DECLINED,
        requirements=2,
        recommendations=2,
    )


@transaction.atomic
def load_demo_oversight(log: Callable[[str], None] = print) -> None:
    """Reg 44/45 visits, member visits and council inspections for the demo councils.

    Needs the demo provider list loaded first (inspections.providers.load_demo_providers).
    """
    derby = LocalAuthority.objects.get(la_code="831")
    notts = LocalAuthority.objects.get(la_code="891")
    homes = {s.urn: s for s in Setting.objects.filter(run_by_council__in=[derby, notts])}
    visits = 0
    for council in (derby, notts):
        own = sorted(
            (s for s in homes.values() if s.run_by_council_id == council.pk),
            key=lambda s: s.urn,
        )
        for index, home in enumerate(own):
            if home.status != SettingStatus.OPEN:
                continue
            visits += _reg44(home, index)
            _reg45(home, late=home.urn == "SC900004")
    _member_visits(homes)
    _home_inspection_history(homes)
    _derby_council_inspections(derby)
    log(f"Demo inspections: {visits} Regulation 44 visits, 2 member visits, 2 council inspections.")
