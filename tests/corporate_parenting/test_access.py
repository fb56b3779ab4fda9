from __future__ import annotations

import pytest
from django.urls import reverse

from corporate_parenting.models import Role
from tests.support.urls import walk

# Public on purpose: signing in, the accessibility statement (a legal duty to
# publish), the health check used by load balancers, and the pages that let someone
# who can't sign in yet choose a password from an emailed link.
PUBLIC = {
    "login",
    "accessibility",
    "healthz",
    "?",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_confirm",
    "invitation_complete",
}


def test_it_finds_the_projects_url_patterns():
    names = {name for name, _ in walk()}
    assert {"login", "home", "officer_home", "admin:index", "council_user_edit"} <= names


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_sign_in_from_every_url_but_the_public_ones(client):
    login_url = reverse("login")
    checked = 0
    for name, path in walk():
        if name in PUBLIC:
            continue
        response = client.get(path)
        assert response.status_code == 302, f"{name} {path} gave {response.status_code}"
        assert response["Location"].startswith(login_url), (
            f"{name} {path} -> {response['Location']}"
        )
        checked += 1
    assert checked > 20  # the admin's patterns are included


@pytest.mark.django_db
def test_it_serves_the_public_pages_to_anonymous_users(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("officer", "officer_home"),
        ("councillor", "dashboard"),
        ("clerk", "clerk_home"),
        ("council_admin", "council_users"),
        ("system_admin", "admin:index"),
    ],
)
def test_it_lands_each_role_on_its_own_home_page(client, personas, persona, landing):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("page", ["officer_home", "dashboard", "clerk_home", "council_users"])
def test_it_refuses_other_roles_their_home_pages(client, personas, page):
    owners = {
        "officer_home": {Role.OFFICER},
        "dashboard": {Role.COUNCILLOR, Role.OFFICER, Role.CLERK, Role.COUNCIL_ADMIN},
        "clerk_home": {Role.CLERK},
        "council_users": {Role.COUNCIL_ADMIN},
    }[page]
    for user in personas.values():
        client.force_login(user)
        status = client.get(reverse(page)).status_code
        assert status == (200 if user.role in owners else 403), (user.username, page, status)


@pytest.mark.parametrize("persona", ["officer", "councillor", "clerk", "council_admin"])
def test_it_keeps_council_users_out_of_the_django_admin(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get("/admin/corporate_parenting/user/").status_code == 403


def test_it_lets_system_admins_manage_reference_data(client, system_admin):
    client.force_login(system_admin)
    response = client.get("/admin/corporate_parenting/localauthority/?q=Derby")
    assert response.status_code == 200
    assert b"E06000015" in response.content


def test_it_signs_out_a_deactivated_user_at_their_next_request(client, officer):
    client.force_login(officer)
    assert client.get(reverse("officer_home")).status_code == 200
    officer.is_active = False
    officer.save()
    response = client.get(reverse("officer_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_sends_strict_security_headers(client, officer):
    client.force_login(officer)
    response = client.get(reverse("officer_home"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_home_pages_show_the_councils_context(client):
    from corporate_parenting.demo import load_demo_context
    from corporate_parenting.models import User

    load_demo_context()
    client.force_login(User.objects.get(username="derby.clerk"))
    html = client.get(reverse("clerk_home")).content.decode()
    assert "E06000015" in html
    assert "59,900" in html  # the latest population, formatted
    assert "Peterborough" in html  # a statistical neighbour
    assert "D2N2" in html
