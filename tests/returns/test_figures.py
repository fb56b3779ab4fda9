"""What councillors see from the quarterly returns, the 903 reconciliation and the demo."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from corporate_parenting.models import Role
from inspections.models import Setting, SettingType
from inspections.providers import load_demo_providers
from performance import services
from performance.models import IndicatorValue, Target
from returns import figures, workflow
from returns.demo import load_demo_quarterly_returns
from returns.models import (
    ActionStatus,
    CiccAction,
    Fostering,
    HomeStaffing,
    Permanence,
    QuarterlyReturn,
    ReturnStatus,
    StaffingSection,
)
from tests.conftest import make_user
from tests.performance.test_dashboard import import_children

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2021, 4, 1), dt.date(2022, 3, 31))


@pytest.fixture
def manager(db):
    return make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)


def make_return(la, quarter, officer, manager, *, status=ReturnStatus.SIGNED_OFF, year=2022):
    signed = status == ReturnStatus.SIGNED_OFF
    return QuarterlyReturn.objects.create(
        la=la,
        year=year,
        quarter=quarter,
        status=status,
        created_by=officer,
        submitted_by=officer if status != ReturnStatus.DRAFT else None,
        signed_off_by=manager if signed else None,
    )


def fostering(ret, **values):
    return Fostering.objects.create(ret=ret, **values)


def stored(la, code, quarter=0, year=2022):
    return IndicatorValue.objects.filter(
        la=la, indicator__code=code, year=year, quarter=quarter
    ).first()


def test_the_year_to_date_adds_up_signed_off_quarters_only(derby, officer, manager):
    fostering(make_return(derby, 1, officer, manager), enquiries=10, internal_placements=40)
    fostering(make_return(derby, 2, officer, manager), enquiries=15, internal_placements=44)
    draft = make_return(derby, 3, officer, manager, status=ReturnStatus.DRAFT)
    fostering(draft, enquiries=100, internal_placements=90)
    submitted = make_return(derby, 4, officer, manager, status=ReturnStatus.SUBMITTED)
    fostering(submitted, enquiries=200)

    year = figures.figures(derby, *YEAR)
    assert year["foster_enquiries"].value == 25  # the draft and the submitted are ignored
    assert year["internal_foster_placements"].value == 44  # a stock: the latest signed off
    # A blank is "not entered": nothing was entered for applications, so no value.
    assert year["foster_applications"].value is None
    # A quarter whose return isn't signed off has no figures at all.
    assert figures.figures(derby, dt.date(2021, 10, 1), dt.date(2021, 12, 31)) == {}
    q2 = figures.figures(derby, dt.date(2021, 7, 1), dt.date(2021, 9, 30))
    assert q2["foster_enquiries"].value == 15


def test_conversion_and_residential_vacancy_rates(derby, officer, manager):
    ret = make_return(derby, 1, officer, manager)
    fostering(ret, enquiries=40, approvals_mainstream=4, approvals_family_friends=2)
    staffing = StaffingSection.objects.create(ret=ret)
    for n, (establishment, vacancies, status) in enumerate(
        [("20.0", "5.0", "open"), ("30.0", "10.0", "open"), ("18.0", "18.0", "temporarily_closed")]
    ):
        home = Setting.objects.create(
            urn=f"SC99000{n}",
            name=f"Home {n}",
            setting_type=SettingType.CHILDRENS_HOME,
            run_by_council=derby,
        )
        HomeStaffing.objects.create(
            section=staffing,
            setting=home,
            establishment_fte=Decimal(establishment),
            vacancies_fte=Decimal(vacancies),
            home_status=status,
        )
    result = figures.figures(derby, *YEAR)
    conversion = result["foster_conversion_pct"]
    # Mainstream approvals only: family and friends carers aren't recruited.
    assert (conversion.numerator, conversion.denominator, conversion.value) == (4, 40, 10.0)
    assert result["foster_approvals"].value == 6
    rate = result["residential_vacancy_rate_pct"]
    # The temporarily closed home is left out: 15 of 50 FTE.
    assert (rate.numerator, rate.denominator, rate.value) == (15.0, 50.0, 30.0)
    assert result["residential_vacancies_fte"].value == 15.0
    assert [h["name"] for h in rate.notes["homes"]] == ["Home 0", "Home 1", "Home 2"]


@pytest.fixture
def demo(derby, officer, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_providers(log=lambda _: None)
        load_demo_quarterly_returns(log=lambda _: None)
    return derby


def test_the_demo_year_reproduces_the_seed(demo):
    totals = figures.year_totals(demo, 2022)
    assert totals["enquiries"] == 199
    assert totals["information_packs"] == 64
    assert totals["applications"] == 18
    assert totals["approvals_mainstream"] + totals["approvals_family_friends"] == 26
    assert (totals["approvals_mainstream"], totals["approvals_family_friends"]) == (16, 10)
    assert (totals["recruitment_events"], totals["event_attendees"]) == (5, 81)
    assert (totals["exits_sgo"], totals["exits_reunification"]) == (12, 7)
    assert totals["placed_for_adoption"] == 23
    assert totals["adoption_orders"] == 34
    assert (totals["plan_of_adoption"], totals["allocated"]) == (58, 51)
    assert totals["tracked_awaiting_placement_order"] == 36
    assert totals["projection_next_quarter"] == 14
    assert totals["internal_placements"] == 119
    assert totals["pep_completion_pct"] == Decimal("92.9")

    year = figures.figures(demo, *YEAR)
    assert year["foster_approvals"].value == 26
    assert year["foster_conversion_pct"].value == 8.0  # 16 mainstream of 199 enquiries
    assert year["permanence_exits_non_adoption"].value == 19
    rate = year["residential_vacancy_rate_pct"]
    assert (rate.numerator, rate.denominator, rate.value) == (74.0, 185.0, 40.0)
    assert any(
        h["urn"] == "SC900005" and not h["open"] and h["establishment_fte"] == 0
        for h in rate.notes["homes"]
    )
    assert year["external_weekly_cost"].notes["by_type"]["ifa"]["placements"] == 110
    assert year["cicc_actions_overdue"].value == 1  # fire doors and signage
    q1_to_q3 = figures.figures(demo, dt.date(2021, 4, 1), dt.date(2021, 12, 31))
    assert q1_to_q3["adoption_orders"].value == 21
    assert (
        figures.figures(demo, dt.date(2022, 1, 1), dt.date(2022, 3, 31))["adoption_orders"].value
        == 13
    )
    assert all(r.signed_off_by.username == "derby.manager" for r in QuarterlyReturn.objects.all())

    load_demo_quarterly_returns(log=lambda _: None)  # idempotent
    assert QuarterlyReturn.objects.filter(la=demo).count() == 4
    assert CiccAction.objects.filter(la=demo).count() == 4
    assert figures.year_totals(demo, 2022) == totals
    assert (
        Target.objects.filter(la=demo, year=2022, indicator__code="adoption_orders").get().value
        == 35
    )


@pytest.fixture
def with_903(tmp_path, derby):
    import_children(tmp_path, "831", 40)
    return derby


def test_figures_are_stored_with_the_903_indicators_and_refreshed_on_sign_off(
    with_903, officer, manager, django_capture_on_commit_callbacks
):
    ret = QuarterlyReturn.objects.create(la=with_903, year=2022, quarter=1, created_by=officer)
    for _, _, model in workflow.SECTIONS:
        model.objects.create(ret=ret)
    Fostering.objects.filter(ret=ret).update(enquiries=12)
    workflow.submit(ret, officer, ret.version)
    assert stored(with_903, "foster_enquiries") is None  # submitted: not for councillors
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.sign_off(ret, manager, ret.version)  # queues the refresh itself
        figures.changed(ret.la_id)  # one refresh a council, however many changes
    assert len(callbacks) == 1
    assert stored(with_903, "foster_enquiries").value == 12
    assert stored(with_903, "foster_enquiries", quarter=1).value == 12
    assert stored(with_903, "foster_enquiries", quarter=2) is None

    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen(ret, manager, ret.version, "A typo in enquiries.")
    assert stored(with_903, "foster_enquiries") is None  # drafts never reach councillors

    # A full recompute (an import) includes them too.
    Fostering.objects.filter(ret=ret).update(enquiries=13)
    QuarterlyReturn.objects.filter(pk=ret.pk).update(
        status=ReturnStatus.SIGNED_OFF, submitted_by=officer, signed_off_by=manager
    )
    services.recompute(with_903, charts=False)
    assert stored(with_903, "foster_enquiries").value == 13


def test_saving_a_cicc_action_queues_one_refresh(derby, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        action = CiccAction.objects.create(
            la=derby,
            you_said="More trips.",
            owner="Participation Officer",
            due_date=dt.date(2022, 1, 1),
        )
        action.status, action.completed_on = ActionStatus.COMPLETE, dt.date(2022, 1, 2)
        action.save()
    assert len(callbacks) == 1


@pytest.fixture
def dashboard_data(with_903, officer, manager, django_capture_on_commit_callbacks):
    """Two signed-off quarters and a draft, with targets, stored for the dashboard."""
    q1 = make_return(with_903, 1, officer, manager)
    fostering(
        q1,
        enquiries=50,
        information_packs=20,
        applications=6,
        approvals_mainstream=3,
        approvals_family_friends=1,
        internal_placements=3,  # few enough children to withhold
    )
    Permanence.objects.create(ret=q1, exits_sgo=3, exits_cao=0, exits_reunification=8)
    q2 = make_return(with_903, 2, officer, manager)
    fostering(q2, enquiries=40, information_packs=10, applications=4, approvals_mainstream=5)
    Permanence.objects.create(ret=q2, exits_sgo=6, exits_cao=0, exits_reunification=4)
    draft = make_return(with_903, 3, officer, manager, status=ReturnStatus.DRAFT)
    fostering(draft, enquiries=999)
    CiccAction.objects.create(
        la=with_903,
        raised_in=q1,
        you_said="Fix the minibus.",
        owner="Head of Service",
        due_date=dt.date(2021, 9, 1),
    )
    indicators = services.sync_catalogue()
    for code, value in (
        ("foster_enquiries", 200),
        ("foster_approvals", 30),
        ("permanence_exits_non_adoption", 28),
    ):
        Target.objects.create(la=with_903, indicator=indicators[code], year=2022, value=value)
    with django_capture_on_commit_callbacks(execute=True):
        figures.refresh(with_903)
    return with_903


def _panels(html: str) -> str:
    return html.split('id="returns-panels"')[1]


def test_targets_and_the_funnel_show_on_the_dashboard(client, dashboard_data, officer):
    client.force_login(officer)
    response = client.get(reverse("dashboard"), {"year": 2022})
    sections = response.context["sections"]
    fostering_section = next(s for s in sections if s.title == "Fostering and permanence")
    tile = next(t for t in fostering_section.tiles if t.indicator.code == "foster_enquiries")
    assert tile.shown.value == 90  # 50 + 40: the draft's 999 is not counted
    assert tile.target_text == "200"
    panels = sections.returns_panels
    stages = {s.code: s for s in panels.funnel.stages}
    assert (stages["foster_enquiries"].done.text, stages["foster_enquiries"].target) == (
        "90",
        "200",
    )
    assert stages["foster_information_packs"].conversion == "33.3%"  # 30 of 90
    assert stages["foster_approvals"].done.value == 9
    assert stages["foster_approvals"].conversion == "80.0%"  # 8 mainstream of 10 applications
    assert panels.approvals_split == "8 mainstream and 1 family and friends"
    assert "Q1 and Q2" in panels.basis
    permanence = {r.code: r for r in panels.permanence}
    exits = permanence["permanence_exits_non_adoption"]
    assert (exits.done.text, exits.target, exits.progress) == ("21", "28", "75% of the target")
    assert (
        dict((label, cell.text) for label, cell in panels.routes)["Special guardianship orders"]
        == "9"
    )
    assert panels.cicc["overdue"] == "1"
    assert panels.cicc["overdue_actions"][0]["you_said"] == "Fix the minibus."

    html = _panels(response.content.decode())
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="funnel-svg-title funnel-svg-desc"' in svg
    assert '<title id="funnel-svg-title">' in svg and "Enquiries 90 (target 200)" in svg
    assert "style" not in html and "<script" not in html
    table = html.split("Fostering recruitment: the chart's figures")[1].split("</table>")[0]
    assert "Year to date" in table and ">200<" in table and ">33.3%<" in table

    # A quarter shows the year to date to its end, still against the year's target.
    q1 = client.get(reverse("dashboard"), {"year": 2022, "quarter": 1}).context["sections"]
    stages = {s.code: s for s in q1.returns_panels.funnel.stages}
    assert stages["foster_enquiries"].done.text == "50"


def test_councillors_see_small_counts_of_children_withheld(client, dashboard_data, councillor):
    client.force_login(councillor)
    response = client.get(reverse("dashboard"), {"year": 2022, "quarter": 1})
    page = response.content.decode()
    tile = page.split('id="internal_foster_placements"')[1].split("What this means")[0]
    assert ">c</abbr>" in tile
    panels = response.context["sections"].returns_panels
    exits = {r.code: r for r in panels.permanence}["permanence_exits_non_adoption"]
    assert exits.done.text == "11"  # 3 + 8: not small
    # Year-to-date routes in a quarter's view would give small quarters away by
    # subtraction: councillors see the split in the year's view only.
    assert panels.routes == [] and "year's view only" in panels.routes_note
    year_panels = client.get(reverse("dashboard"), {"year": 2022}).context["sections"]
    routes = {label: cell.text for label, cell in year_panels.returns_panels.routes}
    assert routes == {
        "Special guardianship orders": "9",
        "Child arrangements orders": "0",
        "Reunifications (planned returns home)": "12",
    }
    # Carer households are not children: the funnel is never withheld.
    stages = {s.code: s for s in panels.funnel.stages}
    assert stages["foster_approvals"].done.text == "4"


def test_the_dashboard_stays_within_its_query_budget(
    client, dashboard_data, councillor, django_assert_max_num_queries
):
    client.force_login(councillor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard"), {"year": 2022}).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard"), {"year": 2022, "quarter": 2}).status_code == 200


def test_the_reconciliation_sets_the_team_beside_the_903(with_903, officer, manager, client):
    Permanence.objects.create(ret=make_return(with_903, 1, officer, manager), exits_sgo=3)
    draft = make_return(with_903, 2, officer, manager, status=ReturnStatus.DRAFT)
    Permanence.objects.create(ret=draft, exits_sgo=2, adoption_orders=4)
    for quarter, value in ((0, 4), (1, 2), (2, 2)):
        IndicatorValue.objects.filter(
            la=with_903, indicator__code="ceased_sgo", year=2022, quarter=quarter
        ).update(value=value)
    client.force_login(officer)
    response = client.get(reverse("returns_reconciliation"), {"year": 2022})
    assert response.status_code == 200
    tables = {t.code: t for t in response.context["tables"]}
    sgo = {line.period: line for line in tables["ceased_sgo"].lines}
    assert (sgo["Q1"].team, sgo["Q1"].ssda903, sgo["Q1"].difference) == (3, 2, 1)
    assert (sgo["Q2"].team, sgo["Q2"].draft, sgo["Q2"].status) == (2, True, "Draft")
    assert (sgo["Year"].team, sgo["Year"].ssda903, sgo["Year"].difference) == (5, 4, 1)
    adoption = {line.period: line for line in tables["ceased_adoption"].lines}
    assert (adoption["Q2"].team, adoption["Q2"].ssda903, adoption["Q2"].difference) == (4, 0, 4)
    assert adoption["Q3"].team is None and adoption["Q3"].status == "No return"
    html = response.content.decode()
    assert "Why the two can differ" in html and "last time ceasing" in html
    assert client.get(reverse("returns_reconciliation"), {"year": 2016}).status_code == 404
    assert client.get(reverse("returns_reconciliation"), {"year": "x"}).status_code == 404


@pytest.mark.parametrize("persona", ["councillor", "clerk", "council_admin"])
def test_only_officers_see_the_reconciliation(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("returns_reconciliation")).status_code == 403


def test_another_councils_officer_never_sees_its_figures(
    with_903, officer, manager, other_officer, client
):
    Permanence.objects.create(ret=make_return(with_903, 1, officer, manager), exits_sgo=17)
    client.force_login(other_officer)
    assert client.get(reverse("returns_reconciliation"), {"year": 2022}).status_code == 404
    response = client.get(reverse("returns_reconciliation"))
    assert response.status_code == 200 and ">17<" not in response.content.decode()
    assert "Nottinghamshire" in response.content.decode()
