"""Dashboard and report reads from the read replica; everything else from the primary.

The replica is a streaming-replication hot standby (`make replica`, docs/deployment.md),
configured as the `replica` database when CP_REPLICA_URL is set. Only views decorated
with `use_replica` read from it, and only for GET and HEAD: those views write nothing
they read back, so a standby a moment behind shows nothing wrong. Writes, sessions,
migrations and every other view use the primary.

The replica is used only while it is healthy, checked at most every
CP_REPLICA_CHECK_SECONDS: it answers, it is a standby, and it has replayed the primary's
WAL to within CP_REPLICA_MAX_LAG_SECONDS. Otherwise, or if it fails during a request, the
view reads from the primary, so dashboards keep working while the standby lags or is down.

Read-your-writes: after a request that may have written (POST and the like), the
primary's WAL position is kept in the user's session, and that user's next replica
reads wait until the standby has replayed up to it, reading from the primary meanwhile.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Session key: the primary's WAL position (bytes) after this user's last write.
WROTE_AT = "cp_primary_wal"

View = Callable[..., HttpResponse]

# The database that reads in this request go to; None is the primary.
_reading_from: ContextVar[str | None] = ContextVar("cp_reading_from", default=None)


class ReplicaRouter:
    """Reads go where the current view chose; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label == "sessions":
            return DEFAULT_DB_ALIAS  # written by the previous request: maybe not replayed yet
        return _reading_from.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        """Both databases hold the same rows, so objects from either may be related."""
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


@dataclass(frozen=True)
class ReplicaStatus:
    usable: bool
    reason: str
    replayed: int  # WAL position (bytes) the standby had replayed
    checked: float  # time.monotonic() of the check


_status: ReplicaStatus | None = None


def configured() -> bool:
    """Whether a replica is configured that is another server than the primary.

    Under test, Django points a configured replica at the test database (TEST MIRROR);
    that is no standby, so it is never used.
    """
    if REPLICA not in connections:
        return False
    return _server(connections[DEFAULT_DB_ALIAS].settings_dict) != _server(
        connections[REPLICA].settings_dict
    )


def _server(database: dict) -> tuple:
    """Where a database is: a socket's folder and port are given as OPTIONS."""
    options = database.get("OPTIONS", {})
    return (
        database["HOST"] or options.get("host"),
        database["PORT"] or options.get("port"),
        database["NAME"],
    )


def primary_position() -> int:
    """How far the primary's WAL has got, in bytes."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
        return int(cursor.fetchone()[0])


def check_replica() -> ReplicaStatus:
    """Ask the standby how far it has replayed, and compare with the primary.

    Caught up (replayed all the primary had written a moment before) is no lag; otherwise
    the lag is the time since the last transaction it replayed was committed.
    """
    primary = primary_position()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), "
                "extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
            )
            standby, replayed, since = cursor.fetchone()
    except Error as error:
        connections[REPLICA].close()  # reconnect at the next check
        return _status_now(False, f"it does not answer ({error.__class__.__name__})")
    if not standby:
        return _status_now(False, "it is not a standby")
    replayed = int(replayed)
    lag = 0.0 if replayed >= primary else (math.inf if since is None else float(since))
    if lag > settings.CP_REPLICA_MAX_LAG_SECONDS:
        behind = f"{lag:.0f} s" if math.isfinite(lag) else "too far"
        return _status_now(False, f"it is {behind} behind the primary", replayed)
    return _status_now(True, "healthy", replayed)


def _status_now(usable: bool, reason: str, replayed: int = 0) -> ReplicaStatus:
    return ReplicaStatus(usable, reason, replayed, time.monotonic())


def replica_status(*, fresh: bool = False) -> ReplicaStatus:
    """The standby's health, checked again once the last check is a few seconds old."""
    global _status
    last = _status
    stale = last is None or time.monotonic() - last.checked >= settings.CP_REPLICA_CHECK_SECONDS
    if fresh or stale:
        _status = check_replica()
        _log_change(last, _status)
    return _status


def _log_change(last: ReplicaStatus | None, now: ReplicaStatus) -> None:
    if last is not None and last.usable == now.usable:
        return
    if now.usable:
        logger.info("Reading dashboards and reports from the read replica")
    else:
        logger.warning("Not reading from the read replica: %s", now.reason)


def _mark_down(reason: str) -> None:
    global _status
    connections[REPLICA].close()
    _status = _status_now(False, reason)
    logger.warning("Not reading from the read replica: %s", reason)


def _replica_for(request: HttpRequest) -> bool:
    """Whether this request's reads may go to the replica."""
    if request.method not in SAFE_METHODS or not configured():
        return False
    status = replica_status()
    wrote_at = request.session.get(WROTE_AT)
    if status.usable and wrote_at is not None and status.replayed < wrote_at:
        status = replica_status(fresh=True)  # this user's last write may have arrived since
        if status.replayed < wrote_at:
            return False
    if status.usable and wrote_at is not None:
        del request.session[WROTE_AT]
    return status.usable


def use_replica(view: View) -> View:
    """Read from the replica in this view when it is healthy (see the module docstring).

    If the replica fails during the view, the view runs again on the primary.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _replica_for(request):
            return view(request, *args, **kwargs)
        token = _reading_from.set(REPLICA)
        try:
            return view(request, *args, **kwargs)
        except Error:
            if connections[REPLICA].is_usable():
                raise  # the replica is fine: the error is the primary's or the view's
            _mark_down("it failed during a request")
        finally:
            _reading_from.reset(token)
        return view(request, *args, **kwargs)

    return wrapped


class RecordPrimaryPosition:
    """After a request that may have written, keep the primary's WAL position in the
    session, so that the user's next replica reads see what they wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and request.user.is_authenticated:
            request.session[WROTE_AT] = primary_position()
        return response
