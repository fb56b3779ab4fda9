"""The read replica, proven on this machine with a real streaming-replication hot standby.

The project's own scripts build a throwaway pair in a temporary folder: scripts/pg.sh
makes a fresh primary (as on a new checkout: listening on 127.0.0.1 as well as its
socket), and scripts/replica.sh copies it with pg_basebackup over 127.0.0.1 and starts
the copy as a hot standby. That is what `make replica` runs; the shared development
PostgreSQL is not touched.

Then Django is pointed at the pair (default: the primary; replica: the standby), and the
dashboard is read while the standby is healthy, lagging, down, and behind a user's own
write.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from psycopg.conninfo import make_conninfo

from corporate_parenting import db_router
from corporate_parenting.db_router import REPLICA
from corporate_parenting.models import LocalAuthority, Role, User
from performance.models import Indicator, IndicatorValue
from performance.services import sync_catalogue
from tests.conftest import make_user

# The Django tests copy the test database into the pair, so it must be set up.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CODE = "cla_at_31_march"
YEAR = 2022


def with_pg_sh(command: str, *args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    """A shell command run with scripts/pg.sh's helpers (find_pg_bin, as_owner); its
    arguments are $1, $2... ($0 is in scripts/, where pg.sh looks for common.sh.)"""
    return subprocess.run(
        ["bash", "-c", f"source scripts/pg.sh && {command}", "scripts/test", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def pg_bin() -> str | None:
    """The PostgreSQL programs' folder, found as scripts/pg.sh finds it."""
    found = with_pg_sh("find_pg_bin")
    return found.stdout.strip() if found.returncode == 0 else None


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


@dataclass
class Pair:
    """A throwaway primary and its standby, made and run by copies of the project's scripts."""

    root: Path
    env: dict[str, str]
    bin: str

    def run(self, script: str, command: str) -> None:
        done = subprocess.run(
            [str(self.root / "scripts" / script), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{script} {command}:\n{done.stdout}\n{done.stderr}"

    def url(self, name: str) -> str:
        for line in (self.root / "var" / "env").read_text().splitlines():
            if line.startswith(f"{name}="):
                return line.partition("=")[2]
        raise AssertionError(f"{name} is not in the pair's var/env")

    def connect(self, name: str) -> psycopg.Connection:
        return psycopg.connect(self.url(name), autocommit=True)

    def remove(self) -> None:
        """Stop both servers at once (nothing in them is kept) and delete them."""
        for data in (self.root / "var/pg-replica/data", self.root / "var/pg/data"):
            if (data / "postmaster.pid").exists():
                stop = 'as_owner "$1" stop -D "$2" -m immediate'
                with_pg_sh(stop, f"{self.bin}/pg_ctl", str(data), root=self.root)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    # Not under pytest's temporary folder: as root, the postgres user must be able to enter it.
    root = Path(tempfile.mkdtemp(prefix="cp-replica-"))
    root.chmod(0o755)
    (root / "scripts").mkdir()
    for name in ("common.sh", "pg.sh", "replica.sh"):
        shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
    primary_port, standby_port = free_ports(2)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CP_REPLICA_URL"}}
    env |= {"CP_PG_PORT": str(primary_port), "CP_REPLICA_PORT": str(standby_port)}
    made = Pair(root, env, bin_dir)
    try:
        made.run("pg.sh", "start")
        made.run("replica.sh", "start")
        yield made
    finally:
        made.remove()


# --- the standby itself ----------------------------------------------------------------


def test_the_standby_streams_from_the_primary_over_loopback(pair):
    with pair.connect("DATABASE_URL") as primary, pair.connect("CP_REPLICA_URL") as standby:
        assert standby.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        assert primary.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
        senders = primary.execute(
            "SELECT client_addr::text, state FROM pg_stat_replication "
            "WHERE usename = 'cp_replication'"
        ).fetchall()
    assert senders == [("127.0.0.1/32", "streaming")]


def test_a_write_on_the_primary_becomes_readable_on_the_standby(pair):
    with pair.connect("DATABASE_URL") as primary, pair.connect("CP_REPLICA_URL") as standby:
        primary.execute("CREATE TABLE probe (note text)")
        primary.execute("INSERT INTO probe VALUES ('written on the primary')")

        def arrived() -> bool:
            try:
                rows = standby.execute("SELECT note FROM probe").fetchall()
            except psycopg.errors.UndefinedTable:
                return False
            return rows == [("written on the primary",)]

        wait_for(arrived, "The row reaching the standby")


def test_the_standby_refuses_writes(pair):
    with (
        pair.connect("CP_REPLICA_URL") as standby,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        standby.execute("CREATE TABLE refused (note text)")


def test_make_replica_leaves_a_server_it_does_not_run_alone():
    elsewhere = {**os.environ, "DATABASE_URL": "postgres://cp@db.example.org/cp"}
    done = subprocess.run(
        [str(ROOT / "scripts" / "replica.sh"), "start"],
        env=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "point\nCP_REPLICA_URL at it" in done.stderr


# --- Django on the pair ------------------------------------------------------------------


@contextmanager
def databases(primary_url: str, replica_url: str) -> Iterator[None]:
    """Point Django's default and replica databases at these servers for the block."""
    saved_settings = connections.settings
    saved = {alias: connections[alias] for alias in saved_settings}
    connections.settings = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: dj_database_url.parse(primary_url),
            REPLICA: dj_database_url.parse(replica_url),
        }
    )
    for alias in saved:
        del connections[alias]
    try:
        yield
    finally:
        for alias in connections.settings:
            connections[alias].close()
            del connections[alias]
        connections.settings = saved_settings
        for alias, connection in saved.items():
            connections[alias] = connection


@pytest.fixture(scope="module")
def schema(pair, django_db_setup, django_db_blocker) -> None:
    """The test database's tables and reference data, copied into the pair's primary, with
    a Derby officer and one dashboard figure."""
    test_db = connections[DEFAULT_DB_ALIAS]
    params = test_db.get_connection_params()
    where = make_conninfo(**{key: params[key] for key in ("dbname", "host", "port", "user")})
    dump = subprocess.run(
        [f"{pair.bin}/pg_dump", "--no-owner", "--no-privileges", f"--dbname={where}"],
        env={**pair.env, "PGPASSWORD": test_db.settings_dict["PASSWORD"]},
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(
        [f"{pair.bin}/psql", "-q1", "-v", "ON_ERROR_STOP=1", pair.url("DATABASE_URL")],
        input=dump,
        capture_output=True,
        check=True,
    )
    with (
        django_db_blocker.unblock(),
        databases(pair.url("DATABASE_URL"), pair.url("CP_REPLICA_URL")),
    ):
        sync_catalogue()
        make_user("derby.officer", role=Role.OFFICER)
        IndicatorValue.objects.create(
            la=LocalAuthority.objects.get(la_code="831"),
            indicator=Indicator.objects.get(code=CODE),
            version=1,
            year=YEAR,
            numerator=627,
            value=627,
            computed_at=timezone.now(),
        )


@pytest.fixture
def site(pair, schema, django_db_blocker, settings, monkeypatch) -> Iterator[Client]:
    """A client signed in as the officer, with Django on the pair and the standby
    checked afresh on every request."""
    settings.CP_REPLICA_CHECK_SECONDS = 0
    monkeypatch.setattr(db_router, "_status", None)
    with (
        django_db_blocker.unblock(),
        databases(pair.url("DATABASE_URL"), pair.url("CP_REPLICA_URL")),
    ):
        client = Client()
        client.force_login(the_officer())
        wait_until_replayed()
        yield client


def the_officer() -> User:
    return User.objects.get(username="derby.officer")


def replayed() -> int:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')")
        return int(cursor.fetchone()[0])


def wait_until_replayed() -> None:
    """Until the standby has replayed everything the primary has written so far."""
    target = db_router.primary_position()
    wait_for(lambda: replayed() >= target, "The standby catching up")


@contextmanager
def indicator_reads() -> Iterator[set[str]]:
    """The databases that answered a read of the dashboard's figures during the block."""
    answered: set[str] = set()

    def noting(alias: str):
        def wrapper(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if "performance_indicatorvalue" in sql:
                answered.add(alias)
            return result

        return wrapper

    with (
        connections[DEFAULT_DB_ALIAS].execute_wrapper(noting(DEFAULT_DB_ALIAS)),
        connections[REPLICA].execute_wrapper(noting(REPLICA)),
    ):
        yield answered


def figure(page: bytes) -> str:
    """The figure on the dashboard's tile for children looked after at 31 March."""
    tile = page.decode().split(f'id="{CODE}"')[1].split("What this means")[0]
    return " ".join(tile.split())


def dashboard(client: Client) -> tuple[str, set[str]]:
    with indicator_reads() as answered:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return figure(response.content), answered


def set_figure(value: int) -> None:
    IndicatorValue.objects.filter(indicator__code=CODE, year=YEAR).update(value=value)


def test_the_dashboard_reads_from_a_healthy_standby(site):
    tile, answered = dashboard(site)
    assert answered == {REPLICA}
    assert "627" in tile


def test_the_dashboard_reads_from_the_primary_while_the_standby_lags(site, settings):
    settings.CP_REPLICA_MAX_LAG_SECONDS = 0
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        set_figure(631)  # the paused standby still has 627
        tile, answered = dashboard(site)
        assert answered == {DEFAULT_DB_ALIAS}
        assert "631" in tile
        assert "behind the primary" in db_router.replica_status().reason
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        set_figure(627)


def test_after_a_write_the_user_reads_from_the_primary_until_the_standby_has_it(site, settings):
    settings.CP_REPLICA_MAX_LAG_SECONDS = 3600  # the standby is not too far behind in general
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        url = reverse("commentary_edit", args=[CODE]) + f"?year={YEAR}&quarter=0"
        saved = site.post(url, {"text": "Fewer children came into care.", "seen": ""})
        assert saved.status_code == 302
        with indicator_reads() as answered:
            page = site.get(reverse("dashboard")).content.decode()
        assert answered == {DEFAULT_DB_ALIAS}
        assert "Fewer children came into care." in page
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_until_replayed()
    with indicator_reads() as answered:
        page = site.get(reverse("dashboard")).content.decode()
    assert answered == {REPLICA}
    assert "Fewer children came into care." in page
    assert db_router.WROTE_AT not in site.session


def test_the_dashboard_reads_from_the_primary_while_the_standby_is_down(site, pair, settings):
    settings.CP_REPLICA_CHECK_SECONDS = 3600  # the standby was healthy when last checked
    assert dashboard(site)[1] == {REPLICA}
    pair.run("replica.sh", "stop")
    try:
        # It fails during the request: the view runs again on the primary.
        tile, answered = dashboard(site)
        assert answered == {DEFAULT_DB_ALIAS}
        assert "627" in tile
        # Checked afresh, it doesn't answer: the primary from the start.
        settings.CP_REPLICA_CHECK_SECONDS = 0
        tile, answered = dashboard(site)
        assert answered == {DEFAULT_DB_ALIAS}
        assert "does not answer" in db_router.replica_status().reason
    finally:
        pair.run("replica.sh", "start")
    wait_until_replayed()
    assert dashboard(site)[1] == {REPLICA}


def test_a_replica_that_is_the_primary_itself_is_not_used(pair, schema, django_db_blocker):
    """Under test, Django points a configured replica at the test database (MIRROR)."""
    with django_db_blocker.unblock(), databases(pair.url("DATABASE_URL"), pair.url("DATABASE_URL")):
        assert not db_router.configured()
        client = Client()
        client.force_login(the_officer())
        tile, answered = dashboard(client)
    assert answered == {DEFAULT_DB_ALIAS}
    assert "627" in tile
