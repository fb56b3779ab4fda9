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
