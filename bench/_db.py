"""Benchmarks run against their own database on the project's PostgreSQL server,
so they never touch the demo data. Import this before Django is set up."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corporate_parenting.settings")


def use_bench_database(name: str = "cp_bench") -> None:
    # Read var/env by hand: importing the settings module here would fix the
    # database before it is switched.
    base = os.environ.get("DATABASE_URL", "")
    env_file = ROOT / "var" / "env"
    if not base and env_file.is_file():
        for line in env_file.read_text().splitlines():
            if line.startswith("DATABASE_URL="):
                base = line.split("=", 1)[1].strip()
    if not base:
        raise SystemExit("No database: run `make run` once, or set DATABASE_URL.")
    parts = urlsplit(base)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')

    import django

    django.setup()
    from django.db import connection

    assert connection.settings_dict["NAME"] == name, connection.settings_dict["NAME"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Real distances are part of the work an import does.
    from placements.postcodes import load_postcodes

    load_postcodes()


def machine() -> str:
    import platform

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def passed_two_factor(client, user) -> None:
    """Officers and admins need two-factor authentication: mark a signed-in test client's
    session as having passed it with the user's authenticator (one is set up if they
    have none), as entering its code would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
