"""HTTP hardening: security headers, a strict CSP that no page needs to loosen, a clean
`check --deploy` with production settings, and /healthz when the database is down.

Production settings are tried in a subprocess, since settings are read once, from the
environment: the test sets the environment a deployment would (docs/deployment.md).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from tests.security.test_audit_coverage import first_role, page_path, rolled_back_world
from tests.security.world import World
from tests.support.urls import routes

pytestmark = pytest.mark.django_db

HOST = "cp.example.gov.uk"
# A database nobody can reach: a socket in a folder that doesn't exist.
UNREACHABLE_DATABASE = "postgres://cp:x@/cp?host=/nonexistent-cp-socket-dir&port=5432"


def production_env() -> dict[str, str]:
    """The environment of a production deployment (docs/deployment.md), and no other:
    the project's var/env file, with its local defaults, is not read."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "corporate_parenting.settings",
        "CP_ENV_FILE": "/nonexistent/cp-env",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "CP_HTTPS": "1",
        "CP_BEHIND_PROXY": "1",
        "EMAIL_HOST": "smtp.example.gov.uk",
        "DATABASE_URL": UNREACHABLE_DATABASE,
    }


def run_python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


# Asks pages of the service as a browser would, through Django's test client, and
# prints what came back as JSON.
ASK = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST=%(host)r)
answers = {}
for name, path, secure in %(requests)r:
    response = client.get(path, secure=secure)
    answers[name] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": response.content.decode(),
    }
print(json.dumps(answers))
"""


def ask_production(*requests: tuple[str, str, bool]) -> dict[str, dict]:
    result = run_python("-c", ASK % {"host": HOST, "requests": list(requests)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- production settings ------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_catch_a_weak_production_setting():
    """The clean check above is worth something: the same check fails on a short key."""
    env_key = secrets.token_urlsafe(8)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_env() | {"DJANGO_SECRET_KEY": env_key},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_pages_carry_every_security_header():
    answers = ask_production(
        ("https", "/accessibility/", True),
        ("http", "/accessibility/", False),
    )
    page = answers["https"]
    headers = page["headers"]
    assert page["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert_strict_csp(headers["Content-Security-Policy"])
    # Plain HTTP is sent to HTTPS.
    assert answers["http"]["status"] == 301
    assert answers["http"]["headers"]["Location"] == f"https://{HOST}/accessibility/"


def test_healthz_is_503_with_a_clear_body_when_the_database_is_unreachable():
    answer = ask_production(("health", "/healthz", True))["health"]
    assert answer["status"] == 503
    assert json.loads(answer["body"]) == {"status": "error", "database": "unavailable"}
    assert "no-cache" in answer["headers"]["Cache-Control"]


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


# --- headers in every response ------------------------------------------------------------


def assert_strict_csp(policy: str) -> None:
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_a_signed_in_page_carries_the_headers_too(client, officer):
    client.force_login(officer)
    response = client.get(reverse("officer_home"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "microphone=()" in response["Permissions-Policy"]
    assert_strict_csp(response["Content-Security-Policy"])


# --- no page needs 'unsafe-inline' --------------------------------------------------------

NONCE = re.compile(r"'nonce-([^']+)'")
DATA_SCRIPTS = {"application/json", "application/ld+json"}  # data, never run


class InlineCode(HTMLParser):
    """What in a page the strict CSP would block: inline styles and event handlers,
    `javascript:` links, and inline scripts without the response's nonce."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in a.items():
            if name == "style":
                self.found.append(f'a style attribute on <{tag}>: style="{value[:40]}"')
            elif name.startswith("on"):
                self.found.append(f"an event handler on <{tag}>: {name}")
            elif name in ("href", "src", "action") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"a javascript: URL on <{tag}>")
        if tag == "script":
            if a.get("type") in DATA_SCRIPTS:
                return
            if a.get("src", "").startswith(("//", "http:", "https:")):
                self.found.append(f"a script from elsewhere: {a['src']}")
            if "src" not in a and a.get("nonce") != self.nonce:
                self.found.append("an inline <script> without the response's nonce")


def inline_code(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    assert_strict_csp(policy)
    parser = InlineCode(NONCE.search(policy)[1])
    parser.feed(response.content.decode())
    return parser.found


def test_the_inline_code_check_finds_what_the_csp_blocks(client):
    """The check below is worth something: it finds each kind of inline code."""
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    nonce = NONCE.search(policy)[1]
    bad = (
        '<p style="color:red" onclick="x()">x</p><style>p{}</style><a href="javascript:x()">x</a>'
        "<script>alert(1)</script>"
    )
    good = f'<script nonce="{nonce}">1</script><script type="application/json">{{}}</script>'
    parser = InlineCode(nonce)
    parser.feed(bad + good)
    assert len(parser.found) == 5, parser.found


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    with rolled_back_world(django_db_blocker, tmp_path_factory) as built:
        yield built


def test_no_page_of_any_type_needs_unsafe_inline(client, world):
    """Every page, as the first role that may see it, with Derby's objects."""
    found, checked = [], []
    for route in routes():
        persona, path = first_role(route), page_path(route, world)
        if persona is None or path is None:
            continue
        client.force_login(world.users[persona])
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked.append(route.name)
        found += [f"{path} ({route.name}): {problem}" for problem in inline_code(response)]
    # Pages outside the matrix: signing in, the audit log, the error pages.
    client.logout()
    extra = [(None, reverse("login")), (None, "/no-such-page/")]
    extra += [("council_admin", reverse("audit_log")), ("system_admin", reverse("audit_log"))]
    extra += [("officer", reverse("council_users"))]  # 403
    for persona, path in extra:
        if persona:
            client.force_login(world.users[persona])
        response = client.get(path)
        checked.append(path)
        found += [f"{path}: {problem}" for problem in inline_code(response)]
    assert not found, "\n".join(found)
    assert {"child_detail", "import_detail", "dashboard", "report_detail", "admin:index"} <= set(
        checked
    )
