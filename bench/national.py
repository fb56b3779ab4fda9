"""The national benchmark, end to end: 153 councils, ten years of SSDA903 returns.

Usage: make bench-national
   or: scripts/uv-run.sh python bench/national.py [--councils 5 --years 3] [--reimport]

1. Generates the national synthetic dataset (bench/generate_national.py) into
   var/bench/national, unless it is there already.
2. Imports every council-year through the code `manage.py import_903 --no-recompute`
   runs, in year order, into its own database (cp_bench_national). Left as it is when
   the database already holds exactly these files (--reimport imports them again).
3. Recomputes every indicator for every council and year in one pass (what
   `manage.py recompute_indicators` does, trend charts off, the councils shared between
   the processes), then one council-year alone.
4. Computes the 903 indicators again with pandas (bench/pandas_reference.py), from the
   CSV files and from the stored tables, and compares every figure with PostgreSQL's.
   Exits non-zero if any differs.
Prints each figure as it goes; record them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

from _db import ROOT, machine, use_bench_database

from bench import generate_national, pandas_reference

DATABASE = "cp_bench_national"  # the whole nation, left loaded for the other benchmarks
SMALL_DATABASE = "cp_bench_national_small"  # quick runs, so they never replace it
DATA = ROOT / "var" / "bench" / "national"


def say(text: str) -> None:
    print(text, flush=True)


def load() -> str:
    """The machine's load averages: the CPU is shared, so timings need them beside."""
    return "load average " + ", ".join(f"{n:.1f}" for n in os.getloadavg())


def backend_cpu() -> float | None:
    """CPU seconds the database server has spent on this connection so far, read from
    /proc; None when the server isn't a process on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return None
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_text(python: float, database: float | None) -> str:
    if database is None:
        return f"CPU: Python {python:.0f} s"
    return f"CPU: Python {python:.0f} s, PostgreSQL {database:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help=f"default {DATA}, or beside it for a part")
    parser.add_argument("--councils", type=int, help="only N councils, spread across sizes")
    parser.add_argument("--years", type=int, default=len(generate_national.YEARS))
    parser.add_argument("--seed", type=int, default=903)
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes generating, importing, recomputing"
    )
    parser.add_argument("--reimport", action="store_true", help="import even if loaded")
    args = parser.parse_args()

    whole = args.councils is None and args.years == len(generate_national.YEARS)
    if args.data is None:
        part = f"national-{args.councils or 'all'}x{args.years}"
        args.data = DATA if whole else DATA.with_name(part)
    say(f"# national benchmark, {dt.date.today()}; {machine()}")
    manifest = dataset(args)
    use_bench_database(DATABASE if whole else SMALL_DATABASE)
    if args.reimport or not loaded(args.data, manifest):
        import_all(args.data, manifest, jobs=args.jobs)
    else:
        say("import: the database already holds this dataset (--reimport to time it again)")
    sql = recompute_all(args.jobs)
    recompute_one(manifest)
    differences = compare(args.data, manifest, sql)
    if differences:
        sys.exit(f"{len(differences)} figures differ between pandas and PostgreSQL")


# --- the dataset --------------------------------------------------------------------


def dataset(args: argparse.Namespace) -> dict:
    """The manifest of the dataset in args.data, generating it first if it is missing
    or was generated with other settings or by another version of the generator."""
    wanted = generate_national.YEARS[-args.years :]
    path = args.data / "manifest.json"
    if path.exists():
        manifest = json.loads(path.read_text())
        all_plans = generate_national.plans(args.seed, wanted)
        councils = [p.la_code for p in generate_national.pick_councils(all_plans, args.councils)]
        same = (manifest.get("version"), manifest["seed"], manifest["years"], manifest["councils"])
        if same == (generate_national.VERSION, args.seed, list(wanted), councils):
            say(f"dataset: {args.data} (generated earlier)")
            describe(manifest)
            return manifest
    started = time.perf_counter()
    manifest = generate_national.generate(
        args.data,
        councils=args.councils,
        years=args.years,
        seed=args.seed,
        jobs=args.jobs,
        progress=generate_national.print_progress,
    )
    say(f"dataset: generated into {args.data} in {time.perf_counter() - started:.0f} s")
    describe(manifest)
    return manifest


def describe(manifest: dict) -> None:
    rows = manifest["rows"]
    say(
        f"  {len(manifest['councils'])} councils x {len(manifest['years'])} years "
        f"({manifest['years'][0] - 1}/{str(manifest['years'][0])[-2:]} to "
        f"{manifest['years'][-1] - 1}/{str(manifest['years'][-1])[-2:]}): "
        f"{manifest['files']:,} files, {rows['episodes.csv']:,} episode rows, "
        f"{rows['header.csv']:,} header rows, {sum(rows.values()):,} rows in all"
    )


def folders(data: Path, manifest: dict) -> list[tuple[str, list[Path]]]:
    """(la_code, its year folders in year order) for every council in the dataset."""
    return [
        (la_code, [data / la_code / str(year) for year in manifest["years"]])
        for la_code in manifest["councils"]
    ]


# --- importing ------------------------------------------------------------------------


def loaded(data: Path, manifest: dict) -> bool:
    """Whether every council-year's latest saved import is of exactly these files."""
    from placements.models import SAVED, Import

    stored: dict[tuple[str, int], set[str]] = {}
    for la_code, year, files in (
        Import.objects.filter(status__in=SAVED, source="bench")
        .order_by("created_at")
        .values_list("la__la_code", "year", "files")
    ):
        stored[(la_code, year)] = {f.get("sha256") for f in files}
    for la_code, years in folders(data, manifest):
        for folder in years:
            hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.csv")}
            if stored.get((la_code, int(folder.name))) != hashes:
                return False
    return len(stored) == len(manifest["councils"]) * len(manifest["years"])


def import_all(data: Path, manifest: dict, *, jobs: int) -> None:
    """Empty the bench database's returns, then import every council-year."""
    from django.db import connection, connections

    assert connection.settings_dict["NAME"] in {DATABASE, SMALL_DATABASE}
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE placements_import, placements_child, performance_indicatorvalue, "
            "performance_chart CASCADE"
        )
    load_population(data)
    work = sorted(folders(data, manifest), key=lambda w: -council_size(w[1]))
    connections.close_all()  # each process opens its own
    episodes = manifest["rows"]["episodes.csv"]
    say(
        f"import: {len(work) * len(manifest['years']):,} returns, {episodes:,} episode rows, "
        f"recompute deferred, {jobs} process(es) (each council's years in order, by one)"
    )
    say(f"  {load()}")
    started = time.perf_counter()
    python_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    slowest: tuple[float, str] = (0.0, "")
    database: float | None = 0.0
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        for n, (la_code, seconds, failures, server) in enumerate(
            pool.imap_unordered(import_council, work), start=1
        ):
            if failures:
                sys.exit(f"{la_code}: not imported cleanly: {failures}")
            slowest = max(slowest, (seconds, la_code))
            database = None if database is None or server is None else database + server
            if n % 10 == 0 or n == len(work):
                elapsed = time.perf_counter() - started
                say(f"  {n}/{len(work)} councils in {elapsed:.0f} s; {load()}")
        pool.close()
        pool.join()  # so the workers' CPU time is counted
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    python = after.ru_utime + after.ru_stime - python_before.ru_utime - python_before.ru_stime
    say(
        f"import: {seconds:.0f} s ({seconds / 60:.1f} min), {episodes / seconds:,.0f} episode "
        f"rows a second; slowest council {slowest[1]} {slowest[0]:.0f} s; "
        f"{cpu_text(python, database)}"
    )
    stored_counts()


def council_size(years: list[Path]) -> int:
    return sum((folder / "episodes.csv").stat().st_size for folder in years)


def import_council(
    work: tuple[str, list[Path]],
) -> tuple[str, float, list[str], float | None]:
    """Import one council's years in order, as `import_903 --no-recompute` would;
    returns the council, seconds, any failures and the database server's CPU seconds."""
    from corporate_parenting.models import LocalAuthority
    from placements.importer import files_from_paths, run_import
    from placements.models import Import

    la_code, years = work
    la = LocalAuthority.objects.get(la_code=la_code)
    started = time.perf_counter()
    server = backend_cpu()
    failures = []
    for folder in years:
        files, early = files_from_paths([folder])
        run = Import.objects.create(
            la=la, year=int(folder.name), mode=Import.Mode.STRICT, source="bench"
        )
        run = run_import(run, files, early_problems=early, recompute=False)
        if run.status != Import.Status.IMPORTED or run.error_count:
            errors = run.problems.filter(severity="error").order_by("id")[:3]
            failures.append(f"{folder.name}: {run.status}: {[p.message for p in errors]}")
    after = backend_cpu()
    server = None if server is None or after is None else after - server
    return la_code, time.perf_counter() - started, failures, server


def load_population(data: Path) -> None:
    """The dataset's 0 to 17 populations, so rates per 10,000 can be worked out."""
    import csv

    from corporate_parenting.models import LocalAuthority, Population

    councils = {la.la_code: la for la in LocalAuthority.objects.all()}
    with (data / "population.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Population.objects.update_or_create(
                la=councils[row["la_code"]],
                year=int(row["year"]),
                defaults={"population_0_17": int(row["population_0_17"])},
            )


def stored_counts() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM placements_child), "
            "(SELECT count(*) FROM placements_episode), "
            "(SELECT count(*) FROM placements_periodofcare), "
            "(SELECT count(*) FROM placements_placement)"
        )
        children, episodes, periods, placements = cursor.fetchone()
    say(
        f"  stored: {children:,} children, {episodes:,} episodes, {periods:,} periods of "
        f"care, {placements:,} placements"
    )


# --- recomputing ----------------------------------------------------------------------


def recompute_all(jobs: int) -> tuple[float, float | None]:
    """Every indicator for every council and year: what `recompute_indicators` does for
    all councils (`services.recompute(la, its years)`, which holds the council's
    indicator lock), the councils shared among `jobs` processes as with `--jobs`,
    largest first. Run with more than one job (the CPU is counted in the children). Returns
    the wall seconds and the CPU seconds (Python and the database server together)."""
    from django.db import connection
    from django.db.models import Count

    from corporate_parenting.lib.parallel import in_processes
    from corporate_parenting.models import LocalAuthority
    from performance.services import sync_catalogue

    councils = list(
        LocalAuthority.objects.annotate(n=Count("children"))
        .filter(n__gt=0)
        .order_by("-n")
        .values_list("pk", flat=True)
    )
    say(f"recompute: every council and year, {jobs} process(es); {load()}")
    sync_catalogue()  # as the command does, so the processes find it stored
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    values, database = 0, 0.0
    for stored, server in in_processes(recompute_council, councils, jobs):
        values += stored
        database = None if database is None or server is None else database + server
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    python = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    say(
        f"recompute, all {len(councils)} councils: {seconds:.0f} s ({seconds / 60:.1f} min), "
        f"{values:,} values; {cpu_text(python, database)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.year, sum(v.value) FROM performance_indicatorvalue v "
            "JOIN performance_indicator i ON i.id = v.indicator_id "
            "WHERE i.code = 'cla_at_31_march' AND v.quarter = 0 GROUP BY 1 ORDER BY 1"
        )
        by_year = ", ".join(f"{y}: {n:,.0f}" for y, n in cursor.fetchall())
    say(f"  looked after at 31 March, all councils: {by_year}")
    return seconds, None if database is None else python + database


def recompute_council(la_id: int) -> tuple[int, float | None]:
    """One council's indicators for all its years, as `recompute_indicators` computes
    them; returns the values stored and the database server's CPU seconds."""
    from corporate_parenting.models import LocalAuthority
    from performance.services import recompute, years_with_data

    la = LocalAuthority.objects.get(pk=la_id)
    server = backend_cpu()
    result = recompute(la, years_with_data(la), charts=False)
    after = backend_cpu()
    return result["values"], None if server is None or after is None else after - server


def recompute_one(manifest: dict) -> None:
    """One council-year alone, as an import of one year's return triggers it: a
    council of middling size and the largest, best of three."""
    from corporate_parenting.models import LocalAuthority
    from performance.services import recompute

    year = manifest["years"][-1]
    by_size = sorted(
        LocalAuthority.objects.filter(la_code__in=manifest["councils"]),
        key=lambda la: la.children.count(),
    )
    for la in (by_size[len(by_size) // 2], by_size[-1]):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            result = recompute(la, [year], charts=False)
            times.append(time.perf_counter() - started)
        say(
            f"recompute, one council-year ({la.name}, {year}, {la.children.count():,} "
            f"children in its history): {min(times):.2f} s for {result['values']} values"
        )


# --- the pandas reference -------------------------------------------------------------


class Clock:
    """Wall and this process's CPU seconds since it was started."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def compare(data: Path, manifest: dict, sql: tuple[float, float | None]) -> list[str]:
    """pandas from the CSV files and from the stored tables, each against PostgreSQL;
    `sql` is the national recompute's wall and CPU seconds."""
    import pandas as pd
    from django.db import connection

    stored = pandas_reference.stored_values()
    with connection.cursor() as cursor:
        cursor.execute("SELECT la_code, ons_code FROM corporate_parenting_localauthority")
        councils = pd.DataFrame(cursor.fetchall(), columns=["la_code", "ons_code"])

    clock = Clock()
    history = pandas_reference.from_returns(data, councils)
    parsing = clock.read()
    clock = Clock()
    from_files = pandas_reference.compute(history)
    computing = clock.read()
    problems = pandas_reference.differences(from_files, stored)
    report("pandas from the CSV files", from_files, problems)
    describe_england(history, manifest["years"][-1])

    clock = Clock()
    history = pandas_reference.from_database()
    pulling = clock.read()
    clock = Clock()
    from_tables = pandas_reference.compute(history)
    tables = clock.read()
    more = pandas_reference.differences(from_tables, stored)
    report("pandas from the stored tables", from_tables, more)

    with_parsing = (parsing[0] + computing[0], parsing[1] + computing[1])
    say(
        f"pandas with CSV parsing: {with_parsing[0]:.0f} s (reading the files and joining "
        f"the years {parsing[0]:.0f} s, computing {computing[0]:.0f} s); "
        f"CPU {with_parsing[1]:.0f} s"
    )
    say(
        f"pandas without (from the stored tables): {tables[0]:.0f} s, CPU {tables[1]:.0f} s "
        f"(after {pulling[0]:.0f} s reading them from PostgreSQL)"
    )
    say(
        f"SQL (the national recompute): {sql[0]:.0f} s"
        + (f", CPU {sql[1]:.0f} s" if sql[1] else "")
    )
    for label, theirs in (("with CSV parsing", with_parsing), ("without", tables)):
        line = (
            f"  ratio {label}: SQL/pandas {sql[0] / theirs[0]:.2f}, "
            f"pandas/SQL {theirs[0] / sql[0]:.2f} (wall)"
        )
        if sql[1]:
            line += (
                f"; SQL/pandas {sql[1] / theirs[1]:.2f}, pandas/SQL {theirs[1] / sql[1]:.2f} (CPU)"
            )
        say(line)
    return problems + more


def describe_england(history, year: int) -> None:
    """The dataset's national shape in its last year, beside which bench/README.md sets
    DfE's published figures."""
    say(f"dataset, England {year - 1}/{str(year)[-2:]} (from the files):")
    for section, figures in pandas_reference.profile(history, year).items():
        say(f"  {section}: " + "; ".join(f"{k} {v:,}" for k, v in figures.items()))


def report(label: str, computed, problems: list[str]) -> None:
    values, notes = computed
    if problems:
        say(f"{label}: {len(problems)} DIFFERENCES from PostgreSQL; the first 20:")
        for line in problems[:20]:
            say(f"  {line}")
    else:
        say(
            f"{label}: all {len(values):,} figures and {len(notes):,} notes agree with "
            f"PostgreSQL ({len(pandas_reference.COVERED)} indicators)"
        )


if __name__ == "__main__":
    main()
