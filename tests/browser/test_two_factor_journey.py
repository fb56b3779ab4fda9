"""An officer with no authenticator app signs in, sets one up from the page (the code is
computed from the key the page shows, as the app would), and signs in again with it;
and the other account pages, each checked with axe-core."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_journeys import sign_in
from tests.conftest import PASSWORD
from tests.support.two_factor import code_for, confirmed_device

pytestmark = pytest.mark.django_db(transaction=True)


def _password_step(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill("derby.officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_sets_up_two_factor_and_signs_in_with_it(
    page: Page, live_server, officer, console
):
    _password_step(page, live_server.url)
    expect(page).to_have_url(re.compile(r"/account/two-factor/set-up/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    # No menu: every link would lead back here.
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#secret-key").inner_text()
    key = base64.b32decode(secret.replace(" ", ""))
    page.get_by_label("Code from your authenticator app").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Finish setting up").click()

    expect(page).to_have_url(f"{live_server.url}/officer/")
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Two-factor authentication is set up."
    )
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.bin_key == key

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, live_server.url)
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    assert_accessible(page)

    page.get_by_label("Code from your authenticator app").fill("12ab")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The code must be 6 digits")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/officer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Officer home")

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=2, name="Two-factor authentication")).to_be_visible()
    expect(page.get_by_text("Your role needs it, so it cannot be turned off.")).to_be_visible()
    assert_accessible(page)
    assert console.csp_errors == []
    assert console.errors == []


def test_the_account_pages_are_accessible(
    page: Page, live_server, council_admin, officer, console, mailoutbox, settings
):
    """A council admin resets an officer's app and sends them a reset link; the officer
    resets their password from the email; then someone mistypes until locked out."""
    confirmed_device(officer)
    sign_in(page, live_server.url, "derby.admin")
    page.get_by_role("link", name="Change derby.officer").click()
    page.get_by_role("link", name="Reset two-factor authentication for derby.officer").click()
    assert_accessible(page)
    page.get_by_role("button", name="Reset two-factor authentication").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Two-factor authentication is reset for derby.officer."
    )
    assert not TOTPDevice.objects.filter(user=officer).exists()
    page.get_by_role("link", name="Send derby.officer a password reset link").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "We have emailed a new password reset link to derby.officer@example.org."
    )
    page.get_by_role("button", name="Sign out").click()

    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill("derby.officer@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)
    link = re.search(r"http://\S+", mailoutbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("a-new-officer-password")
    page.get_by_label("Confirm new password").fill("a-new-officer-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is set")
    assert_accessible(page)

    settings.AXES_ENABLED = True
    for _ in range(5):
        sign_in(page, live_server.url, "derby.clerk", "not-the-password")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have tried to sign in too many times"
    )
    expect(page.get_by_text("Wait 15 minutes, then try again.")).to_be_visible()
    assert_accessible(page)
    assert console.csp_errors == []
