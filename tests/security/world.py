"""Two councils' worth of real objects, one of every kind a URL can name.

Derby (831) is the personas' own council; Nottinghamshire (891) is "another council",
whose ids every object URL is also tried with. Both are built the same way, so a 404
for a Derby user on a Nottinghamshire id can only be the ownership check: the other
council's officer is shown the very same ids (and gets 200).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.contrib import admin
from django.contrib.auth.models import Group

from committee.content import build
from committee.models import (
    AgendaItem,
    Committee,
    Meeting,
    MeetingAction,
    MeetingPack,
    PackKind,
    PublishedVersion,
    Report,
    ReportStatus,
    ReportType,
)
from committee.skeletons import ensure_templates
from corporate_parenting import audit
from corporate_parenting.models import (
    AuditLog,
    ComparisonGroup,
    LocalAuthority,
    Population,
    Role,
    StatisticalNeighbour,
    User,
)
from corporate_parenting.two_factor import role_requires_it
from inspections.forms_homes import default_framework
from inspections.frameworks import ILACS_2018
from inspections.models import (
    RAG,
    ActionItem,
    AreaForImprovement,
    CouncilInspection,
    CouncilInspectionType,
    Framework,
    MemberVisit,
    Reg44Recommendation,
    Reg44Visit,
    Reg45Review,
    Setting,
)
from inspections.services import record_inspection
from performance.models import Benchmark, Indicator, IndicatorValue, Target
from placements.importer import files_from_paths, run_import
from placements.models import Child, Import
from returns import workflow
from returns.models import CiccAction
from tests.conftest import make_user
from tests.placements.factories import write_return
from tests.support.two_factor import confirmed_device

D = dt.date
OWN, OTHER = "831", "891"  # Derby, Nottinghamshire
RETURN_YEAR = 2018  # the year the factory's small SSDA903 return is imported for
INDICATOR = "cla_at_31_march"  # an indicator the import gives a value for that year
STUB_PDF = b"%PDF-1.7 a stub stored PDF"


@dataclass(frozen=True)
class Council:
    """One council's objects, as the ids its URLs take (by kind, e.g. "meeting")."""

    la: LocalAuthority
    ids: dict[str, int]


@dataclass(frozen=True)
class World:
    """Everything the matrix's requests name."""

    users: dict[str, User]  # by persona: "officer", ..., "other_officer"
    councils: dict[str, Council]  # by la_code: OWN and OTHER
    admin_ids: dict[str, int]  # by model ("app_label.model"): a row's id, if it has one


def _import(la: LocalAuthority, folder: Path, officer: User) -> Import:
    files, early = files_from_paths([write_return(folder)])
    run = Import.objects.create(
        la=la, year=RETURN_YEAR, mode=Import.Mode.STRICT, source="browser", user=officer
    )
    return run_import(run, files, early_problems=early)


def _group(la: LocalAuthority, partner: str) -> ComparisonGroup:
    group = ComparisonGroup.objects.create(name=f"{la.name} and a neighbour")
    group.members.set([la, LocalAuthority.objects.get(la_code=partner)])
    return group


def _homes(la: LocalAuthority, ids: dict[str, int]) -> None:
    home = Setting.objects.create(
        urn=f"SC9{la.la_code}01",
        name=f"{la.name} Lodge",
        setting_type="childrens_home",
        run_by_council=la,
        la=la,
    )
    inspection, _ = record_inspection(
        home,
        date=D(2021, 11, 3),
        framework=default_framework(home),
        grades={"overall_experiences": "good"},
    )
    visit = Reg44Visit.objects.create(
        setting=home,
        month=D(2022, 1, 1),
        visit_date=D(2022, 1, 14),
        announced=False,
        visitor="Pat Visitor",
        children_spoken_to=2,
    )
    ids |= {
        "home": home.pk,
        "setting_inspection": inspection.pk,
        "reg44_visit": visit.pk,
        "reg44_recommendation": Reg44Recommendation.objects.create(
            visit=visit, text="Repair the fire door", owner="Manager", due_date=D(2022, 2, 1)
        ).pk,
        "reg45_review": Reg45Review.objects.create(
            setting=home,
            period_start=D(2021, 4, 1),
            period_end=D(2021, 9, 30),
            due_date=D(2021, 10, 31),
        ).pk,
        "member_visit": MemberVisit.objects.create(
            setting=home, date=D(2022, 1, 5), councillors="Cllr B", findings="Fine"
        ).pk,
    }


def _council_inspection(la: LocalAuthority, ids: dict[str, int]) -> None:
    inspection = CouncilInspection.objects.create(
        la=la,
        inspection_type=CouncilInspectionType.ILACS_STANDARD,
        framework=Framework.objects.get(code=ILACS_2018),
        start_date=D(2022, 3, 21),
        end_date=D(2022, 3, 25),
        action_plan_due=D(2022, 8, 19),
    )
    area = AreaForImprovement.objects.create(inspection=inspection, number=1, text="Plans")
    ids |= {
        "council_inspection": inspection.pk,
        "area_for_improvement": area.pk,
        "action_item": ActionItem.objects.create(
            area=area,
            action="Audit plans",
            owner="Head of service",
            due_date=D(2022, 9, 30),
            rag=RAG.GREEN,
        ).pk,
    }


def _returns(la: LocalAuthority, officer: User, ids: dict[str, int]) -> None:
    ret = workflow.create_return(la, "2022", "4", officer)
    ids |= {
        "quarterly_return": ret.pk,
        "cicc_action": CiccAction.objects.create(
            la=la,
            raised_in=ret,
            you_said="More trips",
            owner="Participation lead",
            due_date=D(2022, 6, 30),
        ).pk,
    }


def _report(la: LocalAuthority, officer: User, status: ReportStatus) -> Report:
    return Report.objects.create(
        la=la,
        template=ensure_templates()[la.la_code],
        report_type=ReportType.CIC_PERFORMANCE,
        title="Children in care performance update",
        report_of="Director of Children's Services",
        year=RETURN_YEAR,
        quarter=0,
        summary="The report sets out performance.",
        recommendations="To note the report.",
        status=status,
        updated_by=officer,
    )


def _pack(meeting: Meeting, kind: PackKind) -> MeetingPack:
    return MeetingPack.objects.create(
        meeting=meeting, kind=kind, status="ready", pdf=STUB_PDF, pages=1
    )


def _committee(la: LocalAuthority, officer: User, ids: dict[str, int]) -> None:
    """A meeting with an item whose report is published, so councillors may read it (and
    tables to download); a draft report, missing to them; a public and a confidential pack."""
    report = _report(la, officer, ReportStatus.PUBLISHED)
    PublishedVersion.objects.create(
        report=report,
        number=1,
        content=build(report),
        pdf=STUB_PDF,
        sha256=hashlib.sha256(STUB_PDF).hexdigest(),
    )
    committee = Committee.objects.create(la=la, name="Corporate Parenting Committee")
    meeting = Meeting.objects.create(committee=committee, date=D(2022, 7, 26))
    item = AgendaItem.objects.create(meeting=meeting, number=5, title="Performance", report=report)
    ids |= {
        "report": report.pk,
        "draft_report": _report(la, officer, ReportStatus.DRAFT).pk,
        "meeting": meeting.pk,
        "agenda_item": item.pk,
        "meeting_action": MeetingAction.objects.create(
            item=item, text="Bring figures", owner="Director", due_date=D(2022, 10, 1)
        ).pk,
        "pack": _pack(meeting, PackKind.PUBLIC).pk,
        "confidential_pack": _pack(meeting, PackKind.CONFIDENTIAL).pk,
    }


def build_council(la_code: str, officer: User, folder: Path, partner: str) -> Council:
    """Every kind of object for one council. `officer` imports and writes, and is the
    user its council admin manages (with an authenticator app, so resetting it is a
    page); `partner` is the la_code of the other council in its comparison group (never
    the other council of the matrix)."""
    la = LocalAuthority.objects.get(la_code=la_code)
    run = _import(la, folder, officer)
    ids = {
        "user": officer.pk,
        "import": run.pk,
        "child": Child.objects.filter(la=la).order_by("pk").first().pk,
        "comparison_group": _group(la, partner).pk,
    }
    _homes(la, ids)
    _council_inspection(la, ids)
    _returns(la, officer, ids)
    _committee(la, officer, ids)
    assert IndicatorValue.objects.filter(
        la=la, indicator__code=INDICATOR, year=RETURN_YEAR, quarter=0
    ).exists(), f"the import gave {la} no {INDICATOR} value for {RETURN_YEAR}"
    return Council(la=la, ids=ids)


def _reference_rows(la: LocalAuthority, user: User) -> None:
    """A row for each of the admin's own models the councils' objects don't make, so
    its object pages are tried with a real id."""
    Group.objects.create(name="Readers")
    Population.objects.create(la=la, year=2021, population_0_17=59_900)
    StatisticalNeighbour.objects.create(
        la=la, year=2021, neighbour=LocalAuthority.objects.get(la_code="856"), rank=1
    )
    indicator = Indicator.objects.get(code=INDICATOR)
    Target.objects.create(la=la, indicator=indicator, year=RETURN_YEAR, value=400)
    Benchmark.objects.create(indicator=indicator, year=RETURN_YEAR, area="england", value=1)
    audit.record(user=user, action=AuditLog.Action.VIEW, obj=user)


def build_world(folder: Path) -> World:
    """The personas, both councils' objects, and the admin's rows."""
    users = {
        "officer": make_user("derby.officer", role=Role.OFFICER),
        "councillor": make_user("derby.councillor", role=Role.COUNCILLOR),
        "clerk": make_user("derby.clerk", role=Role.CLERK),
        "council_admin": make_user("derby.admin", role=Role.COUNCIL_ADMIN),
        "system_admin": make_user("sysadmin", role=Role.SYSTEM_ADMIN, la_code=None),
        "other_officer": make_user("notts.officer", role=Role.OFFICER, la_code=OTHER),
    }
    for user in users.values():
        if role_requires_it(user):  # as force_login would make it; made here for the admin
            confirmed_device(user)
    councils = {
        OWN: build_council(OWN, users["officer"], folder / OWN, partner="856"),  # Leicester
        OTHER: build_council(OTHER, users["other_officer"], folder / OTHER, partner="925"),
    }
    _reference_rows(councils[OWN].la, users["officer"])
    admin_ids = {}
    for model in admin.site._registry:
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            admin_ids[model._meta.label_lower] = pk
    return World(users=users, councils=councils, admin_ids=admin_ids)
