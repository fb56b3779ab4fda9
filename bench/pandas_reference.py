"""The 903 indicators computed a second way: pandas, from their written definitions.

performance/indicators.py computes the indicators in PostgreSQL. This module computes
them again from what docs/indicators.md and DOMAIN.md say, without looking at that SQL,
so that the two can be compared number for number (bench/national.py, and
tests/performance/test_national_generator.py). It reads either the returns' CSV files
(`from_returns`: it then joins the years into one history by the import rule and works
out distances from the postcode directory itself) or the stored tables
(`from_database`). Either way it derives periods of care and placements itself.

Covered: every indicator computed from the 903 alone (COVERED), for the year and, for
stock and flow indicators, each quarter; and the notes stored with them (the breakdowns
of children looked after, and the children whose period start isn't in the data).
Not covered: children in settings rated Good or better (it needs the Ofsted inspection
records too), social-worker changes (SWEpisodes, collected from 2023/24) and DoLo
(from 2026/27): the national dataset ends in 2022/23, so neither side computes them.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

SHORT_BREAKS = ("V3", "V4")
ADOPTION = ("E11", "E12")
SGO = ("E43", "E44", "E45", "E46", "E47", "E48")
CAO = ("E41",)
RETURN_HOME = ("E4A",)
PLACED_FOR_ADOPTION = ("A3", "A4", "A5", "A6")
NEW_PLACEMENT = ("P", "B", "T", "U")
NEW_CARER = ("S", "P", "B")
EET = ("F1", "F2", "F3", "F4", "F5", "P1", "P2", "P3", "P4", "P5")
TOOK_PART = ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6")
AGE_BANDS = ((1, "Under 1"), (5, "1 to 4"), (10, "5 to 9"), (16, "10 to 15"))
COVERED = (
    "cla_at_31_march",
    "cla_rate_per_10k",
    "placed_20_miles_plus",
    "placed_out_of_area",
    "uasc_at_31_march",
    "starts",
    "ceased",
    "ceased_rate_per_10k",
    "ceased_adoption",
    "ceased_sgo",
    "ceased_cao",
    "ceased_reunification",
    "permanence_rate",
    "staying_put",
    "stability_3plus_placements",
    "stability_long_term",
    "oc2_cohort",
    "oc2_health_assessment",
    "oc2_dental_check",
    "oc2_immunisations",
    "sdq_average",
    "oc2_convicted",
    "care_leavers_in_touch_17_18",
    "care_leavers_eet_17_18",
    "care_leavers_suitable_accommodation_17_18",
    "care_leavers_in_touch_19_21",
    "care_leavers_eet_19_21",
    "care_leavers_suitable_accommodation_19_21",
    "missing_children_pct",
    "away_children_pct",
    "adoption_a1_days",
    "adoption_a2_days",
    "adoption_a10_days",
    "review_participation",
)
VALUE_COLUMNS = ["la_code", "year", "quarter", "code", "numerator", "denominator", "value"]
NOTE_COLUMNS = ["la_code", "year", "quarter", "code", "note", "value"]


@dataclass
class History:
    """One council-by-council history, as the import would hold it.

    Children are keyed by `cid`, an integer standing for (council, CHILD). Dates are
    pandas timestamps; blank codes are "".
    """

    councils: pd.DataFrame  # la_code, ons_code
    council_years: pd.DataFrame  # la_code, year: the years each council has a return for
    children: pd.DataFrame  # cid, la_code, dob, sex, ethnic
    episodes: pd.DataFrame  # cid, la_code, decom, dec, rne, ls, place, rec, miles, pl_la
    uasc: pd.DataFrame  # la_code, year, cid, duc
    oc2: pd.DataFrame  # la_code, year, cid, sdq_score, convicted, immunisations, ...
    oc3: pd.DataFrame  # la_code, year, cid, in_touch, activ, accom
    ad1: pd.DataFrame  # la_code, year, cid, date_match, foster_care
    missing: pd.DataFrame  # la_code, year, cid, missing
    reviews: pd.DataFrame  # la_code, year, cid, review, review_code
    population: pd.DataFrame  # la_code, year (mid-year), population


# --- reading the returns ----------------------------------------------------------------

TABLES = {
    "header.csv": ["CHILD", "SEX", "DOB", "ETHNIC"],
    "episodes.csv": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "PLACE",
        "DEC",
        "REC",
        "HOME_POST",
        "PL_POST",
    ],
    "uasc.csv": ["CHILD", "DUC"],
    "oc2.csv": [
        "CHILD",
        "SDQ_SCORE",
        "CONVICTED",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
    ],
    "oc3.csv": ["CHILD", "IN_TOUCH", "ACTIV", "ACCOM"],
    "ad1.csv": ["CHILD", "DATE_MATCH", "FOSTER_CARE"],
    "missing.csv": ["CHILD", "MISSING"],
    "reviews.csv": ["CHILD", "REVIEW", "REVIEW_CODE"],
}


def from_returns(folder: Path, councils: pd.DataFrame) -> History:
    """Read every council-year's CSV files under `folder` (folder/<la_code>/<year>/) and
    join the years into one history per council, as the import does."""
    folder = Path(folder)
    read: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for council_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for year_dir in sorted(p for p in council_dir.iterdir() if p.is_dir()):
            for name, columns in TABLES.items():
                path = year_dir / name
                if not path.exists():
                    continue
                frame = pd.read_csv(
                    path, dtype=str, keep_default_na=False, usecols=columns, encoding="utf-8"
                )
                frame["la_code"] = council_dir.name
                frame["year"] = int(year_dir.name)
                read[name].append(frame)
    tables = {name: pd.concat(frames, ignore_index=True) for name, frames in read.items()}
    council_years = (
        tables["header.csv"][["la_code", "year"]].drop_duplicates().reset_index(drop=True)
    )

    # A newer year's Header wins.
    header = (
        tables["header.csv"].sort_values("year").drop_duplicates(["la_code", "CHILD"], keep="last")
    )
    keys = header[["la_code", "CHILD"]].reset_index(drop=True)
    keys["cid"] = range(len(keys))
    children = header.merge(keys, on=["la_code", "CHILD"])
    children = pd.DataFrame(
        {
            "cid": children["cid"],
            "la_code": children["la_code"],
            "dob": _dates(children["DOB"]),
            "sex": children["SEX"],
            "ethnic": children["ETHNIC"].str.upper(),
        }
    )

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.merge(keys, on=["la_code", "CHILD"])

    returned = keyed(tables["episodes.csv"])
    returned = pd.DataFrame(
        {
            "cid": returned["cid"],
            "la_code": returned["la_code"],
            "year": returned["year"],
            "decom": _dates(returned["DECOM"]),
            "dec": _dates(returned["DEC"]),
            "rne": returned["RNE"].str.upper(),
            "ls": returned["LS"].str.upper(),
            "place": returned["PLACE"].str.upper(),
            "rec": returned["REC"].str.upper(),
            "home": returned["HOME_POST"],
            "placed_at": returned["PL_POST"],
        }
    )
    episodes = _one_history(returned)
    episodes = _geography(episodes, folder / "postcodes.csv")

    uasc = keyed(tables["uasc.csv"])
    oc2 = keyed(tables["oc2.csv"])
    oc3 = keyed(tables["oc3.csv"])
    ad1 = keyed(tables["ad1.csv"])
    missing = keyed(tables["missing.csv"])
    reviews = keyed(tables["reviews.csv"])
    population = pd.read_csv(folder / "population.csv", dtype={"la_code": str})
    return History(
        councils=councils,
        council_years=council_years,
        children=children,
        episodes=episodes,
        uasc=pd.DataFrame(
            {
                "la_code": uasc["la_code"],
                "year": uasc["year"],
                "cid": uasc["cid"],
                "duc": _dates(uasc["DUC"]),
            }
        ),
        oc2=pd.DataFrame(
            {
                "la_code": oc2["la_code"],
                "year": oc2["year"],
                "cid": oc2["cid"],
                "sdq_score": pd.to_numeric(oc2["SDQ_SCORE"].replace("", None)),
                "convicted": oc2["CONVICTED"].eq("1"),
                "immunisations": oc2["IMMUNISATIONS"].eq("1"),
                "teeth_check": oc2["TEETH_CHECK"].eq("1"),
                "health_assessment": oc2["HEALTH_ASSESSMENT"].eq("1"),
            }
        ),
        oc3=pd.DataFrame(
            {
                "la_code": oc3["la_code"],
                "year": oc3["year"],
                "cid": oc3["cid"],
                "in_touch": oc3["IN_TOUCH"].str.upper(),
                "activ": oc3["ACTIV"].str.upper(),
                "accom": oc3["ACCOM"].str.upper(),
            }
        ),
        ad1=pd.DataFrame(
            {
                "la_code": ad1["la_code"],
                "year": ad1["year"],
                "cid": ad1["cid"],
                "date_match": _dates(ad1["DATE_MATCH"]),
                "foster_care": ad1["FOSTER_CARE"].eq("1"),
            }
        ),
        missing=pd.DataFrame(
            {
                "la_code": missing["la_code"],
                "year": missing["year"],
                "cid": missing["cid"],
                "missing": missing["MISSING"].str.upper(),
            }
        ),
        reviews=pd.DataFrame(
            {
                "la_code": reviews["la_code"],
                "year": reviews["year"],
                "cid": reviews["cid"],
                "review": _dates(reviews["REVIEW"]),
                "review_code": reviews["REVIEW_CODE"].str.upper(),
            }
        ),
        population=population,
    )


def _dates(raw: pd.Series) -> pd.Series:
    return pd.to_datetime(raw.replace("", None), format="%d/%m/%Y")


def _one_history(returned: pd.DataFrame) -> pd.DataFrame:
    """DOMAIN's rule, applied year by year in order: for each child in a year's return,
    its episodes replace the child's stored episodes from the child's earliest DECOM in
    the file onwards (up to the year's end); children not in it keep theirs."""
    stored = returned.iloc[0:0]
    for year in sorted(returned["year"].unique()):
        arriving = returned[returned["year"] == year]
        earliest = arriving.groupby("cid")["decom"].min().rename("from_date")
        kept = stored.join(earliest, on="cid")
        year_end = pd.Timestamp(year, 3, 31)
        replaced = (
            kept["from_date"].notna()
            & (kept["decom"] >= kept["from_date"])
            & (kept["decom"] <= year_end)
        )
        stored = pd.concat([stored[~replaced.to_numpy()], arriving], ignore_index=True)
    return stored.sort_values(["cid", "decom"]).reset_index(drop=True)


def _geography(episodes: pd.DataFrame, postcodes_csv: Path) -> pd.DataFrame:
    """DfE's distance (straight line between the home and placement postcodes' grid
    references, in miles to one decimal place) and the placement's upper-tier council."""
    directory: dict[str, tuple[int, int, str]] = {}
    with postcodes_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            directory[_squeeze(row["postcode"])] = (
                int(row["easting"]),
                int(row["northing"]),
                row["la_ons_code"],
            )
    known: dict[tuple[str, str], tuple[float, str]] = {}
    miles, councils = [], []
    for pair in zip(episodes["home"], episodes["placed_at"], strict=True):
        if pair not in known:
            h, p = directory.get(_squeeze(pair[0])), directory.get(_squeeze(pair[1]))
            distance = math.nan
            if h and p:
                straight = math.sqrt((h[0] - p[0]) ** 2 + (h[1] - p[1]) ** 2) / 1000 / 1.6093
                # To one decimal place, halves away from zero, from the value to 15 digits.
                distance = float(
                    Decimal(f"{straight:.15g}").quantize(Decimal("0.1"), ROUND_HALF_UP)
                )
            known[pair] = (distance, p[2] if p else "")
        distance, council = known[pair]
        miles.append(distance)
        councils.append(council)
    return episodes.drop(columns=["home", "placed_at", "year"]).assign(miles=miles, pl_la=councils)


def _squeeze(postcode: str) -> str:
    return "".join(postcode.split()).upper()


# --- reading the database ---------------------------------------------------------------


def from_database() -> History:
    """The stored history (children, episodes with the distances worked out at import,
    the per-year tables), read into DataFrames as it is, with no parsing."""
    from django.db import connection

    def frame(sql: str, columns: list[str]) -> pd.DataFrame:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return pd.DataFrame(cursor.fetchall(), columns=columns)

    la = "l.la_code"
    of_council = "JOIN corporate_parenting_localauthority l ON l.id = t.la_id"
    councils = frame(
        "SELECT la_code, ons_code FROM corporate_parenting_localauthority", ["la_code", "ons_code"]
    )
    council_years = frame(
        "SELECT DISTINCT l.la_code, i.year FROM placements_import i "
        "JOIN corporate_parenting_localauthority l ON l.id = i.la_id "
        "WHERE i.status IN ('imported', 'imported_with_skips')",
        ["la_code", "year"],
    )
    children = frame(
        f"SELECT t.id, {la}, t.dob, t.sex, t.ethnic FROM placements_child t {of_council}",
        ["cid", "la_code", "dob", "sex", "ethnic"],
    )
    episodes = frame(
        f"SELECT t.child_id, {la}, t.decom, t.dec, t.rne, t.ls, t.place, t.rec, "
        f"t.distance_miles::float8, t.placement_la_ons FROM placements_episode t {of_council}",
        ["cid", "la_code", "decom", "dec", "rne", "ls", "place", "rec", "miles", "pl_la"],
    )

    def year_table(table: str, columns: list[str]) -> pd.DataFrame:
        return frame(
            f"SELECT {la}, t.year, t.child_id, {', '.join('t.' + c for c in columns)} "
            f"FROM {table} t {of_council}",
            ["la_code", "year", "cid", *columns],
        )

    oc2 = year_table(
        "placements_oc2",
        ["sdq_score", "convicted", "immunisations", "teeth_check", "health_assessment"],
    )
    for flag in ("convicted", "immunisations", "teeth_check", "health_assessment"):
        oc2[flag] = oc2[flag].eq(True)
    ad1 = year_table("placements_ad1", ["date_match", "foster_care"])
    ad1["foster_care"] = ad1["foster_care"].eq(True)
    population = frame(
        "SELECT l.la_code, p.year, p.population_0_17 FROM corporate_parenting_population p "
        "JOIN corporate_parenting_localauthority l ON l.id = p.la_id",
        ["la_code", "year", "population_0_17"],
    )
    history = History(
        councils=councils,
        council_years=council_years,
        children=children,
        episodes=episodes,
        uasc=year_table("placements_uasc", ["duc"]),
        oc2=oc2,
        oc3=year_table("placements_oc3", ["in_touch", "activ", "accom"]),
        ad1=ad1,
        missing=year_table("placements_missing", ["missing"]),
        reviews=year_table("placements_review", ["review", "review_code"]),
        population=population,
    )
    for table, columns in (
        (history.children, ["dob"]),
        (history.episodes, ["decom", "dec"]),
        (history.uasc, ["duc"]),
        (history.ad1, ["date_match"]),
        (history.reviews, ["review"]),
    ):
        for column in columns:
            table[column] = pd.to_datetime(table[column])
    history.episodes = history.episodes.sort_values(["cid", "decom"]).reset_index(drop=True)
    return history


# --- the indicators ---------------------------------------------------------------------


def ratio(numerator, denominator, scale: int = 100, places: int = 1):
    """numerator x scale / denominator, rounded as published statistics are: halves up."""
    if numerator is None or not denominator:
        return None
    exact = Decimal(str(numerator)) * scale / Decimal(str(denominator))
    return float(exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def age_on(dob: pd.Series, day) -> pd.Series:
    """Age in whole years on `day` (a date, or a Series of dates)."""
    if isinstance(day, pd.Series):
        y, md = day.dt.year, day.dt.month * 100 + day.dt.day
    else:
        y, md = day.year, day.month * 100 + day.day
    return y - dob.dt.year - (md < dob.dt.month * 100 + dob.dt.day).astype(int)


def periods_of(year: int) -> list[tuple[int, pd.Timestamp, pd.Timestamp]]:
    """The year (quarter 0) and its four quarters, as (quarter, first day, last day)."""
    start = pd.Timestamp(year - 1, 4, 1)
    result = [(0, start, pd.Timestamp(year, 3, 31))]
    for q in range(4):
        first = start + pd.DateOffset(months=3 * q)
        result.append((q + 1, first, first + pd.DateOffset(months=3) - pd.Timedelta(days=1)))
    return result


class _Out:
    """Collects figures and notes as rows."""

    def __init__(self) -> None:
        self.values: list[tuple] = []
        self.notes: list[tuple] = []

    def figure(self, la, year, quarter, code, numerator, denominator, value) -> None:
        self.values.append((la, year, quarter, code, numerator, denominator, value))

    def count(self, la, year, quarter, code, n) -> None:
        self.figure(la, year, quarter, code, n, None, n)

    def percent(self, la, year, quarter, code, n, of, scale=100, places=1) -> None:
        self.figure(la, year, quarter, code, n, of, ratio(n, of, scale, places))

    def note(self, la, year, quarter, code, note, value) -> None:
        self.notes.append((la, year, quarter, code, note, value))


def compute(h: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every covered indicator for every council-year with a return (and, for stock and
    flow indicators, its quarters); returns (values, notes)."""
    out = _Out()
    episodes = h.episodes
    counted = episodes[~episodes["ls"].isin(SHORT_BREAKS)]
    ons = dict(zip(h.councils["la_code"], h.councils["ons_code"], strict=True))
    columns = ["la_code", "year", "population_0_17"]
    population = {(la, y): n for la, y, n in h.population[columns].itertuples(index=False)}
    dob = h.children.set_index("cid")["dob"]
    years = h.council_years.groupby("year")["la_code"].apply(sorted).to_dict()
    periods, placements = derive_periods(episodes)
    for year, councils in sorted(years.items()):
        for quarter, start, end in periods_of(year):
            looked_after = _looked_after(counted, end)
            _stock(out, h, councils, year, quarter, end, looked_after, ons, population, dob)
            _flow(out, councils, year, quarter, start, end, counted, population)
            if quarter == 0:
                _stability(out, councils, year, start, end, looked_after, periods, placements, dob)
                _outcomes(out, h, councils, year, end, dob)
                _missing(out, h, councils, year, start, end, counted)
                _adoption(out, h, councils, year, end, episodes, periods)
                _reviews(out, h, councils, year, dob)
    return (
        pd.DataFrame(out.values, columns=VALUE_COLUMNS),
        pd.DataFrame(out.notes, columns=NOTE_COLUMNS),
    )


def derive_periods(episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Periods of care (from an RNE=S episode to the first episode whose REC is not X1)
    and placements (consecutive episodes until an RNE of P, B, T or U), per DOMAIN.md."""
    e = episodes.sort_values(["cid", "decom"]).reset_index(drop=True)
    same_child = e["cid"].eq(e["cid"].shift())
    new_period = ~same_child | e["rne"].eq("S") | e["rec"].shift().ne("X1")
    e["period"] = new_period.cumsum()
    e["placement"] = (new_period | e["rne"].isin(NEW_PLACEMENT)).cumsum()
    first = e.drop_duplicates("period").set_index("period")
    last = e.drop_duplicates("period", keep="last").set_index("period")
    periods = pd.DataFrame(
        {
            "cid": first["cid"],
            "la_code": first["la_code"],
            "start": first["decom"],
            "end": last["dec"],  # blank while the last episode is open
            "start_known": first["rne"].eq("S"),
            "short_breaks_only": e["ls"].isin(SHORT_BREAKS).groupby(e["period"]).all(),
        }
    )
    first = e.drop_duplicates("placement").set_index("placement")
    last = e.drop_duplicates("placement", keep="last").set_index("placement")
    placements = pd.DataFrame(
        {
            "cid": first["cid"],
            "period": first["period"],
            "start": first["decom"],
            "end": last["dec"],
            "place": last["place"],
        }
    )
    placements["short_breaks_only"] = placements["period"].map(periods["short_breaks_only"])
    return periods, placements


def _looked_after(counted: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Each child with a (non-short-break) episode open on `day`, through that episode."""
    open_on = counted[(counted["decom"] <= day) & (counted["dec"].isna() | (counted["dec"] > day))]
    return open_on.sort_values("decom").drop_duplicates("cid", keep="last")


def _by_council(frame: pd.DataFrame, councils: list[str], **columns: pd.Series) -> pd.DataFrame:
    """Per council (every one in `councils`, in order): `n`, its rows in `frame`, and the
    sum of each column given (True counts 1)."""
    table = pd.DataFrame(columns, index=frame.index).astype("int64")
    table["n"] = 1
    return table.groupby(frame["la_code"]).sum().reindex(councils, fill_value=0)


def _stock(out, h, councils, year, quarter, end, looked_after, ons, population, dob) -> None:
    uasc = h.uasc[(h.uasc["year"] == year) & (h.uasc["duc"].isna() | (h.uasc["duc"] > end))]
    cla = looked_after.assign(
        uasc=looked_after["cid"].isin(uasc["cid"]),
        age=age_on(looked_after["cid"].map(dob), end),
    )
    area_known = cla["pl_la"].ne("")
    t = _by_council(
        cla,
        councils,
        far=cla["miles"] > 20,
        known=cla["miles"].notna(),
        away=area_known & cla["pl_la"].ne(cla["la_code"].map(ons)),
        area_known=area_known,
        uasc=cla["uasc"],
    )
    for la, r in zip(t.index, t.itertuples(index=False), strict=True):
        people = population.get((la, year - 1))
        out.count(la, year, quarter, "cla_at_31_march", r.n)
        out.percent(la, year, quarter, "cla_rate_per_10k", r.n, people, 10_000, 0)
        out.percent(la, year, quarter, "placed_20_miles_plus", r.far, r.known)
        out.percent(la, year, quarter, "placed_out_of_area", r.away, r.area_known)
        out.count(la, year, quarter, "uasc_at_31_march", r.uasc)
    _breakdowns(out, year, quarter, cla, h.children)


def _breakdowns(out, year, quarter, cla, children) -> None:
    """Children looked after by age band, sex, ethnicity, legal status, placement, UASC."""
    described = cla.merge(children[["cid", "sex", "ethnic"]], on="cid")
    band = pd.Series("16 and over", index=described.index)
    for below, label in reversed(AGE_BANDS):
        band[described["age"] < below] = label
    dimensions = {
        "age": band,
        "sex": described["sex"],
        "ethnicity": described["ethnic"],
        "legal_status": described["ls"],
        "placement": described["place"],
        "uasc": described["uasc"].map({True: "UASC", False: "Not UASC"}),
    }
    for dimension, categories in dimensions.items():
        counts = categories.groupby([described["la_code"], categories]).size()
        for (la, category), n in counts.items():
            out.note(la, year, quarter, "cla_at_31_march", f"breakdowns/{dimension}/{category}", n)


def _flow(out, councils, year, quarter, start, end, counted, population) -> None:
    began = counted[(counted["rne"] == "S") & counted["decom"].between(start, end)]
    starts = began.groupby("la_code")["cid"].nunique()
    ended = counted[counted["dec"].between(start, end) & (counted["rec"] != "X1")]
    # Each child once, at their last ceasing in the period.
    last = ended.sort_values(["dec", "decom"]).drop_duplicates("cid", keep="last")
    rec = last["rec"]
    t = _by_council(
        last,
        councils,
        ceased_adoption=rec.isin(ADOPTION),
        ceased_sgo=rec.isin(SGO),
        ceased_cao=rec.isin(CAO),
        ceased_reunification=rec.isin(RETURN_HOME),
        staying_put=rec.eq("E17"),
    )
    routes = ["ceased_adoption", "ceased_sgo", "ceased_cao", "ceased_reunification"]
    for la, r in zip(t.index, t.itertuples(index=False), strict=True):
        out.count(la, year, quarter, "starts", int(starts.get(la, 0)))
        out.count(la, year, quarter, "ceased", r.n)
        people = population.get((la, year - 1))
        out.percent(la, year, quarter, "ceased_rate_per_10k", r.n, people, 10_000, 0)
        for code in routes:
            out.count(la, year, quarter, code, getattr(r, code))
        permanent = sum(getattr(r, code) for code in routes)
        out.percent(la, year, quarter, "permanence_rate", permanent, r.n)
        out.count(la, year, quarter, "staying_put", r.staying_put)


def _stability(out, councils, year, start, end, looked_after, periods, placements, dob) -> None:
    # Three or more placements overlapping the year, of children looked after at its end.
    in_year = placements[
        ~placements["short_breaks_only"]
        & (placements["start"] <= end)
        & (placements["end"].isna() | (placements["end"] >= start))
        & placements["cid"].isin(looked_after["cid"])
    ]
    moves = looked_after["cid"].map(in_year.groupby("cid").size()).fillna(0)
    three_plus = _by_council(looked_after, councils, three=moves >= 3)

    # Long-term: under 16, in care 2 1/2 years, 2 years in the placement (or, placed for
    # adoption, with the placement before it).
    current_period = periods[
        (periods["start"] <= end) & (periods["end"].isna() | (periods["end"] > end))
    ]
    current = placements[
        (placements["start"] <= end) & (placements["end"].isna() | (placements["end"] > end))
    ]
    long = looked_after[["cid", "la_code"]].merge(
        current_period.reset_index()[["cid", "period", "start", "start_known"]], on="cid"
    )
    long = long.merge(
        current[["cid", "period", "start", "place"]].rename(columns={"start": "placed"}),
        on=["cid", "period"],
    )
    earlier = placements.reset_index()[["period", "start"]].rename(columns={"start": "before"})
    previous = long.merge(earlier, on="period")
    previous = previous[previous["before"] < previous["placed"]].groupby("cid")["before"].max()
    long["before"] = long["cid"].map(previous)
    long = long[age_on(long["cid"].map(dob), end) < 16]
    cohort = long["start"] <= end - pd.DateOffset(months=30)
    two_years = end - pd.DateOffset(years=2)
    stable = cohort & (
        (long["placed"] <= two_years)
        | (long["place"].isin(PLACED_FOR_ADOPTION) & (long["before"] <= two_years))
    )
    t = _by_council(
        long, councils, stable=stable, cohort=cohort, unknown=~cohort & ~long["start_known"]
    )
    for la in councils:
        out.percent(
            la,
            year,
            0,
            "stability_3plus_placements",
            three_plus.at[la, "three"],
            three_plus.at[la, "n"],
        )
        r = t.loc[la]
        out.percent(la, year, 0, "stability_long_term", r["stable"], r["cohort"])
        out.note(la, year, 0, "stability_long_term", "period_start_not_in_data", r["unknown"])


def _outcomes(out, h, councils, year, end, dob) -> None:
    """OC2 (the year's table is the cohort) and OC3 (care leavers, by age band)."""
    oc2 = h.oc2[h.oc2["year"] == year]
    age = age_on(oc2["cid"].map(dob), end)
    scored = age.between(5, 16) & oc2["sdq_score"].notna()
    t = _by_council(
        oc2,
        councils,
        health_assessment=oc2["health_assessment"],
        teeth_check=oc2["teeth_check"],
        immunisations=oc2["immunisations"],
        scored=scored,
        sdq=oc2["sdq_score"].where(scored, 0),
        ten_plus=age >= 10,
        convicted=oc2["convicted"] & (age >= 10),
    )
    for la, r in zip(t.index, t.itertuples(index=False), strict=True):
        out.count(la, year, 0, "oc2_cohort", r.n or None)  # no OC2 rows: no cohort, not 0
        out.percent(la, year, 0, "oc2_health_assessment", r.health_assessment, r.n)
        out.percent(la, year, 0, "oc2_dental_check", r.teeth_check, r.n)
        out.percent(la, year, 0, "oc2_immunisations", r.immunisations, r.n)
        out.percent(la, year, 0, "sdq_average", r.sdq if r.scored else None, r.scored, 1)
        out.percent(la, year, 0, "oc2_convicted", r.convicted, r.ten_plus)

    oc3 = h.oc3[(h.oc3["year"] == year) & ~h.oc3["in_touch"].isin(["DIED", "RHOM"])]
    age = age_on(oc3["cid"].map(dob), end)
    for band, low, high in (("17_18", 17, 18), ("19_21", 19, 21)):
        group = oc3[age.between(low, high)]
        t = _by_council(
            group,
            councils,
            in_touch=group["in_touch"].eq("YES"),
            eet=group["activ"].isin(EET),
            suitable=group["accom"].str.endswith("1"),
        )
        for la, r in zip(t.index, t.itertuples(index=False), strict=True):
            out.percent(la, year, 0, f"care_leavers_in_touch_{band}", r.in_touch, r.n)
            out.percent(la, year, 0, f"care_leavers_eet_{band}", r.eet, r.n)
            out.percent(la, year, 0, f"care_leavers_suitable_accommodation_{band}", r.suitable, r.n)


def _missing(out, h, councils, year, start, end, counted) -> None:
    if year < 2015:
        return  # the Missing table was first collected in 2014/15: no figures before
    during = counted[
        (counted["decom"] <= end) & (counted["dec"].isna() | (counted["dec"] >= start))
    ]
    during = during[["cid", "la_code"]].drop_duplicates("cid")
    incidents = h.missing[h.missing["year"] == year]
    t = _by_council(
        during,
        councils,
        missing=during["cid"].isin(incidents.loc[incidents["missing"] == "M", "cid"]),
        away=during["cid"].isin(incidents.loc[incidents["missing"] == "A", "cid"]),
    )
    for la, r in zip(t.index, t.itertuples(index=False), strict=True):
        for code, n in (("missing_children_pct", r.missing), ("away_children_pct", r.away)):
            out.percent(la, year, 0, code, n, r.n)


def _adoption(out, h, councils, year, end, episodes, periods) -> None:
    """A1, A2 and A10 over the adoptions of the three years ending at `end`."""
    window = episodes[
        episodes["rec"].isin(ADOPTION)
        & (episodes["dec"] > end - pd.DateOffset(years=3))
        & (episodes["dec"] <= end)
    ]
    adopted = window.sort_values("dec").drop_duplicates("cid", keep="last")[
        ["cid", "la_code", "dec"]
    ]
    ended = periods.reset_index()[["cid", "period", "start", "end", "start_known"]]
    adopted = adopted.merge(ended, left_on=["cid", "dec"], right_on=["cid", "end"])
    mine = episodes[episodes["cid"].isin(adopted["cid"])].copy()
    mine["run"] = mine["rne"].isin(NEW_CARER).groupby(mine["cid"]).cumsum()
    mine = mine.merge(adopted[["cid", "start", "end"]], on="cid")
    within = mine[(mine["decom"] >= mine["start"]) & (mine["decom"] <= mine["end"])]
    moved = within[within["place"].isin(PLACED_FOR_ADOPTION)].sort_values("decom")
    moved = moved.drop_duplicates("cid")[["cid", "decom", "run"]]
    run_start = mine.groupby(["cid", "run"])["decom"].min().rename("with_carer")
    moved = moved.join(run_start, on=["cid", "run"]).set_index("cid")
    order = within[within["ls"].isin(["E1", "D1"])].groupby("cid")["decom"].min()
    ad1 = h.ad1.sort_values("year").drop_duplicates("cid", keep="last").set_index("cid")
    adopted = adopted.assign(
        moved_in=adopted["cid"].map(moved["decom"]),
        with_carer=adopted["cid"].map(moved["with_carer"]),
        order=adopted["cid"].map(order),
        matched=adopted["cid"].map(ad1["date_match"]),
        by_foster_carer=adopted["cid"].map(ad1["foster_care"]).eq(True),
    )
    a1 = adopted[adopted["start_known"] & adopted["moved_in"].notna()]
    clock_stops = a1["with_carer"].where(a1["by_foster_carer"], a1["moved_in"])
    ones = _by_council(
        a1,
        councils,
        a1=(a1["moved_in"] - a1["start"]).dt.days,
        a10=(clock_stops - a1["start"]).dt.days,
    )
    unknown = _by_council(adopted, councils, unknown=~adopted["start_known"])
    a2 = adopted[adopted["matched"].notna() & adopted["order"].notna()]
    twos = _by_council(a2, councils, a2=(a2["matched"] - a2["order"]).dt.days.clip(lower=0))
    for la in councils:
        n1, n2 = ones.at[la, "n"], twos.at[la, "n"]
        for code, column in (("adoption_a1_days", "a1"), ("adoption_a10_days", "a10")):
            out.percent(la, year, 0, code, ones.at[la, column] if n1 else None, n1, 1, 0)
            out.note(la, year, 0, code, "period_start_not_in_data", unknown.at[la, "unknown"])
        out.percent(la, year, 0, "adoption_a2_days", twos.at[la, "a2"] if n2 else None, n2, 1, 0)


def _reviews(out, h, councils, year, dob) -> None:
    reviews = h.reviews[h.reviews["year"] == year]
    reviews = reviews[age_on(reviews["cid"].map(dob), reviews["review"]) >= 4]
    codes = reviews["review_code"]
    t = _by_council(
        reviews, councils, took_part=codes.isin(TOOK_PART), held=codes.isin((*TOOK_PART, "PN7"))
    )
    for la, r in zip(t.index, t.itertuples(index=False), strict=True):
        out.percent(la, year, 0, "review_participation", r.took_part, r.held)


# --- what the dataset looks like -----------------------------------------------------------

PLACEMENT_GROUPS = (
    ("foster placements", ("U1", "U2", "U3", "U4", "U5", "U6")),
    ("secure units, children's homes, semi-independent living", ("K1", "K2", "K3", "H5")),
    ("placed with parents", ("P1",)),
    ("independent living, residential employment", ("P2", "P3")),
    ("placed for adoption", PLACED_FOR_ADOPTION),
    ("other residential settings", ("R1", "R2", "R3", "R5", "S1")),
)
LEGAL_GROUPS = (
    ("full care order (C2)", ("C2",)),
    ("interim care order (C1)", ("C1",)),
    ("section 20 (V2)", ("V2",)),
    ("placement order (E1, D1)", ("E1", "D1")),
)
EXIT_GROUPS = (
    ("returned home (E4A, E4B, E13)", ("E4A", "E4B", "E13")),
    ("special guardianship (E43-E48)", SGO),
    ("adopted (E11, E12)", ADOPTION),
    ("child arrangements order (E41)", CAO),
    ("independent living (E5, E6)", ("E5", "E6")),
    ("staying put (E17)", ("E17",)),
)


def profile(h: History, year: int) -> dict[str, dict[str, float]]:
    """England's shape in one year, from the history: the figures bench/README.md sets
    beside DfE's. Shares are percentages; "other" is whatever no group above takes."""
    start, end = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    counted = h.episodes[~h.episodes["ls"].isin(SHORT_BREAKS)]
    cla = _looked_after(counted, end)
    dob = h.children.set_index("cid")["dob"]
    sex = h.children.set_index("cid")["sex"]
    uasc = h.uasc[(h.uasc["year"] == year) & (h.uasc["duc"].isna() | (h.uasc["duc"] > end))]
    ages = age_on(cla["cid"].map(dob), end)
    bands = {"under 1": ages < 1, "1 to 4": ages.between(1, 4), "5 to 9": ages.between(5, 9)}
    bands |= {"10 to 15": ages.between(10, 15), "16 and over": ages >= 16}
    ended = counted[counted["dec"].between(start, end) & (counted["rec"] != "X1")]
    last = ended.sort_values(["dec", "decom"]).drop_duplicates("cid", keep="last")
    began = counted[(counted["rne"] == "S") & counted["decom"].between(start, end)]

    def shares(column: pd.Series, groups) -> dict[str, float]:
        found = {label: _percent(column.isin(codes).sum(), len(column)) for label, codes in groups}
        found["other"] = round(100 - sum(found.values()), 1)
        return found

    return {
        "children": {
            "looked after at 31 March": len(cla),
            "started in the year": began["cid"].nunique(),
            "ceased in the year": len(last),
            "male (%)": _percent(cla["cid"].map(sex).eq("1").sum(), len(cla)),
            "UASC (%)": _percent(cla["cid"].isin(uasc["cid"]).sum(), len(cla)),
            "ceased at 18 or over (%)": _percent(
                (age_on(last["cid"].map(dob), last["dec"]) >= 18).sum(), len(last)
            ),
        },
        "age at 31 March (%)": {k: _percent(v.sum(), len(cla)) for k, v in bands.items()},
        "placement at 31 March (%)": shares(cla["place"], PLACEMENT_GROUPS),
        "legal status at 31 March (%)": shares(cla["ls"], LEGAL_GROUPS),
        "reason ceased (%)": shares(last["rec"], EXIT_GROUPS),
    }


def _percent(n, of) -> float:
    return round(100 * int(n) / of, 1) if of else 0.0


# --- comparing with what PostgreSQL stored -------------------------------------------------


def stored_values() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The IndicatorValue rows of the covered indicators, and their notes, as rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.la_code, v.year, v.quarter, i.code, v.numerator, v.denominator, v.value, "
            "v.notes FROM performance_indicatorvalue v "
            "JOIN performance_indicator i ON i.id = v.indicator_id "
            "JOIN corporate_parenting_localauthority l ON l.id = v.la_id "
            "WHERE i.code = ANY(%s)",
            [list(COVERED)],
        )
        rows = cursor.fetchall()
    values, notes = [], []
    for la, year, quarter, code, numerator, denominator, value, stored_notes in rows:
        values.append((la, year, quarter, code, numerator, denominator, value))
        if isinstance(stored_notes, str):  # a raw cursor leaves jsonb as text
            stored_notes = json.loads(stored_notes)
        for note, content in (stored_notes or {}).items():
            if note == "breakdowns":
                for dimension, categories in content.items():
                    for category, n in categories.items():
                        notes.append(
                            (la, year, quarter, code, f"breakdowns/{dimension}/{category}", n)
                        )
            else:
                notes.append((la, year, quarter, code, note, content))
    return pd.DataFrame(values, columns=VALUE_COLUMNS), pd.DataFrame(notes, columns=NOTE_COLUMNS)


def differences(
    ours: tuple[pd.DataFrame, pd.DataFrame], theirs: tuple[pd.DataFrame, pd.DataFrame]
) -> list[str]:
    """Every figure or note that differs, is missing, or is extra, in words."""
    problems = []
    keys = ["la_code", "year", "quarter", "code"]
    for (mine, stored), fields, extra_key in (
        ((ours[0], theirs[0]), ["numerator", "denominator", "value"], []),
        ((ours[1], theirs[1]), ["value"], ["note"]),
    ):
        joined = mine.merge(
            stored, on=keys + extra_key, how="outer", indicator="side", suffixes=("_pandas", "_sql")
        )
        for row in joined.itertuples(index=False):
            where = " ".join(str(getattr(row, k)) for k in keys + extra_key)
            if row.side != "both":
                side = "pandas only" if row.side == "left_only" else "SQL only"
                problems.append(f"{where}: {side}")
                continue
            for f in fields:
                a, b = getattr(row, f"{f}_pandas"), getattr(row, f"{f}_sql")
                if not _same(a, b):
                    problems.append(f"{where} {f}: pandas {a!r}, SQL {b!r}")
    return problems


def _same(a, b) -> bool:
    missing_a = a is None or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or (isinstance(b, float) and math.isnan(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    return float(a) == float(b)
