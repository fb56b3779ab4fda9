"""Cross-field warnings on a quarterly return: figures that don't add up and are worth a
second look. They never stop a section being saved (the figures may be right: an
approval can follow an application made in an earlier quarter, say); they are shown
after saving and on the return's page.

A blank figure means "not entered", so a check that needs it is skipped.
"""

from __future__ import annotations

from decimal import Decimal

from returns import workflow
from returns.models import (
    ChildrenInCareCouncil,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    QuarterlyReturn,
)


def _n(value: int | Decimal) -> str:
    """1,234 or 12.5: thousands separated, decimals as stored."""
    return f"{value:,}"


def _fostering(f: Fostering) -> list[str]:
    found = []
    approvals = [v for v in (f.approvals_mainstream, f.approvals_family_friends) if v is not None]
    if approvals and f.applications is not None and sum(approvals) > f.applications:
        found.append(
            f"Approvals ({_n(f.approvals_mainstream or 0)} mainstream and "
            f"{_n(f.approvals_family_friends or 0)} family and friends, {_n(sum(approvals))} "
            f"in all) are more than the {_n(f.applications)} applications."
        )
    if (
        f.information_packs is not None
        and f.enquiries is not None
        and f.information_packs > f.enquiries
    ):
        found.append(
            f"Information packs sent ({_n(f.information_packs)}) are more than enquiries "
            f"({_n(f.enquiries)})."
        )
    if (
        f.applications is not None
        and f.information_packs is not None
        and f.applications > f.information_packs
    ):
        found.append(
            f"Applications ({_n(f.applications)}) are more than information packs sent "
            f"({_n(f.information_packs)})."
        )
    for noun, approved, filled, vacant, filled_label in (
        (
            "households",
            f.households_approved,
            f.households_filled,
            f.households_vacant,
            "Households with a child placed",
        ),
        ("places", f.places_approved, f.places_filled, f.places_vacant, "Places filled"),
    ):
        if approved is None or filled is None:
            continue
        if filled > approved:
            found.append(
                f"{filled_label} ({_n(filled)}) are more than approved {noun} ({_n(approved)})."
            )
        if vacant is not None and filled + vacant != approved:
            found.append(
                f"Filled ({_n(filled)}) and vacant ({_n(vacant)}) {noun} add up to "
                f"{_n(filled + vacant)}, not the {_n(approved)} approved {noun}."
            )
    return found


def _permanence(p: Permanence) -> list[str]:
    allocated, plan = p.allocated, p.plan_of_adoption
    if allocated is not None and plan is not None and allocated > plan:
        return [
            f"Children allocated to a worker ({_n(allocated)}) are more than children "
            f"with a plan of adoption ({_n(plan)})."
        ]
    return []


def _staffing(ret: QuarterlyReturn) -> list[str]:
    rows = HomeStaffing.objects.filter(section__ret=ret).select_related("setting")
    found = []
    for row in rows:
        est, vac = row.establishment_fte, row.vacancies_fte
        if est and vac is not None and vac > est / 2:
            name = row.setting.name or f"The home with URN {row.setting.urn}"
            found.append(
                f"{name} has {vac} FTE vacancies, more than half its staffing establishment "
                f"of {est} FTE."
            )
    return found


def _placements(ret: QuarterlyReturn) -> list[str]:
    found = []
    for row in PlacementCost.objects.filter(section__ret=ret):
        kind = row.get_placement_type_display()
        if row.placements and row.average_weekly_cost == 0:
            found.append(
                f"{kind}: the average weekly cost is £0 but there are {_n(row.placements)} "
                "placements."
            )
        for label, value in (
            ("placed 20 miles or more from home", row.over_20_miles),
            ("placed outside the council's area", row.out_of_area),
        ):
            if value is not None and row.placements is not None and value > row.placements:
                found.append(
                    f"{kind}: more children {label} ({_n(value)}) than external placements "
                    f"({_n(row.placements)})."
                )
    return found


def _cicc(c: ChildrenInCareCouncil) -> list[str]:
    if c.meetings == 0 and c.attendance:
        return [f"Attendance is {_n(c.attendance)} but no meetings were held."]
    return []


def warnings_for(ret: QuarterlyReturn) -> dict[str, list[str]]:
    """{section slug: [warning, ...]} for every section, empty where there are none."""
    found: dict[str, list[str]] = {slug: [] for slug, _, _ in workflow.SECTIONS}
    fostering = Fostering.objects.filter(ret=ret).first()
    if fostering:
        found["fostering"] = _fostering(fostering)
    permanence = Permanence.objects.filter(ret=ret).first()
    if permanence:
        found["permanence"] = _permanence(permanence)
    found["staffing"] = _staffing(ret)
    found["placements"] = _placements(ret)
    cicc = ChildrenInCareCouncil.objects.filter(ret=ret).first()
    if cicc:
        found["cicc"] = _cicc(cicc)
    return found
