"""Work shared between forked processes, each with its own database connection."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator

from django.db import connections


def in_processes[Item, Result](
    function: Callable[[Item], Result], items: Iterable[Item], jobs: int
) -> Iterator[Result]:
    """`function(item)` for every item, in `jobs` forked processes; yields the results
    as they finish (not in order). `function` must be a module-level function.

    The connections are closed first, so no process shares this one's socket: each
    opens its own on its first query. With one job, everything runs here, in order.
    """
    if jobs <= 1:
        yield from map(function, items)
        return
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap_unordered(function, items)
        pool.close()
        pool.join()
