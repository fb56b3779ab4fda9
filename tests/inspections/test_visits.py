"""Regulation 44 visits and their grid, Regulation 45 reviews and elected members' visits."""

from __future__ import annotations

import datetime as dt
import re
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from corporate_parenting.models import AuditLog, Role
from inspections import reg44
from inspections.closures import record_status
from inspections.models import (
    MemberVisit,
    Reg44Recommendation,
    Reg44Visit,
    Reg45Review,
    Setting,
)
from tests.conftest import make_user

D = dt.date
TODAY = D(2022, 3, 20)


def make_home(la, urn: str, name: str, **extra: object) -> Setting:
    status, since = extra.pop("status", None), extra.pop("status_since", None)
    home = Setting.objects.create(
        urn=urn, name=name, setting_type="childrens_home", run_by_council=la, la=la, **extra
    )
    if status:  # as an officer records it: with its closure period
        record_status(home, status, since, source="council")
    return home


def make_visit(home: Setting, visit_date: dt.date, **extra: object) -> Reg44Visit:
    values = {
        "announced": False,
        "visitor": "Pat Visitor",
        "children_spoken_to": 2,
        **extra,
    }
    return Reg44Visit.objects.create(
        setting=home, month=visit_date.replace(day=1), visit_date=visit_date, **values
    )


@pytest.fixture
def oak(derby) -> Setting:
    return make_home(derby, "SC900001", "Oak Lodge")


@pytest.fixture
def willow(derby) -> Setting:
    return make_home(
        derby,
        "SC900002",
        "Willow Lodge",
        status="temporarily_closed",
        status_since=D(2020, 2, 1),
    )


@pytest.fixture
def visit(oak) -> Reg44Visit:
    return make_visit(
        oak,
        D(2022, 1, 14),
        report_received=D(2022, 1, 20),
        children_safeguarded=True,
        wellbeing_promoted=True,
    )


def content(response) -> str:
    return response.content.decode()


def has(response, text: str) -> bool:
    return escape(text) in content(response)


# --- the rule -----------------------------------------------------------------------------


def statuses(derby):
    g = reg44.grid(derby, D(2021, 10, 1), D(2022, 3, 31), TODAY)
    return {row.setting.name: {f"{c.month:%Y-%m}": c.status for c in row.cells} for row in g.rows}


def test_each_status_of_the_grid(derby, oak, settings):
    settings.CP_REG44_REPORT_DAYS = 28
    make_visit(oak, D(2021, 10, 5), report_received=D(2021, 11, 2))  # 28 days: on time
    make_visit(oak, D(2021, 11, 5), report_received=D(2021, 12, 4))  # 29 days: late
    make_visit(oak, D(2022, 1, 10))  # no report, 28 days passed by 20 March: late
    make_visit(oak, D(2022, 3, 1))  # no report, 19 days ago: awaited
    # December has no visit: missing. March (not finished, no visit) would be future.
    closing = make_home(
        derby, "SC900003", "Ash House", status="closed", status_since=D(2022, 1, 31)
    )
    new = make_home(derby, "SC900004", "Elm House", registration_date=D(2021, 12, 2))
    grid = statuses(derby)
    assert grid["Oak Lodge"] == {
        "2021-10": "on_time",
        "2021-11": "late",
        "2021-12": "missing",
        "2022-01": "late",
        "2022-02": "missing",
        "2022-03": "awaiting",
    }
    # Closed on 31 January: January and every later month are exempt.
    assert grid["Ash House"] == {
        "2021-10": "missing",
        "2021-11": "missing",
        "2021-12": "missing",
        "2022-01": "exempt",
        "2022-02": "exempt",
        "2022-03": "exempt",
    }
    # Registered on 2 December: no visit due until January; March isn't over.
    assert grid["Elm House"]["2021-11"] == "exempt"
    assert grid["Elm House"]["2021-12"] == "exempt"
    assert grid["Elm House"]["2022-01"] == "missing"
    assert grid["Elm House"]["2022-03"] == "future"
    assert closing and new


def test_month_status_on_its_own(oak):
    late_visit = make_visit(oak, D(2022, 2, 1))
    # 28 days after 1 February is 1 March: the report can still come on time that day.
    assert reg44.month_status(oak, D(2022, 2, 1), late_visit, 28, today=D(2022, 3, 2)) == "late"
    assert reg44.month_status(oak, D(2022, 2, 1), late_visit, 28, today=D(2022, 3, 1)) == (
        "awaiting"
    )
    assert reg44.month_status(oak, D(2022, 3, 1), None, 28, today=D(2022, 3, 31)) == "future"
    assert reg44.month_status(oak, D(2022, 3, 1), None, 28, today=D(2022, 4, 1)) == "missing"


def test_a_long_closed_home_is_left_out_of_the_grid(derby, oak, willow):
    assert set(statuses(derby)) == {"Oak Lodge"}


def test_other_councils_homes_and_other_settings_are_not_in_the_grid(derby, oak):
    from corporate_parenting.models import LocalAuthority

    notts = LocalAuthority.objects.get(la_code="891")
    make_home(notts, "SC900009", "Nottingham House")
    Setting.objects.create(
        urn="SC900010",
        name="Derby Fostering",
        setting_type="independent_fostering_agency",
        run_by_council=derby,
    )
    assert set(statuses(derby)) == {"Oak Lodge"}


def test_on_time_counts(derby, oak):
    make_visit(oak, D(2021, 10, 5), report_received=D(2021, 10, 10))
    make_visit(oak, D(2021, 11, 5), report_received=D(2021, 12, 20))
    make_visit(oak, D(2022, 3, 1))  # awaited: not counted
    make_home(derby, "SC900003", "Ash House", status="closed", status_since=D(2021, 12, 15))
    # Oak: Oct on time, Nov late, Dec-Feb missing = 5 due; Ash: Oct, Nov missing = 2 due.
    assert reg44.on_time_counts(derby, D(2021, 10, 1), D(2022, 3, 31), TODAY) == (1, 7)
    # Only months whose end is inside the period: 1 November to 30 December is November.
    assert reg44.on_time_counts(derby, D(2021, 11, 1), D(2021, 12, 30), TODAY) == (0, 2)
    assert reg44.on_time_counts(derby, D(2021, 10, 1), D(2021, 10, 30), TODAY) == (0, 0)


def test_months_before_the_first_recorded_visit_are_not_counted_as_missed(derby, oak):
    ash = make_home(derby, "SC900003", "Ash House")
    # The council's records start in December 2021 (at Ash House).
    make_visit(ash, D(2021, 12, 6), report_received=D(2021, 12, 10))
    found = statuses(derby)
    assert found["Oak Lodge"]["2021-10"] == found["Oak Lodge"]["2021-11"] == "unrecorded"
    assert found["Oak Lodge"]["2021-12"] == "missing"
    # Oak: Dec-Feb missing; Ash: Dec on time, Jan-Feb missing.
    assert reg44.on_time_counts(derby, D(2021, 10, 1), D(2022, 3, 31), TODAY) == (1, 6)
    # No records at all: nothing is due, so the indicator has no value rather than 0%.
    assert reg44.on_time_counts(derby, D(2020, 4, 1), D(2021, 3, 31), TODAY) == (0, 0)


# --- the grid page ------------------------------------------------------------------------


def test_grid_page_shows_statuses_in_words_and_the_count(client, officer, derby, oak, visit):
    make_visit(oak, D(2021, 11, 5), report_received=D(2021, 12, 20))
    client.force_login(officer)
    response = client.get(reverse("reg44_grid"), {"year": 2022})
    assert response.status_code == 200
    page = content(response)
    assert "Regulation 44 visits, 2021/22" in page
    assert '<th scope="row"' in page and '<th scope="col"' in page and "<caption" in page
    for label in ("On time", "Late", "No visit"):
        assert f">{label}</strong>" in page
    assert reverse("reg44_visit_detail", args=[visit.pk]) in page
    assert f"{reverse('reg44_visit_create')}?setting={oak.pk}&amp;month=2021-04" in page
    grid = response.context["grid"]
    assert has(response, f"{grid.on_time} of {grid.due} visits reported on time")
    assert grid.on_time == 1
    assert "?year=2021" in page


def test_grid_defaults_to_the_latest_year_with_a_visit(client, councillor, visit):
    client.force_login(councillor)
    response = client.get(reverse("reg44_grid"))
    assert response.context["year"] == 2022
    # Councillors read, but get no links to record visits.
    assert reverse("reg44_visit_create") not in content(response)
    assert reverse("reg44_visit_detail", args=[visit.pk]) in content(response)


def test_grid_queries_do_not_grow_with_homes(client, officer, derby, django_assert_max_num_queries):
    for n in range(8):
        home = make_home(derby, f"SC90010{n}", f"Home {n}")
        for month in range(4, 13):
            make_visit(home, D(2021, month, 3), report_received=D(2021, month, 9))
    client.force_login(officer)
    # 11: one is django-otp checking the officer's two-factor device, on every request.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("reg44_grid"), {"year": 2022})
    assert response.context["grid"].on_time == 72


# --- recording and changing a visit -------------------------------------------------------


def visit_post(home: Setting, **changes: object) -> dict[str, object]:
    data = {
        "setting": home.pk,
        "visit_date_day": "3",
        "visit_date_month": "3",
        "visit_date_year": "2022",
        "announced": "no",
        "visitor": "Sam Independent",
        "children_spoken_to": "4",
        "report_received_day": "10",
        "report_received_month": "3",
        "report_received_year": "2022",
        "children_safeguarded": "yes",
        "wellbeing_promoted": "no",
        "summary": "Calm, well-run home.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_officer_records_a_visit(client, officer, oak):
    client.force_login(officer)
    form = client.get(reverse("reg44_visit_create"), {"setting": oak.pk, "month": "2022-01"})
    assert form.status_code == 200
    assert has(form, "Do not include children's names or other details that identify them.")
    response = client.post(reverse("reg44_visit_create"), visit_post(oak))
    visit = Reg44Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reg44_visit_detail", args=[visit.pk])
    assert visit.month == D(2022, 3, 1)
    assert (visit.children_safeguarded, visit.wellbeing_promoted, visit.announced) == (
        True,
        False,
        False,
    )
    assert visit.updated_by == officer
    log = AuditLog.objects.get(object_type="inspections.Reg44Visit")
    assert log.action == AuditLog.Action.CREATE and log.object_id == str(visit.pk)


def test_a_visit_is_recorded_before_its_report(client, officer, oak):
    client.force_login(officer)
    data = visit_post(
        oak,
        report_received_day="",
        report_received_month="",
        report_received_year="",
        children_safeguarded=None,
        wellbeing_promoted=None,
    )
    assert client.post(reverse("reg44_visit_create"), data).status_code == 302
    assert Reg44Visit.objects.get().report_received is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"visit_date_day": "1", "visit_date_month": "1", "visit_date_year": "2099"},
            "Date of visit must be today or in the past",
        ),
        (
            {"report_received_day": "2"},
            "Date the report was received must be the same as or after the date of the "
            "visit (3 March 2022)",
        ),
        ({"children_spoken_to": "lots"}, "must be a whole number from 0 to 99"),
        ({"children_spoken_to": "100"}, "must be a whole number from 0 to 99"),
        ({"children_spoken_to": "-1"}, "must be a whole number from 0 to 99"),
        ({"children_spoken_to": "2.5"}, "must be a whole number from 0 to 99"),
        ({"children_spoken_to": ""}, "Enter the number of children spoken to"),
        ({"visit_date_month": "13"}, "The date of the visit must be a real date"),
        ({"announced": None}, "Select yes if the visit was announced"),
        (
            {"children_safeguarded": None},
            "Select yes if the report says children are effectively safeguarded",
        ),
        (
            {"report_received_day": "", "report_received_month": "", "report_received_year": ""},
            "Enter the date the report was received, or remove this answer",
        ),
    ],
)
def test_bad_visits_are_refused_with_a_precise_message(client, officer, oak, changes, message):
    client.force_login(officer)
    response = client.post(reverse("reg44_visit_create"), visit_post(oak, **changes))
    assert response.status_code == 200
    assert has(response, message)
    assert "There is a problem" in content(response)
    assert not Reg44Visit.objects.exists()
    assert not AuditLog.objects.filter(object_type="inspections.Reg44Visit").exists()


def test_no_visit_to_a_closed_home(client, officer, willow):
    client.force_login(officer)
    response = client.post(reverse("reg44_visit_create"), visit_post(willow))
    assert has(
        response,
        "Willow Lodge was temporarily closed from 1 February 2020, so it can't have "
        "had a visit on 3 March 2022",
    )
    assert not Reg44Visit.objects.exists()


def test_one_visit_a_month(client, officer, oak, visit):
    client.force_login(officer)
    data = visit_post(
        oak,
        visit_date_day="28",
        visit_date_month="1",
        report_received_day="30",
        report_received_month="1",
    )
    response = client.post(reverse("reg44_visit_create"), data)
    assert has(
        response,
        "Oak Lodge already has a Regulation 44 visit for January 2022 (on 14 January 2022). "
        "Change that visit instead.",
    )
    assert reverse("reg44_visit_edit", args=[visit.pk]) in content(response)
    assert Reg44Visit.objects.count() == 1


def test_no_visit_to_another_councils_home(client, officer, derby):
    from corporate_parenting.models import LocalAuthority

    notts_home = make_home(LocalAuthority.objects.get(la_code="891"), "SC900009", "Notts House")
    client.force_login(officer)
    response = client.post(reverse("reg44_visit_create"), visit_post(notts_home))
    assert has(response, "Select one of your council's homes")
    assert not Reg44Visit.objects.exists()


def test_an_officer_changes_a_visit(client, officer, oak, visit):
    client.force_login(officer)
    url = reverse("reg44_visit_edit", args=[visit.pk])
    assert client.get(url).status_code == 200
    data = visit_post(oak, seen_version="1", children_spoken_to="6")
    response = client.post(url, data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.children_spoken_to, visit.month, visit.version) == (6, D(2022, 3, 1), 2)
    log = AuditLog.objects.get(object_type="inspections.Reg44Visit")
    assert log.action == AuditLog.Action.UPDATE
    assert "children_spoken_to" in log.changed_fields


def test_a_stale_edit_is_refused(client, officer, oak, visit):
    client.force_login(officer)
    url = reverse("reg44_visit_edit", args=[visit.pk])
    # Someone else saves first.
    other = make_user("derby.manager", role=Role.OFFICER)
    Reg44Visit.objects.filter(pk=visit.pk).update(
        visitor="Someone Else", version=2, updated_by=other
    )
    response = client.post(url, visit_post(oak, seen_version="1", visitor="Me"))
    assert response.status_code == 200
    # Who changed it and when, their version in the form, and mine listed to re-apply.
    assert re.search(
        r"Derby Persona changed this visit at \d\d:\d\d on \d+ \w+ \d{4} while you were "
        r"editing",
        content(response),
    )
    assert 'value="Someone Else"' in content(response)
    clash = response.context["form"].clash
    assert ("Independent person's name", "Someone Else", "Me") in clash
    visit.refresh_from_db()
    assert (visit.visitor, visit.version) == ("Someone Else", 2)
    assert not AuditLog.objects.filter(object_type="inspections.Reg44Visit").exists()


def test_the_visit_page(client, clerk, visit):
    Reg44Recommendation.objects.create(
        visit=visit, text="Repair the fire door", owner="Manager", due_date=D(2022, 2, 1)
    )
    Reg44Recommendation.objects.create(
        visit=visit,
        text="Update the plan",
        owner="Manager",
        due_date=D(2022, 2, 1),
        status="complete",
        completed_on=D(2022, 1, 30),
    )
    client.force_login(clerk)
    response = client.get(reverse("reg44_visit_detail", args=[visit.pk]))
    page = content(response)
    assert "14 January 2022" in page and "20 January 2022" in page
    assert has(response, "Are children effectively safeguarded?")
    assert ">On time</strong>" in page
    assert page.count(">Overdue</strong>") == 1
    assert reverse("reg44_visit_edit", args=[visit.pk]) not in page


# --- recommendations ----------------------------------------------------------------------


def rec_post(**changes: object) -> dict[str, object]:
    data = {
        "text": "Repair the fire door",
        "owner": "Registered manager",
        "due_date_day": "1",
        "due_date_month": "2",
        "due_date_year": "2022",
        "status": "not_started",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "complete"}, "Enter the date it was completed"),
        (
            {"completed_on_day": "1", "completed_on_month": "2", "completed_on_year": "2022"},
            "Remove the completed date, or select complete",
        ),
        (
            {
                "status": "complete",
                "completed_on_day": "1",
                "completed_on_month": "1",
                "completed_on_year": "2022",
            },
            "Completed date must be the same as or after the date of the visit (14 January 2022)",
        ),
        (
            {
                "status": "complete",
                "completed_on_day": "1",
                "completed_on_month": "1",
                "completed_on_year": "2099",
            },
            "Completed date must be today or in the past",
        ),
        ({"status": None}, "Select a status"),
    ],
)
def test_bad_recommendations_are_refused(client, officer, visit, changes, message):
    client.force_login(officer)
    url = reverse("reg44_recommendation_create", args=[visit.pk])
    response = client.post(url, rec_post(**changes))
    assert has(response, message)
    assert not Reg44Recommendation.objects.exists()


def test_an_officer_adds_and_completes_a_recommendation(client, officer, visit):
    client.force_login(officer)
    response = client.post(reverse("reg44_recommendation_create", args=[visit.pk]), rec_post())
    assert response["Location"] == reverse("reg44_visit_detail", args=[visit.pk])
    rec = Reg44Recommendation.objects.get()
    done = rec_post(
        status="complete",
        completed_on_day="20",
        completed_on_month="1",
        completed_on_year="2022",
        seen_version="1",
    )
    client.post(reverse("reg44_recommendation_edit", args=[rec.pk]), done)
    rec.refresh_from_db()
    assert (rec.status, rec.completed_on, rec.version) == ("complete", D(2022, 1, 20), 2)
    actions = AuditLog.objects.filter(object_type="inspections.Reg44Recommendation")
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]


# --- Regulation 45 reviews ----------------------------------------------------------------


def reg45_post(home: Setting, **changes: object) -> dict[str, object]:
    data = {
        "setting": home.pk,
        "period_start_day": "1",
        "period_start_month": "4",
        "period_start_year": "2021",
        "period_end_day": "30",
        "period_end_month": "9",
        "period_end_year": "2021",
        "due_date_day": "31",
        "due_date_month": "10",
        "due_date_year": "2021",
        "status": "in_progress",
        "summary": "",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_regulation_45_reviews(client, officer, councillor, oak):
    client.force_login(officer)
    response = client.post(reverse("reg45_create"), reg45_post(oak))
    assert response["Location"] == reverse("reg45_list")
    review = Reg45Review.objects.get()
    assert AuditLog.objects.filter(object_type="inspections.Reg45Review", action="create").exists()
    client.force_login(councillor)
    page = content(client.get(reverse("reg45_list")))
    assert "1 April 2021 to 30 September 2021" in page
    assert ">Overdue</strong>" in page
    assert reverse("reg45_edit", args=[review.pk]) not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_end_month": "3"}, "End of the period must be after the start (1 April 2021)"),
        ({"status": "complete"}, "Enter the date it was completed"),
        (
            {"due_date_month": "8"},
            "Due date must be the same as or after the end of the period (30 September 2021)",
        ),
        (
            {
                "status": "complete",
                "completed_on_day": "1",
                "completed_on_month": "9",
                "completed_on_year": "2021",
            },
            "Completed date must be the same as or after the end of the period (30 September 2021)",
        ),
    ],
)
def test_bad_reviews_are_refused(client, officer, oak, changes, message):
    client.force_login(officer)
    response = client.post(reverse("reg45_create"), reg45_post(oak, **changes))
    assert has(response, message)
    assert not Reg45Review.objects.exists()


def test_one_review_a_period(client, officer, oak):
    Reg45Review.objects.create(
        setting=oak, period_start=D(2021, 4, 1), period_end=D(2021, 9, 30), due_date=D(2021, 10, 31)
    )
    client.force_login(officer)
    response = client.post(reverse("reg45_create"), reg45_post(oak))
    assert has(
        response,
        "Oak Lodge already has a Regulation 45 review for the period starting 1 April 2021. "
        "Change that review instead.",
    )
    assert Reg45Review.objects.count() == 1


def test_an_officer_changes_a_review(client, officer, oak):
    review = Reg45Review.objects.create(
        setting=oak, period_start=D(2021, 4, 1), period_end=D(2021, 9, 30), due_date=D(2021, 10, 31)
    )
    client.force_login(officer)
    data = reg45_post(
        oak,
        status="complete",
        completed_on_day="15",
        completed_on_month="10",
        completed_on_year="2021",
        seen_version="1",
    )
    assert client.post(reverse("reg45_edit", args=[review.pk]), data).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.completed_on) == ("complete", D(2021, 10, 15))


# --- elected members' visits --------------------------------------------------------------


def member_post(home: Setting, **changes: object) -> dict[str, object]:
    data = {
        "setting": home.pk,
        "date_day": "3",
        "date_month": "3",
        "date_year": "2022",
        "councillors": "Cllr A Smith",
        "findings": "Warm welcome.",
        "actions": "",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_elected_members_visits(client, officer, clerk, oak, willow):
    client.force_login(officer)
    future = member_post(oak, date_year=str(timezone.localdate().year + 1))
    assert has(
        client.post(reverse("member_visit_create"), future),
        "Date of visit must be today or in the past",
    )
    closed = client.post(reverse("member_visit_create"), member_post(willow))
    assert has(closed, "Willow Lodge was temporarily closed from 1 February 2020")
    assert not MemberVisit.objects.exists()
    response = client.post(reverse("member_visit_create"), member_post(oak))
    assert response["Location"] == reverse("member_visit_list")
    visit = MemberVisit.objects.get()
    data = member_post(oak, actions="Door repaired.", seen_version="1")
    client.post(reverse("member_visit_edit", args=[visit.pk]), data)
    visit.refresh_from_db()
    assert (visit.actions, visit.version) == ("Door repaired.", 2)
    assert AuditLog.objects.filter(object_type="inspections.MemberVisit").count() == 2
    client.force_login(clerk)
    page = content(client.get(reverse("member_visit_list")))
    assert "3 March 2022" in page and "Door repaired." in page


# --- who can see and change what ----------------------------------------------------------


@pytest.fixture
def records(visit, oak):
    rec = Reg44Recommendation.objects.create(
        visit=visit, text="Fix", owner="Manager", due_date=D(2022, 2, 1)
    )
    review = Reg45Review.objects.create(
        setting=oak, period_start=D(2021, 4, 1), period_end=D(2021, 9, 30), due_date=D(2021, 10, 31)
    )
    member = MemberVisit.objects.create(
        setting=oak, date=D(2022, 1, 5), councillors="Cllr B", findings="Fine"
    )
    return {
        "read": [
            reverse("reg44_grid"),
            reverse("reg44_visit_detail", args=[visit.pk]),
            reverse("reg45_list"),
            reverse("member_visit_list"),
        ],
        "write": [
            reverse("reg44_visit_create"),
            reverse("reg44_visit_edit", args=[visit.pk]),
            reverse("reg44_recommendation_create", args=[visit.pk]),
            reverse("reg44_recommendation_edit", args=[rec.pk]),
            reverse("reg45_create"),
            reverse("reg45_edit", args=[review.pk]),
            reverse("member_visit_create"),
            reverse("member_visit_edit", args=[member.pk]),
        ],
        "own": [
            reverse("reg44_visit_detail", args=[visit.pk]),
            reverse("reg44_visit_edit", args=[visit.pk]),
            reverse("reg44_recommendation_create", args=[visit.pk]),
            reverse("reg44_recommendation_edit", args=[rec.pk]),
            reverse("reg45_edit", args=[review.pk]),
            reverse("member_visit_edit", args=[member.pk]),
        ],
    }


def test_councillors_and_clerks_read_but_cannot_change(client, councillor, clerk, records):
    for user in (councillor, clerk):
        client.force_login(user)
        for url in records["read"]:
            assert client.get(url).status_code == 200, url
        for url in records["write"]:
            assert client.get(url).status_code == 403, url
            assert client.post(url, {}).status_code == 403, url
    assert Reg44Visit.objects.count() == 1


def test_officers_reach_every_page(client, officer, records):
    client.force_login(officer)
    for url in records["read"] + records["write"]:
        assert client.get(url).status_code == 200, url


def test_another_councils_officer_gets_404(client, other_officer, records):
    client.force_login(other_officer)
    for url in records["own"]:
        assert client.get(url).status_code == 404, url
    page = content(client.get(reverse("reg44_grid")))
    assert "Oak Lodge" not in page


def test_anonymous_users_are_sent_to_sign_in(client, records):
    for url in records["read"] + records["write"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
