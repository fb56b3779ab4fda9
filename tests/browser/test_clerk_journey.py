"""A clerk sets up a meeting, publishes its report and downloads the public pack, in a
real browser; axe-core checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_journeys import sign_in
from tests.conftest import ensure_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clerk_publishes_a_report_and_downloads_the_public_pack(
    page: Page, live_server, clerk, console
):
    from committee.models import (
        MeetingPack,
        PublishedVersion,
        Report,
        ReportStatus,
        ReportType,
    )
    from committee.skeletons import ensure_templates
    from corporate_parenting.models import LocalAuthority

    ensure_reference_data()
    derby = LocalAuthority.objects.get(la_code="831")
    Report.objects.create(
        la=derby,
        report_type=ReportType.CICC,
        template=ensure_templates()["831"],
        title="Children in Care Council update",
        report_of="Director of Integrated Commissioning",
        year=2022,
        quarter=4,
        summary="The CiCC met in April and June 2022.",
        recommendations="To note the report.",
        status=ReportStatus.APPROVED,
    )

    sign_in(page, live_server.url, "derby.clerk")
    page.goto(f"{live_server.url}/committee/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee meetings")
    assert_accessible(page)

    page.get_by_role("link", name="Add a meeting").click()
    page.get_by_label("Day").fill("26")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("2022")
    assert_accessible(page)
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting of Tuesday 26 July 2022")
    assert_accessible(page)

    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Item number").fill("5")
    page.get_by_label("Title").fill("Children in Care Council update")
    page.get_by_label("Report (optional)").select_option(label="Children in Care Council update")
    assert_accessible(page)
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator(".govuk-tag", has_text="Approved")).to_be_visible()

    page.get_by_role("link", name="Children in Care Council update").click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        "Children in Care Council update"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    assert PublishedVersion.objects.count() == 1
    assert_accessible(page)

    page.goto(f"{live_server.url}/committee/")
    page.get_by_role("link", name="Corporate Parenting Committee, 26 July 2022").click()
    page.get_by_label("Public pack").check()
    page.get_by_role("button", name="Make the pack").click()
    link = page.get_by_role("link", name="Download the public pack (PDF)")
    expect(link).to_be_visible(timeout=30_000)
    assert_accessible(page)
    assert MeetingPack.objects.get().status == "ready"

    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert console.errors == []
