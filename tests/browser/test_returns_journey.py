"""An officer enters a quarterly return in a real browser; axe-core checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from returns.models import Fostering
from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_journeys import sign_in
from tests.conftest import ensure_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_starts_a_return_and_is_told_about_a_negative_number(
    page: Page, live_server, officer, console
):
    ensure_reference_data()
    sign_in(page, live_server.url, "derby.officer")
    page.get_by_role("link", name="Quarterly returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly returns")
    assert_accessible(page)

    page.get_by_label("Year").select_option(label="2021/22")
    page.get_by_label("Quarter", exact=True).select_option(index=3)
    page.get_by_role("button", name="Start the return").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2021/22 Q4")
    assert_accessible(page)

    page.get_by_role("link", name="Fostering recruitment").first.click()
    page.get_by_label("Enquiries").fill("-3")
    page.get_by_label("Applications").fill("18")
    page.get_by_role("button", name="Save section").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enquiries must be a whole number, 0 or more")
    expect(summary).to_contain_text("-3")
    assert_accessible(page)
    assert not Fostering.objects.exists()

    # The error summary's link takes the keyboard to the field.
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Enquiries")).to_be_focused()
    page.get_by_label("Enquiries").fill("50")
    page.get_by_label("Mainstream approvals").fill("20")
    page.get_by_role("button", name="Save section").click()
    # Saved, with a warning that does not block: more approvals than applications.
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    expect(page.locator(".govuk-warning-text").first).to_contain_text("pprovals")
    assert Fostering.objects.get().enquiries == 50
    assert_accessible(page)
    assert console.errors == []


def test_a_councillor_reads_the_quarterly_return_panels_on_the_dashboard(
    page: Page, live_server, officer, councillor, console
):
    from corporate_parenting.models import LocalAuthority, Role
    from inspections.providers import load_demo_providers
    from placements.models import Import
    from returns import figures
    from returns.demo import load_demo_quarterly_returns
    from tests.conftest import make_user

    ensure_reference_data()
    make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)
    load_demo_providers(log=lambda _: None)
    load_demo_quarterly_returns(log=lambda _: None)
    derby = LocalAuthority.objects.get(la_code="831")
    Import.objects.create(la=derby, year=2022, mode="strict", status="imported")
    figures.refresh(derby)

    sign_in(page, live_server.url, "derby.councillor")
    page.goto(f"{live_server.url}/dashboard/?year=2022")
    panels = page.locator("#returns-panels")
    expect(panels).to_contain_text("Fostering recruitment")
    expect(panels.locator("svg[role=img]")).to_have_count(1)
    expect(panels).to_contain_text("199")
    expect(panels).to_contain_text("40.0%")
    assert page.locator("svg [style]").count() == 0
    assert_accessible(page)
    assert console.errors == []
