"""Two-factor authentication: time-based one-time passwords from an authenticator app.

django-otp does the cryptography (its TOTP devices, with replay protection and
throttling); this module decides who must use it and whether a request has passed it.

- Officers and admins must use it: they see child-level data or control who does.
  Councillors and clerks may turn it on; once they have, it is asked of them too.
- A session is verified once a code from the user's confirmed device was accepted
  (django_otp.login), or, when the council's identity provider signed the user in and
  CP_OIDC_COUNTS_AS_2FA is on, because that provider does the second factor itself.
"""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ET

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from corporate_parenting import audit
from corporate_parenting.models import AuditLog, Role, User

REQUIRED_FOR = frozenset({Role.OFFICER, Role.COUNCIL_ADMIN, Role.SYSTEM_ADMIN})
DEVICE_NAME = "Authenticator app"
OIDC_BACKEND = "corporate_parenting.oidc.CouncilOIDCBackend"
TURNED_ON_SESSION_KEY = "cp_two_factor_on"


def role_requires_it(user: User) -> bool:
    return user.role in REQUIRED_FOR


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def is_required(user: User) -> bool:
    """Required by the user's role, or turned on by the user."""
    return role_requires_it(user) or confirmed_device(user) is not None


@receiver(user_logged_in)
def _note_whether_turned_on(sender: type, request: HttpRequest | None, user: User, **_) -> None:
    """Whether a councillor or clerk turned it on is looked up once, at sign-in, and kept
    in the (server-side) session, so their pages don't pay a query for it each time."""
    if request is not None and hasattr(request, "session") and not role_requires_it(user):
        note_turned_on(request, confirmed_device(user) is not None)


def note_turned_on(request: HttpRequest, on: bool) -> None:
    request.session[TURNED_ON_SESSION_KEY] = on


def _turned_on(request: HttpRequest) -> bool:
    """Required by the role, or turned on (as noted at sign-in; looked up for a session
    from before the note existed)."""
    user = request.user
    if role_requires_it(user):
        return True
    if TURNED_ON_SESSION_KEY not in request.session:
        note_turned_on(request, confirmed_device(user) is not None)
    return request.session[TURNED_ON_SESSION_KEY]


def signed_in_with_council_account(request: HttpRequest) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def is_verified(request: HttpRequest) -> bool:
    if request.user.is_verified():
        return True
    return settings.CP_OIDC_COUNTS_AS_2FA and signed_in_with_council_account(request)


def pending_step(request: HttpRequest) -> str | None:
    """The URL name of the step a signed-in user must pass before anything else, if any."""
    user = request.user
    if not user.is_authenticated or not _turned_on(request) or is_verified(request):
        return None
    if confirmed_device(user) is not None:
        return "two_factor_verify"
    if role_requires_it(user):
        return "two_factor_setup"
    return None


def device_being_set_up(user: User) -> TOTPDevice:
    """The user's unconfirmed device, made once, so reloading the page keeps the same QR
    code (the person may already have scanned it)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base 32, as authenticator apps ask for it, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG drawn here, so the page needs no script, no
    inline style and no third party."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12
    )
    svg = image.get_image()
    svg.set("role", "img")
    svg.set("aria-label", "QR code to add this service to your authenticator app")
    svg.set("focusable", "false")
    for path in svg.iter("{http://www.w3.org/2000/svg}path"):
        path.attrib.pop("id", None)
    return ET.tostring(svg, encoding="unicode")


def verification_refusal(device: TOTPDevice) -> str | None:
    """Why no code can be checked just now, in words, or None.

    django-otp doubles the wait after each wrong code (1, 2, 4 seconds and so on), which
    makes guessing the 6 digits hopeless without locking the person out.
    """
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    seconds = max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    wait = f"{seconds} second{pluralize(seconds)}"
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minutes"
    return f"You have entered too many wrong codes. Wait {wait}, then enter the newest code."


def _mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    """Record in the session that it passed with `device`, under a new session key (as
    signing in does), so a key seen before the second factor is worth nothing after."""
    django_otp.login(request, device)
    request.session.cycle_key()


def accept_code(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Check a code and, if right, mark this session as verified with the device."""
    if not device.verify_token(code):
        return False
    _mark_verified(request, device)
    return True


@transaction.atomic
def confirm_new_device(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Finish setting up: a right code confirms the new device, which replaces any other."""
    if not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _mark_verified(request, device)
    note_turned_on(request, True)
    audit.record(
        user=request.user,
        action=AuditLog.Action.UPDATE,
        obj=request.user,
        changed_fields={"two_factor": "set up"},
        detail="two-factor authentication set up with an authenticator app",
    )
    return True


def remove_devices(*, user: User, by: User, detail: str) -> None:
    """Turn two-factor authentication off for `user` (by themselves or their admin)."""
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        user=by,
        action=AuditLog.Action.UPDATE,
        obj=user,
        changed_fields={"two_factor": "removed"},
        detail=detail,
    )
