"""Two-factor authentication for tests: an authenticator app's codes, computed from the
device's secret exactly as the person's phone would."""

from __future__ import annotations

import time

import django_otp
from django.http import HttpRequest
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from corporate_parenting.models import User


def code_for(device: TOTPDevice) -> str:
    """A code the device will accept now.

    Each code works once, so a second sign-in within the same 30 seconds uses the next
    step's code (accepted: one step of clock drift is allowed); beyond that, wait for
    the clock to reach it.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    while step > totp.t() + device.tolerance:
        time.sleep(1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def confirmed_device(user: User) -> TOTPDevice:
    """The user's authenticator app, set up (made if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def verify_client_session(client, user: User) -> None:
    """Mark a test client's signed-in session as having passed two-factor
    authentication with the user's device, as django_otp.login does after a right code."""
    request = HttpRequest()
    request.user = user
    request.session = client.session
    django_otp.login(request, confirmed_device(user))
    request.session.save()
