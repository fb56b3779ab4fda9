"""Two-factor authentication, tested without the help tests/conftest.py gives other tests:
here a test-client sign-in is only a password sign-in."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from corporate_parenting.models import AuditLog
from corporate_parenting.two_factor import TURNED_ON_SESSION_KEY
from tests.support.two_factor import code_for, confirmed_device, verify_client_session
from tests.support.urls import walk

pytestmark = pytest.mark.real_two_factor

# Reachable before the second factor: public pages, signing out, and its own pages.
OPEN_BEFORE_TWO_FACTOR = {
    "login",
    "logout",
    "accessibility",
    "healthz",
    "?",
    "two_factor_setup",
    "two_factor_verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_confirm",
    "invitation_complete",
}


def _redirects_to(response, url_name: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(url_name))


@pytest.mark.parametrize(
    ("persona", "has_app", "step"),
    [
        ("officer", False, "two_factor_setup"),
        ("council_admin", False, "two_factor_setup"),
        ("system_admin", False, "two_factor_setup"),
        ("officer", True, "two_factor_verify"),
        ("council_admin", True, "two_factor_verify"),
        ("system_admin", True, "two_factor_verify"),
    ],
)
def test_officers_and_admins_reach_no_page_before_the_second_factor(
    client, personas, persona, has_app, step
):
    user = personas[persona]
    if has_app:
        confirmed_device(user)
    client.force_login(user)
    checked = 0
    for name, path in walk():
        if name in OPEN_BEFORE_TWO_FACTOR:
            continue
        response = client.get(path)
        assert _redirects_to(response, step), f"{name} {path} gave {response.status_code}"
        checked += 1
    assert checked > 100


def test_what_is_left_open_is_what_the_views_declare(db):
    """The list above matches the views: every open one is public or a two-factor page."""
    for name, path in walk():
        func = resolve(path).func
        declared_open = not getattr(func, "login_required", True) or getattr(
            func, "two_factor_exempt", False
        )
        assert declared_open == (name in OPEN_BEFORE_TWO_FACTOR - {"logout"}), name


def test_the_redirect_keeps_the_page_asked_for(client, officer):
    client.force_login(officer)
    response = client.get("/children/?year=2022")
    assert (
        response["Location"] == reverse("two_factor_setup") + "?next=%2Fchildren%2F%3Fyear%3D2022"
    )


def test_an_htmx_request_is_sent_to_the_step_by_htmx(client, officer):
    client.force_login(officer)
    response = client.get(reverse("officer_home"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("two_factor_setup"))


def test_signing_out_works_before_the_second_factor(client, officer):
    client.force_login(officer)
    assert _redirects_to(client.post(reverse("logout")), "login")
    assert _redirects_to(client.get(reverse("officer_home")), "login")


def test_councillors_and_clerks_are_not_forced(client, councillor, clerk):
    client.force_login(councillor)
    assert client.get(reverse("dashboard")).status_code == 200
    client.force_login(clerk)
    assert client.get(reverse("clerk_home")).status_code == 200


def test_a_councillor_who_turned_it_on_is_asked_for_a_code(client, councillor):
    confirmed_device(councillor)
    client.force_login(councillor)
    assert _redirects_to(client.get(reverse("dashboard")), "two_factor_verify")


def test_an_officer_sets_up_an_authenticator_app(client, officer):
    client.force_login(officer)
    page = client.get(reverse("two_factor_setup") + "?next=/children/").content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    # The QR code is an SVG drawn on the server, inline, with no script or style.
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "style" not in svg and "<script" not in svg
    # The key is there to type in, in base 32 groups of four.
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") == re.search(r"secret=([A-Z2-7]+)", device.config_url).group(1)
    # Reloading shows the same key (the person may have scanned it already).
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=officer).count() == 1

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000", "next": "/children/"})
    assert "The code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    device.refresh_from_db()
    device.throttle_reset()  # the wrong code makes the next try wait a second
    right = client.post(reverse("two_factor_setup"), {"code": code_for(device), "next": "/x/"})
    assert right["Location"] == "/x/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("officer_home")).status_code == 200

    entry = AuditLog.objects.get(object_id=str(officer.pk), changed_fields__two_factor="set up")
    assert entry.username == officer.username
    every_audit_row = str(list(AuditLog.objects.values()))
    assert device.key not in every_audit_row and secret.replace(" ", "") not in every_audit_row


def test_setting_up_refuses_a_code_that_is_not_six_digits(client, officer):
    client.force_login(officer)
    client.get(reverse("two_factor_setup"))
    html = client.post(reverse("two_factor_setup"), {"code": "12ab"}).content.decode()
    assert "The code must be 6 digits" in html
    html = client.post(reverse("two_factor_setup"), {"code": ""}).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in html


def test_a_password_alone_cannot_add_another_app(client, officer):
    """Someone who has only the password must not be able to set up their own phone."""
    confirmed_device(officer)
    client.force_login(officer)
    assert _redirects_to(client.get(reverse("two_factor_setup")), "two_factor_verify")
    assert _redirects_to(
        client.post(reverse("two_factor_setup"), {"code": "1"}), "two_factor_verify"
    )
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_the_verify_page_accepts_a_right_code_once(client, officer):
    device = confirmed_device(officer)
    client.force_login(officer)
    wrong = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    assert AuditLog.objects.filter(
        username=officer.username, detail="wrong two-factor code"
    ).exists()

    device.refresh_from_db()
    device.throttle_reset()  # the wrong code above makes the next try wait a second
    code = code_for(device)
    key_before = client.session.session_key
    response = client.post(reverse("two_factor_verify"), {"code": code, "next": "/officer/"})
    assert response["Location"] == "/officer/"
    # A new session key, as at sign-in: one seen before the code is now worthless.
    assert client.session.session_key != key_before
    assert client.get(reverse("officer_home")).status_code == 200
    assert "000000" not in str(list(AuditLog.objects.values()))

    # The same code can't be used again, in another session.
    client.post(reverse("logout"))
    client.force_login(officer)
    again = client.post(reverse("two_factor_verify"), {"code": code})
    assert "The code is not right" in again.content.decode()


def test_wrong_codes_make_the_next_try_wait(client, officer):
    confirmed_device(officer)
    client.force_login(officer)
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    html = client.post(reverse("two_factor_verify"), {"code": "000000"}).content.decode()
    assert re.search(r"too many wrong codes\. Wait \d+ seconds?, then enter the newest code", html)


def test_the_verify_page_sends_someone_with_no_app_to_set_one_up(client, officer):
    client.force_login(officer)
    assert _redirects_to(client.get(reverse("two_factor_verify")), "two_factor_setup")


def test_the_next_address_must_be_on_this_site(client, officer):
    device = confirmed_device(officer)
    client.force_login(officer)
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("officer_home")


def test_a_councillor_turns_it_on_and_off(client, councillor):
    client.force_login(councillor)
    assert "Turn on two-factor authentication" in client.get(reverse("account")).content.decode()
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=councillor)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert TOTPDevice.objects.get(user=councillor).confirmed

    # Signing in again now asks for a code.
    client.post(reverse("logout"))
    client.force_login(councillor)
    assert _redirects_to(client.get(reverse("dashboard")), "two_factor_verify")
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert client.post(reverse("two_factor_turn_off"))["Location"] == reverse("account")
    assert not TOTPDevice.objects.filter(user=councillor).exists()
    assert AuditLog.objects.filter(
        object_id=str(councillor.pk), detail="turned off by the user"
    ).exists()
    client.post(reverse("logout"))
    client.force_login(councillor)
    assert client.get(reverse("dashboard")).status_code == 200


def test_officers_cannot_turn_it_off(client, officer):
    client.force_login(officer)
    verify_client_session(client, officer)
    assert "cannot be turned off" in client.get(reverse("account")).content.decode()
    assert client.post(reverse("two_factor_turn_off")).status_code == 403
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_a_verified_user_moves_to_a_new_phone(client, officer):
    old = confirmed_device(officer)
    client.force_login(officer)
    verify_client_session(client, officer)
    assert (
        "This replaces the authenticator app"
        in client.get(reverse("two_factor_setup")).content.decode()
    )
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    client.post(reverse("two_factor_setup"), {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=officer).values_list("pk", flat=True)) == [new.pk]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get(reverse("officer_home")).status_code == 200


def test_a_council_admin_resets_a_users_two_factor(client, council_admin, officer, other_officer):
    confirmed_device(officer)
    confirmed_device(other_officer)
    client.force_login(council_admin)
    verify_client_session(client, council_admin)
    page = client.get(reverse("council_user_edit", args=[officer.pk])).content.decode()
    assert reverse("council_user_two_factor", args=[officer.pk]) in page

    response = client.post(reverse("council_user_two_factor", args=[officer.pk]))
    assert response["Location"] == reverse("council_user_edit", args=[officer.pk])
    assert not TOTPDevice.objects.filter(user=officer).exists()
    entry = AuditLog.objects.get(detail="two-factor authentication reset by admin")
    assert (entry.username, entry.object_id) == (council_admin.username, str(officer.pk))

    # Another council's user is not found; councillors may not reset anyone.
    other = reverse("council_user_two_factor", args=[other_officer.pk])
    assert client.get(other).status_code == 404
    assert client.post(other).status_code == 404
    assert TOTPDevice.objects.filter(user=other_officer).exists()


def test_only_council_admins_reset_two_factor(client, councillor, officer):
    confirmed_device(officer)
    client.force_login(councillor)
    assert client.post(reverse("council_user_two_factor", args=[officer.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_a_deactivated_user_with_a_verified_session_is_signed_out(client, officer):
    client.force_login(officer)
    verify_client_session(client, officer)
    assert client.get(reverse("officer_home")).status_code == 200
    officer.is_active = False
    officer.save()
    assert _redirects_to(client.get(reverse("officer_home")), "login")


def test_councillors_without_it_pay_no_query_for_it(client, councillor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(councillor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard")).status_code == 200
    assert not [q for q in queries if "otp_totp" in q["sql"]]


def test_a_session_from_before_the_sign_in_note_still_checks(client, councillor):
    client.force_login(councillor)
    session = client.session
    del session[TURNED_ON_SESSION_KEY]
    session.save()
    confirmed_device(councillor)
    assert _redirects_to(client.get(reverse("dashboard")), "two_factor_verify")
