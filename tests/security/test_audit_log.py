"""The audit log is append-only, whichever way a change is tried.

tests/corporate_parenting/test_councils_and_users.py tries raw SQL (UPDATE, DELETE and
TRUNCATE); these try the ways application code would: through the ORM, one row or a
whole queryset. Each attempt runs in a transaction that is rolled back, since a refused
statement leaves PostgreSQL's transaction unusable.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from corporate_parenting import audit
from corporate_parenting.models import AuditLog, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(officer) -> AuditLog:
    return audit.record(user=officer, action=AuditLog.Action.VIEW, obj=officer)


def refused(attempt) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt()


def test_the_orm_cannot_change_an_entry(entry):
    entry.username = "someone.else"
    refused(entry.save)
    refused(lambda: AuditLog.objects.filter(pk=entry.pk).update(detail="rewritten"))
    entry.refresh_from_db()
    assert (entry.username, entry.detail) == ("derby.officer", "")


def test_the_orm_cannot_delete_an_entry(entry):
    refused(entry.delete)
    refused(AuditLog.objects.all().delete)
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_both_triggers_are_in_the_migrated_schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [AuditLog._meta.db_table],
        )
        names = {name for (name,) in cursor.fetchall()}
    assert names == {"audit_log_append_only", "audit_log_no_truncate"}


def test_an_entry_outlives_the_account_it_names(db):
    leaver = make_user("derby.leaver", role=Role.OFFICER)
    leaver_id = leaver.pk
    kept = audit.record(user=leaver, action=AuditLog.Action.VIEW, obj=leaver)
    leaver.delete()
    kept.refresh_from_db()
    assert (kept.username, kept.user_id_at_time, kept.la.la_code) == (
        "derby.leaver",
        leaver_id,
        "831",
    )
