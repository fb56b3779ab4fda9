"""Single sign-on through the council's own identity provider, with OpenID Connect.

mozilla-django-oidc runs the protocol (state, nonce, PKCE, token exchange, signature
checks). This module keeps roles in the product: the identity provider only proves
who someone is; it signs in people who already have an active account here with the
same email address (ignoring case), and never creates accounts or changes roles.

On only when CP_OIDC_ENABLED is set (settings.py adds the app, the backend and, through
account_urls.py, the URLs). docs/accounts.md describes the configuration.
"""

from __future__ import annotations

import functools

import requests
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.functional import lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from corporate_parenting import audit
from corporate_parenting.accounts import record_failed_sign_in
from corporate_parenting.models import AuditLog, User

# mozilla-django-oidc's endpoint settings, and their names in a discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


@functools.cache
def discovery_document(url: str) -> dict[str, str]:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.json()


def _discovered(name: str) -> str:
    document = discovery_document(settings.CP_OIDC_DISCOVERY_URL)
    value = document.get(DISCOVERED[name])
    if not value:
        raise ImproperlyConfigured(
            f"The discovery document at {settings.CP_OIDC_DISCOVERY_URL} has no "
            f"{DISCOVERED[name]}; set it with the CP_OIDC_* endpoint variables."
        )
    return value


_lazy_discovered = lazy(_discovered, str)


def setting(name: str, *default: object) -> object:
    """A mozilla-django-oidc setting. An endpoint that isn't set comes from the provider's
    discovery document (CP_OIDC_DISCOVERY), read when first used rather than at start-up,
    so a provider that is down never stops password sign-ins."""
    if name in DISCOVERED and not getattr(settings, name, "") and settings.CP_OIDC_DISCOVERY_URL:
        return _lazy_discovered(name)
    return import_from_settings(name, *default)


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(setting)

    def verify_claims(self, claims: dict) -> bool:
        """An email address is needed to find the person; one the provider says it hasn't
        verified is not trusted."""
        return bool(claims.get("email")) and claims.get("email_verified") is not False

    def filter_users_by_claims(self, claims: dict):
        return User.objects.filter(email__iexact=claims["email"].strip(), is_active=True)

    def create_user(self, claims: dict) -> User:
        raise PermissionDenied("Single sign-on never creates accounts.")

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User | None:
        """The one active account with the provider's email, unchanged (its role stays
        what the council admin set), or None with the refusal recorded."""
        if not self._issued_for_this_service(payload):
            record_failed_sign_in(self.request, "", "single sign-on refused: token not for us")
            return None
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            record_failed_sign_in(self.request, "", "single sign-on refused: no verified email")
            return None
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) == 1:
            return users[0]
        why = "no active account" if not users else "more than one account"
        record_failed_sign_in(
            self.request, claims["email"], f"single sign-on refused: {why} with this email"
        )
        return None

    def _issued_for_this_service(self, payload: dict) -> bool:
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        return self.OIDC_RP_CLIENT_ID in audiences

    def get_user(self, user_id: int) -> User | None:
        """As Django's own backend does (the library's doesn't): a deactivated user's
        single sign-on session ends at their next request."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


@method_decorator(login_not_required, name="dispatch")
class SignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the council's identity provider."""

    get_settings = staticmethod(setting)


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """Where the identity provider sends the browser back."""

    get_settings = staticmethod(setting)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        audit.record(
            user=self.user,
            action=AuditLog.Action.LOGIN,
            obj=self.user,
            detail="signed in with their council account (single sign-on)",
        )
        return response

    def login_failure(self) -> HttpResponse:
        return redirect("sso_refused")
