"""The make targets' helper scripts stop with advice instead of failing obscurely."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_it_refuses_to_serve_on_a_port_that_is_taken():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run("scripts/check-port.sh", "127.0.0.1", port)
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "make run PORT=" in result.stderr


def test_it_accepts_a_free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    assert run("scripts/check-port.sh", "127.0.0.1", port).returncode == 0


def test_it_explains_missing_postgresql_programs():
    result = run("scripts/pg.sh", "start", env={"PG_BIN": "/nonexistent", "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "PostgreSQL's server programs (initdb, pg_ctl) were not found" in result.stderr
    assert "apt-get install postgresql-15" in result.stderr
    assert "DATABASE_URL" in result.stderr
