"""Sessions and cookies: idle expiry, HttpOnly, SameSite, Secure under HTTPS; Argon2."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from corporate_parenting import settings as project_settings
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(**env: str) -> dict:
    """The project's settings as a fresh process reads them from the environment."""
    names = [
        "SESSION_COOKIE_AGE",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "AXES_FAILURE_LIMIT",
        "CP_INVITE_DAYS",
        "CP_OIDC_ENABLED",
    ]
    code = (
        "import json; from corporate_parenting import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_passwords_are_hashed_with_argon2_and_validated():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    validators = [v["NAME"].rsplit(".", 1)[1] for v in project_settings.AUTH_PASSWORD_VALIDATORS]
    assert validators == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


def test_the_session_cookie_is_httponly_samesite_and_lasts_thirty_idle_minutes(client, councillor):
    csrf = client.get(reverse("login")).cookies["csrftoken"]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(reverse("login"), {"username": "derby.councillor", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 30 * 60
    assert not cookie["secure"]  # plain HTTP locally; see the HTTPS test below


def test_cookies_are_secure_under_https(client, settings, councillor):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        reverse("login"), {"username": "derby.councillor", "password": PASSWORD}, secure=True
    )
    assert response.cookies["sessionid"]["secure"] is True


def test_the_environment_sets_https_cookies_and_the_idle_time():
    default = _settings_with()
    assert (default["SESSION_COOKIE_AGE"], default["SESSION_COOKIE_SECURE"]) == (1800, False)
    assert (default["CP_INVITE_DAYS"], default["CP_OIDC_ENABLED"]) == (7, False)
    chosen = _settings_with(
        CP_HTTPS="true", SESSION_IDLE_MINUTES="45", CP_LOGIN_FAILURE_LIMIT="8", CP_INVITE_DAYS="3"
    )
    assert chosen == {
        "SESSION_COOKIE_AGE": 2700,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "AXES_FAILURE_LIMIT": 8,
        "CP_INVITE_DAYS": 3,
        "CP_OIDC_ENABLED": False,
    }


def test_each_request_restarts_the_idle_time_and_an_idle_session_ends(client, councillor):
    client.force_login(councillor)
    session = Session.objects.get()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get(reverse("dashboard")).status_code == 200
    session.refresh_from_db()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)

    # Thirty minutes with no request: the session has expired.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
