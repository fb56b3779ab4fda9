from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from corporate_parenting.demo import DEMO_PASSWORD, DEMO_USERS, load_demo_context
from corporate_parenting.forms import user_fingerprint
from corporate_parenting.models import (
    AuditLog,
    ComparisonGroup,
    LocalAuthority,
    Population,
    Region,
    Role,
    StatisticalNeighbour,
    User,
)
from tests.conftest import make_user


@pytest.mark.django_db
def test_it_ships_every_english_council_as_reference_data():
    councils = LocalAuthority.objects.all()
    assert 150 <= councils.count() <= 155
    assert set(councils.values_list("region", flat=True)) == set(Region.values)
    derby = councils.get(la_code="831")
    assert (derby.name, derby.ons_code, derby.region) == ("Derby", "E06000015", "East Midlands")
    assert councils.get(la_code="891").name == "Nottinghamshire"
    assert councils.get(la_code="892").ons_code == "E06000018"


@pytest.mark.django_db
def test_it_loads_the_demo_twice_without_duplicates():
    load_demo_context()
    counts = (
        User.objects.count(),
        Population.objects.count(),
        StatisticalNeighbour.objects.count(),
        ComparisonGroup.objects.count(),
    )
    load_demo_context()
    assert counts == (
        User.objects.count(),
        Population.objects.count(),
        StatisticalNeighbour.objects.count(),
        ComparisonGroup.objects.count(),
    )
    assert User.objects.count() == len(DEMO_USERS)
    assert User.objects.get(username="derby.councillor").check_password(DEMO_PASSWORD)
    d2n2 = ComparisonGroup.objects.get(name="D2N2")
    assert sorted(d2n2.members.values_list("la_code", flat=True)) == ["830", "831", "891", "892"]
    assert Population.objects.filter(la__la_code="831").count() >= 9
    assert StatisticalNeighbour.objects.filter(la__la_code="831", year=2021).count() == 10


@pytest.mark.django_db
def test_it_refuses_a_council_user_without_a_council():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nowhere", role=Role.OFFICER, la=None)


@pytest.mark.django_db
def test_it_refuses_staff_status_to_council_users(derby):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="sneaky", role=Role.OFFICER, la=derby, is_staff=True)


@pytest.mark.django_db
def test_it_creates_users_from_the_command_line():
    out = io.StringIO()
    call_command("create_user", "cllr.new", la="831", role="councillor", stdout=out)
    user = User.objects.get(username="cllr.new")
    assert (user.la.la_code, user.role, user.has_usable_password()) == ("831", "councillor", False)
    assert "Councillor at Derby (831)" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.y", "--la", "999", "--role", "clerk"], "No council has LA code '999'"),
        (["derby.officer", "--la", "831", "--role", "clerk"], "already exists"),
    ],
)
def test_it_explains_bad_create_user_input(officer, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args)


def test_it_keeps_the_audit_log_append_only(officer):
    entry = AuditLog.objects.create(username="x", action="view", object_type="t")
    for sql in (
        "UPDATE corporate_parenting_auditlog SET username = 'y' WHERE id = %s",
        "DELETE FROM corporate_parenting_auditlog WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditLog.objects.get(pk=entry.pk).username == "x"
    with connection.cursor() as cursor:
        # Allowed for the test database's clean-ups (see conftest); on for this check.
        cursor.execute(
            "ALTER TABLE corporate_parenting_auditlog ENABLE TRIGGER audit_log_no_truncate"
        )
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE corporate_parenting_auditlog")
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def _form_data(user: User, **changes: object) -> dict[str, object]:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "fingerprint": user_fingerprint(user),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", False)}


def test_council_admins_manage_their_own_councils_users(client, council_admin, councillor):
    client.force_login(council_admin)
    page = client.get(reverse("council_users")).content.decode()
    assert "derby.councillor" in page

    response = client.post(
        reverse("council_user_edit", args=[councillor.pk]),
        _form_data(councillor, role="clerk", can_approve_reports="on"),
    )
    assert response.status_code == 302
    councillor.refresh_from_db()
    assert (councillor.role, councillor.can_approve_reports) == ("clerk", True)
    log = AuditLog.objects.get(action="update", object_id=str(councillor.pk))
    assert log.username == "derby.admin"
    assert set(log.changed_fields) == {"role", "can_approve_reports"}


def test_council_admins_cannot_reach_another_councils_users(client, council_admin, other_officer):
    client.force_login(council_admin)
    assert "notts.officer" not in client.get(reverse("council_users")).content.decode()
    edit = reverse("council_user_edit", args=[other_officer.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, _form_data(other_officer, role="clerk")).status_code == 404
    other_officer.refresh_from_db()
    assert other_officer.role == "officer"


def test_it_refuses_to_overwrite_a_concurrent_edit(client, council_admin, councillor):
    client.force_login(council_admin)
    stale = _form_data(councillor, job_title="Chair")
    User.objects.filter(pk=councillor.pk).update(job_title="Vice-chair")  # someone else saved
    response = client.post(reverse("council_user_edit", args=[councillor.pk]), stale)
    assert response.status_code == 200
    assert "Someone else changed this user" in response.content.decode()
    councillor.refresh_from_db()
    assert councillor.job_title == "Vice-chair"


def test_council_admins_create_users_in_their_own_council(client, council_admin):
    client.force_login(council_admin)
    response = client.post(
        reverse("council_user_create"),
        {
            "username": "new.clerk",
            "password": "a-long-enough-password",
            "first_name": "New",
            "last_name": "Clerk",
            "email": "new.clerk@example.org",
            "role": "clerk",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="new.clerk")
    assert (created.la_id, created.role) == (council_admin.la_id, "clerk")
    assert AuditLog.objects.filter(action="create", object_id=str(created.pk)).exists()


def test_council_admins_cannot_create_system_admins(client, council_admin):
    client.force_login(council_admin)
    response = client.post(
        reverse("council_user_create"),
        {
            "username": "evil",
            "password": "a-long-enough-password",
            "first_name": "E",
            "last_name": "Vil",
            "email": "e@example.org",
            "role": "system_admin",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="evil").exists()


def test_persona_factory_builds_other_councils(db):
    user = make_user("x.officer", role=Role.OFFICER, la_code="892")
    assert user.la.name == "Nottingham"
