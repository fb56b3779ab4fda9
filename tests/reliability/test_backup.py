"""`make backup` and `make restore`: a database survives the round trip exactly.

The source is the test database, loaded with a council's synthetic SSDA903 return (and
the indicators computed from it), users and audit records; the backup is restored into
a second database made for the test, twice: once empty, and once over a copy that has
changed since, with the audit log's append-only triggers in force.
"""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.urls import reverse

from corporate_parenting.models import AuditLog, LocalAuthority
from performance.models import Indicator, IndicatorValue
from placements.models import Child, Import
from tests.reliability.conftest import ROOT, child_env, import_return, session

BACKUP = str(ROOT / "scripts" / "backup.sh")
APPS = ["corporate_parenting", "placements", "inspections", "performance", "returns", "committee"]


def backup_script(*args: str, env: dict[str, str], answer: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [BACKUP, *args], cwd=ROOT, env=env, input=answer, capture_output=True, text=True
    )


def table_counts(name: str) -> dict[str, int]:
    with session(name) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def indicator_values(name: str) -> list[tuple]:
    sql = (
        "SELECT i.code, la.la_code, v.year, v.quarter, v.value "
        f"FROM {IndicatorValue._meta.db_table} v "
        f"JOIN {Indicator._meta.db_table} i ON i.id = v.indicator_id "
        f"JOIN {LocalAuthority._meta.db_table} la ON la.id = v.la_id "
        "ORDER BY 1, 2, 3, 4"
    )
    with session(name) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def restore_db(transactional_db):
    """An empty database beside the test database, dropped afterwards."""
    with session() as conn:
        name = f"{conn.info.dbname}_restore"
    with session("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with session("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def audit_log_fully_guarded(transactional_db):
    """The test database allows TRUNCATE on the audit log (tests/conftest.py), which a
    real one refuses: refuse it here too, so the backup holds the real guards."""
    table = AuditLog._meta.db_table
    with session() as conn:
        conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_log_no_truncate")
    yield
    with session() as conn:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_log_no_truncate")


def test_a_database_survives_backup_and_restore(
    notts_returns, client, other_officer, restore_db, audit_log_fully_guarded
):
    imported = import_return(notts_returns[2022], la_code="891", year=2022)
    assert imported.status == Import.Status.IMPORTED
    client.force_login(other_officer)
    for child in Child.objects.order_by("pk")[:3]:
        assert client.get(reverse("child_detail", args=[child.pk])).status_code == 200

    source_name = session().info.dbname
    source = table_counts(source_name)
    app_tables = {
        model._meta.db_table
        for app in APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.managed
    }
    assert app_tables <= source.keys()
    # A realistic amount: a council's year, its indicators and who looked at what.
    assert source["placements_episode"] > 2000 and source["placements_child"] > 1500
    assert source[IndicatorValue._meta.db_table] > 50
    assert source[AuditLog._meta.db_table] >= 3
    values = indicator_values(source_name)
    assert values and any(v[-1] is not None for v in values)

    made = backup_script("backup", env=child_env())
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip().splitlines()[-1].rsplit(" (", 1)[0])
    try:
        assert path.parent == ROOT / "var" / "backups"
        assert re.fullmatch(r"corporate-parenting-\d{8}-\d{6}\.dump", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        into_copy = child_env(restore_db)

        refused = backup_script("restore", str(path), env=into_copy, answer="no\n")
        assert refused.returncode != 0 and "Nothing was restored" in refused.stderr
        assert table_counts(restore_db) == {}

        restored = backup_script("restore", str(path), env={**into_copy, "CONFIRM": "yes"})
        assert restored.returncode == 0, restored.stderr
        assert table_counts(restore_db) == source
        assert indicator_values(restore_db) == values

        # The copy moves on: a new audit record, which its triggers won't let anyone
        # rewrite. Restoring over it (answering the prompt) brings back the backup exactly.
        with session(restore_db) as conn:
            conn.execute(
                f"INSERT INTO {AuditLog._meta.db_table} (at, username, action, object_type, "
                "object_id, changed_fields, detail) "
                "VALUES (now(), 'later', 'view', 'x', '1', '{}', '')"
            )
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(f"TRUNCATE {AuditLog._meta.db_table}")
        assert table_counts(restore_db) != source
        again = backup_script("restore", str(path), env=into_copy, answer="yes\n")
        assert again.returncode == 0, again.stderr
        assert table_counts(restore_db) == source
        assert indicator_values(restore_db) == values
    finally:
        path.unlink()


def test_restore_refuses_a_missing_file_or_one_that_is_not_a_backup(db, tmp_path):
    missing = backup_script("restore", str(tmp_path / "nothing.dump"), env=child_env())
    assert missing.returncode != 0 and "There is no file" in missing.stderr
    not_a_backup = tmp_path / "notes.dump"
    not_a_backup.write_text("CHILD,SEX,DOB\n")
    refused = backup_script("restore", str(not_a_backup), env=child_env())
    assert refused.returncode != 0 and "is not a backup made by make backup" in refused.stderr
