"""A task killed mid-run leaves no partial data, is shown as interrupted, and can be retried.

Each kill is real: the task runs in a process of its own, which is sent SIGKILL while it
is part-way through its work. To kill it at a known point rather than a lucky one, the
test holds a lock on a table the task needs next, waits until PostgreSQL shows the task
waiting for it, and kills it there.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils.html import escape

from committee.models import AgendaItem, Committee, Meeting, MeetingPack
from committee.skeletons import ensure_templates
from committee.tasks import INTERRUPTED as PACK_INTERRUPTED
from committee.tasks import close_interrupted_packs, make_pack
from corporate_parenting.lib import task_locks
from performance.models import IndicatorValue
from placements.importer import INTERRUPTED, upload_folder
from placements.models import Child, Import, ImportProblem
from tests.committee.test_documents import DATA, make_report, publish
from tests.reliability.conftest import child_env, import_return, manage, session, wait_for

# Every table an import writes to, bar the import's own record.
IMPORTED_TABLES = [
    "placements_child",
    "placements_episode",
    "placements_periodofcare",
    "placements_placement",
    "placements_uasc",
    "placements_missing",
    "placements_oc2",
    "placements_oc3",
    "placements_ad1",
    "placements_placedadoption",
    "placements_prevperm",
    "placements_review",
    "placements_swepisode",
    "placements_dolo",
    IndicatorValue._meta.db_table,
]


def fingerprint(tables: list[str]) -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of all its rows."""
    with session() as conn:
        return {
            t: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) "
                f"FROM {t} x"
            ).fetchone()
            for t in tables
        }


def blocked_backend(application_name: str):
    """The server process of the task's connection, once it waits for a lock."""

    def find():
        with session() as conn:
            return conn.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE application_name = %s AND wait_event_type = 'Lock'",
                [application_name],
            ).fetchone()

    return find


def gone(application_name: str):
    """True once no connection of the killed task is left on the server."""

    def check():
        with session() as conn:
            return not conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = %s",
                [application_name],
            ).fetchone()

    return check


@contextmanager
def killed_while_waiting_for(table: str, args: list[str]) -> Iterator[int]:
    """Run `manage.py args` in a process of its own while `table` is locked, and give
    the id of its server process once it waits for the table. Then SIGKILL it, let the
    table go and wait until the killed process's connections have closed."""
    app = f"cp-test-killed-{os.getpid()}"
    blocker = session(autocommit=False)
    blocker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    process = manage(*args, env=child_env(application_name=app))
    try:
        (pid,) = wait_for(blocked_backend(app), f"the task to wait for {table}", process=process)
        yield pid
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        blocker.rollback()
        blocker.close()
    assert process.returncode == -signal.SIGKILL
    wait_for(gone(app), "the killed task's connections to close")


def holds_row_exclusive(pid: int, table: str) -> bool:
    with session() as conn:
        return bool(
            conn.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = %s AND c.relname = %s AND l.mode = 'RowExclusiveLock'",
                [pid, table],
            ).fetchone()
        )


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_saves_nothing_and_can_be_retried(notts_returns, client, other_officer):
    folders = notts_returns
    assert import_return(folders[2021], la_code="891", year=2021).status == "imported"
    before = fingerprint(IMPORTED_TABLES)
    assert before["placements_episode"][0] > 1000

    # Killed while recomputing indicators, when every row of the return has been
    # written in its transaction: its connection holds the tables' write locks.
    args = ["import_903", "--la", "891", "--year", "2022", str(folders[2022])]
    with killed_while_waiting_for(IndicatorValue._meta.db_table, args) as pid:
        assert holds_row_exclusive(pid, "placements_episode")
        run = Import.objects.get(year=2022)
        assert (run.status, run.stage) == ("running", "Recomputing indicators")

    # Nothing of the killed import was kept, and the earlier year is as it was.
    assert fingerprint(IMPORTED_TABLES) == before
    killed = Import.objects.get(year=2022)
    assert killed.status == Import.Status.RUNNING  # as the dead process left it

    # The officer is told it was interrupted, and to upload again.
    client.force_login(other_officer)
    page = client.get(reverse("import_detail", args=[killed.pk])).content.decode()
    assert "nothing was imported" in page and INTERRUPTED in page
    killed.refresh_from_db()
    assert killed.status == Import.Status.FAILED and killed.finished_at

    retry = import_return(folders[2022], la_code="891", year=2022)
    assert retry.status == Import.Status.IMPORTED
    after = fingerprint(IMPORTED_TABLES)
    assert after["placements_episode"] != before["placements_episode"]
    assert Child.objects.filter(la__la_code="891", last_year=2022).exists()


@pytest.mark.django_db(transaction=True)
def test_a_killed_pack_keeps_no_pdf_and_can_be_asked_for_again(client, derby, clerk):
    templates = ensure_templates()
    committee = Committee.objects.create(la=derby, name="Corporate Parenting Committee")
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    report = make_report(derby, templates["831"], title="Fostering Annual Report")
    AgendaItem.objects.create(meeting=meeting, number=1, title="Fostering", report=report)
    publish(report, data=DATA)
    pack = MeetingPack.objects.create(meeting=meeting, kind="public", created_by=clerk)

    # Killed while laying out the pack: past its start, before its PDF is saved. The
    # open actions from earlier meetings are read after every report is prepared.
    code = f"from committee.tasks import make_pack; make_pack.call({pack.pk})"
    with killed_while_waiting_for("committee_meetingaction", ["shell", "-c", code]):
        pack.refresh_from_db()
        assert (pack.status, pack.step) == ("running", "Prepared item 1")
    pack.refresh_from_db()
    assert pack.status == "running" and pack.pdf is None and pack.pages is None

    # The clerk watching the pack is told at once, not left with "being made".
    client.force_login(clerk)
    page = client.get(reverse("pack_detail", args=[meeting.pk, pack.pk])).content.decode()
    pack.refresh_from_db()
    assert pack.status == "failed" and escape(PACK_INTERRUPTED) in page

    # Asking again makes the pack, and the interrupted one says what happened.
    again = MeetingPack.objects.create(meeting=meeting, kind="public", created_by=clerk)
    assert make_pack.call(again.pk) == "ready"
    again.refresh_from_db()
    assert bytes(again.pdf).startswith(b"%PDF") and again.pages
    pack.refresh_from_db()
    assert (pack.status, pack.error, pack.pdf) == ("failed", PACK_INTERRUPTED, None)


def test_an_import_is_interrupted_only_when_nobody_is_working_on_it(client, derby, officer):
    run = Import.objects.create(
        la=derby,
        year=2022,
        mode=Import.Mode.STRICT,
        status=Import.Status.RUNNING,
        stage="Saving episodes",
        progress=55,
    )
    folder = upload_folder(run.pk)
    folder.mkdir()
    (folder / "00.csv").write_text("CHILD,SEX\nC1,1\n")
    client.force_login(officer)
    url = reverse("import_detail", args=[run.pk])

    with session() as worker:  # a live worker, in another process, holds the run's lock
        worker.execute("SELECT pg_advisory_lock(%s, %s)", [task_locks.IMPORT, run.pk])
        assert "Saving episodes (55%)" in client.get(url).content.decode()
        run.refresh_from_db()
        assert run.status == Import.Status.RUNNING and folder.exists()

    # Its connection has gone, as a killed worker's does: the list of imports, then the
    # import's own page, say so.
    listed = client.get(reverse("import_list")).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Failed</strong>' in listed
    run.refresh_from_db()
    assert (run.status, run.error_count, run.progress) == (Import.Status.FAILED, 1, 100)
    problems = ImportProblem.objects.filter(import_run=run)
    assert list(problems.values_list("message", flat=True)) == [INTERRUPTED]
    assert INTERRUPTED in client.get(url).content.decode()
    assert not folder.exists()  # the uploaded files don't outlive the import


def test_a_pack_is_interrupted_only_when_nobody_is_working_on_it(derby):
    committee = Committee.objects.create(la=derby, name="Corporate Parenting Committee")
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    working = MeetingPack.objects.create(meeting=meeting, kind="public", status="running")
    dead = MeetingPack.objects.create(meeting=meeting, kind="public", status="running")
    with session() as worker:
        worker.execute("SELECT pg_advisory_lock(%s, %s)", [task_locks.PACK, working.pk])
        assert close_interrupted_packs(meeting.pk) == 1
    working.refresh_from_db()
    dead.refresh_from_db()
    assert working.status == "running"
    assert (dead.status, dead.error) == ("failed", PACK_INTERRUPTED)
