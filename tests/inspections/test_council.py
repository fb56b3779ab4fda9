"""Inspections of the council itself, areas for improvement and action plans."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import action_plans
from inspections.models import (
    RAG,
    ActionItem,
    ActionStatus,
    AreaForImprovement,
    CouncilInspection,
    CouncilInspectionType,
    CouncilJudgement,
    Framework,
)

pytestmark = pytest.mark.django_db

D = dt.date
LQ, RQ = "\u2018", "\u2019"  # the curly quotes GOV.UK messages use


def dates(prefix: str, value: D | None) -> dict[str, str]:
    if value is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {
        f"{prefix}_day": str(value.day),
        f"{prefix}_month": str(value.month),
        f"{prefix}_year": str(value.year),
    }


def page(response) -> str:
    return html.unescape(response.content.decode())


def judgement_rows(text: str) -> list[tuple[str, str]]:
    """(area, grade) for each row of the detail page's judgements tables."""
    return re.findall(
        r'<th scope="row"[^>]*>([^<]+)</th>\s*<td class="govuk-table__cell">([^<]+)</td>', text
    )


def framework(code: str) -> Framework:
    return Framework.objects.get(code=code)


ILACS_2018_GRADES = {
    "grade_impact_of_leaders": "outstanding",
    "grade_help_and_protection": "outstanding",
    "grade_children_in_care": "good",
    "grade_overall_effectiveness": "outstanding",
}


def ilacs_post(**overrides: object) -> dict[str, str]:
    """Derby's ILACS standard inspection of 21 to 25 March 2022, as the form posts it."""
    data = {
        "inspection_type": CouncilInspectionType.ILACS_STANDARD,
        "framework": str(framework("ilacs_2018").pk),
        **dates("start_date", D(2022, 3, 21)),
        **dates("end_date", D(2022, 3, 25)),
        **dates("published_on", D(2022, 5, 13)),
        "report_url": "https://reports.ofsted.gov.uk/provider/44/80463",
        "summary": "Children's services in Derby are outstanding.",
        **dates("action_plan_due", D(2022, 8, 19)),
        **dates("action_plan_sent", None),
        **ILACS_2018_GRADES,
    }
    for key, value in overrides.items():
        if isinstance(value, D) or value is None:
            data.update(dates(key, value))
        else:
            data[key] = value
    return {k: v for k, v in data.items() if v is not ...}


def make_inspection(la, **fields: object) -> CouncilInspection:
    values = {
        "inspection_type": CouncilInspectionType.ILACS_STANDARD,
        "framework": framework("ilacs_2018"),
        "start_date": D(2022, 3, 21),
        "end_date": D(2022, 3, 25),
        "action_plan_due": D(2022, 8, 19),
        **fields,
    }
    return CouncilInspection.objects.create(la=la, **values)


def make_action(area: AreaForImprovement, **fields: object) -> ActionItem:
    values = {
        "action": "Audit the quality of pathway plans",
        "owner": "Head of service, children in care",
        "due_date": D(2022, 9, 30),
        "rag": RAG.GREEN,
        **fields,
    }
    return ActionItem.objects.create(area=area, **values)


def counts() -> tuple[int, int, int, int]:
    return (
        CouncilInspection.objects.count(),
        CouncilJudgement.objects.count(),
        AreaForImprovement.objects.count(),
        ActionItem.objects.count(),
    )


# --- overdue and progress -----------------------------------------------------------------


def test_is_overdue_on_different_dates():
    due = D(2022, 6, 30)
    open_item = ActionItem(due_date=due, status=ActionStatus.IN_PROGRESS)
    assert not action_plans.is_overdue(open_item, D(2022, 6, 30))
    assert action_plans.is_overdue(open_item, D(2022, 7, 1))

    on_time = ActionItem(due_date=due, status=ActionStatus.COMPLETE, completed_on=D(2022, 6, 20))
    assert not action_plans.is_overdue(on_time, D(2022, 7, 1))

    late = ActionItem(due_date=due, status=ActionStatus.COMPLETE, completed_on=D(2022, 8, 15))
    assert not action_plans.is_overdue(late, D(2022, 6, 1))
    assert action_plans.is_overdue(late, D(2022, 7, 1))
    assert action_plans.is_overdue(late, D(2022, 8, 14))
    assert not action_plans.is_overdue(late, D(2022, 8, 15))
    assert not action_plans.is_overdue(late, D(2023, 1, 1))


def test_overdue_count_matches_is_overdue_in_one_query(
    derby, other_officer, django_assert_num_queries
):
    inspection = make_inspection(derby)
    area = AreaForImprovement.objects.create(inspection=inspection, number=1, text="Plans")
    items = [
        make_action(area, due_date=D(2022, 6, 30)),
        make_action(
            area,
            due_date=D(2022, 6, 30),
            status=ActionStatus.COMPLETE,
            completed_on=D(2022, 8, 15),
        ),
        make_action(
            area,
            due_date=D(2022, 6, 30),
            status=ActionStatus.COMPLETE,
            completed_on=D(2022, 6, 1),
        ),
        make_action(area, due_date=D(2022, 12, 31), status=ActionStatus.IN_PROGRESS),
    ]
    # Another council's overdue item never counts for Derby.
    other = make_inspection(other_officer.la)
    other_area = AreaForImprovement.objects.create(inspection=other, number=1, text="Other")
    make_action(other_area, due_date=D(2022, 1, 31))

    for on, expected in [
        (D(2022, 6, 30), 0),
        (D(2022, 7, 1), 2),
        (D(2022, 8, 15), 1),
        (D(2023, 1, 1), 2),
    ]:
        with django_assert_num_queries(1):
            got = action_plans.overdue_count(derby, on)
        assert got == expected
        assert got == sum(action_plans.is_overdue(i, on) for i in items)
    assert action_plans.overdue_count(derby.pk, D(2022, 7, 1)) == 2
    assert action_plans.overdue_count(other_officer.la, D(2022, 7, 1)) == 1


def test_progress_counts(derby):
    inspection = make_inspection(derby, action_plan_sent=D(2022, 8, 25))
    first = AreaForImprovement.objects.create(inspection=inspection, number=1, text="One")
    second = AreaForImprovement.objects.create(inspection=inspection, number=2, text="Two")
    make_action(first, due_date=D(2022, 6, 30), rag=RAG.RED)
    make_action(
        first,
        status=ActionStatus.COMPLETE,
        completed_on=D(2022, 9, 1),
        rag=RAG.GREEN,
    )
    make_action(second, status=ActionStatus.IN_PROGRESS, rag=RAG.AMBER)

    result = action_plans.progress(inspection, D(2022, 8, 20))
    assert result["areas"] == 2
    assert result["total"] == 3
    assert result["complete"] == 1
    assert result["overdue"] == 1
    assert result["by_status"] == {"not_started": 1, "in_progress": 1, "complete": 1}
    assert result["by_rag"] == {"red": 1, "amber": 1, "green": 1}
    assert result["plan_due"] == D(2022, 8, 19)
    assert result["plan_overdue"] is True
    assert result["plan_sent"] is False
    later = action_plans.progress(inspection, D(2022, 9, 1))
    assert later["plan_sent"] is True
    assert later["plan_overdue"] is False
    assert later["plan_sent_on"] == D(2022, 8, 25)


# --- the whole journey ------------------------------------------------------------------


def test_officer_records_ilacs_inspection_and_councillor_reads_it(
    client, officer, councillor, derby
):
    client.force_login(officer)
    response = client.post(reverse("council_inspection_create"), ilacs_post())
    assert response.status_code == 302, page(response)
    inspection = CouncilInspection.objects.get(la=derby)
    assert response.url == reverse("council_inspection_detail", args=[inspection.pk])
    assert {j.area.code: j.grade.label for j in inspection.judgements.all()} == {
        "impact_of_leaders": "Outstanding",
        "help_and_protection": "Outstanding",
        "children_in_care": "Good",
        "overall_effectiveness": "Outstanding",
    }
    assert inspection.updated_by == officer

    afi_url = reverse("afi_create", args=[inspection.pk])
    assert 'value="1"' in page(client.get(afi_url))  # the next number by default
    client.post(afi_url, {"number": "1", "text": "The quality of pathway plans."})
    assert 'value="2"' in page(client.get(afi_url))
    client.post(afi_url, {"number": "2", "text": "Management oversight of strategy meetings."})
    first, second = inspection.areas_for_improvement.order_by("number")

    def action(area, **fields):
        data = {
            "action": "Audit pathway plans every quarter",
            "owner": "Head of service, care leavers",
            **dates("due_date", D(2022, 9, 30)),
            "status": ActionStatus.NOT_STARTED,
            **dates("completed_on", None),
            "evidence": "",
            "rag": RAG.RED,
        }
        for key, value in fields.items():
            data.update(dates(key, value) if isinstance(value, D) else {key: value})
        response = client.post(reverse("action_item_create", args=[area.pk]), data)
        assert response.status_code == 302, page(response)

    action(first)
    action(
        first,
        action="Train personal advisers",
        status=ActionStatus.COMPLETE,
        completed_on=D(2022, 7, 1),
        evidence="All 24 personal advisers trained.",
        rag=RAG.GREEN,
    )
    action(
        second,
        action="Review strategy meeting minutes",
        owner="Service manager, MASH",
        due_date=D(2022, 6, 30),
        status=ActionStatus.IN_PROGRESS,
        rag=RAG.AMBER,
    )
    assert ActionItem.objects.filter(area__inspection=inspection).count() == 3

    client.force_login(councillor)
    listing = page(client.get(reverse("council_inspection_list")))
    assert "ILACS standard inspection" in listing
    assert "21 March 2022 to 25 March 2022" in listing
    assert "1 of 3 actions complete, 2 overdue" in listing

    detail = page(client.get(reverse("council_inspection_detail", args=[inspection.pk])))
    assert "Action plan due at Ofsted by 19 August 2022" in detail
    assert "Not yet sent" in detail
    for text in [
        "The impact of leaders on social work practice with children and families",
        "The experiences and progress of children in care and care leavers",
        "Good",
        "Area for improvement 1",
        "The quality of pathway plans.",
        "Management oversight of strategy meetings.",
        "Train personal advisers",
        "All 24 personal advisers trained.",
        "Service manager, MASH",
        "30 June 2022",
    ]:
        assert text in detail, text
    assert judgement_rows(detail) == [
        ("The impact of leaders on social work practice with children and families", "Outstanding"),
        ("The experiences and progress of children who need help and protection", "Outstanding"),
        ("The experiences and progress of children in care and care leavers", "Good"),
        ("Overall effectiveness", "Outstanding"),
    ]
    for word in ("Red", "Amber", "Green"):
        assert f'govuk-tag--{"orange" if word == "Amber" else word.lower()}">{word}<' in detail
    assert "Overdue" in detail
    # Councillors read it; they are not offered changes.
    assert reverse("council_inspection_edit", args=[inspection.pk]) not in detail
    assert reverse("afi_create", args=[inspection.pk]) not in detail


def test_slac_2011_inspection_shows_adequate_under_its_sections(client, officer, councillor, derby):
    slac = framework("slac_2011")
    areas = list(slac.areas.order_by("order"))
    assert len(areas) == 22
    data = {
        "inspection_type": CouncilInspectionType.SLAC,
        "framework": str(slac.pk),
        **dates("start_date", D(2011, 3, 7)),
        **dates("end_date", D(2011, 3, 18)),
        **dates("published_on", D(2011, 4, 29)),
        **dates("action_plan_due", None),
        **dates("action_plan_sent", None),
    }
    for area in areas:
        data[f"grade_{area.code}"] = "adequate" if area.code == "lac_overall" else "good"
    client.force_login(officer)
    response = client.post(reverse("council_inspection_create"), data)
    assert response.status_code == 302, page(response)
    inspection = CouncilInspection.objects.get(la=derby)
    assert inspection.judgements.count() == 22

    client.force_login(councillor)
    listing = page(client.get(reverse("council_inspection_list")))
    assert "Adequate" in listing  # the looked-after children judgement is the headline
    detail = page(client.get(reverse("council_inspection_detail", args=[inspection.pk])))
    assert "Adequate" in detail
    assert "Outstanding / Good / Adequate / Inadequate" in detail
    safeguarding = detail.index("Safeguarding services")
    looked_after = detail.index("Services for looked after children")
    assert safeguarding < detail.index("Partnership working") < looked_after
    assert looked_after < detail.index("Being healthy") < detail.index("Economic well-being")


def test_slac_asks_for_each_area_by_section(client, officer):
    slac = framework("slac_2011")
    data = ilacs_post(
        inspection_type=CouncilInspectionType.SLAC,
        framework=str(slac.pk),
        start_date=D(2011, 3, 7),
        end_date=D(2011, 3, 18),
        published_on=None,
        action_plan_due=None,
    )
    for area in slac.areas.exclude(code__in=["sg_overall", "lac_enjoy"]):
        data[f"grade_{area.code}"] = "good"
    client.force_login(officer)
    before = counts()
    text = page(client.post(reverse("council_inspection_create"), data))
    assert f"Enter a judgement for {LQ}Overall effectiveness{RQ} in Safeguarding services" in text
    assert (
        f"Enter a judgement for {LQ}Enjoying and achieving{RQ} "
        "in Services for looked after children" in text
    )
    assert "Services for looked after children</legend>" in text
    assert counts() == before


def test_detail_shows_when_the_plan_was_sent(client, councillor, derby):
    inspection = make_inspection(derby, action_plan_sent=D(2022, 8, 15))
    client.force_login(councillor)
    text = page(client.get(reverse("council_inspection_detail", args=[inspection.pk])))
    assert "Action plan due at Ofsted by 19 August 2022" in text
    assert "Sent 15 August 2022" in text
    assert "Not yet sent" not in text
    assert "Overdue" not in text


# --- checks on the inspection form -------------------------------------------------------

TODAY = timezone.localdate()
INSPECTION_ERRORS = [
    (
        "end before start",
        {"end_date": D(2022, 3, 18)},
        "The end date must be the same as or after the start date",
    ),
    (
        "start in the future",
        {"start_date": TODAY + dt.timedelta(days=7), "end_date": TODAY + dt.timedelta(days=9)},
        "The start date must be today or in the past",
    ),
    (
        "published in the future",
        {"published_on": TODAY + dt.timedelta(days=1)},
        "The date the report was published must be today or in the past",
    ),
    (
        "published before the end",
        {"published_on": D(2022, 3, 24)},
        "The date the report was published must be the same as or after the end date",
    ),
    (
        "overall not judged",
        {"grade_overall_effectiveness": ""},
        f"Enter a judgement for {LQ}Overall effectiveness{RQ}",
    ),
    (
        "framework not yet in force",
        {"framework": "ilacs_2023"},
        "ILACS (2023) applies only to inspections starting on or after 1 January 2023. "
        "For an inspection starting on 21 March 2022, choose ILACS (2018)",
    ),
    (
        "framework no longer in force",
        {"start_date": D(2023, 2, 6), "end_date": D(2023, 2, 10), "published_on": None},
        "ILACS (2018) applies only to inspections starting on or before 31 December 2022. "
        "For an inspection starting on 6 February 2023, choose ILACS (2023)",
    ),
    (
        "graded inspection with no framework",
        {"framework": "", **dict.fromkeys(ILACS_2018_GRADES, ...)},
        "Choose the framework an ILACS standard inspection is judged under: "
        "ILACS (2018) or ILACS (2023)",
    ),
    (
        "focused visit with grades",
        {"inspection_type": CouncilInspectionType.FOCUSED_VISIT},
        f"A focused visit gives no graded judgements. Choose {LQ}No graded judgements "
        f"(focused visit, JTAI, monitoring visit){RQ} and remove the grades",
    ),
    (
        "JTAI with a framework",
        {
            "inspection_type": CouncilInspectionType.JTAI,
            **dict.fromkeys(ILACS_2018_GRADES, ""),
        },
        f"A JTAI gives no graded judgements. Choose {LQ}No graded judgements",
    ),
    (
        "action plan sent in the future",
        {"action_plan_sent": TODAY + dt.timedelta(days=1)},
        "The date the action plan was sent to Ofsted must be today or in the past",
    ),
    (
        "action plan due before the end",
        {"action_plan_due": D(2022, 3, 25)},
        "The date the action plan is due at Ofsted must be after the end date",
    ),
    (
        "impossible date",
        {"start_date_day": "31", "start_date_month": "2"},
        "The start date must be a real date",
    ),
    ("missing start", {"start_date": None}, "Enter the start date"),
    ("no type", {"inspection_type": ...}, "Select the type of inspection"),
]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [case[1:] for case in INSPECTION_ERRORS],
    ids=[case[0] for case in INSPECTION_ERRORS],
)
def test_inspection_form_refuses_bad_input(client, officer, overrides, message):
    if overrides.get("framework") == "ilacs_2023":
        overrides = {**overrides, "framework": str(framework("ilacs_2023").pk)}
    client.force_login(officer)
    before = counts()
    response = client.post(reverse("council_inspection_create"), ilacs_post(**overrides))
    assert response.status_code == 200
    text = page(response)
    assert message in text
    assert "There is a problem" in text
    assert "is violated" not in text  # the model's own constraint messages never show
    assert counts() == before


def test_duplicate_inspection_refused(client, officer, derby):
    make_inspection(derby)
    client.force_login(officer)
    before = counts()
    response = client.post(reverse("council_inspection_create"), ilacs_post())
    assert "There is already an ILACS standard inspection starting on 21 March 2022" in page(
        response
    )
    assert counts() == before


def test_a_bad_edit_changes_nothing(client, officer, derby):
    inspection = make_inspection(derby)
    CouncilJudgement.objects.create(
        inspection=inspection,
        area=inspection.framework.areas.get(code="overall_effectiveness"),
        grade=inspection.framework.scale.grades.get(code="good"),
    )
    client.force_login(officer)
    url = reverse("council_inspection_edit", args=[inspection.pk])
    response = client.post(
        url, ilacs_post(seen_version="1", end_date=D(2022, 3, 1), summary="Changed")
    )
    assert "The end date must be the same as or after the start date" in page(response)
    inspection.refresh_from_db()
    assert (inspection.summary, inspection.version) == ("", 1)
    assert [j.grade.code for j in inspection.judgements.all()] == ["good"]


def test_edit_replaces_the_judgements(client, officer, derby):
    client.force_login(officer)
    client.post(reverse("council_inspection_create"), ilacs_post())
    inspection = CouncilInspection.objects.get(la=derby)
    url = reverse("council_inspection_edit", args=[inspection.pk])
    form = page(client.get(url))
    assert 'value="good" selected' in form
    response = client.post(
        url,
        ilacs_post(seen_version="1", grade_children_in_care="requires_improvement"),
    )
    assert response.status_code == 302, page(response)
    inspection.refresh_from_db()
    assert inspection.version == 2
    grades = {j.area.code: j.grade.code for j in inspection.judgements.all()}
    assert grades["children_in_care"] == "requires_improvement"
    assert len(grades) == 4


def test_ungraded_visit_saved_without_judgements(client, officer, derby):
    client.force_login(officer)
    response = client.post(
        reverse("council_inspection_create"),
        ilacs_post(
            inspection_type=CouncilInspectionType.FOCUSED_VISIT,
            framework="",
            action_plan_due=None,
            **dict.fromkeys(ILACS_2018_GRADES, ...),
        ),
    )
    assert response.status_code == 302, page(response)
    inspection = CouncilInspection.objects.get(la=derby)
    assert inspection.framework is None
    assert not inspection.judgements.exists()


def test_choosing_a_framework_shows_its_areas_without_saving(client, officer):
    client.force_login(officer)
    url = reverse("council_inspection_create")
    assert "grade_care_leavers" not in page(client.get(url))
    ilacs_2023 = framework("ilacs_2023")
    shown = page(client.get(url, {"framework": ilacs_2023.pk}))
    assert 'name="grade_care_leavers"' in shown
    before = counts()
    response = client.post(
        url,
        ilacs_post(framework=str(ilacs_2023.pk), start_date=None, show_judgements="1"),
    )
    text = page(response)
    assert 'name="grade_care_leavers"' in text
    assert "The experiences and progress of care leavers" in text
    assert "There is a problem" not in text  # reloaded, not yet judged
    assert 'value="good" selected' in text  # grades already chosen carry over
    assert counts() == before


def test_enter_with_the_framework_already_shown_saves(client, officer, derby):
    """Enter in a text box presses the first button, "Show the judgements": once that
    framework's judgements are on the page, it saves instead of reloading."""
    client.force_login(officer)
    shown = str(framework("ilacs_2018").pk)
    response = client.post(
        reverse("council_inspection_create"),
        ilacs_post(show_judgements="1", shown_framework=shown),
    )
    assert response.status_code == 302
    assert CouncilInspection.objects.filter(la=derby).count() == 1


def test_concurrent_edits_conflict(client, officer, derby):
    inspection = make_inspection(derby)
    client.force_login(officer)
    url = reverse("council_inspection_edit", args=[inspection.pk])
    assert 'name="seen_version" value="1"' in page(client.get(url))
    # Two officers open version 1; the first saves.
    first = client.post(url, ilacs_post(seen_version="1", summary="First officer's summary"))
    assert first.status_code == 302
    second = client.post(url, ilacs_post(seen_version="1", summary="Second officer's summary"))
    assert second.status_code == 200
    text = page(second)
    assert "changed this inspection at " in text and "while you were editing" in text
    assert "First officer's summary" in text  # their version is shown
    inspection.refresh_from_db()
    assert inspection.summary == "First officer's summary"
    assert inspection.version == 2


def test_action_item_conflict(client, officer, derby):
    area = AreaForImprovement.objects.create(
        inspection=make_inspection(derby), number=1, text="Plans"
    )
    item = make_action(area)
    client.force_login(officer)
    url = reverse("action_item_edit", args=[item.pk])
    data = {
        "seen_version": "1",
        "action": item.action,
        "owner": "Director of children's services",
        **dates("due_date", item.due_date),
        "status": ActionStatus.IN_PROGRESS,
        **dates("completed_on", None),
        "evidence": "",
        "rag": RAG.AMBER,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "owner": "Someone else"})
    assert "changed this action at " in page(response)
    item.refresh_from_db()
    assert (item.owner, item.version) == ("Director of children's services", 2)


# --- checks on areas for improvement and actions ------------------------------------------


def test_afi_number_must_be_new(client, officer, derby):
    inspection = make_inspection(derby)
    AreaForImprovement.objects.create(inspection=inspection, number=1, text="Plans")
    client.force_login(officer)
    before = counts()
    response = client.post(
        reverse("afi_create", args=[inspection.pk]), {"number": "1", "text": "Again"}
    )
    assert "There is already an area for improvement numbered 1" in page(response)
    response = client.post(reverse("afi_create", args=[inspection.pk]), {"number": "2"})
    assert "Enter the area for improvement" in page(response)
    assert counts() == before


ACTION_ERRORS = [
    ("complete without a date", {"status": "complete"}, "Enter the date it was completed"),
    (
        "completed in the future",
        {"status": "complete", "completed_on": TODAY + dt.timedelta(days=3)},
        "Completed date must be today or in the past",
    ),
    (
        "completed before the inspection",
        {"status": "complete", "completed_on": D(2022, 3, 1)},
        "Completed date must be the same as or after the inspection's start date (21 March 2022)",
    ),
    (
        "date without completion",
        {"status": "in_progress", "completed_on": D(2022, 6, 1)},
        "Remove the completed date, or select complete if it has been completed",
    ),
    ("no RAG", {"rag": ""}, "Select a RAG rating: Red, Amber or Green"),
    ("no owner", {"owner": ""}, "Enter the owner of the action"),
    ("due before the inspection", {"due_date": D(2021, 1, 1)}, "The due date must be the same"),
]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [case[1:] for case in ACTION_ERRORS],
    ids=[case[0] for case in ACTION_ERRORS],
)
def test_action_form_refuses_bad_input(client, officer, derby, overrides, message):
    area = AreaForImprovement.objects.create(
        inspection=make_inspection(derby), number=1, text="Plans"
    )
    data = {
        "action": "Audit pathway plans",
        "owner": "Head of service",
        **dates("due_date", D(2022, 9, 30)),
        "status": "not_started",
        **dates("completed_on", None),
        "evidence": "",
        "rag": "red",
    }
    for key, value in overrides.items():
        data.update(dates(key, value) if isinstance(value, D) else {key: value})
    client.force_login(officer)
    before = counts()
    response = client.post(reverse("action_item_create", args=[area.pk]), data)
    assert response.status_code == 200
    assert message in page(response)
    assert counts() == before


def test_action_form_explains_rag(client, officer, derby):
    area = AreaForImprovement.objects.create(
        inspection=make_inspection(derby), number=1, text="Plans"
    )
    client.force_login(officer)
    text = page(client.get(reverse("action_item_create", args=[area.pk])))
    assert "Red: off track" in text
    assert "Amber: at risk" in text
    assert "Green: on track, or complete" in text


# --- access -------------------------------------------------------------------------------


@pytest.fixture
def records(derby):
    inspection = make_inspection(derby)
    area = AreaForImprovement.objects.create(inspection=inspection, number=1, text="Plans")
    item = make_action(area)
    return {"inspection": inspection, "area": area, "item": item}


def _edit_urls(records) -> list[str]:
    return [
        reverse("council_inspection_create"),
        reverse("council_inspection_edit", args=[records["inspection"].pk]),
        reverse("afi_create", args=[records["inspection"].pk]),
        reverse("afi_edit", args=[records["area"].pk]),
        reverse("action_item_create", args=[records["area"].pk]),
        reverse("action_item_edit", args=[records["item"].pk]),
    ]


def test_councillors_and_clerks_read_but_cannot_change(client, councillor, clerk, records):
    detail = reverse("council_inspection_detail", args=[records["inspection"].pk])
    for person in (councillor, clerk):
        client.force_login(person)
        assert client.get(reverse("council_inspection_list")).status_code == 200
        assert client.get(detail).status_code == 200
        for url in _edit_urls(records):
            assert client.get(url).status_code == 403, url
            assert client.post(url, {}).status_code == 403, url
    assert counts() == (1, 0, 1, 1)


def test_other_councils_records_are_missing(client, other_officer, records):
    client.force_login(other_officer)
    assert "No inspections" in page(client.get(reverse("council_inspection_list")))
    urls = [reverse("council_inspection_detail", args=[records["inspection"].pk])]
    urls += _edit_urls(records)[1:]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"number": "5", "text": "x"}).status_code == 404, url
    assert counts() == (1, 0, 1, 1)


def test_anonymous_people_are_sent_to_sign_in(client, records):
    urls = [
        reverse("council_inspection_list"),
        reverse("council_inspection_detail", args=[records["inspection"].pk]),
        *_edit_urls(records),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_detail_queries_are_bounded(client, councillor, derby, django_assert_max_num_queries):
    inspection = make_inspection(derby)
    framework_ = inspection.framework
    for area in framework_.areas.all():
        CouncilJudgement.objects.create(
            inspection=inspection, area=area, grade=framework_.scale.grades.get(code="good")
        )
    for number in range(1, 6):
        afi = AreaForImprovement.objects.create(inspection=inspection, number=number, text="AfI")
        for _ in range(4):
            make_action(afi)
    client.force_login(councillor)
    url = reverse("council_inspection_detail", args=[inspection.pk])
    # Five of the page's own (inspection, areas, actions, judgements, framework areas)
    # however many rows; the rest are the session, the user and the navigation.
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("council_inspection_list")).status_code == 200
