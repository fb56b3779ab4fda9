"""The permission matrix, tested: every URL pattern in the project, for every persona.

`matrix.py` says who may use each URL and what everyone else gets. These tests walk
every pattern Django has (tests/support/urls.py) and ask it as each persona, with Derby's
objects and with another council's (insecure direct object references: a council's ids
must be "not found" to everyone else). Writes are posted by every persona who must not
make them, and the database is checked unchanged. A URL without a row fails.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from functools import cache

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings

from corporate_parenting.models import LocalAuthority
from tests.security.matrix import (
    ADMIN_REFUSED,
    ADMIN_ROWS,
    ANONYMOUS,
    CLERK,
    COUNCIL_ADMIN,
    COUNCILLOR,
    HIDDEN,
    OFFICER,
    OTHER_OFFICER,
    PERSONAS,
    SIGN_IN,
    SYSTEM_ADMIN,
    Url,
    admin_row,
    is_admin,
    matrix,
)
from tests.security.probe import (
    admin_model,
    concrete,
    describe,
    form_data,
    matches,
    table_digests,
)
from tests.security.world import OTHER, OWN, World, build_world
from tests.support.urls import Route
from tests.support.urls import routes as walk_routes

pytestmark = pytest.mark.django_db

SIGNED_IN = [p for p in PERSONAS if p != ANONYMOUS]
NO_COUNCIL_OF_DERBYS = (OTHER_OFFICER, SYSTEM_ADMIN)  # Derby's objects are never theirs
# The first role of a row's that may use a page, to see its form as it would be posted.
WRITERS = (OFFICER, CLERK, COUNCIL_ADMIN, COUNCILLOR, SYSTEM_ADMIN)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """Built once for the module, in a transaction rolled back at its end; each test's
    own transaction nests inside it, so nothing a test does outlives the test."""
    with django_db_blocker.unblock(), _quick(), transaction.atomic():
        yield build_world(tmp_path_factory.mktemp("returns"))
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals():
    """Some 2,000 requests are refused here on purpose: don't log each one."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _quick() -> override_settings:
    """As tests/conftest.py's per-test settings (fast hashes, no charts drawn on import),
    and sessions in memory: two fewer queries a request. Nothing checked here depends
    on where a session is kept."""
    return override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CP_RENDER_CHARTS=False,
        SESSION_ENGINE="django.contrib.sessions.backends.cache",
    )


# --- the URLs and their rows --------------------------------------------------------------


@cache
def routes() -> tuple[Route, ...]:
    """Every URL pattern: the URL configuration doesn't change while the tests run."""
    return tuple(walk_routes())


def key(route: Route) -> str:
    """A URL's key in the matrix: its name, or its pattern if it has none."""
    return route.pattern if route.name.endswith("?") else route.name


def row_for(route: Route, world: World) -> Url | None:
    if is_admin(route.name):
        model = admin_model(route)
        return admin_row(
            route.name, route.pattern, has_row=model is None or model in world.admin_ids
        )
    return matrix().get(key(route))


def path_for(route: Route, row: Url, world: World, councils: dict[str, str]) -> str:
    """The route's path: each id from the council `councils` names for that parameter
    (Derby if none), the other parameters as the row fixes them."""
    values: dict[str, object] = dict(row.fixed)
    for param, kind in row.ids.items():
        values[param] = world.councils[councils.get(param, OWN)].ids[kind]
    if is_admin(route.name):
        values |= admin_values(route, world)
    path = concrete(route, values)
    return f"{path}?{row.query}" if row.query else path


def admin_values(route: Route, world: World) -> dict[str, object]:
    """A real row for an admin page that names one, where the model has any rows."""
    if route.name == "admin:view_on_site":
        return {
            "content_type_id": ContentType.objects.get_for_model(LocalAuthority).pk,
            "object_id": world.councils[OWN].la.pk,
        }
    model = admin_model(route)
    return {route.params[0]: world.admin_ids[model]} if model in world.admin_ids else {}


def object_routes(world: World) -> list[tuple[Route, Url]]:
    """The URLs that name a council's objects, with their rows."""
    found = []
    for route in routes():
        row = row_for(route, world)
        if row is not None and row.ids:
            found.append((route, row))
    return found


def variants(row: Url) -> list[dict[str, str]]:
    """Which council each id comes from, for the IDOR checks: all the other council's,
    then, where a URL names two objects, one of the other council's beside Derby's."""
    found = [dict.fromkeys(row.ids, OTHER)]
    if len(row.ids) > 1:
        found += [{param: OTHER} for param in row.ids]
    return found


def sign_in(client, world: World, persona: str) -> None:
    client.logout()
    if persona != ANONYMOUS:
        client.force_login(world.users[persona])


def check(client, method: str, persona: str, route: Route, path: str, expected, data=None):
    """None if the response is as expected, else what went wrong, in one line."""
    response = client.post(path, data or {}) if method == "POST" else client.get(path)
    return mismatch(response, f"{persona} {method} {path} ({key(route)})", expected)


def mismatch(response: HttpResponse, what: str, expected: int | str) -> str | None:
    if matches(response, expected):
        return None
    return f"{what}: expected {expected}, got {describe(response)}"


def links_to_the_other_council(world: World, persona: str) -> list[str]:
    """The pages of the objects of the council that isn't the persona's."""
    theirs = OWN if persona == OTHER_OFFICER else OTHER
    return [
        path_for(route, row, world, dict.fromkeys(row.ids, theirs))
        for route, row in object_routes(world)
        if not is_admin(route.name)
    ]


def leak(response: HttpResponse, what: str, links: list[str]) -> str | None:
    """A page that links to another council's objects has shown them."""
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    html = response.content.decode()
    shown = [link for link in links if f'href="{link}"' in html]
    return f"{what} links to another council's {shown}" if shown else None


def report(failures: list[str | None], checked: int) -> str:
    found = [f for f in failures if f]
    return f"{len(found)} of {checked} requests:\n" + "\n".join(found)


# --- the tests ----------------------------------------------------------------------------


def test_every_url_has_a_row_and_every_row_a_url(world):
    project = [r for r in routes() if not is_admin(r.name)]
    keys = Counter(key(r) for r in project)
    shared = sorted(k for k, n in keys.items() if n > 1)
    assert not shared, f"URL names used by more than one pattern: {shared}"
    rows = matrix()
    admin_names = {r.name for r in routes() if is_admin(r.name)}
    missing = sorted(f"{key(r)} ({r.pattern})" for r in project if key(r) not in rows)
    stale = sorted(rows.keys() - keys.keys())
    stale += sorted((ADMIN_REFUSED | ADMIN_ROWS.keys()) - admin_names)
    stale += sorted({name for name, _, _ in HIDDEN} - rows.keys())
    problems = []
    if missing:
        problems.append(
            "These URLs are not in the permission matrix: add a row for each to "
            f"tests/security/matrix.py saying who may use it: {missing}"
        )
    if stale:
        problems.append(f"These matrix rows name no URL: remove or rename them: {stale}")
    assert not problems, "\n".join(problems)


def test_every_row_names_each_parameter_of_its_url(world):
    unnamed = []
    for route in routes():
        row = row_for(route, world)
        if row is None or is_admin(route.name):
            continue
        said = row.ids.keys() | row.fixed.keys()
        if set(route.params) != said:
            unnamed.append(f"{key(route)}: parameters {route.params}, row names {sorted(said)}")
    assert not unnamed, "Rows must say what each parameter is:\n" + "\n".join(unnamed)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_the_matrix_says(client, world, persona):
    """With Derby's objects, so the other council's officer is the first IDOR check. A
    council's pages must not link to the other council's objects either (the system
    admin's span every council)."""
    sign_in(client, world, persona)
    foreign = persona in NO_COUNCIL_OF_DERBYS
    links = [] if persona == SYSTEM_ADMIN else links_to_the_other_council(world, persona)
    failures, checked = [], 0
    for route in routes():
        row = row_for(route, world)
        if row is None:
            failures.append(f"{key(route)} ({route.pattern}) has no row in the matrix")
            continue
        path = path_for(route, row, world, {})
        response = client.get(path)
        what = f"{persona} GET {path} ({key(route)})"
        failures.append(mismatch(response, what, row.expected(persona, foreign=foreign)))
        failures.append(leak(response, what, links))
        checked += 1
    assert not any(failures), report(failures, checked)


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_another_councils_ids_are_not_found(client, world, persona):
    """Every object URL with Nottinghamshire's ids, and with one of them beside Derby's:
    404 for whoever may use the page, 403 for whoever may not. Nottinghamshire's own
    officer gets what Derby's officer gets with Derby's ids: the ids are real."""
    sign_in(client, world, persona)
    failures = []
    for route, row in object_routes(world):
        for councils in variants(row):
            own = persona == OTHER_OFFICER and councils == dict.fromkeys(row.ids, OTHER)
            expected = row.expected(persona, foreign=not own)
            path = path_for(route, row, world, councils)
            failures.append(check(client, "GET", persona, route, path, expected))
    assert not any(failures), report(failures, len(failures))


def test_who_may_not_write_is_refused_and_nothing_changes(client, world):
    """Each write URL's form, filled in as whoever may use it sees it, posted by every
    persona who may not, and by those who may with the other council's ids."""
    attempts: dict[str, list[tuple[Route, Url, dict[str, str], dict[str, str]]]] = {}
    for route in routes():
        row = row_for(route, world)
        if row is None or not row.writes:
            continue
        data = _form_as_shown(client, world, route, row)
        for persona in PERSONAS:
            foreign = persona in NO_COUNCIL_OF_DERBYS
            if row.expected_post(persona, foreign=foreign) in (403, 404, SIGN_IN):
                attempts.setdefault(persona, []).append((route, row, {}, data))
            elif row.ids and persona in (row.writers or row.roles):
                for councils in variants(row):
                    attempts.setdefault(persona, []).append((route, row, councils, data))
    failures, checked = [], 0
    for persona, tries in attempts.items():
        sign_in(client, world, persona)
        before = table_digests()
        for route, row, councils, data in tries:
            path = path_for(route, row, world, councils)
            foreign = bool(councils) or persona in NO_COUNCIL_OF_DERBYS
            expected = row.expected_post(persona, foreign=foreign)
            failures.append(check(client, "POST", persona, route, path, expected, data))
            after = table_digests()
            changed = sorted(t for t, d in after.items() if before.get(t) != d)
            if changed:
                failures.append(f"{persona} POST {path} ({key(route)}) changed {changed}")
            before, checked = after, checked + 1
    assert checked > 100
    assert not any(failures), report(failures, checked)


def _form_as_shown(client, world: World, route: Route, row: Url) -> dict[str, str]:
    """The page's form fields as the first role that may use it sees them."""
    writer = next(p for p in WRITERS if p in (row.writers or row.roles))
    sign_in(client, world, writer)
    response = client.get(path_for(route, row, world, {}))
    return form_data(response.content.decode()) if response.status_code == 200 else {}


def test_objects_some_readers_may_not_see_are_not_found(client, world):
    """Draft reports (councillors) and confidential packs (all but clerks)."""
    by_name = {r.name: r for r in routes()}
    failures = []
    for name, ids, who in HIDDEN:
        route, row = by_name[name], replace(matrix()[name], ids=ids)
        for persona in sorted(row.roles):
            sign_in(client, world, persona)
            path = path_for(route, row, world, {})
            expected = row.ok if persona in who else 404
            failures.append(check(client, "GET", persona, route, path, expected))
    assert not any(failures), report(failures, len(failures))


CHILD_LEVEL_PAGES = {"children_list", "child_detail", "import_detail", "import_problems_csv"}


def test_no_child_level_page_or_file_reaches_a_councillor_or_clerk(client, world):
    rows = matrix()
    child_level = {name for name, row in rows.items() if row.child_level}
    assert child_level >= CHILD_LEVEL_PAGES, "a child-level page is no longer marked so"
    granted = sorted(n for n in child_level if rows[n].roles & {COUNCILLOR, CLERK})
    assert not granted, f"The matrix lets councillors or clerks see child-level {granted}"
    failures, checked = [], 0
    pages = [(r, rows[key(r)]) for r in routes() if key(r) in child_level]
    for persona in (COUNCILLOR, CLERK):
        sign_in(client, world, persona)
        for route, row in pages:
            for councils in [{}, *variants(row)] if row.ids else [{}]:
                path = path_for(route, row, world, councils)
                response = client.get(path)
                checked += 1
                if response.status_code not in (403, 404) or response.has_header(
                    "Content-Disposition"
                ):
                    failures.append(f"{persona} GET {path} ({key(route)}): {describe(response)}")
    assert checked >= 2 * len(CHILD_LEVEL_PAGES)
    assert not failures, report(failures, checked)
