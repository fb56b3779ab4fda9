"""Import throughput: the sample corpus and a 100,000-episode stress return.

Usage: make bench-import
Prints wall time and peak memory (max RSS) for each, end to end through the same
code as `manage.py import_903` (checking, COPY, deriving periods and placements).
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from _db import ROOT, machine, use_bench_database

SAMPLES = ROOT.parent / "shared" / "ssda903-samples"
EPISODES_HEADER = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
POSTCODES = ["DE22 1AB", "DE1 2FS", "DE23 8NT", "NG18 1AA", "DE24 8UD", "DE21 4AS", "S40 1LP"]


def write_stress_return(folder: Path, episodes_wanted: int = 100_000, seed: int = 1) -> int:
    """A valid 2021/22 return: children with several consecutive episodes each."""
    rng = random.Random(seed)
    year_start = dt.date(2021, 4, 1)
    header, episodes = ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"], [EPISODES_HEADER]
    child = 0
    while len(episodes) - 1 < episodes_wanted:
        child += 1
        dob = dt.date(2004, 1, 1) + dt.timedelta(days=rng.randrange(0, 17 * 365))
        header.append(f"S{child:06d},{rng.choice('12')},{dob:%d/%m/%Y},WBRI,,,")
        start = max(dob, dt.date(2019, 1, 1)) + dt.timedelta(days=rng.randrange(0, 300))
        n = rng.randint(1, 5)
        home, place = rng.choice(POSTCODES), rng.choice(POSTCODES)
        for i in range(n):
            end = start + dt.timedelta(days=rng.randrange(20, 200))
            last = i == n - 1
            open_ended = last and end >= dt.date(2022, 3, 31)
            if end > dt.date(2022, 3, 31):
                end = None
            if end is not None and end < year_start and last:
                end = year_start + dt.timedelta(days=rng.randrange(0, 300))
            rne = "S" if i == 0 else rng.choice("PTLBU")
            rec = "" if end is None else ("X1" if not last else rng.choice(["E4A", "E41", "E8"]))
            episodes.append(
                f"S{child:06d},{start:%d/%m/%Y},{rne},C2,N1,{rng.choice(['U4', 'U6', 'K2'])},"
                f"PR1,{'' if end is None else f'{end:%d/%m/%Y}'},{rec},"
                f"{'CARPL' if rec == 'X1' else ''},{home},{place},XXXXXXX"
            )
            if end is None or open_ended:
                break
            start = end
    (folder / "header.csv").write_text("\n".join(header) + "\n")
    (folder / "episodes.csv").write_text("\n".join(episodes) + "\n")
    return len(episodes) - 1


def timed_import(paths: list[Path], *, la_code: str, year: int, skip: bool) -> tuple[float, object]:
    from corporate_parenting.models import LocalAuthority
    from placements.importer import files_from_paths, run_import
    from placements.models import Import

    la = LocalAuthority.objects.get(la_code=la_code)
    started = time.perf_counter()
    files, early = files_from_paths(paths)
    run = Import.objects.create(
        la=la,
        year=year,
        mode=Import.Mode.SKIP_INVALID if skip else Import.Mode.STRICT,
        source="bench",
    )
    run = run_import(run, files, early_problems=early)
    return time.perf_counter() - started, run


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    use_bench_database()
    print(f"# SSDA903 import benchmark, {dt.date.today()}; {machine()}")
    if SAMPLES.is_dir():
        seconds, run = timed_import([SAMPLES], la_code="202", year=2018, skip=True)
        print(
            f"sample corpus, --skip-invalid: {seconds:.2f} s; {run.counts.get('episodes', 0):,} "
            f"episodes saved of 5,050; {run.error_count:,} errors listed; "
            f"peak RSS {peak_mb():.0f} MB"
        )
        seconds, run = timed_import([SAMPLES], la_code="202", year=2018, skip=False)
        print(f"sample corpus, strict (rejected): {seconds:.2f} s; {run.error_count:,} errors")
    else:
        print("sample corpus not found beside the project; skipped", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        n = write_stress_return(Path(tmp))
        seconds, run = timed_import([Path(tmp)], la_code="204", year=2022, skip=False)
        assert run.status == "imported", [p.message for p in run.problems.all()[:5]]
        print(
            f"stress return, {n:,} episodes, {run.counts['children']:,} children: {seconds:.2f} s "
            f"({n / seconds:,.0f} episodes/s); peak RSS {peak_mb():.0f} MB"
        )
        seconds, run = timed_import([Path(tmp)], la_code="204", year=2022, skip=False)
        print(
            f"stress return re-imported (replacing): {seconds:.2f} s; peak RSS {peak_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
