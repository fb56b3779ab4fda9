from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from corporate_parenting.models import User
from corporate_parenting.two_factor import is_required
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.support.two_factor import code_for, confirmed_device

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form. Officers and admins then enter the code their
    authenticator app would show, computed from the device's secret (the test sets the
    app up first if they have none); tests/browser/test_two_factor_journey.py goes
    through setting it up in the page."""
    user = User.objects.filter(username=username).first()
    device = confirmed_device(user) if user and is_required(user) else None
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None and "/two-factor/verify/" in page.url:
        page.get_by_label("Code from your authenticator app").fill(code_for(device))
        page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize(
    ("persona", "path", "heading"),
    [
        ("officer", "/officer/", "Officer home"),
        ("councillor", "/dashboard/", "Children in care: dashboard"),
        ("clerk", "/clerk/", "Committee reports"),
        ("council_admin", "/council-admin/users/", "Users"),
    ],
)
def test_each_role_signs_in_and_lands_on_an_accessible_home_page(
    page: Page, live_server, personas, console, persona, path, heading
):
    sign_in(page, live_server.url, personas[persona].username)
    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".govuk-generic-header")).to_contain_text("Derby")
    expect(page.get_by_role("link", name="Accessibility statement")).to_be_visible()
    # GOV.UK Frontend's JavaScript ran (it adds this class from an external module).
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    assert_accessible(page)
    assert console.csp_errors == []
    assert console.errors == []

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))


def test_a_wrong_password_gets_an_accessible_error_summary(
    page: Page, live_server, officer, console
):
    sign_in(page, live_server.url, "derby.officer", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct username and password.")
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    assert console.errors == []


def test_the_system_admin_reaches_the_django_admin(page: Page, live_server, system_admin):
    sign_in(page, live_server.url, "sysadmin")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Councils", exact=True)).to_be_visible()


def test_a_council_admin_invites_a_user_and_sees_form_errors(
    page: Page, live_server, council_admin, console, mailoutbox
):
    sign_in(page, live_server.url, "derby.admin")
    page.get_by_role("button", name="Add a user").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a username")
    assert_accessible(page)

    page.get_by_label("Username").fill("cllr.smith")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Smith")
    page.get_by_label("Email address").fill("sam.smith@example.org")
    page.get_by_label("Role").select_option("councillor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "User cllr.smith created. We have emailed them an invitation."
    )
    expect(page.get_by_role("cell", name="cllr.smith", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("cllr.smith"))).to_contain_text("Invited")
    assert [m.to for m in mailoutbox] == [["sam.smith@example.org"]]
    assert_accessible(page)
    assert console.errors == []


def test_the_public_pages_are_accessible(page: Page, live_server, console):
    for path in ("/sign-in/", "/accessibility/", "/account/password-reset/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    assert console.errors == []
