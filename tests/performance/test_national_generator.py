"""The national benchmark's dataset and its pandas reference, at a tiny scale.

bench/national.py runs every council for ten years; these tests hold what it relies on
with three small councils and three years: a council's files depend only on the seed,
not on which other councils are generated with it; a child still in care at the year's
end is in the next year's return; every return imports through `import_903` without a
single error; and the indicators computed with pandas from the written definitions agree
with PostgreSQL's number for number.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.db import connection

from bench import generate_national, pandas_reference
from corporate_parenting.models import LocalAuthority, Population
from performance.models import IndicatorValue
from performance.services import recompute
from placements.models import Import
from placements.postcodes import CREATE_SQL
from tests.conftest import ensure_reference_data

COUNCILS = ["201", "319", "857"]  # City of London, Sutton, Rutland: small, so quick
YEARS = 3


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national")
    generate_national.generate(out, la_codes=COUNCILS, years=YEARS)
    return out


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_same_seed_gives_the_same_files_whatever_else_is_generated(dataset, tmp_path):
    # Generated again, alone rather than with two other councils: the same bytes.
    generate_national.generate(tmp_path / "alone", la_codes=["857"], years=YEARS)
    generate_national.generate(tmp_path / "other", la_codes=["857"], years=YEARS, seed=904)

    assert len(contents(dataset)) == len(COUNCILS) * YEARS * len(generate_national.demo.FILES) + 2
    assert contents(dataset / "857") == contents(tmp_path / "alone" / "857")
    assert contents(dataset / "857") != contents(tmp_path / "other" / "857")


def test_a_child_in_care_at_the_year_end_is_in_the_next_return_with_that_episode(dataset):
    ends_2022 = rows(dataset / "857" / "2022" / "episodes.csv")
    in_2023 = {(r["CHILD"], r["DECOM"]): r for r in rows(dataset / "857" / "2023" / "episodes.csv")}
    still_open = [(r["CHILD"], r["DECOM"]) for r in ends_2022 if not r["DEC"]]

    assert len(still_open) > 30
    assert all(key in in_2023 for key in still_open)
    closed_since = [in_2023[key] for key in still_open if in_2023[key]["DEC"]]
    assert closed_since, "some of them moved on or left care during 2022/23"
    assert all(r["REC"] for r in closed_since)


def load(dataset: Path, years: tuple[int, ...], *, postcodes: bool = True) -> None:
    """The dataset's years in the database as the benchmark loads them: postcodes,
    populations and every return through import_903 with recompute deferred.

    Without `postcodes`, placement distances stay unknown; a test that commits leaves
    no rows behind in the postcode table, which no flush empties."""
    if postcodes:
        with connection.cursor() as cursor:
            cursor.execute(CREATE_SQL)
            cursor.executemany(
                "INSERT INTO ref_postcode VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [
                    [r["postcode"].replace(" ", ""), r["easting"], r["northing"], r["la_ons_code"]]
                    for r in rows(dataset / "postcodes.csv")
                ],
            )
    councils = {la.la_code: la for la in LocalAuthority.objects.filter(la_code__in=COUNCILS)}
    for row in rows(dataset / "population.csv"):
        Population.objects.update_or_create(
            la=councils[row["la_code"]],
            year=int(row["year"]),
            defaults={"population_0_17": int(row["population_0_17"])},
        )
    for code in COUNCILS:
        for year in years:
            folder = dataset / code / str(year)
            call_command(
                "import_903",
                *("--la", code, "--year", str(year), "--no-recompute", str(folder)),
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )


@pytest.fixture
def imported(dataset, db) -> Path:
    """Every year of the dataset loaded, then one recompute."""
    load(dataset, generate_national.YEARS[-YEARS:])
    for la in LocalAuthority.objects.filter(la_code__in=COUNCILS):
        recompute(la, charts=False)
    return dataset


def test_the_returns_import_cleanly_and_pandas_agrees_with_postgresql(imported):
    runs = Import.objects.all()
    assert runs.count() == len(COUNCILS) * YEARS
    assert {r.status for r in runs} == {Import.Status.IMPORTED}
    assert sum(r.error_count for r in runs) == 0
    assert all(r.counts["episodes"] > 0 and r.counts["Reviews"] > 0 for r in runs)

    stored = pandas_reference.stored_values()
    assert set(stored[0]["code"]) == set(pandas_reference.COVERED)
    councils = pd.DataFrame(
        LocalAuthority.objects.values_list("la_code", "ons_code"), columns=["la_code", "ons_code"]
    )
    for history in (
        pandas_reference.from_returns(imported, councils),
        pandas_reference.from_database(),
    ):
        values, notes = pandas_reference.compute(history)
        assert len(values) == len(stored[0]) and len(notes) == len(stored[1])
        assert pandas_reference.differences((values, notes), stored) == []


@pytest.mark.django_db(transaction=True)
def test_recomputing_in_two_processes_stores_what_one_process_does(dataset):
    """`recompute_indicators --jobs 2`, as the national benchmark runs it."""
    ensure_reference_data()  # a transactional test may have emptied the tables
    load(dataset, generate_national.YEARS[-1:], postcodes=False)

    def stored() -> list[tuple]:
        return sorted(
            IndicatorValue.objects.values_list(
                "la__la_code", "indicator__code", "year", "quarter", "value", "numerator",
                "denominator", "notes",
            )
        )  # fmt: skip

    runs = {}
    for jobs in ("1", "2"):
        IndicatorValue.objects.all().delete()
        out = io.StringIO()
        call_command("recompute_indicators", "--jobs", jobs, stdout=out)
        assert len(out.getvalue().splitlines()) == len(COUNCILS) + 1, out.getvalue()
        runs[jobs] = stored()
    assert len(runs["1"]) > 100
    assert runs["2"] == runs["1"]


def test_a_figure_or_note_that_differs_or_is_missing_is_reported():
    def frames(starts, note):
        values = pd.DataFrame(
            [("857", 2023, 0, "starts", starts, None, starts)],
            columns=pandas_reference.VALUE_COLUMNS,
        )
        notes = pd.DataFrame(
            [("857", 2023, 0, "stability_long_term", "period_start_not_in_data", note)],
            columns=pandas_reference.NOTE_COLUMNS,
        )
        return values, notes

    assert pandas_reference.differences(frames(20, 3), frames(20.0, 3)) == []
    assert (
        pandas_reference.differences(frames(20, 3), frames(21.0, 3))
        == [
            "857 2023 0 starts value: pandas 20, SQL 21.0",
            "857 2023 0 starts numerator: pandas 20, SQL 21.0",
        ][::-1]
    )
    missing = (frames(20, 3)[0].iloc[0:0], frames(20, 4)[1])
    assert pandas_reference.differences(frames(20, 3), missing) == [
        "857 2023 0 starts: pandas only",
        "857 2023 0 stability_long_term period_start_not_in_data value: pandas 3, SQL 4",
    ]
