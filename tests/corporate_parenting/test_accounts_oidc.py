"""Single sign-on with the council's identity provider (OpenID Connect).

The provider is replaced at mozilla-django-oidc's boundary: the backend's get_token,
verify_token and get_userinfo, which would talk to the provider over HTTPS. Everything
else (state and nonce in the session, the callback, our rules) runs for real.
"""

from __future__ import annotations

import importlib
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse

import corporate_parenting.account_urls
import corporate_parenting.urls
from corporate_parenting import oidc
from corporate_parenting.models import AuditLog, User

pytestmark = pytest.mark.real_two_factor

CLIENT_ID = "cp-test-client"


def _reload_urls() -> None:
    importlib.reload(corporate_parenting.account_urls)
    importlib.reload(corporate_parenting.urls)
    clear_url_caches()


@pytest.fixture
def sso(settings):
    """Single sign-on turned on as CP_OIDC_ENABLED would (settings.py), with a made-up
    provider."""
    settings.CP_OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "corporate_parenting.oidc.CouncilOIDCBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "not-a-real-secret"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    settings.OIDC_CREATE_USER = False
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example/keys"
    _reload_urls()
    yield settings
    settings.CP_OIDC_ENABLED = False
    _reload_urls()


def _sign_in_with_provider(client, claims: dict, audience: str = CLIENT_ID, next_url: str = ""):
    """Start at our sign-in button, let the 'provider' answer, and return the callback's
    response."""
    start = client.get(reverse("oidc_authentication_init") + next_url)
    assert start.status_code == 302
    sent = urlparse(start["Location"])
    query = parse_qs(sent.query)
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == "https://idp.example/authorize"
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    payload = {"aud": audience, "nonce": query["nonce"][0], "sub": "abc"}
    backend = oidc.CouncilOIDCBackend
    with (
        mock.patch.object(
            backend, "get_token", return_value={"id_token": "i", "access_token": "a"}
        ),
        mock.patch.object(backend, "verify_token", return_value=payload) as verify,
        mock.patch.object(backend, "get_userinfo", return_value=claims),
    ):
        response = client.get(
            reverse("oidc_authentication_callback"), {"code": "c0de", "state": query["state"][0]}
        )
    verify.assert_called_once_with("i", nonce=query["nonce"][0])
    return response


def test_an_existing_user_signs_in_matched_by_email_ignoring_case(client, sso, officer):
    claims = {"email": "Derby.Officer@EXAMPLE.org", "email_verified": True, "roles": ["Admin"]}
    response = _sign_in_with_provider(client, claims, next_url="?next=/children/")
    assert response["Location"] == "/children/"
    # The provider did the second factor (CP_OIDC_COUNTS_AS_2FA, on by default).
    assert client.get(reverse("officer_home")).status_code == 200
    officer.refresh_from_db()
    assert (officer.role, officer.la.la_code, officer.is_staff) == ("officer", "831", False)
    entry = AuditLog.objects.get(action="login", username="derby.officer")
    assert entry.detail == "signed in with their council account (single sign-on)"
    assert "council account" in client.get(reverse("account")).content.decode()


def test_an_unknown_email_is_refused_with_a_clear_message(client, sso, officer):
    users_before = User.objects.count()
    response = _sign_in_with_provider(client, {"email": "stranger@example.org"})
    assert response["Location"] == reverse("sso_refused")
    page = client.get(response["Location"]).content.decode()
    assert "We could not sign you in with your council account" in page
    assert "signing in never creates one" in page
    assert User.objects.count() == users_before
    assert client.get(reverse("officer_home")).status_code == 302
    entry = AuditLog.objects.get(action="login")
    assert entry.username == "stranger@example.org"
    assert "no active account with this email" in entry.detail


def test_a_deactivated_users_email_is_refused(client, sso, officer):
    officer.is_active = False
    officer.save()
    response = _sign_in_with_provider(client, {"email": officer.email})
    assert response["Location"] == reverse("sso_refused")


def test_an_email_the_provider_has_not_verified_is_refused(client, sso, officer):
    response = _sign_in_with_provider(client, {"email": officer.email, "email_verified": False})
    assert response["Location"] == reverse("sso_refused")


def test_a_token_issued_for_another_service_is_refused(client, sso, officer):
    response = _sign_in_with_provider(client, {"email": officer.email}, audience="other-app")
    assert response["Location"] == reverse("sso_refused")
    assert client.get(reverse("officer_home")).status_code == 302


def test_two_accounts_with_the_email_are_refused(client, sso, officer, derby):
    User.objects.create(username="twin", role="clerk", la=derby, email=officer.email.upper())
    response = _sign_in_with_provider(client, {"email": officer.email})
    assert response["Location"] == reverse("sso_refused")
    assert "more than one account" in AuditLog.objects.get(action="login").detail


def test_without_trusting_the_provider_for_2fa_officers_still_enter_a_code(client, sso, officer):
    sso.CP_OIDC_COUNTS_AS_2FA = False
    _sign_in_with_provider(client, {"email": officer.email})
    response = client.get(reverse("officer_home"))
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_deactivation_ends_a_single_sign_on_session(client, sso, officer):
    _sign_in_with_provider(client, {"email": officer.email})
    assert client.get(reverse("officer_home")).status_code == 200
    officer.is_active = False
    officer.save()
    response = client.get(reverse("officer_home"))
    assert response["Location"].startswith(reverse("login"))


def test_the_sign_in_page_offers_the_council_account_only_when_on(client, db, settings):
    assert "Sign in with your council account" not in client.get(reverse("login")).content.decode()
    settings.CP_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    _reload_urls()
    try:
        html = client.get(reverse("login") + "?next=/dashboard/").content.decode()
        assert "Sign in with your council account" in html
        assert reverse("oidc_authentication_init") + "?next=%2Fdashboard%2F" in html
    finally:
        settings.CP_OIDC_ENABLED = False
        _reload_urls()


def test_when_off_its_addresses_do_not_exist(client, db):
    for name in ("oidc_authentication_init", "oidc_authentication_callback", "sso_refused"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    for path in ("/sign-in/council/", "/sign-in/council/callback/", "/sign-in/council/refused/"):
        assert client.get(path).status_code == 404


def test_endpoints_can_come_from_the_discovery_document(client, db, sso):
    for name in oidc.DISCOVERED:
        setattr(sso, name, "")
    sso.CP_OIDC_DISCOVERY_URL = "https://idp.example/.well-known/openid-configuration"
    oidc.discovery_document.cache_clear()
    document = {
        "authorization_endpoint": "https://login.idp.example/auth",
        "token_endpoint": "https://login.idp.example/token",
        "userinfo_endpoint": "https://login.idp.example/me",
        "jwks_uri": "https://login.idp.example/keys",
    }
    answer = mock.Mock(json=mock.Mock(return_value=document))
    with mock.patch.object(oidc.requests, "get", return_value=answer) as fetch:
        response = client.get(reverse("oidc_authentication_init"))
        backend = oidc.CouncilOIDCBackend()
        assert str(backend.OIDC_OP_TOKEN_ENDPOINT) == "https://login.idp.example/token"
    oidc.discovery_document.cache_clear()
    assert response["Location"].startswith("https://login.idp.example/auth?")
    fetch.assert_called_once_with(sso.CP_OIDC_DISCOVERY_URL, timeout=10)
