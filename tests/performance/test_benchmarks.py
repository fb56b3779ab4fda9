"""Loading published benchmarks: both layouts, every refusal, reloading, and the demo data."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from performance.benchmarks import (
    REFERENCE_DIR,
    load_benchmarks,
    load_demo_benchmarks_and_targets,
)
from performance.models import Benchmark, Target

pytestmark = pytest.mark.django_db

HEADER = "indicator,year,area,area_code,value,source\n"
GOOD = (
    HEADER
    + "cla_rate_per_10k,2022,england,,70,DfE CLA 2022\n"
    + "cla_rate_per_10k,2022,region,East Midlands,62,DfE CLA 2022\n"
    + "care_leavers_eet_19_21,2021,neighbours,831,47.6,seed 004\n"
)
# A row that would be new: it must not be saved when the rest of its file is refused.
NEW_ROW = "cla_rate_per_10k,2019,england,,65,DfE CLA 2019\n"


def load(text: str | bytes, **options: object):
    data = text.encode() if isinstance(text, str) else text
    return load_benchmarks(data, name="bench.csv", **options)


def errors(problems) -> list[str]:
    return [p.message for p in problems if p.severity == "error"]


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Benchmark.objects.order_by("pk").values_list(
            "indicator__code", "year", "area", "area_code", "value", "source"
        )
    )


@pytest.fixture
def loaded(derby):
    saved, problems = load(GOOD)
    assert (saved, problems) == (3, [])
    return snapshot()


def test_it_loads_our_layout(loaded):
    england = Benchmark.objects.get(indicator__code="cla_rate_per_10k", area="england")
    assert (england.year, england.area_code, england.value, england.source) == (
        2022,
        "",
        70,
        "DfE CLA 2022",
    )
    region = Benchmark.objects.get(area="region")
    assert (region.area_code, region.value) == ("East Midlands", 62)
    neighbours = Benchmark.objects.get(area="neighbours")
    assert (neighbours.indicator.code, neighbours.area_code, neighbours.value) == (
        "care_leavers_eet_19_21",
        "831",
        47.6,
    )


def test_reloading_updates_in_place_rather_than_duplicating(loaded):
    saved, problems = load(GOOD.replace(",70,DfE CLA 2022", ",70.4,DfE CLA 2022 revised"))
    assert (saved, problems) == (3, [])
    assert Benchmark.objects.count() == 3
    england = Benchmark.objects.get(indicator__code="cla_rate_per_10k", area="england")
    assert (england.value, england.source) == (70.4, "DfE CLA 2022 revised")


def test_region_names_are_matched_ignoring_case_and_stored_as_dfe_spells_them(derby):
    saved, problems = load(HEADER + "cla_rate_per_10k,2022,region,yorkshire and the humber,77,\n")
    assert (saved, problems) == (1, [])
    assert Benchmark.objects.get().area_code == "Yorkshire and The Humber"


BAD_CASES = {
    "unknown indicator": (
        "cla_rate,2022,england,,70,\n",
        "'cla_rate' is not an indicator code (did you mean 'cla_rate_per_10k'?); known codes: "
        "cla_at_31_march, cla_rate_per_10k, starts, ceased, ceased_rate_per_10k and",
        "indicator",
        "cla_rate",
    ),
    "value not a number": (
        "cla_rate_per_10k,2022,england,,abc,\n",
        "'abc' is not a number",
        "value",
        "abc",
    ),
    "value with a percent sign": (
        "care_leavers_eet_19_21,2021,england,,52%,\n",
        "'52%' is not a number: give 52 for 52%",
        "value",
        "52%",
    ),
    "blank value": (
        "cla_rate_per_10k,2022,england,,,\n",
        "the value is blank: give the published figure, or leave the row out if there isn't one",
        "value",
        "",
    ),
    "two-digit year": (
        "cla_rate_per_10k,22,england,,70,\n",
        "'22' is not a year: use the 4-digit year the collection year ends, e.g. 2022 for "
        "2021/22 (between 2000 and 2100)",
        "year",
        "22",
    ),
    "year out of range": (
        "cla_rate_per_10k,1999,england,,70,\n",
        "'1999' is not a year",
        "year",
        "1999",
    ),
    "unknown area": (
        "cla_rate_per_10k,2022,country,,70,\n",
        "'country' is not an area: use england, region or neighbours",
        "area",
        "country",
    ),
    "bad region name": (
        "cla_rate_per_10k,2022,region,Midlands,70,\n",
        "'Midlands' is not a DfE region: use one of North East, North West, Yorkshire and The "
        "Humber, East Midlands, West Midlands, East of England, London, South East, South West",
        "area_code",
        "Midlands",
    ),
    "blank region": (
        "cla_rate_per_10k,2022,region,,70,\n",
        "area_code is blank: for region give the DfE region's name",
        "area_code",
        "",
    ),
    "unknown LA code": (
        "cla_rate_per_10k,2022,neighbours,999,70,\n",
        "'999' is not the DfE LA code of a council we know: for neighbours give the council whose "
        "statistical neighbours these are, e.g. 831 for Derby",
        "area_code",
        "999",
    ),
    "area code given for England": (
        "cla_rate_per_10k,2022,england,E92000001,70,\n",
        "area_code must be blank for england (it is 'E92000001')",
        "area_code",
        "E92000001",
    ),
    "percentage over 100": (
        "care_leavers_eet_19_21,2021,england,,123,\n",
        "123 is not a percentage: care_leavers_eet_19_21 is a percentage, so it must be between "
        "0 and 100",
        "value",
        "123",
    ),
    "negative count": (
        "cla_at_31_march,2022,england,,-5,\n",
        "-5 is negative: a published figure can't be",
        "value",
        "-5",
    ),
    "no England benchmark for the measure": (
        "permanence_rate,2022,england,,60,\n",
        "permanence_rate has no England benchmark: DfE doesn't publish one for it",
        "value",
        "60",
    ),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_each_bad_row_is_refused_precisely_and_nothing_is_saved(loaded, case):
    row, message, column, value = BAD_CASES[case]
    saved, problems = load(HEADER + NEW_ROW + row)
    assert saved == 0
    [problem] = [p for p in problems if p.severity == "error"]
    assert problem.message.startswith(message), problem.message
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "bench.csv",
        3,
        column,
        value,
    )
    assert snapshot() == loaded


def test_a_duplicate_names_both_rows(loaded):
    saved, problems = load(
        HEADER
        + NEW_ROW
        + "cla_rate_per_10k,2022,england,,70,\n"
        + "cla_rate_per_10k,2022,england,,71,\n"
    )
    assert saved == 0
    assert errors(problems) == [
        "duplicate: indicator cla_rate_per_10k, year 2022, area england appears in rows 3 and 4"
    ]
    assert problems[0].row == 4
    assert snapshot() == loaded


def test_every_problem_in_a_file_is_reported_not_just_the_first(loaded):
    saved, problems = load(
        HEADER + "xyz,22,england,,abc,\n" + "cla_rate_per_10k,2022,region,Midlands,70,\n"
    )
    assert saved == 0
    assert [(p.row, p.column) for p in problems] == [
        (2, "indicator"),
        (2, "year"),
        (2, "value"),
        (3, "area_code"),
    ]
    assert snapshot() == loaded


FILE_CASES = {
    "empty file": (b"", "The file is empty.", None),
    "blank file": (b"  \n\n", "The file is empty.", None),
    "header only": (HEADER.encode(), "The file is empty: it has column names but no rows.", 1),
    "not UTF-8": (
        (HEADER + "cla_rate_per_10k,2022,england,,70,Caf\xe9\n").encode("latin-1"),
        "The file is not UTF-8 text: row 2 contains the byte 0xE9, which is not valid UTF-8. It is "
        "probably Latin-1 or Windows-1252: save it as 'CSV UTF-8' and load it again.",
        2,
    ),
    "missing column": (
        b"indicator,year,area,area_code,source\ncla_rate_per_10k,2022,england,,x\n",
        "The column value is missing: our layout has the columns "
        "indicator,year,area,area_code,value,source",
        1,
    ),
    "unrecognised columns": (
        b"foo,bar\n1,2\n",
        "Its columns (foo, bar) are neither our layout",
        1,
    ),
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_files_that_cannot_be_read_are_refused(loaded, case):
    data, message, row = FILE_CASES[case]
    saved, problems = load(data)
    assert saved == 0
    [problem] = problems
    assert (problem.severity, problem.row) == ("error", row)
    assert problem.message.startswith(message), problem.message
    assert snapshot() == loaded


def test_a_byte_order_mark_and_extra_columns_are_fine(derby):
    saved, problems = load(
        (
            "\ufeff" + HEADER.replace("\n", ",notes\n") + "cla_rate_per_10k,2022,england,,70,,x\n"
        ).encode()
    )
    assert saved == 1
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "Column(s) notes are not used and were ignored.")
    ]


# --- DfE's open-data layout -------------------------------------------------------------

DFE_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
    "children_count,rate_per_10000\n"
)
CLA = "Children looked after on 31 March each year"
CEASING = "Children ceasing to be looked after each year"


def dfe_row(period: str, level: str, region: str, la: str, kind: str, count: str, rate: str) -> str:
    region_code = "E12000004" if region else ""
    la_name, la_code = ("Derby", "E06000015") if la else ("", "")
    return (
        f"{period},Reporting year,{level},E92000001,England,{region_code},{region},{la},"
        f"{la_name},{la_code},{kind},100000,{count},{rate}\n"
    )


DFE_FILE = (
    DFE_HEADER
    + dfe_row("202122", "National", "", "", CLA, "82170", "70")
    + dfe_row("202122", "National", "", "", CEASING, "30070", "26")
    + dfe_row("202122", "Regional", "East Midlands", "", CLA, "6190", "62")
    + dfe_row("202122", "Regional", "Yorkshire and the Humber", "", CLA, "8560", "c")
    + dfe_row("202122", "Regional", "Inner London", "", CLA, "4000", "80")
    + dfe_row("202122", "Local authority", "East Midlands", "831", CLA, "627", "104")
    + dfe_row("202122", "Local authority", "East Midlands", "831", CEASING, "242", "41")
    + dfe_row("2021", "National", "", "", CLA, "80780", "67")
)


def test_the_dfe_layout_loads_national_and_regional_rows(derby):
    saved, problems = load(DFE_FILE)
    assert errors(problems) == []
    got = {
        (b.indicator.code, b.year, b.area, b.area_code): b.value
        for b in Benchmark.objects.select_related("indicator")
    }
    assert got == {
        ("cla_at_31_march", 2022, "england", ""): 82170,
        ("cla_rate_per_10k", 2022, "england", ""): 70,
        ("ceased", 2022, "england", ""): 30070,
        ("ceased_rate_per_10k", 2022, "england", ""): 26,
        ("cla_at_31_march", 2022, "region", "East Midlands"): 6190,
        ("cla_rate_per_10k", 2022, "region", "East Midlands"): 62,
        ("cla_at_31_march", 2022, "region", "Yorkshire and The Humber"): 8560,
        ("cla_at_31_march", 2021, "england", ""): 80780,
        ("cla_rate_per_10k", 2021, "england", ""): 67,
    }
    assert saved == len(got)
    source = Benchmark.objects.filter(indicator__code="cla_rate_per_10k").first().source
    assert source == "DfE open data, bench.csv, column rate_per_10000"
    # One warning for each kind of skipped row, however many rows there were.
    assert [p.message for p in problems] == [
        "2 Local authority row(s) were skipped: a council's own figure is not a benchmark "
        "(load statistical-neighbour averages in our layout).",
        "1 Inner or Outer London row(s) were skipped: they are not DfE regions.",
        "1 figure(s) were withheld or not available in DfE's file (c, k, x, z ...) and were "
        "skipped.",
    ]
    assert {p.severity for p in problems} == {"warning"}


def test_reloading_a_dfe_file_updates_rather_than_duplicates(derby):
    first, _ = load(DFE_FILE)
    again, _ = load(DFE_FILE.replace(",82170,", ",82180,"))
    assert first == again == Benchmark.objects.count()
    assert (
        Benchmark.objects.get(indicator__code="cla_at_31_march", year=2022, area="england").value
        == 82180
    )


STABILITY = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,cla_group,placement_stability,number,percentage\n"
    "2024,Reporting year,National,E92000001,England,,,,,,Children looked after continuously for "
    "at least 2.5 years on 31 March aged under 16 years,Living with the same carer for at least "
    "2 years,19750,68\n"
    "2024,Reporting year,National,E92000001,England,,,,,,Children looked after continuously for "
    "at least 2.5 years on 31 March aged under 16 years,Total children,29000,100\n"
    "2024,Reporting year,National,E92000001,England,,,,,,CLA on 31 March,With 3 or more "
    "placements during the year,8000,10\n"
    "2024,Reporting year,National,E92000001,England,,,,,,CLA on 31 March,Total children,83630,100\n"
)


def test_the_default_mapping_picks_the_stability_rows_by_their_filters(derby):
    saved, problems = load(STABILITY)
    assert saved == 2
    assert [p.message for p in problems] == [
        "2 row(s) are breakdowns that aren't one of our indicators and were skipped."
    ]
    assert dict(Benchmark.objects.values_list("indicator__code", "value")) == {
        "stability_long_term": 68,
        "stability_3plus_placements": 10,
    }


def test_an_explicit_measure_without_a_filter_reports_the_split_columns(loaded):
    saved, problems = load(STABILITY, indicator="stability_long_term", measure="percentage")
    assert saved == 0
    assert errors(problems)[0] == (
        "duplicate: indicator stability_long_term, year 2024, area england appears in rows 2 and "
        "3. DfE's file splits it by placement_stability: choose the rows with --filter "
        "COLUMN=VALUE"
    )
    assert snapshot() == loaded


def test_the_command_maps_one_measure_with_filters(derby, tmp_path):
    file = tmp_path / "stability.csv"
    file.write_text(STABILITY)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "load_benchmarks",
        str(file),
        "--indicator",
        "stability_3plus_placements",
        "--measure",
        "Percentage",
        "--filter",
        "cla_group=CLA on 31 March",
        "--filter",
        "placement_stability=With 3 or more placements during the year",
        stdout=out,
        stderr=err,
    )
    assert "stability.csv: 1 benchmark(s) created or updated, 0 warning(s)." in out.getvalue()
    assert err.getvalue() == ""
    assert list(Benchmark.objects.values_list("indicator__code", "year", "value")) == [
        ("stability_3plus_placements", 2024, 10)
    ]


DFE_CASES = {
    "bad time period": (
        DFE_HEADER + dfe_row("202124", "National", "", "", CLA, "1", "1"),
        "'202124' is not a DfE time period: a two-year period such as 202122 names consecutive "
        "years",
        "time_period",
    ),
    "bad region": (
        DFE_HEADER + dfe_row("2022", "Regional", "Midlands", "", CLA, "1", "1"),
        "'Midlands' is not a DfE region",
        "region_name",
    ),
    "bad level": (
        DFE_HEADER + dfe_row("2022", "Ward", "", "", CLA, "1", "1"),
        "'Ward' is not a geographic level this loader reads: National, Regional or Local authority",
        "geographic_level",
    ),
    "not a number": (
        DFE_HEADER + dfe_row("2022", "National", "", "", CLA, "lots", "1"),
        "'lots' is not a number",
        "children_count",
    ),
}


@pytest.mark.parametrize("case", DFE_CASES)
def test_bad_dfe_rows_are_refused(loaded, case):
    text, message, column = DFE_CASES[case]
    saved, problems = load(text + dfe_row("2019", "National", "", "", CLA, "78150", "65"))
    assert saved == 0
    [problem] = [p for p in problems if p.severity == "error"]
    assert problem.message.startswith(message), problem.message
    assert (problem.row, problem.column) == (2, column)
    assert snapshot() == loaded


def test_a_dfe_file_of_only_local_authorities_loads_nothing(loaded):
    text = DFE_HEADER + dfe_row(
        "2022", "Local authority", "East Midlands", "831", CLA, "627", "104"
    )
    saved, problems = load(text)
    assert saved == 0
    assert errors(problems) == ["Nothing in the file is a benchmark we can load."]
    assert snapshot() == loaded


def test_a_dfe_file_without_a_known_measure_asks_for_one(loaded):
    text = "time_period,geographic_level,widgets\n2022,National,5\n"
    saved, problems = load(text)
    assert saved == 0
    assert errors(problems) == [
        "None of the file's columns is a DfE measure we know (widgets). Say which column is which "
        "indicator with --indicator CODE --measure COLUMN (and --filter COLUMN=VALUE to pick rows)."
    ]
    assert snapshot() == loaded


def test_dfe_options_are_refused_for_our_layout(loaded):
    saved, problems = load(GOOD, indicator="cla_rate_per_10k", measure="value")
    assert saved == 0
    assert errors(problems)[0].startswith("--indicator, --measure and --filter are for DfE")


# --- the command --------------------------------------------------------------------------


def test_the_command_prints_each_problem_and_says_the_database_is_unchanged(loaded, tmp_path):
    file = tmp_path / "bad.csv"
    file.write_text(HEADER + NEW_ROW + "cla_rate_per_10k,2022,england,,abc,\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("load_benchmarks", str(file), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == "ERROR: bad.csv, row 3, value: 'abc' is not a number\n"
    assert str(raised.value) == (
        "bad.csv: 1 error(s), 0 warning(s). Nothing was loaded: the database is unchanged."
    )
    assert snapshot() == loaded


def test_the_command_needs_indicator_and_measure_together(derby, tmp_path):
    file = tmp_path / "x.csv"
    file.write_text(DFE_FILE)
    with pytest.raises(CommandError, match="--indicator and --measure go together"):
        call_command("load_benchmarks", str(file), "--measure", "percentage")


# --- demo data ----------------------------------------------------------------------------


def test_the_demo_loader_is_idempotent_and_has_the_seed_figures(derby):
    load_demo_benchmarks_and_targets()
    benchmarks, targets = snapshot(), list(Target.objects.order_by("pk").values_list())
    load_demo_benchmarks_and_targets()
    assert snapshot() == benchmarks
    assert list(Target.objects.order_by("pk").values_list()) == targets
    eet = dict(
        Benchmark.objects.filter(indicator__code="care_leavers_eet_19_21", year=2021).values_list(
            "area", "value"
        )
    )
    assert eet == {"england": 52, "neighbours": 47.6}
    assert (
        Benchmark.objects.get(indicator__code="cla_rate_per_10k", year=2014, area="england").value
        == 60
    )
    adoption = Target.objects.get(la=derby, indicator__code="ceased_adoption", year=2022)
    assert adoption.value == 35
    assert {t.year for t in Target.objects.all()} == {2020, 2021, 2022}
    assert Target.objects.values("indicator").distinct().count() >= 12


def test_the_demo_file_loads_without_a_single_warning(derby):
    saved, problems = load_benchmarks(REFERENCE_DIR / "demo_benchmarks.csv", name="demo")
    assert problems == []
    assert saved == Benchmark.objects.count() > 50
