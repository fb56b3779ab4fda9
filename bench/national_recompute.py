"""Recompute every indicator for a synthetic national dataset: 153 councils, one year.

Usage: make bench-national
Each council gets a valid 2021/22 return sized so England has about 85,000 children
looked after at 31 March 2022. Returns are imported with recompute deferred (as a bulk
load would), then every council's indicators are recomputed in one pass and timed.
Runs in its own database (cp_bench_national).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from _db import machine, use_bench_database

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
TARGET_LOOKED_AFTER = 85_000


def write_council_return(folder: Path, *, la_code: str, looked_after: int, seed: int) -> None:
    rng = random.Random(seed)
    header = ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"]
    episodes = [EPISODES]
    ceased = int(looked_after * 0.4)
    for n in range(looked_after + ceased):
        child = f"{la_code}-{n:05d}"
        dob = dt.date(2004, 6, 1) + dt.timedelta(days=rng.randrange(0, 17 * 365))
        header.append(f"{child},{rng.choice('12')},{dob:%d/%m/%Y},WBRI,,,")
        start = max(dob, dt.date(2016, 1, 1)) + dt.timedelta(days=rng.randrange(0, 1500))
        start = min(start, dt.date(2022, 2, 1))
        moves = rng.choice([0, 0, 0, 1, 1, 2, 3])
        for i in range(moves + 1):
            last = i == moves
            end = start + dt.timedelta(days=rng.randrange(30, 400))
            if n < looked_after and (last or end >= dt.date(2022, 3, 31)):
                # Still looked after at 31 March: this episode is open.
                dec, rec = "", ""
            else:
                if last and end < dt.date(2021, 4, 1):
                    end = dt.date(2021, 4, 1) + dt.timedelta(days=rng.randrange(0, 360))
                end = min(end, dt.date(2022, 3, 31))
                dec = f"{end:%d/%m/%Y}"
                rec = "X1" if not last else rng.choice(["E4A", "E11", "E41", "E45", "E8", "E13"])
            place = rng.choice(["U1", "U4", "U6", "U6", "K2", "P1"])
            provider = "PR0" if place == "P1" else rng.choice(["PR1", "PR4", "PR5"])
            urn = "SC900001" if place == "K2" else "XXXXXXX"
            episodes.append(
                f"{child},{start:%d/%m/%Y},{'S' if i == 0 else 'P'},C2,N1,{place},{provider},"
                f"{dec},{rec},{'CARPL' if rec == 'X1' else ''},,,{urn}"
            )
            if not dec:
                break
            start = end
            if start >= dt.date(2022, 3, 31):
                break
    (folder / "header.csv").write_text("\n".join(header) + "\n")
    (folder / "episodes.csv").write_text("\n".join(episodes) + "\n")


def main() -> None:
    use_bench_database("cp_bench_national")
    if "--fresh" in sys.argv:
        from placements.models import Child, Import

        Import.objects.all().delete()
        Child.objects.all().delete()
    from corporate_parenting.models import LocalAuthority
    from performance.services import recompute
    from placements.importer import files_from_paths, run_import
    from placements.models import Import

    councils = list(LocalAuthority.objects.order_by("la_code"))
    each = TARGET_LOOKED_AFTER // len(councils)
    print(f"# national recompute benchmark, {dt.date.today()}; {machine()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, la in enumerate(councils):
            if Import.objects.filter(la=la, year=2022, status="imported").exists():
                continue
            folder = Path(tmp) / la.la_code
            folder.mkdir()
            write_council_return(folder, la_code=la.la_code, looked_after=each, seed=i)
            files, early = files_from_paths([folder])
            run = Import.objects.create(la=la, year=2022, mode="strict", source="bench")
            run = run_import(run, files, early_problems=early, recompute=False)
            if run.status != "imported":
                sys.exit(f"{la.name}: {[p.message for p in run.problems.all()[:3]]}")
    elapsed = time.perf_counter() - started
    print(f"imported {len(councils)} returns (recompute deferred) in {elapsed:.1f} s")

    started = time.perf_counter()
    values = 0
    for la in councils:
        values += recompute(la, [2022], charts=False)["values"]
    seconds = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(value) FROM performance_indicatorvalue v "
            "JOIN performance_indicator i ON i.id = v.indicator_id "
            "WHERE i.code = 'cla_at_31_march' AND v.year = 2022 AND v.quarter = 0"
        )
        total = cursor.fetchone()[0]
    print(
        f"recomputed {values:,} indicator values for {len(councils)} councils in {seconds:.1f} s "
        f"({seconds / len(councils):.2f} s a council-year); England looked after at 31 March "
        f"2022: {total:,.0f}"
    )


if __name__ == "__main__":
    main()
