"""Sign-in lockout (django-axes), turned on here: tests/conftest.py turns it off for the
rest, because Django's Client.login() authenticates without a request."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from corporate_parenting import settings as project_settings
from corporate_parenting.models import AuditLog
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


def _sign_in(client, username: str, password: str, ip: str = "192.0.2.10"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _fail(client, username: str, times: int, ip: str = "192.0.2.10"):
    return [_sign_in(client, username, "not-the-password", ip) for _ in range(times)]


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert project_settings.AXES_FAILURE_LIMIT == 5
    assert project_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert project_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert project_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_a_right_password_signs_in_through_axes(client, councillor):
    response = _sign_in(client, "derby.councillor", PASSWORD)
    assert response["Location"] == reverse("home")
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_fifth_failure_locks_the_username_from_that_address(client, councillor):
    responses = _fail(client, "derby.councillor", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "Enter a correct username and password." in responses[3].content.decode()

    locked = responses[4].content.decode()
    assert "You have tried to sign in too many times" in locked
    assert "Wait 15 minutes, then try again." in locked
    assert "govuk-heading-l" in locked  # the service's own page, not axes' plain text

    # Now even the right password is refused, with the same page...
    still = _sign_in(client, "derby.councillor", PASSWORD)
    assert still.status_code == 429
    assert "Wait 15 minutes" in still.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302
    # ...but not from another address, nor for another username from this one.
    assert _sign_in(client, "derby.councillor", PASSWORD, ip="198.51.100.7").status_code == 302


def test_another_username_from_the_same_address_is_not_locked(client, councillor, clerk):
    _fail(client, "derby.councillor", 5)
    assert _sign_in(client, "derby.clerk", PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_works(client, councillor):
    _fail(client, "derby.councillor", 5)
    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _sign_in(client, "derby.councillor", PASSWORD).status_code == 302


def test_the_limit_and_wait_are_configurable(client, settings, councillor):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=1)
    responses = _fail(client, "derby.councillor", 3)
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert "Wait 1 minute, then try again." in responses[2].content.decode()


def test_failures_and_the_lockout_are_audited_without_the_password(client, councillor):
    _fail(client, "derby.councillor", 5)
    entries = AuditLog.objects.filter(username="derby.councillor", action="login")
    details = list(entries.values_list("detail", flat=True))
    assert details.count("failed sign-in from 192.0.2.10") == 5
    assert "sign-in locked after repeated failures from 192.0.2.10" in details
    assert "not-the-password" not in str(list(AuditLog.objects.values()))


def test_behind_a_load_balancer_the_address_it_saw_is_used(client, settings, councillor):
    """The last X-Forwarded-For entry is the balancer's; earlier ones are the client's
    own say, so an attacker can't dodge the lockout by inventing addresses."""
    settings.CP_BEHIND_PROXY = True
    for invented in range(5):
        client.post(
            reverse("login"),
            {"username": "derby.councillor", "password": "wrong-password-x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{invented}, 192.0.2.99",
        )
    assert AccessAttempt.objects.get().ip_address == "192.0.2.99"
    locked = client.post(
        reverse("login"),
        {"username": "derby.councillor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.99",
    )
    assert locked.status_code == 429
