"""Made-up quarterly returns for the demo: Derby's four quarters of 2021/22.

They carry the seed's figures (seed 004, Derby's July 2022 Corporate Parenting
Committee): over the year 199 fostering enquiries, 64 information packs, 18
applications, 16 mainstream and 10 family and friends approvals, 5 recruitment events
with 81 attendees, internal foster placements growing from 99 to 119; 12 special
guardianship orders and 7 reunifications (the permanence team's counts, against a
target of 28 such exits); 23 children placed for adoption and 34 adoption orders (21 in
Q1 to Q3, 13 in Q4) against a target of 35; at the end of Q4, 58 children with a plan
of adoption (51 allocated), 36 more tracked awaiting a placement order, and 14
placements projected for the next quarter; about 74 FTE staff vacancies, around 40%, in
the council's homes, one of which (Willow Lodge) is temporarily closed. PEPs at 92.9%
echo seed 002. The quarter-by-quarter split, the costs and everything else are made up.

Each return is submitted by derby.officer and signed off by derby.manager. Loading
again changes nothing: rows are matched on their natural keys and updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from corporate_parenting.models import LocalAuthority, User
from inspections.models import Setting
from performance.models import Target
from returns import figures
from returns.models import (
    ActionStatus,
    ChildrenInCareCouncil,
    CiccAction,
    Consultation,
    Education,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    PlacementsSection,
    PlacementType,
    QuarterlyReturn,
    ReturnStatus,
    StaffingSection,
)

D = dt.date
YEAR = 2022  # 2021/22
DPS = "D2N2 Dynamic Purchasing System (DPS)"

# Each field's four quarters.
FOSTERING = {
    "enquiries": (52, 47, 44, 56),  # 199
    "information_packs": (17, 15, 14, 18),  # 64
    "initial_visits": (9, 8, 7, 9),
    "applications": (5, 4, 4, 5),  # 18
    "assessments_started": (4, 5, 4, 5),
    "approvals_mainstream": (4, 3, 4, 5),  # 16
    "approvals_family_friends": (2, 3, 2, 3),  # 10
    "withdrawals": (2, 1, 2, 1),
    "dereg_retirement": (1, 2, 1, 2),
    "dereg_circumstances": (2, 1, 2, 1),
    "dereg_transfer_ifa": (0, 0, 0, 0),  # none left for an agency
    "dereg_dissatisfaction": (0, 0, 0, 0),  # none were dissatisfied
    "dereg_other": (0, 1, 0, 0),
    "households_approved": (161, 163, 166, 171),
    "households_filled": (82, 86, 91, 96),
    "households_vacant": (31, 29, 27, 26),
    "places_approved": (168, 172, 176, 183),
    "places_filled": (99, 105, 112, 119),
    "places_vacant": (39, 36, 33, 31),
    # 99 before the placements officer started in July 2021, 119 by March 2022.
    "internal_placements": (99, 105, 112, 119),
    "recruitment_events": (1, 2, 1, 1),  # 5
    "event_attendees": (14, 35, 12, 20),  # 81
}
PERMANENCE = {
    "exits_sgo": (3, 4, 2, 3),  # 12
    "exits_cao": (0, 0, 0, 0),
    "exits_reunification": (2, 1, 2, 2),  # 7
    "adoption_orders": (7, 8, 6, 13),  # 21 in Q1 to Q3, 13 in Q4: 34
    "placed_for_adoption": (6, 7, 5, 5),  # 23
    "best_interest_decisions": (9, 8, 10, 7),
    "placement_orders": (8, 7, 9, 6),
    "matches": (6, 7, 5, 6),
    "plan_of_adoption": (63, 61, 60, 58),
    "allocated": (55, 54, 52, 51),
    "tracked_awaiting_placement_order": (31, 33, 35, 36),
    "order_granted_tasks_outstanding": (12, 13, 15, 16),
    "projection_next_quarter": (8, 7, 13, 14),
    # The team had 20% less capacity for three quarters of the year.
    "team_capacity_pct": (Decimal("80.0"), Decimal("80.0"), Decimal("80.0"), Decimal("100.0")),
}
EDUCATION = {
    "pep_completion_pct": (Decimal("91.8"), Decimal("92.4"), Decimal("93.1"), Decimal("92.9")),
    "attendance_pct": (Decimal("93.8"), Decimal("91.6"), Decimal("92.7"), Decimal("93.4")),
    "fixed_term_exclusions": (9, 6, 11, 8),
    "permanent_exclusions": (0, 0, 1, 0),
    "not_in_full_time_education": (14, 12, 13, 11),
}
CICC = {"meetings": (2, 2, 3, 2), "attendance": (17, 15, 22, 16)}

# Council homes: establishment and vacancies (FTE) each quarter, agency staff in use.
# The open four come to 185 FTE with 74 vacant (40%) at the end of the year.
STAFFING = {
    "SC900001": ((48.0, 48.0, 48.0, 48.0), (15.0, 15.5, 16.5, 17.5), (6.0, 6.5, 7.0, 7.5)),
    "SC900002": ((42.0, 42.0, 42.0, 42.0), (12.0, 13.0, 14.0, 15.0), (5.0, 5.5, 6.0, 6.0)),
    "SC900003": ((52.5, 52.5, 52.5, 52.5), (20.0, 21.5, 23.0, 24.0), (8.0, 8.5, 9.0, 9.5)),
    "SC900004": ((42.5, 42.5, 42.5, 42.5), (14.5, 15.5, 16.5, 17.5), (5.5, 6.0, 6.5, 7.0)),
}
CLOSED_HOME = "SC900005"  # Willow Lodge, temporarily closed since early 2020

# External placements at each quarter's end: (placements, average weekly cost £,
# framework, 20 miles or more from home, outside the council's area).
PLACEMENTS = {
    PlacementType.IFA: (
        (118, 115, 112, 110),
        (Decimal("862.00"), Decimal("871.50"), Decimal("879.00"), Decimal("884.50")),
        DPS,
        (21, 20, 19, 19),
        (58, 56, 55, 54),
    ),
    PlacementType.CHILDRENS_HOME: (
        (36, 38, 39, 41),
        (Decimal("4480.00"), Decimal("4615.00"), Decimal("4702.00"), Decimal("4810.00")),
        DPS,
        (17, 18, 19, 20),
        (29, 31, 32, 34),
    ),
    PlacementType.SUPPORTED: (
        (41, 43, 44, 46),
        (Decimal("1210.00"), Decimal("1236.00"), Decimal("1251.00"), Decimal("1275.00")),
        DPS,
        (4, 5, 5, 6),
        (12, 13, 13, 14),
    ),
    PlacementType.SECURE_WELFARE: (
        (2, 1, 2, 2),
        (Decimal("6850.00"), Decimal("6900.00"), Decimal("6950.00"), Decimal("7020.00")),
        "Secure Welfare Coordination Unit",
        (2, 1, 2, 2),
        (2, 1, 2, 2),
    ),
    PlacementType.PARENT_AND_CHILD: (
        (4, 3, 4, 5),
        (Decimal("2890.00"), Decimal("2925.00"), Decimal("2960.00"), Decimal("2995.00")),
        DPS,
        (1, 0, 1, 1),
        (2, 1, 2, 2),
    ),
    PlacementType.SUPPORTED_LODGINGS: (
        (2, 2, 3, 3),
        (Decimal("420.00"), Decimal("420.00"), Decimal("435.00"), Decimal("435.00")),
        "",
        (0, 0, 0, 0),
        (0, 0, 0, 0),
    ),
}

CONSULTATIONS = {
    1: [("Pocket money and savings policy", 11)],
    2: [("Allestree Park re-wilding", 9), ("Life story work policy", 8)],
    3: [("Menus in children's homes", 12)],
    4: [("Fire doors and signage in children's homes", 10)],
}
# "You said, we did": (raised in quarter, you said, we did, owner, due, status, completed).
ACTIONS = [
    (
        1,
        "Pocket money should be the same wherever we live: in foster care, a children's "
        "home or supported accommodation.",
        "A review of pocket money and savings for all children in care is under way, to "
        "report to the Corporate Parenting Committee with financial sign-off.",
        "Head of Service, Children in Care",
        D(2022, 12, 31),
        ActionStatus.IN_PROGRESS,
        None,
    ),
    (
        2,
        "Our views on re-wilding Allestree Park should go to Cabinet.",
        "The Children in Care Council's feedback was presented to Cabinet in November.",
        "Participation Officer",
        D(2021, 11, 30),
        ActionStatus.COMPLETE,
        D(2021, 11, 16),
    ),
    (
        3,
        "We want a say in the menus in our children's homes.",
        "Weekly menu meetings run again in every home, with the Designated Nurse for "
        "children in care advising on healthy options.",
        "Head of Service, Children in Residential Care",
        D(2021, 12, 31),
        ActionStatus.COMPLETE,
        D(2021, 12, 10),
    ),
    (
        4,
        "Fire doors and signs make our homes feel like institutions, not homes.",
        "",
        "Head of Service, Children in Residential Care",
        D(2022, 2, 28),
        ActionStatus.IN_PROGRESS,
        None,
    ),
]

# Demo targets for 2021/22 (the seed's 28 exits and 35 adoptions) and the next year.
TARGETS = {
    "permanence_exits_non_adoption": 28,
    "adoption_orders": 35,
    "foster_enquiries": 200,
    "foster_information_packs": 70,
    "foster_applications": 24,
    "foster_approvals": 30,
}


def _when(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _quarter(values: dict[str, tuple], index: int) -> dict[str, object]:
    return {name: quarters[index] for name, quarters in values.items()}


@transaction.atomic
def load_demo_quarterly_returns(log: Callable[[str], None] = print) -> None:
    """Derby's four signed-off returns for 2021/22, its CiCC actions and the demo targets.

    Needs the demo users (corporate_parenting.demo) and, for the staffing rows, the demo
    provider list (inspections.providers.load_demo_providers).
    """
    from performance.services import sync_catalogue

    derby = LocalAuthority.objects.get(la_code="831")
    officer = User.objects.get(username="derby.officer")
    manager = User.objects.get(username="derby.manager")
    homes = {s.urn: s for s in Setting.objects.filter(urn__in=[*STAFFING, CLOSED_HOME])}
    rets = {}
    for index, quarter in enumerate((1, 2, 3, 4)):
        ends = figures.quarter_start(YEAR, quarter) + dt.timedelta(days=95)
        ends = ends.replace(day=1) - dt.timedelta(days=1)  # the quarter's last day
        ret, _ = QuarterlyReturn.objects.update_or_create(
            la=derby,
            year=YEAR,
            quarter=quarter,
            defaults={
                "status": ReturnStatus.SIGNED_OFF,
                "created_by": officer,
                "submitted_by": officer,
                "submitted_at": _when(ends + dt.timedelta(days=19)),
                "signed_off_by": manager,
                "signed_off_at": _when(ends + dt.timedelta(days=26)),
            },
        )
        rets[quarter] = ret
        stamp = {"updated_by": officer}
        Fostering.objects.update_or_create(
            ret=ret, defaults={**_quarter(FOSTERING, index), **stamp}
        )
        Permanence.objects.update_or_create(
            ret=ret, defaults={**_quarter(PERMANENCE, index), **stamp}
        )
        Education.objects.update_or_create(
            ret=ret, defaults={**_quarter(EDUCATION, index), **stamp}
        )
        ChildrenInCareCouncil.objects.update_or_create(
            ret=ret, defaults={**_quarter(CICC, index), **stamp}
        )
        staffing, _ = StaffingSection.objects.update_or_create(ret=ret, defaults=stamp)
        for urn, (establishment, vacancies, agency) in STAFFING.items():
            if urn in homes:
                HomeStaffing.objects.update_or_create(
                    section=staffing,
                    setting=homes[urn],
                    defaults={
                        "establishment_fte": Decimal(str(establishment[index])),
                        "vacancies_fte": Decimal(str(vacancies[index])),
                        "agency_fte": Decimal(str(agency[index])),
                        "home_status": "open",
                    },
                )
        if CLOSED_HOME in homes:
            HomeStaffing.objects.update_or_create(
                section=staffing,
                setting=homes[CLOSED_HOME],
                defaults={
                    "establishment_fte": Decimal("0.0"),
                    "vacancies_fte": Decimal("0.0"),
                    "agency_fte": Decimal("0.0"),
                    "home_status": "temporarily_closed",
                },
            )
        placements, _ = PlacementsSection.objects.update_or_create(ret=ret, defaults=stamp)
        for kind, (count, cost, framework, far, away) in PLACEMENTS.items():
            PlacementCost.objects.update_or_create(
                section=placements,
                placement_type=kind,
                defaults={
                    "placements": count[index],
                    "average_weekly_cost": cost[index],
                    "framework": framework,
                    "over_20_miles": far[index],
                    "out_of_area": away[index],
                },
            )
        for topic, young_people in CONSULTATIONS[quarter]:
            Consultation.objects.update_or_create(
                ret=ret, topic=topic, defaults={"young_people": young_people}
            )
    for quarter, you_said, we_did, owner, due, status, completed in ACTIONS:
        CiccAction.objects.update_or_create(
            la=derby,
            you_said=you_said,
            defaults={
                "raised_in": rets[quarter],
                "we_did": we_did,
                "owner": owner,
                "due_date": due,
                "status": status,
                "completed_on": completed,
                "updated_by": officer,
            },
        )
    indicators = sync_catalogue()
    for year in (YEAR, YEAR + 1):
        for code, value in TARGETS.items():
            current = Target.objects.filter(la=derby, indicator=indicators[code], year=year)
            # Leave a target that already says this alone, so its updated_at stays true.
            if not current.filter(value=value).exists():
                Target.objects.update_or_create(
                    la=derby, indicator=indicators[code], year=year, defaults={"value": value}
                )
    figures.changed(derby.pk)
    log(
        f"Demo quarterly returns: {len(rets)} signed-off returns for {derby.name} "
        f"2021/22, {len(ACTIONS)} Children in Care Council actions."
    )
