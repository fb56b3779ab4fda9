"""EXPLAIN ANALYZE of the heaviest indicator queries on the national dataset.

Usage: make bench-explain   (after `make bench-national` has loaded cp_bench_national)

Every SQL statement one council-year's recompute runs is captured (for the council with
the most children, in the latest year), then each is run again under EXPLAIN (ANALYZE,
BUFFERS). The slowest are printed with the scans they used, so docs/performance.md can
show that the big tables are reached through their indexes, never read whole. The
dashboard's and the England view's reads of stored values are explained the same way.
"""

from __future__ import annotations

import re
import time

from _db import machine, use_bench_database

BIG_TABLES = (
    "placements_episode",
    "placements_child",
    "placements_placement",
    "placements_periodofcare",
    "performance_indicatorvalue",
)
SHOW = 8


def capture(work) -> list[tuple[str, object]]:
    from django.db import connection

    seen: list[tuple[str, object]] = []

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        work()
    return seen


def explain(sql: str, params) -> tuple[float, list[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    total = next(
        (float(m.group(1)) for line in plan if (m := re.search(r"Execution Time: ([\d.]+)", line))),
        0.0,
    )
    return total, plan


SCAN = re.compile(
    r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)"
    r"(?: using (\S+))? on (\S+)"
)


def scans(plan: list[str]) -> list[str]:
    """Each scan in the plan: its kind, its table (or index), and the index it used."""
    found = []
    for line in plan:
        if m := SCAN.search(line):
            kind, index, target = m.groups()
            found.append(f"{kind} on {target}" + (f" using {index}" if index else ""))
    return found


def seq_scans_of_big_tables(plan: list[str]) -> int:
    return sum(
        1 for s in scans(plan) if s.startswith("Seq Scan") and any(t in s for t in BIG_TABLES)
    )


def main() -> None:
    use_bench_database("cp_bench_national")
    from django.db import connection

    from corporate_parenting.models import LocalAuthority
    from performance import dashboard, england, services
    from performance.models import IndicatorValue
    from placements.models import Episode

    if not Episode.objects.exists():
        raise SystemExit("No national data: run `make bench-national` first.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    year = (
        IndicatorValue.objects.filter(quarter=0)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    top = (
        IndicatorValue.objects.filter(year=year, quarter=0, indicator__code="cla_at_31_march")
        .order_by("-value")
        .first()
    )
    la = LocalAuthority.objects.get(pk=top.la_id)
    latest = services.latest_import(la, year)
    print(f"# EXPLAIN ANALYZE, national dataset; {machine()}")
    print(f"# {Episode.objects.count():,} episodes in all; {la.name} {year - 1}/{str(year)[2:]}")
    started = time.perf_counter()
    statements = capture(lambda: services.compute_year(la, year, latest))
    seconds = time.perf_counter() - started
    print(f"# one council-year's recompute: {len(statements)} statements in {seconds:.2f} s")
    reads = capture(lambda: dashboard.build(la, year, 0, suppress=True))
    reads += capture(lambda: england.england_rows(year))
    explained = []
    for sql, params in statements + reads:
        ms, plan = explain(sql, params)
        explained.append((ms, sql, plan))
    explained.sort(key=lambda e: -e[0])
    for ms, sql, plan in explained[:SHOW]:
        print(f"\n{ms:8.1f} ms  {' '.join(sql.split())[:110]}...")
        for scan in dict.fromkeys(scans(plan)):
            print(f"           {scan}")
    seq_on_big = sum(seq_scans_of_big_tables(plan) for _, _, plan in explained)
    print(
        f"\n# {len(explained)} statements explained; sequential scans of a big table: {seq_on_big}"
    )


if __name__ == "__main__":
    main()
