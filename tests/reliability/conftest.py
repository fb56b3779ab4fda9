"""Helpers for tests that reach past the test's own connection: other processes, other
sessions and other databases on the same PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
import pytest
from django.db import connection

from corporate_parenting.models import LocalAuthority
from placements.demo_returns import generate
from placements.importer import files_from_paths, run_import
from placements.models import Import

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str | None = None, **options: str) -> str:
    """A DATABASE_URL for the test database (or another on its server), for a child
    process to use."""
    db = connection.settings_dict
    netloc = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}"
    if db["PORT"]:
        netloc += f":{db['PORT']}"
    query = urlencode({**db["OPTIONS"], **options})
    return f"postgres://{netloc}/{name or db['NAME']}" + (f"?{query}" if query else "")


def session(name: str | None = None, *, autocommit: bool = True) -> psycopg.Connection:
    """A connection of its own, as another user of the server would have."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    if name:
        params["dbname"] = name
    return psycopg.connect(**params, autocommit=autocommit)


def child_env(name: str | None = None, **options: str) -> dict[str, str]:
    """The environment for a child process that uses the test database."""
    return {**os.environ, "DATABASE_URL": database_url(name, **options)}


def manage(*args: str, env: dict[str, str]) -> subprocess.Popen:
    """Start `manage.py` in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, what: str, *, process: subprocess.Popen | None = None, limit=120.0):
    """Poll until `condition()` gives something true, and return it. Fails (with the
    process's output) if the process ends first, or after `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if process is not None and process.poll() is not None:
            raise AssertionError(f"The process ended before {what}:\n{process.stdout.read()}")
        time.sleep(0.05)
    raise AssertionError(f"Gave up waiting for {what}")


@pytest.fixture(scope="session")
def notts_returns(tmp_path_factory) -> dict[int, Path]:
    """Nottinghamshire's synthetic returns for 2020/21 and 2021/22, written once: about
    2,200 episodes and 1,700 children a year, in all ten tables."""
    return generate(tmp_path_factory.mktemp("returns"), la_code="891")


def import_return(folder: Path, *, la_code: str, year: int) -> Import:
    """Import a return as `manage.py import_903` does, in this process."""
    files, problems = files_from_paths([folder])
    run = Import.objects.create(
        la=LocalAuthority.objects.get(la_code=la_code),
        year=year,
        mode=Import.Mode.STRICT,
        source="command",
    )
    return run_import(run, files, early_problems=problems)
