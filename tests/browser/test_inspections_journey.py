"""Officers record inspection data; councillors read it. Real Chromium, axe-core on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inspections.demo import load_demo_oversight
from inspections.models import Reg44Visit
from inspections.providers import load_demo_providers
from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_journeys import sign_in
from tests.conftest import ensure_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_inspections(db):
    ensure_reference_data()
    load_demo_providers(log=lambda _: None)
    load_demo_oversight(log=lambda _: None)


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_an_officer_records_a_regulation_44_visit_and_is_told_about_a_duplicate(
    page: Page, live_server, officer, demo_inspections, console
):
    sign_in(page, live_server.url, "derby.officer")
    page.get_by_role("link", name="Homes and inspections").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Homes and inspections")
    assert_accessible(page)

    page.get_by_role("link", name="Regulation 44 visits: the monthly compliance grid").click()
    page.goto(f"{live_server.url}/inspections/reg44/?year=2022")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Regulation 44 visits, 2021/22")
    expect(page.locator("table")).to_contain_text("No visit")
    assert_accessible(page)

    # A second visit to Oak Lodge in January 2022 is refused, and nothing is saved.
    before = Reg44Visit.objects.count()
    page.get_by_role("link", name="Record a visit").first.click()
    page.get_by_label("Home").select_option(label="Oak Lodge (SC900001)")
    fill_date(page, "Date of visit", "20", "1", "2022")
    page.get_by_role("group", name="Was the visit announced?").get_by_label("No").check()
    page.get_by_label("Independent person's name").fill("Priya Lal")
    page.get_by_label("Number of children spoken to").fill("2")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("already has a Regulation 44 visit for January 2022")
    assert_accessible(page)
    assert Reg44Visit.objects.count() == before

    # The missed month at Rowan Court can be recorded.
    page.get_by_label("Home").select_option(label="Rowan Court (SC900003)")
    fill_date(page, "Date of visit", "19", "8", "2021")
    fill_date(page, "Date the report was received", "30", "8", "2021")
    page.get_by_role("group", name="Are children effectively safeguarded?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Does the home promote children's well-being?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner, .govuk-panel").first).to_be_visible()
    assert Reg44Visit.objects.count() == before + 1
    assert console.errors == []


def test_a_councillor_reads_outcomes_the_grid_and_the_action_plan(
    page: Page, live_server, councillor, demo_inspections, console
):
    sign_in(page, live_server.url, "derby.councillor")
    for path, heading in [
        ("/inspections/", "Homes and inspections"),
        ("/inspections/homes/", "Council homes"),
        ("/inspections/due/", "When Ofsted"),
        ("/inspections/reg44/?year=2022", "Regulation 44 visits, 2021/22"),
        ("/inspections/reg45/", "Regulation 45"),
        ("/inspections/member-visits/", "members"),
        ("/inspections/council/", "Inspections of"),
    ]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        # Read-only: no buttons to record or change anything.
        expect(page.get_by_role("link", name="Record a visit")).to_have_count(0)
        expect(page.get_by_role("link", name="Change", exact=True)).to_have_count(0)
        expect(page.locator("main a[href*='/change/'], main a[href$='/new/']")).to_have_count(0)
        assert_accessible(page)

    page.goto(live_server.url + "/inspections/homes/")
    expect(page.locator("main")).to_contain_text("2 Good or better, 2 Requires improvement")
    expect(page.locator("main")).to_contain_text("1 temporarily closed")

    page.goto(live_server.url + "/inspections/council/")
    page.get_by_role("link", name="ILACS standard inspection").first.click()
    main = page.locator("main")
    expect(main).to_contain_text("19 August 2022")
    expect(main).to_contain_text("life-story work")
    expect(main).to_contain_text("Sufficiency of placement choice")
    expect(main).to_contain_text("Outstanding")
    assert_accessible(page)
    assert console.errors == []
