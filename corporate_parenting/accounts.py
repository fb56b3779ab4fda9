"""Accounts: invitations and password resets by email, and sign-in lockouts.

Invitations and resets use Django's signed, single-use tokens (a token stops working
once the password changes or the person signs in). They differ only in their salt and
lifetime: an invitation lasts CP_INVITE_DAYS (default 7 days, time to find the email
after a holiday); a reset link PASSWORD_RESET_TIMEOUT (default 1 hour, since whoever
asks for it is at the keyboard). docs/accounts.md says more.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from corporate_parenting import audit
from corporate_parenting.lib.text import printable
from corporate_parenting.models import AuditLog, User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links: their own salt (a reset token is no invitation, nor
    the other way round) and their own lifetime, CP_INVITE_DAYS, where Django's
    check_token applies the global PASSWORD_RESET_TIMEOUT."""

    key_salt = "corporate_parenting.accounts.InvitationTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return signed and age <= settings.CP_INVITE_DAYS * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind a load balancer (CP_BEHIND_PROXY) that
    is the last address in X-Forwarded-For, the one the balancer itself saw; earlier
    ones are whatever the client chose to send."""
    if settings.CP_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def record_failed_sign_in(request: HttpRequest, username: str, why: str) -> None:
    """Failed sign-ins are kept too (never the password tried): repeated ones are how an
    attack shows itself."""
    AuditLog.objects.create(
        username=printable(username)[:150],
        action=AuditLog.Action.LOGIN,
        object_type="auth.User",
        detail=f"{why} from {client_ip(request)}"[:500],
    )


def cool_off_words() -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes calls this once a username has failed too often from one address:
    a GOV.UK page that says what happened and how long to wait (429 Too Many Requests)."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    record_failed_sign_in(request, username, "sign-in locked after repeated failures")
    return render(
        request,
        "registration/locked_out.html",
        {"wait": cool_off_words(), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def invitation_expires(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(days=settings.CP_INVITE_DAYS)


def _email_link(
    request: HttpRequest,
    user: User,
    *,
    url_name: str,
    tokens: PasswordResetTokenGenerator,
    template: str,
    extra: dict[str, object],
) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(reverse(url_name, args=[uid, tokens.make_token(user)]))
    context = {
        "user": user,
        "service_name": settings.SERVICE_NAME,
        "link": link,
        "sign_in_url": request.build_absolute_uri(reverse("login")),
        **extra,
    }
    subject = render_to_string(f"registration/{template}_subject.txt", context).strip()
    body = render_to_string(f"registration/{template}_email.txt", context)
    EmailMessage(subject=subject, body=body, to=[user.email]).send()


def send_invitation(request: HttpRequest, user: User) -> None:
    """Email `user` a link to set their first password, and record that it was sent
    (never the link: it is as good as a password until used)."""
    _email_link(
        request,
        user,
        url_name="invitation_confirm",
        tokens=invitation_tokens,
        template="invitation",
        extra={"inviter": request.user, "expires": invitation_expires()},
    )
    audit.record(
        user=request.user,
        action=AuditLog.Action.UPDATE,
        obj=user,
        changed_fields={"invitation": "sent"},
        detail=f"invitation emailed to {user.email}",
    )


def send_reset_link(request: HttpRequest, user: User, *, by: User) -> None:
    """Email `user` a link to choose a new password: asked for by themselves from the
    sign-in page, or by their council admin."""
    _email_link(
        request,
        user,
        url_name="password_reset_confirm",
        tokens=default_token_generator,
        template="password_reset",
        extra={"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
    )
    audit.record(
        user=by,
        action=AuditLog.Action.UPDATE,
        obj=user,
        changed_fields={"password_reset": "link sent"},
        detail="password reset link emailed"
        + (" on request" if by.pk == user.pk else " by their admin"),
    )


def never_signed_in(user: User) -> bool:
    """Still at the invitation stage: no password of their own yet and no sign-in."""
    return user.last_login is None and not user.has_usable_password()
