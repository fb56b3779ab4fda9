from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.support.two_factor import code_for, confirmed_device


@pytest.mark.parametrize(
    ("username", "password"),
    [("derby.officer", "wrong-password-here"), ("nobody.here", PASSWORD)],
)
def test_it_does_not_say_which_of_username_or_password_was_wrong(
    client, officer, username, password
):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password." in html
    assert "Error: " in html  # the title says there's an error, for screen readers


def test_it_signs_in_and_out(client, officer):
    device = confirmed_device(officer)
    response = client.post(reverse("login"), {"username": "derby.officer", "password": PASSWORD})
    assert response.status_code == 302
    # An officer's password alone opens nothing: the second factor comes next.
    assert client.get(reverse("officer_home"))["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert client.get(reverse("officer_home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("officer_home")).status_code == 302


def test_it_asks_for_both_fields(client, db):
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in html
    assert "Enter your password" in html
