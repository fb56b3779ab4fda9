"""The demo's accounts stay usable with two-factor authentication."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from corporate_parenting.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, load_demo_context
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]


def _demo_totp(username: str) -> str:
    out = io.StringIO()
    call_command("demo_totp", username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_demo_officers_and_admins_have_the_demo_authenticator():
    load_demo_context()
    load_demo_context()  # twice: still one device each
    with_app = set(
        TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).values_list(
            "user__username", flat=True
        )
    )
    assert with_app == {
        "derby.officer",
        "derby.manager",
        "derby.admin",
        "notts.officer",
        "sysadmin",
    }
    assert TOTPDevice.objects.count() == len(with_app)


def test_demo_totp_prints_a_code_that_signs_the_demo_officer_in(client):
    load_demo_context()
    client.post(reverse("login"), {"username": "derby.officer", "password": DEMO_PASSWORD})
    assert client.get(reverse("officer_home"))["Location"].startswith(reverse("two_factor_verify"))
    code = _demo_totp("derby.officer")
    assert len(code) == 6 and code.isdigit()
    client.post(reverse("two_factor_verify"), {"code": code})
    assert client.get(reverse("officer_home")).status_code == 200


def test_demo_totp_refuses_accounts_that_are_not_the_demos():
    load_demo_context()
    make_user("real.officer", role="officer")
    with pytest.raises(CommandError, match="not one of the demo's accounts"):
        _demo_totp("real.officer")
    # A demo username whose app is a real one (not the demo secret) is refused too.
    TOTPDevice.objects.filter(user__username="derby.admin").update(key="00" * 20)
    with pytest.raises(CommandError, match="no demo authenticator"):
        _demo_totp("derby.admin")


def test_the_demo_councillor_is_not_asked_for_a_code(client):
    load_demo_context()
    with pytest.raises(CommandError, match="not asked for a code"):
        _demo_totp("derby.councillor")
    client.post(reverse("login"), {"username": "derby.councillor", "password": DEMO_PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    assert not TOTPDevice.objects.filter(user__username="derby.councillor").exists()
