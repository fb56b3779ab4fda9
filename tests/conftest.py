"""Personas and small factories shared by every test.

The database is the real PostgreSQL that `make test` starts; councils come from the
reference-data migration, so every test can use any English council.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from corporate_parenting.models import LocalAuthority, Role, User
from corporate_parenting.reference_data import load_councils

# Background tasks run at once in tests, inside the request that enqueues them.
# Set before the first task is enqueued: Django reads TASKS once.
settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Playwright drives the browser from an event loop in the same thread as live_server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "a-test-password-for-personas"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "real_two_factor: test-client sign-ins get no two-factor help (_two_factor_passed)",
    )


def pytest_collection_modifyitems(items):
    """Run the browser tests last, as Django orders transactional tests.

    They use a live server, so their database is flushed (not rolled back) after
    each test; run earlier, that flush would take the reference data (councils,
    loaded by a migration) away from the tests that follow.
    """
    browser = [i for i in items if "tests/browser/" in str(i.path)]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [i for i in items if i not in browser] + browser


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Live-server tests empty the database with TRUNCATE after each test, which the audit
    log refuses. Allow it in the test database; the test of the refusal turns it back on."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE corporate_parenting_auditlog DISABLE TRIGGER audit_log_no_truncate"
        )


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CP_UPLOAD_DIR = tmp_path / "uploads"
    # Charts take about 0.1 s each to render; the tests that need them turn this on.
    settings.CP_RENDER_CHARTS = False
    # django-axes refuses Client.login(), which authenticates without a request; the
    # lockout tests (tests/corporate_parenting/test_accounts_lockout.py) turn it on.
    settings.AXES_ENABLED = False


# Whether test-client sign-ins include two-factor authentication (see below).
_TWO_FACTOR_HELP = {"on": True}


@pytest.fixture(scope="session", autouse=True)
def _two_factor_passed():
    """Officers and admins must pass two-factor authentication before any page. Tests
    that sign in with the test client (force_login, login) are about other things, so
    their sign-in includes it: the user gets a confirmed authenticator app and the session
    is marked verified, as entering a right code does. Session-wide, so module-scoped
    fixtures that sign in get it too. Tests marked `real_two_factor` (the two-factor tests
    themselves) get plain sign-ins; the browser tests type the code
    (tests/browser/test_sign_in_journeys.py, sign_in)."""
    from django.test import Client

    from corporate_parenting.two_factor import is_required
    from tests.support.two_factor import verify_client_session

    force_login, login = Client.force_login, Client.login

    def force_login_with_two_factor(client, user, backend=None):
        force_login(client, user, backend)
        if _TWO_FACTOR_HELP["on"] and is_required(user):
            verify_client_session(client, user)

    def login_with_two_factor(client, **credentials):
        signed_in = login(client, **credentials)
        user = User.objects.filter(username=credentials.get("username")).first()
        if signed_in and _TWO_FACTOR_HELP["on"] and is_required(user):
            verify_client_session(client, user)
        return signed_in

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login_with_two_factor)
        patch.setattr(Client, "login", login_with_two_factor)
        yield


@pytest.fixture(autouse=True)
def _real_two_factor(request):
    """No two-factor help for tests marked `real_two_factor`."""
    _TWO_FACTOR_HELP["on"] = not request.node.get_closest_marker("real_two_factor")
    yield
    _TWO_FACTOR_HELP["on"] = True


def ensure_reference_data() -> None:
    """Councils, code lists and frameworks come from migrations; a live-server test's
    flush removes them."""
    from inspections.frameworks import load_frameworks
    from inspections.models import Framework, Grade, JudgementArea, Scale
    from placements.codelists import load_code_lists
    from placements.models import CodeListEntry

    if not LocalAuthority.objects.exists():
        load_councils(LocalAuthority)
    if not CodeListEntry.objects.exists():
        load_code_lists(CodeListEntry)
    if not Framework.objects.exists():
        load_frameworks(Scale, Grade, Framework, JudgementArea)


def make_user(
    username: str,
    *,
    role: Role,
    la_code: str | None = "831",
    **extra: object,
) -> User:
    ensure_reference_data()
    la = LocalAuthority.objects.get(la_code=la_code) if la_code else None
    is_admin = role == Role.SYSTEM_ADMIN
    user = User(
        username=username,
        role=role,
        la=la,
        is_staff=is_admin,
        is_superuser=is_admin,
        first_name=username.split(".")[0].title(),
        last_name="Persona",
        email=f"{username}@example.org",
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def derby(db) -> LocalAuthority:
    ensure_reference_data()
    return LocalAuthority.objects.get(la_code="831")


@pytest.fixture
def officer(db) -> User:
    return make_user("derby.officer", role=Role.OFFICER)


@pytest.fixture
def councillor(db) -> User:
    return make_user("derby.councillor", role=Role.COUNCILLOR)


@pytest.fixture
def clerk(db) -> User:
    return make_user("derby.clerk", role=Role.CLERK)


@pytest.fixture
def council_admin(db) -> User:
    return make_user("derby.admin", role=Role.COUNCIL_ADMIN)


@pytest.fixture
def system_admin(db) -> User:
    return make_user("sysadmin", role=Role.SYSTEM_ADMIN, la_code=None)


@pytest.fixture
def other_officer(db) -> User:
    """An officer of another council (Nottinghamshire), for isolation checks."""
    return make_user("notts.officer", role=Role.OFFICER, la_code="891")


@pytest.fixture
def personas(officer, councillor, clerk, council_admin, system_admin, other_officer):
    return {
        "officer": officer,
        "councillor": councillor,
        "clerk": clerk,
        "council_admin": council_admin,
        "system_admin": system_admin,
        "other_officer": other_officer,
    }
