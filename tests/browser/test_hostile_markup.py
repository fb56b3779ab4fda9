"""Script typed into the service never runs in a real browser.

tests/security/hostile.py types `<script>alert(1)</script>`, an `<img onerror>`, an
`<svg onload>`, `javascript:` links and inline HTML into every free-text field; here
Chromium opens the pages that show them. Any alert would fire a dialog; markup that
got through but was stopped by the Content Security Policy would show as a CSP error.
Neither may happen, and the text must be on the page as text.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.test_sign_in_journeys import sign_in
from tests.security.hostile import seed_everything

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_typed_script_runs_on_the_pages_that_show_it(
    page: Page, live_server, officer, clerk, councillor, council_admin, console
):
    s = seed_everything(Client(), officer, clerk, council_admin)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    readings = {
        "derby.officer": [
            reverse("home_detail", args=[s.home.pk]),
            reverse("reg44_visit_detail", args=[s.visit.pk]),
            reverse("council_inspection_detail", args=[s.inspection.pk]),
            reverse("return_section", args=[s.ret.pk, "cicc"]),
            reverse("report_detail", args=[s.report.pk]),
        ],
        "derby.councillor": [
            reverse("dashboard") + "?year=2022",
            reverse("meeting_detail", args=[s.meeting.pk]),
        ],
    }
    for username, urls in readings.items():
        sign_in(page, live_server.url, username)
        for url in urls:
            page.goto(f"{live_server.url}{url}", wait_until="load")
            expect(page.locator("main")).to_contain_text("alert(1)")
            if "/cicc/" not in url:  # there the text is in the boxes, as typed
                expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")
            assert page.locator("main script, main img[src='x'], main svg[onload]").count() == 0
        page.get_by_role("button", name="Sign out").click()
    assert dialogs == []
    assert console.csp_errors == []
