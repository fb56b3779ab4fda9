"""Invitations and password resets by email."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from corporate_parenting.accounts import InvitationTokenGenerator
from corporate_parenting.models import AuditLog, User
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-password-42"


def _invite(client, **changes: str):
    data = {
        "username": "new.officer",
        "first_name": "Nia",
        "last_name": "New",
        "email": "nia.new@example.org",
        "role": "officer",
        **changes,
    }
    return client.post(reverse("council_user_create"), data)


def _link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def _audit_text() -> str:
    return str(list(AuditLog.objects.values()))


def test_a_council_admin_invites_someone_by_email(client, council_admin, mailoutbox):
    client.force_login(council_admin)
    response = _invite(client)
    assert response["Location"] == reverse("council_users")
    user = User.objects.get(username="new.officer")
    assert (user.la_id, user.role, user.has_usable_password()) == (
        council_admin.la_id,
        "officer",
        False,
    )
    [message] = mailoutbox
    assert message.to == ["nia.new@example.org"]
    assert message.subject == "You have an account on Corporate Parenting"
    assert "Your username is: new.officer" in message.body
    assert "as officer" in message.body and "for Derby" in message.body
    link = _link(message)
    assert link.startswith("/account/invitation/")
    assert "Invited" in client.get(reverse("council_users")).content.decode()

    entry = AuditLog.objects.get(changed_fields__invitation="sent")
    assert (entry.username, entry.object_id) == ("derby.admin", str(user.pk))
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in _audit_text()


def test_the_invitation_link_sets_the_first_password_once(client, council_admin, mailoutbox):
    client.force_login(council_admin)
    _invite(client)
    client.post(reverse("logout"))
    link = _link(mailoutbox[0])

    # The token leaves the address bar before the page shows.
    first = client.get(link)
    assert first.status_code == 302 and "set-password" in first["Location"]
    page = client.get(first["Location"]).content.decode()
    assert "Welcome to Corporate Parenting" in page
    assert "new.officer" in page

    short = client.post(first["Location"], {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in short.content.decode()
    mismatch = client.post(
        first["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "Enter the same password in both boxes" in mismatch.content.decode()

    done = client.post(
        first["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("invitation_complete")
    assert User.objects.get(username="new.officer").check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(changed_fields__password="set from invitation").exists()
    assert NEW_PASSWORD not in _audit_text()

    # Used once: the same link no longer works.
    client.cookies.clear()
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_an_invitation_runs_out_after_the_configured_days(settings, derby, council_admin):
    settings.CP_INVITE_DAYS = 7
    user = User.objects.create(username="late.one", role="clerk", la=derby, email="l@example.org")
    tokens = InvitationTokenGenerator()
    token = tokens.make_token(user)
    now = tokens._now()
    tokens._now = lambda: now + dt.timedelta(days=6, hours=23)
    assert tokens.check_token(user, token)
    tokens._now = lambda: now + dt.timedelta(days=7, minutes=1)
    assert not tokens.check_token(user, token)
    settings.CP_INVITE_DAYS = 8
    assert tokens.check_token(user, token)


def test_an_invitation_is_not_a_reset_link_nor_the_other_way(client, council_admin, mailoutbox):
    client.force_login(council_admin)
    _invite(client)
    client.post(reverse("logout"))
    invitation = _link(mailoutbox[0])
    as_reset = invitation.replace("/account/invitation/", "/account/password-reset/")
    assert "This link does not work" in client.get(as_reset, follow=True).content.decode()


def test_a_council_admin_resends_an_invitation(client, council_admin, mailoutbox):
    client.force_login(council_admin)
    _invite(client)
    user = User.objects.get(username="new.officer")
    page = client.get(reverse("council_user_password", args=[user.pk])).content.decode()
    assert "Send new.officer their invitation again" in page
    response = client.post(reverse("council_user_password", args=[user.pk]))
    assert response["Location"] == reverse("council_user_edit", args=[user.pk])
    assert len(mailoutbox) == 2
    assert _link(mailoutbox[1]).startswith("/account/invitation/")
    assert AuditLog.objects.filter(changed_fields__invitation="sent").count() == 2


def test_someone_who_has_signed_in_gets_a_reset_link_instead(
    client, council_admin, officer, mailoutbox
):
    client.force_login(council_admin)
    page = client.get(reverse("council_user_password", args=[officer.pk])).content.decode()
    assert "Send derby.officer a password reset link" in page
    client.post(reverse("council_user_password", args=[officer.pk]))
    [message] = mailoutbox
    assert message.to == [officer.email]
    assert _link(message).startswith("/account/password-reset/")
    entry = AuditLog.objects.get(changed_fields__password_reset="link sent")
    assert entry.username == "derby.admin"
    assert officer.check_password(PASSWORD)  # unchanged until they use the link


def test_admins_only_reach_their_own_councils_users(
    client, council_admin, other_officer, councillor, mailoutbox
):
    client.force_login(council_admin)
    url = reverse("council_user_password", args=[other_officer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(councillor)
    assert client.post(reverse("council_user_password", args=[councillor.pk])).status_code == 403
    assert client.post(reverse("council_user_create"), {}).status_code == 403
    assert mailoutbox == []


def test_deactivated_users_get_no_links(client, council_admin, officer, mailoutbox):
    officer.is_active = False
    officer.save()
    client.force_login(council_admin)
    assert client.post(reverse("council_user_password", args=[officer.pk])).status_code == 403
    client.post(reverse("logout"))
    client.post(reverse("password_reset"), {"email": officer.email})
    assert mailoutbox == []


def test_an_email_already_in_use_is_refused(client, council_admin, officer):
    client.force_login(council_admin)
    response = _invite(client, email=officer.email.upper())
    assert "Another user already has this email address" in response.content.decode()
    assert not User.objects.filter(username="new.officer").exists()


def test_the_reset_page_never_says_whether_an_email_has_an_account(client, officer, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": officer.email.upper()})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [m.to for m in mailoutbox] == [[officer.email]]
    page = client.get(reverse("password_reset_done")).content.decode()
    assert "If that email address belongs to an account" in page


def test_a_reset_link_sets_a_new_password(client, officer, mailoutbox):
    client.post(reverse("password_reset"), {"email": officer.email})
    [message] = mailoutbox
    assert message.subject == "Reset your password for Corporate Parenting"
    assert "within 60 minutes" in message.body
    link = _link(message)
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(changed_fields__password="password reset by email").exists()
    assert link.rstrip("/").rsplit("/", 1)[1] not in _audit_text()


def test_a_reset_link_runs_out_after_an_hour(client, officer, mailoutbox, settings):
    client.post(reverse("password_reset"), {"email": officer.email})
    link = _link(mailoutbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1  # as if the hour had passed
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_the_reset_form_explains_a_missing_or_bad_email(client, db):
    html = client.post(reverse("password_reset"), {"email": ""}).content.decode()
    assert "Enter your email address" in html
    html = client.post(reverse("password_reset"), {"email": "not-an-email"}).content.decode()
    assert "Enter an email address in the correct format" in html


@pytest.mark.parametrize("url_name", ["password_reset", "password_reset_done"])
def test_the_reset_pages_are_public(client, db, url_name):
    assert client.get(reverse(url_name)).status_code == 200


def test_the_sign_in_page_links_to_the_reset(client, db):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_deactivation_is_audited_as_such(client, council_admin, officer):
    from corporate_parenting.forms import user_fingerprint

    client.force_login(council_admin)
    client.post(
        reverse("council_user_edit", args=[officer.pk]),
        {
            "first_name": officer.first_name,
            "last_name": officer.last_name,
            "email": officer.email,
            "role": officer.role,
            "fingerprint": user_fingerprint(officer),
        },
    )
    officer.refresh_from_db()
    assert not officer.is_active
    entry = AuditLog.objects.get(object_id=str(officer.pk), action="update")
    assert (entry.detail, entry.changed_fields) == ("deactivated", {"is_active": "False"})
