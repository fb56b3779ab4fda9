"""The indicator catalogue is written by every recompute: two at once must not collide.

Recomputes for different councils run in parallel (`recompute_indicators --jobs`), and
on a fresh database each would insert the same missing indicators.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from performance.catalogue import CATALOGUE
from performance.models import Indicator
from performance.services import sync_catalogue


def _waiting_for_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # it is kept for a transaction
        cursor.execute(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.django_db(transaction=True)
def test_two_processes_creating_the_catalogue_at_once_both_succeed():
    Indicator.objects.all().delete()
    first_synced, second_pid = threading.Event(), []
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                sync_catalogue()
                first_synced.set()
                # Keep the new rows uncommitted until the second is blocked on them.
                deadline = time.monotonic() + 30
                while not (second_pid and _waiting_for_a_lock(second_pid[0])):
                    assert time.monotonic() < deadline, "the second never waited"
                    time.sleep(0.05)
        except BaseException as error:
            failures.append(error)
            first_synced.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_synced.wait()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    second_pid.append(cursor.fetchone()[0])
                found = sync_catalogue()
            assert set(found) == {d.code for d in CATALOGUE}
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Indicator.objects.count() == len(CATALOGUE)
