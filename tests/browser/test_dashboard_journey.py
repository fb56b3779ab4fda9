from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_journeys import sign_in
from tests.conftest import ensure_reference_data
from tests.placements.factories import write_return

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_councillor_reads_the_dashboard_with_charts_and_a_breakdown(
    page: Page, live_server, councillor, console, tmp_path, settings
):
    settings.CP_RENDER_CHARTS = True
    ensure_reference_data()
    header = [f"K{i},{1 + i % 2},01/05/2010,WBRI,,," for i in range(40)]
    episodes = [f"K{i},01/06/2021,S,C2,N1,U4,PR1,,,,,," for i in range(40)]
    folder = write_return(tmp_path, header=header, episodes=episodes)
    call_command("import_903", str(folder), "--la", "831", "--year", "2022", stdout=io.StringIO())

    sign_in(page, live_server.url, "derby.councillor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Children in care: dashboard")
    expect(page.locator("#cla_at_31_march .app-card__value")).to_have_text("40")
    # The chart is inline SVG with its own text alternative, and raises no CSP report.
    chart = page.locator("[aria-labelledby=numbers-in-care] svg[role=img]")
    expect(chart).to_have_count(1)
    assert page.locator("svg [style]").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="By sex").click()
    expect(page.locator("#breakdown caption")).to_contain_text("by sex")
    expect(page.locator("#breakdown")).to_contain_text("20")
    assert_accessible(page)
    assert console.csp_errors == []
    assert console.errors == []
