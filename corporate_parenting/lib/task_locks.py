"""Telling a background task that is still working from one whose process died.

A task holds a session-level advisory lock, keyed by its kind and its row's id, for as
long as it works. PostgreSQL releases the lock the moment the task's connection ends,
whether the task finished, failed or was killed, so a row still marked "running" whose
lock nobody holds was interrupted. There is no heartbeat or timeout to tune: the
database knows at once, and a slow task is never mistaken for a dead one.

The order matters: a task takes its lock before it marks its row running and records
its outcome before letting go, so "running and not held" can only mean interrupted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models.expressions import RawSQL

# The first key of each kind's lock; the second is the row's id.
IMPORT = 9030
PACK = 9031


@contextmanager
def held_while_running(kind: int, pk: int) -> Iterator[None]:
    """Hold the lock that says this task is alive, on the connection the task uses."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [kind, pk])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [kind, pk])


def held(kind: int) -> RawSQL:
    """The ids of this kind's tasks that some live session is working on, as a subquery
    for `exclude(pk__in=...)`: evaluated inside the statement that uses it, so a task
    can't start or finish between the check and the change."""
    return RawSQL(
        "SELECT objid::bigint FROM pg_locks "
        "WHERE locktype = 'advisory' AND classid::bigint = %s AND objsubid = 2 AND granted",
        [kind],
    )
