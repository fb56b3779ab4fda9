from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_journeys import sign_in
from tests.placements.factories import write_return

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_uploads_a_return_then_browses_the_children(
    page: Page, live_server, officer, console, tmp_path
):
    folder = write_return(tmp_path / "return")
    sign_in(page, live_server.url, "derby.officer")
    page.get_by_role("link", name="SSDA903 imports").click()
    page.get_by_role("button", name="Upload a return").click()
    assert_accessible(page)
    page.get_by_label("Collection year").select_option("2018")
    page.get_by_label("SSDA903 files").set_input_files(
        [folder / "header.csv", folder / "episodes.csv"]
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import result")
    expect(page.locator(".govuk-panel")).to_contain_text("Every row was valid.")
    assert_accessible(page)

    page.get_by_role("link", name="Children").click()
    expect(page.locator("#results h2")).to_have_text("2 children")
    assert_accessible(page)
    # Filtering uses htmx: the results change without a page load, and the URL follows.
    page.get_by_label("Placement type").select_option("K2")
    expect(page.locator("#results h2")).to_have_text("1 child")
    expect(page).to_have_url(re.compile(r"place=K2"))
    page.get_by_role("link", name="C2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child C2")
    expect(page.get_by_text("Your view of it has been logged.")).to_be_visible()
    assert_accessible(page)
    assert console.errors == []
