"""Accounts: two-factor authentication, invitations, password resets and, when it is
turned on (CP_OIDC_ENABLED), single sign-on through the council's identity provider."""

from __future__ import annotations

from django.conf import settings
from django.urls import path

from corporate_parenting import account_views, views

urlpatterns = [
    path("account/", account_views.account, name="account"),
    path("account/two-factor/set-up/", account_views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path(
        "account/two-factor/turn-off/",
        account_views.two_factor_turn_off,
        name="two_factor_turn_off",
    ),
    path(
        "account/password-reset/",
        account_views.PasswordResetRequestView.as_view(),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        account_views.PasswordResetSentView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/done/",
        account_views.PasswordSetView.as_view(extra_context={"invitation": False}),
        name="password_reset_complete",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        account_views.SetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/invitation/done/",
        account_views.PasswordSetView.as_view(extra_context={"invitation": True}),
        name="invitation_complete",
    ),
    path(
        "account/invitation/<uidb64>/<token>/",
        account_views.InvitationView.as_view(),
        name="invitation_confirm",
    ),
    path(
        "council-admin/users/<int:pk>/two-factor/",
        views.council_user_two_factor,
        name="council_user_two_factor",
    ),
]

if settings.CP_OIDC_ENABLED:
    from corporate_parenting import oidc

    urlpatterns += [
        path("sign-in/council/", oidc.SignInView.as_view(), name="oidc_authentication_init"),
        path(
            "sign-in/council/callback/",
            oidc.CallbackView.as_view(),
            name="oidc_authentication_callback",
        ),
        path("sign-in/council/refused/", account_views.sso_refused, name="sso_refused"),
    ]
