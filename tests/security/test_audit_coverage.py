"""The audit log records every child-level read and every change.

Both are walked from the permission matrix (tests/security/matrix.py), so a new page
that shows children or a new form is covered without being listed here: every page the
matrix marks `child_level` must write a VIEW or EXPORT entry when an officer opens it,
and every form it marks `writes` must write an entry whenever posting it changes the
database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from corporate_parenting.models import AuditLog
from performance.models import Target
from placements.models import Child
from tests.placements.factories import EPISODES, GOOD_EPISODES, GOOD_HEADER, HEADER
from tests.security.matrix import ROLES, is_admin, matrix
from tests.security.probe import admin_model, concrete, form_data, table_digests
from tests.security.world import OWN, RETURN_YEAR, World, build_world
from tests.support.urls import Route, routes

pytestmark = pytest.mark.django_db

AUDIT_TABLE = AuditLog._meta.db_table


@contextmanager
def rolled_back_world(django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Every kind of object, for both councils (tests/security/world.py), in a
    transaction rolled back at the end; each test's own transaction nests inside it."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, CP_RENDER_CHARTS=False),
        transaction.atomic(),
    ):
        yield build_world(tmp_path_factory.mktemp("returns"))
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    with rolled_back_world(django_db_blocker, tmp_path_factory) as built:
        yield built


def _routes(flag: str) -> list[Route]:
    """The project's routes whose matrix row has `flag` set."""
    rows = matrix()
    return [r for r in routes() if r.name in rows and getattr(rows[r.name], flag)]


def page_path(route: Route, world: World) -> str | None:
    """The route's path with Derby's objects (an admin page: a row of its model), or
    None where the world has no object for it."""
    if is_admin(route.name):
        model = admin_model(route)
        if model is None:
            return route.path if not route.params else None
        pk = world.admin_ids.get(model)
        return None if pk is None else concrete(route, {route.params[0]: pk})
    row = matrix().get(route.name)
    if row is None:
        return None
    ids = world.councils[OWN].ids
    path = concrete(route, dict(row.fixed) | {p: ids[kind] for p, kind in row.ids.items()})
    return path + ("?" + row.query if row.query else "")


def first_role(route: Route) -> str | None:
    """The first role that may use the route's page (the system admin, for the admin)."""
    if is_admin(route.name):
        return "system_admin"
    row = matrix().get(route.name)
    return next((role for role in ROLES if row and role in row.roles), None)


# --- child-level reads --------------------------------------------------------------------


@pytest.mark.parametrize("route", _routes("child_level"), ids=lambda r: r.name)
def test_each_child_level_page_writes_a_read_entry(client, world, route):
    officer = world.users["officer"]
    client.force_login(officer)
    before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(page_path(route, world))
    assert response.status_code == 200
    b"".join(getattr(response, "streaming_content", [response.content]))
    entries = AuditLog.objects.filter(pk__gt=before, user_id_at_time=officer.pk)
    assert [(e.action in ("view", "export"), e.la_id) for e in entries] == [
        (True, officer.la_id)
    ], f"{route.name} wrote {list(entries.values('action', 'object_type'))}"


def test_the_childrens_list_entry_names_the_children_shown(client, world):
    officer = world.users["officer"]
    client.force_login(officer)
    client.get(reverse("children_list"), {"sex": "1"})
    entry = AuditLog.objects.filter(action="view", object_type="placements.Child").latest("pk")
    boys = Child.objects.filter(la=officer.la, sex="1").values_list("pk", flat=True)
    assert sorted(entry.changed_fields["children shown (record ids)"]) == sorted(boys)
    assert entry.detail == "children list 2017/18, page 1; filters: sex=1"


def test_a_childrens_list_with_no_child_shown_writes_nothing(client, world):
    client.force_login(world.users["officer"])
    before = AuditLog.objects.count()
    client.get(reverse("children_list"), {"sex": "9"})
    assert AuditLog.objects.count() == before


# --- changes ------------------------------------------------------------------------------

# Edit forms whose object the world builds complete: opened and posted back unchanged,
# they save (a version bump at least). They must be among the forms the walk below sees
# change the database, or the walk proves nothing.
MUST_SAVE = {
    "reg44_visit_edit",
    "reg44_recommendation_edit",
    "reg45_edit",
    "member_visit_edit",
    "afi_edit",
    "action_item_edit",
    "cicc_action_edit",
    "meeting_action_edit",
    "return_section",
}


@pytest.mark.parametrize("route", _routes("writes"), ids=lambda r: r.name)
def test_a_form_that_changes_data_writes_an_entry(client, world, route, request):
    """Open the form as someone who may use it, post it back as the page filled it in,
    and, if anything in the database changed, find the entry that says so."""
    user = world.users[first_role(route)]
    client.force_login(user)
    path = page_path(route, world)
    page = client.get(path)
    data = form_data(page.content.decode()) if page.status_code == 200 else {}
    before = table_digests()
    last = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.post(path, data)
    after = table_digests()
    changed = sorted(t for t in after if t != AUDIT_TABLE and after[t] != before.get(t))
    entries = list(AuditLog.objects.filter(pk__gt=last, user_id_at_time=user.pk))
    if route.name in MUST_SAVE:
        assert changed, f"posting {route.name} back unchanged saved nothing"
    if changed:
        assert [e for e in entries if e.action in ("create", "update", "delete")], (
            f"{route.name} changed {changed} but wrote no audit entry"
        )
        assert all(e.la_id == user.la_id for e in entries)


def _upload() -> dict[str, object]:
    return {
        "year": str(RETURN_YEAR),
        "files": [
            SimpleUploadedFile("header.csv", "\n".join([HEADER, *GOOD_HEADER]).encode()),
            SimpleUploadedFile("episodes.csv", "\n".join([EPISODES, *GOOD_EPISODES]).encode()),
        ],
    }


def _targets_seen() -> str:
    """The targets page's stamp for Derby's year, as the page would have sent it."""
    stamps = Target.objects.filter(la__la_code=OWN, year=RETURN_YEAR).values_list(
        "updated_at", flat=True
    )
    return max(stamps).isoformat() if stamps else ""


# (persona, URL name, the kinds of its ids, what is posted, the entry expected: action,
# type of record, and a changed field with its new value). A sample of each app's forms.
SAMPLES = [
    (
        "officer",
        "import_upload",
        {},
        lambda world: _upload(),
        ("create", "placements.Import", "year", "2017/18"),
    ),
    (
        "officer",
        "home_edit",
        {"pk": "home"},
        lambda world: {
            "seen_version": "1",
            "urn": "SC983101",
            "name": "Derby Lodge",
            "setting_type": "childrens_home",
            "registered_places": "4",
            "registration_date_day": "1",
            "registration_date_month": "4",
            "registration_date_year": "2015",
            "status": "open",
        },
        ("update", "inspections.Setting", "registered_places", {"old": "(blank)", "new": "4"}),
    ),
    (
        "officer",
        "return_create",
        {},
        lambda world: {"year": "2022", "quarter": "3"},
        ("create", "returns.QuarterlyReturn", "period", {"old": "(blank)", "new": "2021/22 Q3"}),
    ),
    (
        "clerk",
        "meeting_create",
        {},
        lambda world: {
            "new_committee": "Corporate Parenting Committee",
            "date_day": "20",
            "date_month": "9",
            "date_year": "2022",
        },
        ("create", "committee.Meeting", "date", {"old": "(blank)", "new": "20 September 2022"}),
    ),
    (
        "clerk",
        "resolution_create",
        {"pk": "meeting"},
        lambda world: {
            "item": world.councils[OWN].ids["agenda_item"],
            "text": "To note the report",
        },
        ("create", "committee.Resolution", "text", {"old": "(blank)", "new": "To note the report"}),
    ),
    (
        "officer",
        "report_create",
        {},
        lambda world: {
            "report_type": "cicc",
            "title": "Children in Care Council update",
            "report_of": "Director of Integrated Commissioning",
            "year": "2022",
            "quarter": "4",
        },
        (
            "create",
            "committee.Report",
            "title",
            {"old": "(blank)", "new": "Children in Care Council update"},
        ),
    ),
    (
        "officer",
        "targets_edit",
        {},
        lambda world: {"year": str(RETURN_YEAR), "seen": _targets_seen(), "permanence_rate": "55"},
        ("update", "performance.Target", "permanence_rate", 55.0),
    ),
]


@pytest.mark.parametrize(
    ("persona", "name", "kinds", "data", "expected"), SAMPLES, ids=[s[1] for s in SAMPLES]
)
def test_a_sample_of_each_apps_forms_audits_what_it_changed(
    client, world, persona, name, kinds, data, expected
):
    user = world.users[persona]
    client.force_login(user)
    ids = world.councils[OWN].ids
    last = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(
        reverse(name, kwargs={param: ids[kind] for param, kind in kinds.items()}), data(world)
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    action, object_type, field, value = expected
    entries = AuditLog.objects.filter(pk__gt=last, action=action, object_type=object_type)
    entry = entries.get()
    assert (entry.username, entry.la_id) == (user.username, user.la_id)
    assert entry.changed_fields[field] == value
