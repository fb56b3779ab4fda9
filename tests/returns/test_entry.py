"""Entering a quarterly return: starting one, each section's form, the workflow buttons,
warnings, the audit trail, "you said, we did" actions and who may see what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from corporate_parenting.models import AuditLog, Role
from inspections.models import Setting
from returns import workflow
from returns.forms import SECTION_FORMS
from returns.models import (
    ChildrenInCareCouncil,
    CiccAction,
    Consultation,
    Education,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    PlacementsSection,
    QuarterlyReturn,
    ReturnStatus,
    StaffingSection,
)
from returns.warnings import warnings_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    """A second officer, allowed to sign off returns."""
    return make_user("mo.manager", role=Role.OFFICER, can_sign_off_returns=True)


@pytest.fixture
def olive(db):
    return make_user("olive.oduya", role=Role.OFFICER)


@pytest.fixture
def oak(derby) -> Setting:
    return Setting.objects.create(
        urn="SC900101",
        name="Oak Lodge",
        setting_type="childrens_home",
        run_by_council=derby,
        la=derby,
    )


@pytest.fixture
def ret(derby, officer) -> QuarterlyReturn:
    return workflow.create_return(derby, 2022, 4, officer)


def has(response, text: str) -> bool:
    return escape(text) in response.content.decode()


def section_url(ret: QuarterlyReturn, slug: str) -> str:
    return reverse("return_section", args=[ret.pk, slug])


def detail_url(ret: QuarterlyReturn) -> str:
    return reverse("return_detail", args=[ret.pk])


def save(client, ret: QuarterlyReturn, slug: str, data: dict, seen: int | None = None):
    if seen is None:
        section = workflow.section_of(ret, slug)
        seen = section.version if section else ""
    return client.post(section_url(ret, slug), {"seen_version": seen, **data})


def complete(ret: QuarterlyReturn) -> None:
    for _, _, model in workflow.SECTIONS:
        model.objects.get_or_create(ret=ret)


# --- starting a return --------------------------------------------------------------------


def test_start_a_return_and_see_it_listed(client, officer):
    client.force_login(officer)
    response = client.post(reverse("return_create"), {"year": "2022", "quarter": "4"})
    ret = QuarterlyReturn.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(ret)
    assert (ret.la_id, ret.year, ret.quarter, ret.status) == (officer.la_id, 2022, 4, "draft")
    page = client.get(reverse("return_list"))
    assert has(page, "2021/22 Q4")
    assert has(page, "Draft")
    assert has(page, "30 April 2022")
    assert has(page, "Overdue")
    assert has(page, "Start a return")


@pytest.mark.parametrize(
    ("year", "quarter", "message"),
    [
        ("2022", "5", "There is no quarter 5"),
        ("2022", "x", "“2022 Qx” is not a quarter"),
        ("future", "1", "hasn't started yet: the latest quarter is"),
    ],
)
def test_a_bad_quarter_is_refused_with_a_precise_message(client, officer, year, quarter, message):
    if year == "future":
        year = str(workflow.current_quarter(timezone.localdate())[0] + 1)
    client.force_login(officer)
    response = client.post(reverse("return_create"), {"year": year, "quarter": quarter})
    assert response.status_code == 200
    assert has(response, message)
    assert has(response, "There is a problem")
    assert not QuarterlyReturn.objects.exists()


def test_a_second_return_for_the_same_quarter_is_refused(client, officer, ret):
    client.force_login(officer)
    response = client.post(reverse("return_create"), {"year": "2022", "quarter": "4"})
    assert has(
        response, "Derby already has a return for 2021/22 Q4 (draft). Open that one instead."
    )
    assert QuarterlyReturn.objects.count() == 1


def test_copy_forward_copies_values_and_rows(client, officer, derby, oak):
    q3 = workflow.create_return(derby, 2022, 3, officer)
    Fostering.objects.create(ret=q3, enquiries=12, applications=4)
    staffing = StaffingSection.objects.create(ret=q3)
    HomeStaffing.objects.create(
        section=staffing, setting=oak, establishment_fte=Decimal("10.5"), vacancies_fte=2
    )
    placements = PlacementsSection.objects.create(ret=q3)
    PlacementCost.objects.create(section=placements, placement_type="ifa", placements=7)
    Consultation.objects.create(ret=q3, topic="Pocket money", young_people=9)
    client.force_login(officer)
    response = client.post(
        reverse("return_create"), {"year": "2022", "quarter": "4", "copy_forward": "on"}
    )
    q4 = QuarterlyReturn.objects.get(quarter=4)
    assert response.url == detail_url(q4)
    assert (q4.fostering.enquiries, q4.fostering.applications) == (12, 4)
    row = q4.staffing.homes.get()
    assert (row.setting, row.establishment_fte, row.vacancies_fte) == (oak, Decimal("10.5"), 2)
    assert q4.placements.rows.get().placements == 7
    assert not q4.consultations.exists()
    # The form opens with the copied values.
    page = client.get(section_url(q4, "staffing"))
    assert 'value="10.5"' in page.content.decode()


def test_copy_forward_with_no_previous_quarter_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("return_create"), {"year": "2022", "quarter": "4", "copy_forward": "on"}
    )
    assert has(response, "There is no 2021/22 Q3 return to copy forward from.")
    assert not QuarterlyReturn.objects.exists()


# --- sections -----------------------------------------------------------------------------


def test_each_section_saves(client, officer, ret, oak):
    client.force_login(officer)
    posts = {
        "fostering": {"enquiries": "40", "information_packs": "1,020", "applications": "6"},
        "permanence": {"adoption_orders": "3", "team_capacity_pct": "87.5"},
        "education": {"pep_completion_pct": "95", "permanent_exclusions": "0"},
        "staffing": {
            f"home{oak.pk}_establishment_fte": "12.5",
            f"home{oak.pk}_vacancies_fte": "1.5",
            f"home{oak.pk}_agency_fte": "0",
            f"home{oak.pk}_home_status": "open",
        },
        "placements": {
            "ifa_placements": "30",
            "ifa_average_weekly_cost": "£1,020.50",
            "ifa_framework": "D2N2 DPS",
            "ifa_over_20_miles": "4",
            "ifa_out_of_area": "9",
        },
        "cicc": {
            "meetings": "2",
            "attendance": "15",
            "consultation1_topic": "Pocket money",
            "consultation1_young_people": "12",
            "consultation2_topic": "",
            "consultation2_young_people": "",
        },
    }
    for slug, data in posts.items():
        response = save(client, ret, slug, data)
        assert response.status_code == 302, (slug, response.context["form"].errors)
        assert response.url == detail_url(ret)
    assert Fostering.objects.get(ret=ret).information_packs == 1020
    permanence = Permanence.objects.get(ret=ret)
    assert (permanence.adoption_orders, permanence.team_capacity_pct) == (3, Decimal("87.5"))
    assert Education.objects.get(ret=ret).permanent_exclusions == 0
    assert Education.objects.get(ret=ret).fixed_term_exclusions is None  # blank: not entered
    row = HomeStaffing.objects.get(section__ret=ret)
    assert (row.establishment_fte, row.vacancies_fte, row.agency_fte) == (
        Decimal("12.5"),
        Decimal("1.5"),
        Decimal("0"),
    )
    cost = PlacementCost.objects.get(section__ret=ret)
    assert (cost.placement_type, cost.average_weekly_cost, cost.framework) == (
        "ifa",
        Decimal("1020.50"),
        "D2N2 DPS",
    )
    assert PlacementCost.objects.filter(section__ret=ret).count() == 1  # blank types: no row
    cicc = ChildrenInCareCouncil.objects.get(ret=ret)
    assert (cicc.meetings, cicc.attendance) == (2, 15)
    assert list(ret.consultations.values_list("topic", "young_people")) == [("Pocket money", 12)]
    page = client.get(detail_url(ret))
    assert has(page, "Saved by Derby Persona on")
    assert not has(page, "Not started")
    # Each save is audited: sections and rows.
    assert AuditLog.objects.filter(object_type="returns.Fostering").exists()
    assert AuditLog.objects.filter(object_type="returns.HomeStaffing").exists()
    assert AuditLog.objects.filter(object_type="returns.PlacementCost").exists()


def test_the_return_page_shows_the_success_banner_after_a_save(client, officer, ret):
    client.force_login(officer)
    response = client.post(
        section_url(ret, "education"), {"seen_version": "", "attendance_pct": "91.2"}, follow=True
    )
    assert has(response, "Education (the Virtual School) saved")
    assert has(response, "govuk-notification-banner--success")
    assert has(response, "Submit for sign-off")


def test_consultations_can_be_changed_and_removed(client, officer, ret):
    client.force_login(officer)
    save(
        client, ret, "cicc", {"consultation1_topic": "Pocket money", "consultation2_topic": "Wifi"}
    )
    assert ret.consultations.count() == 2
    response = save(
        client,
        ret,
        "cicc",
        {"consultation1_topic": "Pocket money and savings", "consultation2_topic": ""},
    )
    assert response.status_code == 302
    assert list(ret.consultations.values_list("topic", flat=True)) == ["Pocket money and savings"]
    response = save(client, ret, "cicc", {"consultation3_young_people": "4"})
    assert has(response, "Enter the topic of consultation 3, or clear the number of young people")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"enquiries": "-3"},
            "Enquiries must be a whole number, 0 or more; you entered \u2018-3\u2019",
        ),
        (
            {"enquiries": "lots"},
            "Enquiries must be a whole number, 0 or more; you entered \u2018lots\u2019",
        ),
        (
            {"withdrawals": "2.5"},
            "Withdrawals must be a whole number, 0 or more; you entered \u20182.5\u2019",
        ),
    ],
)
def test_a_bad_figure_shows_a_precise_message_and_saves_nothing(
    client, officer, ret, data, message
):
    client.force_login(officer)
    response = save(client, ret, "fostering", {"applications": "4", **data})
    assert response.status_code == 200
    assert has(response, message)
    assert not Fostering.objects.filter(ret=ret).exists()


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        (
            "permanence",
            {"team_capacity_pct": "100.5"},
            "Team capacity used (%) must be a percentage from 0 to 100, with no more than one "
            "decimal place; you entered \u2018100.5\u2019",
        ),
        (
            "education",
            {"attendance_pct": "91.25"},
            "School attendance (%) must be a percentage from 0 to 100, with no more than one "
            "decimal place; you entered \u201891.25\u2019",
        ),
        (
            "placements",
            {"ifa_average_weekly_cost": "12.345"},
            "Average weekly cost (£) for Independent fostering agency (IFA) must be an amount in "
            "pounds, 0 or more, with no more than 2 decimal places; you entered \u201812.345\u2019",
        ),
        (
            "placements",
            {"supported_placements": "-1"},
            "External placements for Semi-independent or supported accommodation must be a "
            "whole number, 0 or more; you entered \u2018-1\u2019",
        ),
    ],
)
def test_percentages_and_pounds_are_checked(client, officer, ret, slug, data, message):
    client.force_login(officer)
    response = save(client, ret, slug, data)
    assert has(response, message)
    assert workflow.section_of(ret, slug) is None


def test_staffing_is_checked_per_home(client, officer, ret, oak):
    client.force_login(officer)
    home = f"home{oak.pk}_"
    response = save(
        client,
        ret,
        "staffing",
        {
            f"{home}establishment_fte": "4",
            f"{home}vacancies_fte": "5",
            f"{home}home_status": "open",
        },
    )
    assert has(
        response,
        "Vacancies at Oak Lodge (5.0 FTE) can't be more than its staffing establishment (4.0 FTE)",
    )
    response = save(
        client,
        ret,
        "staffing",
        {f"{home}agency_fte": "1.25", f"{home}home_status": "open"},
    )
    assert has(
        response,
        "Agency staff in use (FTE) at Oak Lodge must be a number, 0 or more, with no more than "
        "one decimal place; you entered \u20181.25\u2019",
    )
    assert not StaffingSection.objects.exists()
    assert not HomeStaffing.objects.exists()


def test_a_signed_off_return_refuses_a_section_save(client, officer, manager, ret):
    Fostering.objects.create(ret=ret, enquiries=10)
    complete(ret)
    workflow.submit(ret, officer, ret.version)
    workflow.sign_off(ret, manager, ret.version)
    client.force_login(officer)
    response = save(client, ret, "fostering", {"enquiries": "99"})
    assert response.status_code == 200
    assert has(response, "The 2021/22 Q4 return was signed off by Mo Persona on")
    assert has(response, "is locked. Reopen it, giving a reason, to change it.")
    fostering = Fostering.objects.get(ret=ret)
    assert (fostering.enquiries, fostering.version) == (10, 1)
    # The pages say so and offer no way to change it.
    page = client.get(section_url(ret, "fostering"))
    assert has(page, "is locked") and not has(page, "Save section")
    detail = client.get(detail_url(ret))
    assert section_url(ret, "fostering") not in detail.content.decode()


def test_a_submitted_return_cant_change_under_the_signer(client, officer, manager, ret):
    """The signer signs off what they read: a submitted return is withdrawn to change it."""
    Fostering.objects.create(ret=ret, enquiries=10)
    complete(ret)
    workflow.submit(ret, officer, ret.version)
    client.force_login(officer)
    response = save(client, ret, "fostering", {"enquiries": "99"})
    assert has(response, "has been submitted and is waiting for sign-off")
    assert Fostering.objects.get(ret=ret).enquiries == 10
    detail = client.get(detail_url(ret)).content.decode()
    assert section_url(ret, "fostering") not in detail
    assert "Withdraw to a draft" in detail


def test_an_action_cant_be_added_to_a_signed_off_return(client, officer, manager, ret, councillor):
    from returns.models import CiccAction

    complete(ret)
    workflow.submit(ret, officer, ret.version)
    workflow.sign_off(ret, manager, ret.version)
    client.force_login(officer)
    response = client.post(
        reverse("cicc_action_create"),
        {
            "you_said": "More trips out",
            "owner": "Participation officer",
            "due_date_day": "1",
            "due_date_month": "6",
            "due_date_year": "2022",
            "status": "not_started",
            "raised_in": str(ret.pk),
        },
    )
    assert has(response, "The 2021/22 Q4 return is signed off, so an action can't be added")
    assert not CiccAction.objects.exists()
    # Councillors read only actions from signed-off returns (or none), as on the dashboard.
    draft = workflow.create_return(ret.la, 2022, 3, officer)
    CiccAction.objects.create(
        la=ret.la, raised_in=draft, you_said="Draft only", owner="X", due_date=dt.date(2022, 1, 1)
    )
    CiccAction.objects.create(
        la=ret.la, raised_in=ret, you_said="Signed off", owner="X", due_date=dt.date(2022, 1, 1)
    )
    client.force_login(councillor)
    page = client.get(reverse("cicc_action_list")).content.decode()
    assert "Signed off" in page and "Draft only" not in page


def test_a_stale_save_names_who_changed_it_and_keeps_your_values(client, officer, olive, ret):
    client.force_login(olive)
    save(client, ret, "fostering", {"enquiries": "10", "applications": "2"})
    client.force_login(officer)
    client.get(section_url(ret, "fostering"))  # opened at version 1...
    client.force_login(olive)
    save(client, ret, "fostering", {"enquiries": "11", "applications": "2"})  # ...now 2
    client.force_login(officer)
    response = save(client, ret, "fostering", {"enquiries": "25", "applications": "3"}, seen=1)
    assert response.status_code == 200
    assert has(response, "Olive Persona changed this fostering section at")
    form = response.context["form"]
    assert ("Enquiries", "11", "25") in form.clash
    assert ("Applications", "2", "3") in form.clash
    assert has(response, "Your changes that were not saved")
    fostering = Fostering.objects.get(ret=ret)
    assert (fostering.enquiries, fostering.applications, fostering.version) == (11, 2, 2)
    # The form now holds Olive's version, ready to save again.
    assert form.data["seen_version"] == "2"


def test_a_form_opened_before_the_first_save_clashes_too(client, officer, olive, ret):
    client.force_login(olive)
    save(client, ret, "education", {"attendance_pct": "90"})
    client.force_login(officer)
    response = save(client, ret, "education", {"attendance_pct": "80"}, seen="")
    assert has(response, "Olive Persona changed this education section at")
    assert Education.objects.get(ret=ret).attendance_pct == Decimal("90.0")


def test_a_stale_save_of_a_row_section_changes_nothing(client, officer, olive, ret, oak):
    home = f"home{oak.pk}_"
    client.force_login(olive)
    save(client, ret, "staffing", {f"{home}establishment_fte": "8", f"{home}home_status": "open"})
    save(client, ret, "staffing", {f"{home}establishment_fte": "9", f"{home}home_status": "open"})
    client.force_login(officer)
    response = save(
        client,
        ret,
        "staffing",
        {f"{home}establishment_fte": "12", f"{home}home_status": "open"},
        seen=1,
    )
    assert has(response, "Olive Persona changed this residential staffing section at")
    assert ("Oak Lodge: Staffing establishment (FTE)", "9.0", "12.0") in response.context[
        "form"
    ].clash
    assert HomeStaffing.objects.get().establishment_fte == Decimal("9.0")
    assert StaffingSection.objects.get().version == 2


# --- the workflow -------------------------------------------------------------------------


def act(client, ret: QuarterlyReturn, action: str, **extra: str):
    ret.refresh_from_db()
    return client.post(detail_url(ret), {"action": action, "version": ret.version, **extra})


def test_submit_needs_every_section(client, officer, ret):
    Fostering.objects.create(ret=ret)
    client.force_login(officer)
    response = act(client, ret, "submit")
    assert has(response, "Save every section before submitting. Not saved yet: Permanence,")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT


def test_sign_off_by_the_submitter_or_without_permission_is_refused(client, officer, ret):
    complete(ret)
    boss = make_user("bo.boss", role=Role.OFFICER, can_sign_off_returns=True)
    client.force_login(boss)
    response = act(client, ret, "submit")
    assert response.status_code == 302
    response = act(client, ret, "sign_off")
    assert has(response, "You submitted this return, so another officer with permission")
    client.force_login(officer)  # no permission to sign off
    page = client.get(detail_url(ret))
    assert not has(page, "Sign off and lock the return")
    response = act(client, ret, "sign_off")
    assert has(response, "Only an officer with permission to sign off returns can sign it off.")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED


def test_sign_off_by_another_permitted_officer_locks_the_return(client, officer, manager, ret):
    complete(ret)
    client.force_login(officer)
    assert act(client, ret, "submit").status_code == 302
    client.force_login(manager)
    response = act(client, ret, "sign_off")
    assert response.status_code == 302
    ret.refresh_from_db()
    assert (ret.status, ret.signed_off_by, ret.submitted_by) == ("signed_off", manager, officer)
    page = client.get(detail_url(ret))
    assert has(page, "Signed off")
    assert has(page, "By Mo Persona on")
    assert has(page, "This return is signed off and locked.")
    assert not has(page, "Overdue")


def test_a_stale_workflow_button_is_refused(client, officer, ret):
    complete(ret)
    client.force_login(officer)
    response = client.post(detail_url(ret), {"action": "submit", "version": ret.version + 5})
    assert has(response, "changed while you had it open")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT


def test_reopen_needs_a_reason_and_is_audited(client, officer, manager, ret):
    complete(ret)
    workflow.submit(ret, officer, ret.version)
    workflow.sign_off(ret, manager, ret.version)
    client.force_login(officer)  # can't reopen a signed-off return
    assert not has(client.get(detail_url(ret)), "Reopen the return")
    client.force_login(manager)
    response = act(client, ret, "reopen", reason="  ")
    assert has(response, "Give the reason for reopening the return")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SIGNED_OFF
    response = act(client, ret, "reopen", reason="Enquiries were double counted")
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT
    entry = AuditLog.objects.filter(object_type="returns.QuarterlyReturn").first()
    assert "Enquiries were double counted" in entry.detail
    page = client.get(detail_url(ret))
    assert has(page, "Enquiries were double counted")
    assert has(page, "Reopened")


# --- warnings -----------------------------------------------------------------------------


def test_warnings_show_and_do_not_block_saving(client, officer, ret, oak):
    client.force_login(officer)
    response = save(
        client,
        ret,
        "fostering",
        {
            "enquiries": "5",
            "information_packs": "8",
            "applications": "2",
            "approvals_mainstream": "2",
            "approvals_family_friends": "1",
            "households_approved": "10",
            "households_filled": "6",
            "households_vacant": "3",
        },
    )
    assert response.status_code == 302
    assert Fostering.objects.get(ret=ret).information_packs == 8
    page = client.get(detail_url(ret))
    for text in (
        "Approvals (2 mainstream and 1 family and friends, 3 in all) are more than the 2 "
        "applications.",
        "Information packs sent (8) are more than enquiries (5).",
        "Filled (6) and vacant (3) households add up to 9, not the 10 approved households.",
    ):
        assert has(page, text)
    assert has(page, "govuk-warning-text")
    home = f"home{oak.pk}_"
    response = save(
        client,
        ret,
        "staffing",
        {
            f"{home}establishment_fte": "4",
            f"{home}vacancies_fte": "3",
            f"{home}home_status": "open",
        },
        # Warnings are in the banner's note too.
    )
    assert response.status_code == 302
    follow = client.get(detail_url(ret))
    assert has(follow, "Residential staffing saved. Check the 1 warning below")
    assert has(follow, "Oak Lodge has 3.0 FTE vacancies, more than half its staffing establishment")
    assert has(client.get(section_url(ret, "staffing")), "more than half its staffing")


def test_other_warnings(ret):
    Permanence.objects.create(ret=ret, plan_of_adoption=3, allocated=4)
    placements = PlacementsSection.objects.create(ret=ret)
    PlacementCost.objects.create(
        section=placements, placement_type="ifa", placements=5, average_weekly_cost=0
    )
    ChildrenInCareCouncil.objects.create(ret=ret, meetings=0, attendance=7)
    Fostering.objects.create(
        ret=ret, information_packs=3, applications=4, places_approved=5, places_filled=6
    )
    found = warnings_for(ret)
    assert found["permanence"] == [
        "Children allocated to a worker (4) are more than children with a plan of adoption (3)."
    ]
    assert found["placements"] == [
        "Independent fostering agency (IFA): the average weekly cost is £0 but there are 5 "
        "placements."
    ]
    assert found["cicc"] == ["Attendance is 7 but no meetings were held."]
    assert "Applications (4) are more than information packs sent (3)." in found["fostering"]
    assert "Places filled (6) are more than approved places (5)." in found["fostering"]
    assert found["education"] == [] and found["staffing"] == []


# --- the audit trail ----------------------------------------------------------------------


def test_the_audit_page_lists_old_and_new_values(client, officer, olive, manager, ret, oak):
    client.force_login(officer)
    save(client, ret, "fostering", {"enquiries": "10"})
    client.force_login(olive)
    save(client, ret, "fostering", {"enquiries": "12"})
    home = f"home{oak.pk}_"
    save(client, ret, "staffing", {f"{home}establishment_fte": "6", f"{home}home_status": "open"})
    save(client, ret, "cicc", {"consultation1_topic": "Wifi"})
    page = client.get(reverse("return_audit", args=[ret.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    row = (
        '<td class="govuk-table__cell">Fostering recruitment</td>\n'
        '      <td class="govuk-table__cell">Enquiries</td>\n'
        '      <td class="govuk-table__cell">10</td>\n'
        '      <td class="govuk-table__cell">12</td>'
    )
    assert row in text
    assert has(page, "Olive Persona")
    assert has(page, "Residential staffing: Oak Lodge")
    assert has(page, "Staffing establishment (FTE)")
    assert has(page, "Consultation 1: topic")
    # Newest first: Olive's change comes before the officer's first save.
    first = (
        '<td class="govuk-table__cell">Enquiries</td>\n'
        '      <td class="govuk-table__cell">(blank)</td>\n'
        '      <td class="govuk-table__cell">10</td>'
    )
    assert text.index(row) < text.index(first)


# --- "you said, we did" actions -----------------------------------------------------------


def action_post(**extra: str) -> dict[str, str]:
    return {
        "you_said": "We want more say in our placements",
        "we_did": "",
        "owner": "Participation team",
        "due_date_day": "1",
        "due_date_month": "6",
        "due_date_year": "2022",
        "status": "in_progress",
        **extra,
    }


def test_add_and_change_an_action(client, officer, councillor, ret):
    client.force_login(officer)
    response = client.post(
        reverse("cicc_action_create") + f"?ret={ret.pk}", action_post(raised_in=str(ret.pk))
    )
    assert response.status_code == 302, response.context["form"].errors
    action = CiccAction.objects.get()
    assert (action.la_id, action.raised_in, action.status) == (officer.la_id, ret, "in_progress")
    edit = reverse("cicc_action_edit", args=[action.pk])
    response = client.post(edit, action_post(status="complete", seen_version="1"))
    assert has(response, "Enter the date it was completed")
    future = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        edit,
        action_post(
            status="complete",
            seen_version="1",
            completed_on_day=str(future.day),
            completed_on_month=str(future.month),
            completed_on_year=str(future.year),
        ),
    )
    assert has(response, "Completed date must be today or in the past")
    response = client.post(
        edit,
        action_post(
            seen_version="1", completed_on_day="1", completed_on_month="5", completed_on_year="2022"
        ),
    )
    assert has(response, "Remove the completed date, or select complete if it has been completed")
    action.refresh_from_db()
    assert action.status == "in_progress" and action.version == 1
    # Past due and not complete: overdue, for councillors as well as officers (who read
    # actions once their return is signed off).
    signer = make_user("sam.signer", role=Role.OFFICER, can_sign_off_returns=True)
    QuarterlyReturn.objects.filter(pk=ret.pk).update(
        status="signed_off", submitted_by=officer, signed_off_by=signer
    )
    client.force_login(councillor)
    page = client.get(reverse("cicc_action_list"))
    assert page.status_code == 200
    assert has(page, "We want more say in our placements")
    assert has(page, "Overdue")
    assert not has(page, "Add an action")
    client.force_login(officer)
    response = client.post(
        edit,
        action_post(
            status="complete",
            seen_version="1",
            we_did="Young people now sit on the placements panel",
            completed_on_day="20",
            completed_on_month="5",
            completed_on_year="2022",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.version) == (
        "complete",
        dt.date(2022, 5, 20),
        2,
    )
    assert not has(client.get(reverse("cicc_action_list")), "Overdue")
    # A stale edit names who saved since.
    response = client.post(edit, action_post(seen_version="1"))
    assert has(response, "Derby Persona changed this action at")


# --- access -------------------------------------------------------------------------------


def officer_pages(ret: QuarterlyReturn, action: CiccAction) -> list[str]:
    return [
        reverse("return_list"),
        reverse("return_create"),
        detail_url(ret),
        reverse("return_audit", args=[ret.pk]),
        *[section_url(ret, slug) for slug in SECTION_FORMS],
        reverse("cicc_action_create"),
        reverse("cicc_action_edit", args=[action.pk]),
    ]


@pytest.fixture
def action(derby) -> CiccAction:
    return CiccAction.objects.create(
        la=derby, you_said="More trips", owner="Team", due_date=dt.date(2030, 1, 1)
    )


def test_councillors_and_clerks_may_only_read_the_actions(client, councillor, clerk, ret, action):
    for user in (councillor, clerk):
        client.force_login(user)
        for url in officer_pages(ret, action):
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {}).status_code == 403, (user, url)
        assert client.get(reverse("cicc_action_list")).status_code == 200


def test_another_councils_return_is_missing(client, other_officer, ret, action):
    client.force_login(other_officer)
    for url in officer_pages(ret, action)[2:]:
        if url == reverse("cicc_action_create"):
            continue
        assert client.get(url).status_code == 404, url
    assert client.post(detail_url(ret), {"action": "submit", "version": "1"}).status_code == 404
    assert client.post(section_url(ret, "fostering"), {"enquiries": "1"}).status_code == 404
    assert not Fostering.objects.exists()
    assert not has(client.get(reverse("cicc_action_list")), "More trips")
    assert not has(client.get(reverse("return_list")), "2021/22 Q4")


def test_an_unknown_section_is_missing(client, officer, ret):
    client.force_login(officer)
    assert client.get(section_url(ret, "finance")).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, ret, action):
    for url in [*officer_pages(ret, action), reverse("cicc_action_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
