"""A return's life: created, copied forward, submitted, signed off by another, reopened."""

from __future__ import annotations

import datetime as dt

import pytest

from corporate_parenting.models import AuditLog, Role
from returns import workflow
from returns.models import (
    Fostering,
    HomeStaffing,
    QuarterlyReturn,
    Reopening,
    ReturnStatus,
    StaffingSection,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)


def complete(ret: QuarterlyReturn) -> None:
    for _, _, model in workflow.SECTIONS:
        model.objects.get_or_create(ret=ret)


def test_quarters_run_april_to_march():
    assert workflow.quarter_bounds(2022, 1) == (dt.date(2021, 4, 1), dt.date(2021, 6, 30))
    assert workflow.quarter_bounds(2022, 4) == (dt.date(2022, 1, 1), dt.date(2022, 3, 31))
    assert workflow.period_label(2022, 4) == "2021/22 Q4"
    assert workflow.due_date(2022, 4) == dt.date(2022, 4, 30)
    assert workflow.current_quarter(dt.date(2022, 1, 1)) == (2022, 4)
    assert workflow.previous_quarter(2022, 1) == (2021, 4)


@pytest.mark.parametrize(
    ("year", "quarter", "message"),
    [
        ("2022", "5", "There is no quarter 5"),
        ("2022", "0", "There is no quarter 0"),
        ("20x2", "1", "is not a quarter"),
        ("1999", "1", "1999 is not a year returns can be made for: give a year from 2000 to 2027"),
        ("2027", "4", "2026/27 Q4 hasn't started yet: the latest quarter is 2026/27 Q3"),
    ],
)
def test_a_quarter_that_does_not_exist_is_refused(year, quarter, message):
    with pytest.raises(workflow.ReturnError, match=message):
        workflow.check_period(year, quarter, today=dt.date(2026, 11, 23))


def test_creating_a_return_for_a_bad_quarter_creates_nothing(derby, officer):
    with pytest.raises(workflow.ReturnError, match="There is no quarter 5"):
        workflow.create_return(derby, "2022", "5", officer)
    assert not QuarterlyReturn.objects.exists()


def test_a_second_return_for_the_same_quarter_is_refused(derby, officer):
    workflow.create_return(derby, 2022, 4, officer)
    with pytest.raises(workflow.ReturnError, match="already has a return for 2021/22 Q4"):
        workflow.create_return(derby, "2022", "4", officer)
    assert QuarterlyReturn.objects.count() == 1


def test_copy_forward_starts_from_the_previous_quarter(derby, officer):
    from inspections.models import Setting

    home = Setting.objects.create(
        urn="SC900001", name="Oak Lodge", setting_type="childrens_home", run_by_council=derby
    )
    q3 = workflow.create_return(derby, 2022, 3, officer)
    Fostering.objects.create(ret=q3, enquiries=50, households_approved=120, version=4)
    staffing = StaffingSection.objects.create(ret=q3)
    HomeStaffing.objects.create(
        section=staffing, setting=home, establishment_fte=38, vacancies_fte=15
    )
    q4 = workflow.create_return(derby, 2022, 4, officer, copy_forward=True)
    copied = Fostering.objects.get(ret=q4)
    assert (copied.enquiries, copied.households_approved, copied.version) == (50, 120, 1)
    row = HomeStaffing.objects.get(section__ret=q4)
    assert (row.setting, row.establishment_fte, row.vacancies_fte) == (home, 38, 15)
    assert Fostering.objects.get(ret=q3).enquiries == 50  # the source is untouched
    with pytest.raises(workflow.ReturnError, match="no 2019/20 Q4 return to copy forward"):
        workflow.create_return(derby, 2021, 1, officer, copy_forward=True)


def test_submit_needs_every_section(derby, officer):
    ret = workflow.create_return(derby, 2022, 4, officer)
    Fostering.objects.create(ret=ret)
    with pytest.raises(workflow.ReturnError, match="Not saved yet: Permanence, Residential"):
        workflow.submit(ret, officer, ret.version)
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT


def test_sign_off_is_by_another_officer_with_permission_and_locks(derby, officer, manager):
    ret = workflow.create_return(derby, 2022, 4, officer)
    complete(ret)
    workflow.submit(ret, officer, ret.version)
    assert ret.status == ReturnStatus.SUBMITTED
    officer.can_sign_off_returns = True
    with pytest.raises(workflow.ReturnError, match="You submitted this return"):
        workflow.sign_off(ret, officer, ret.version)
    other = make_user("derby.other", role=Role.OFFICER)
    with pytest.raises(workflow.ReturnError, match="permission to sign off"):
        workflow.sign_off(ret, other, ret.version)
    workflow.sign_off(ret, manager, ret.version)
    ret.refresh_from_db()
    assert (ret.status, ret.signed_off_by, ret.locked) == (ReturnStatus.SIGNED_OFF, manager, True)
    with pytest.raises(workflow.ReturnError, match=r"signed off by Derby Persona on .* is locked"):
        workflow.check_editable(ret)


def test_a_stale_version_changes_nothing(derby, officer):
    ret = workflow.create_return(derby, 2022, 4, officer)
    complete(ret)
    seen = ret.version
    QuarterlyReturn.objects.filter(pk=ret.pk).update(version=seen + 1)
    with pytest.raises(workflow.ReturnError, match="changed while you had it open"):
        workflow.submit(ret, officer, seen)
    assert QuarterlyReturn.objects.get(pk=ret.pk).status == ReturnStatus.DRAFT


def test_reopening_needs_a_reason_and_is_audited(derby, officer, manager):
    ret = workflow.create_return(derby, 2022, 4, officer)
    complete(ret)
    workflow.submit(ret, officer, ret.version)
    workflow.sign_off(ret, manager, ret.version)
    with pytest.raises(workflow.ReturnError, match="Give the reason"):
        workflow.reopen(ret, manager, ret.version, "  ")
    with pytest.raises(workflow.ReturnError, match="permission to sign off"):
        workflow.reopen(ret, officer, ret.version, "A typo")
    workflow.reopen(ret, manager, ret.version, "Adoption orders miscounted in Q4")
    ret.refresh_from_db()
    assert (ret.status, ret.signed_off_by, ret.submitted_by) == (ReturnStatus.DRAFT, None, None)
    assert Reopening.objects.get(ret=ret).reason == "Adoption orders miscounted in Q4"
    log = AuditLog.objects.filter(object_type="returns.QuarterlyReturn").order_by("-pk").first()
    assert "Adoption orders miscounted in Q4" in log.detail
    assert log.changed_fields["status"] == {"old": "Signed off", "new": "Draft"}


def test_a_clash_names_who_moved_the_return_on(derby, officer, manager):
    ret = workflow.create_return(derby, 2022, 4, officer)
    complete(ret)
    seen = ret.version
    workflow.submit(ret, officer, seen)
    stale = QuarterlyReturn.objects.get(pk=ret.pk)
    stale.status, stale.version = ReturnStatus.DRAFT, seen  # the page opened before
    with pytest.raises(
        workflow.ReturnError,
        match=r"Derby Persona submitted the 2021/22 Q4 return at \d\d:\d\d on",
    ):
        workflow.submit(stale, officer, seen)


def test_copy_forward_is_audited_and_leaves_out_homes_no_longer_run(derby, officer):
    from inspections.models import Setting

    kept = Setting.objects.create(
        urn="SC900001", name="Oak Lodge", setting_type="childrens_home", run_by_council=derby
    )
    gone = Setting.objects.create(
        urn="SC900002", name="Ash House", setting_type="childrens_home", run_by_council=derby
    )
    q3 = workflow.create_return(derby, 2022, 3, officer)
    staffing = StaffingSection.objects.create(ret=q3)
    HomeStaffing.objects.create(section=staffing, setting=kept, establishment_fte=38)
    HomeStaffing.objects.create(section=staffing, setting=gone, establishment_fte=20)
    Fostering.objects.create(ret=q3, enquiries=50)
    Setting.objects.filter(pk=gone.pk).update(run_by_council=None)  # transferred
    q4 = workflow.create_return(derby, 2022, 4, officer, copy_forward=True)
    assert list(
        HomeStaffing.objects.filter(section__ret=q4).values_list("setting__urn", flat=True)
    ) == ["SC900001"]
    copied = AuditLog.objects.get(
        object_type="returns.Fostering", object_id=str(Fostering.objects.get(ret=q4).pk)
    )
    assert copied.changed_fields["enquiries"] == {"old": "(blank)", "new": "50"}
    assert copied.detail == "copied forward from 2021/22 Q3"
