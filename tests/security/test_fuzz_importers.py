"""The importers, fed files a stranger or a broken export could produce.

Three readers take whole files from officers and administrators: the SSDA903 return
(`placements.ssda903.check_return`, and `importer.run_import` that saves it), the
benchmark loader (`performance.benchmarks.load_benchmarks`, behind `load_benchmarks`)
and the quarterly return's Excel upload (`returns.spreadsheet.read_upload`/`upload`).
Hypothesis writes files that look like theirs and aren't quite: shuffled, missing and
duplicated columns, ragged rows, quotes, BOMs, other encodings, NUL and control
characters, 20,000-character fields, garbled or truncated bytes, formulas in cells.

Each must only ever answer with problems that say where (file, row, column or sheet
and cell) and what was found, or succeed; never raise, never stop half-saved.
"""

# ruff: noqa: RUF001  (messages quote in typographic single quotes)

from __future__ import annotations

import csv
import io
import random
import re

import openpyxl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from corporate_parenting.models import Role
from inspections.models import Setting, SettingType
from performance.benchmarks import DFE_COLUMNS, OUR_COLUMNS, REGIONS, load_benchmarks
from performance.catalogue import CATALOGUE
from performance.models import Benchmark
from placements.importer import run_import
from placements.models import Import, ImportProblem
from placements.ssda903 import TABLES, CheckedReturn, CodeLists, Problem, SourceFile, check_return
from returns import spreadsheet
from returns.models import QuarterlyReturn
from tests.conftest import make_user
from tests.placements.factories import EPISODES, GOOD_EPISODES, GOOD_HEADER, HEADER

pytestmark = pytest.mark.django_db

YEAR = 2022
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- cells --------------------------------------------------------------------------------

NASTY_CELL = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            '"',
            '""',
            'a "quoted" word',
            "a,b",
            "line\nbreak",
            "\r",
            "C1\x00",  # a NUL anywhere makes the whole file binary: rare on purpose
            "\x1b[31m",
            "\ufeffC1",
            "²",
            '=HYPERLINK("https://example.org","x")',
            "+cmd|' /C calc'!A0",
            "-1+1",
            "@SUM(A1:A2)",
            "\t=1+2",
            "\r=1+2",
            "<script>alert(1)</script>",
            "32/13/2022",
            "00/00/0000",
            "31/02/2022",
            "1/1/99999",
            "x" * 20_000,
            "9" * 5_000,
        ]
    ),
    # Any character a UTF-8 file can hold (so no lone surrogates), but NUL, tested alone.
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=25),
)

PLAUSIBLE_BY_KIND = {
    "id": ["C1", "C2", "C3"],
    "date": ["01/05/2010", "14/02/2012", "01/06/2016", "10/10/2017", "31/03/2022", "1/1/2020"],
    "flag": ["0", "1"],
    "int": ["0", "12", "40", "41"],
    "urn": ["SC123456", "XXXXXXX", "1234567"],
    "postcode": ["DE22 1AB", "NG1 1AA", ""],
    "partial_date": ["zz/01/2010", "01/01/2010"],
    "text": ["ABC", "SW1"],
    "ignored": ["A123456789012", ""],
}
ALL_COLUMNS = {c.name for t in TABLES for c in t.columns}


def plausible_cell(column, codes: CodeLists) -> st.SearchStrategy:
    if column is None:
        return st.sampled_from(["", "x", "1"])
    if column.kind == "code":
        return st.sampled_from(sorted(codes.current.get(column.code_field, {})) or ["X"])
    return st.sampled_from(PLAUSIBLE_BY_KIND[column.kind])


def cell(column, codes: CodeLists) -> st.SearchStrategy:
    """Mostly plausible, so rows get past the first check, sometimes hostile."""
    plausible = plausible_cell(column, codes)
    return st.one_of(plausible, plausible, plausible, plausible, plausible, NASTY_CELL)


def encode(text: str, draw) -> bytes:
    encoding = draw(st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none"] * 5 + ["truncate", "stray quote", "double bom"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "stray quote":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b'"' + data[at:]
    elif damage == "double bom":
        data = b"\xef\xbb\xbf\xef\xbb\xbf" + data
    return data


def write_csv(rows: list[list[str]], draw) -> str:
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    ending = draw(st.sampled_from(["\r\n", "\n"]))
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows(rows)
    return out.getvalue()


# --- the SSDA903 return -------------------------------------------------------------------


@st.composite
def table_file(draw, codes: CodeLists) -> SourceFile:
    """A file that looks like one of the 903's tables, more or less."""
    spec = draw(st.sampled_from(TABLES))
    columns = {c.name: c for c in spec.columns}
    names = list(columns)
    if draw(st.booleans()):  # shuffled, perhaps without a column or two
        names = draw(st.permutations(names))
        names = names[: draw(st.integers(max(1, len(names) - 2), len(names)))]
    extra = draw(st.sampled_from([None] * 4 + ["EXTRA", "", names[0].lower()]))
    if extra is not None:
        names.append(extra)
    header = [draw(st.sampled_from([n, n.lower(), f" {n} "])) for n in names]
    rows = [header]
    for _ in range(draw(st.integers(0, 5))):
        row = [draw(cell(columns.get(n), codes)) for n in names]
        ragged = draw(st.sampled_from([0, 0, 0, -1, 1]))
        rows.append(row[:ragged] if ragged < 0 else row + ["x"] * ragged)
    # Names as Django's upload parser hands them on: it drops unprintable characters.
    name = draw(st.sampled_from([f"{spec.key}.csv", "export.CSV", "=1+2.csv", "a\u202eb.csv"]))
    return SourceFile(name, encode(write_csv(rows, draw), draw))


RAW_FILE = st.builds(
    SourceFile,
    st.sampled_from(["raw.csv", "header.csv"]),
    st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", errors="replace")),
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),  # a ZIP, or not quite
        st.sampled_from(
            [b"", b"\xef\xbb\xbf", b"PK\x03\x04rest", b"%PDF-1.7", b"\xd0\xcf\x11\xe0", b"\n\n"]
        ),
    ),
)


@pytest.fixture
def codes(db) -> CodeLists:
    from tests.conftest import ensure_reference_data

    ensure_reference_data()
    return CodeLists.for_year(YEAR)


def assert_903_problems(checked: CheckedReturn, files: list[SourceFile]) -> None:
    """Each problem names its file, and its row and column where it has them."""
    names = {f.name for f in files} | {"(the return)"}
    for p in checked.problems:
        assert isinstance(p, Problem)
        assert p.severity in {"error", "warning"}, p
        assert p.file in names, p
        assert isinstance(p.message, str) and p.message.strip(), p
        assert p.row is None or (isinstance(p.row, int) and p.row >= 1), p
        assert isinstance(p.value, str) and len(p.value) <= 200, p
        parts = [c for c in p.column.split(", ") if c]
        assert set(parts) <= ALL_COLUMNS, p
    if not checked.errors:
        assert {"header", "episodes"} <= set(checked.tables)


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_the_903_check_answers_any_files_with_located_problems(codes, data):
    tables = table_file(codes)
    files = data.draw(st.lists(st.one_of(tables, tables, tables, RAW_FILE), min_size=1, max_size=4))
    skip = data.draw(st.booleans())
    checked = check_return(files, year=YEAR, codes=codes, skip_invalid=skip)
    event(f"903 check: {'errors' if checked.errors else 'clean'}, {len(checked.tables)} tables")
    assert isinstance(checked, CheckedReturn)
    assert_903_problems(checked, files)


@st.composite
def damaged_return(draw, codes: CodeLists) -> list[SourceFile]:
    """The factories' good return with a few cells changed and perhaps a row added."""
    tables = {
        "header": (HEADER, GOOD_HEADER, TABLES[0]),
        "episodes": (EPISODES, GOOD_EPISODES, TABLES[1]),
    }
    files = []
    for key, (header, lines, spec) in tables.items():
        names = header.split(",")
        columns = {c.name: c for c in spec.columns}
        rows = [line.split(",") for line in lines]
        if draw(st.booleans()):
            rows.append(list(draw(st.sampled_from(rows))))
        for _ in range(draw(st.integers(0, 3))):
            r = draw(st.integers(0, len(rows) - 1))
            c = draw(st.integers(0, len(names) - 1))
            rows[r][c] = draw(cell(columns.get(names[c]), codes))
        files.append(SourceFile(f"{key}.csv", write_csv([names, *rows], draw).encode()))
    return files


@settings(FUZZ, max_examples=15)
@given(data=st.data())
def test_a_damaged_903_return_is_saved_or_rejected_never_half_done(derby, codes, data):
    files = data.draw(damaged_return(codes))
    skip = data.draw(st.booleans())
    with transaction.atomic():
        run = Import.objects.create(
            la=derby, year=2018, mode="skip_invalid" if skip else "strict", source="command"
        )
        run = run_import(run, files, recompute=False)
        event(f"903 import: {run.status}")
        # FAILED is run_import's "unexpected problem": an exception it caught.
        assert run.status in {
            Import.Status.IMPORTED,
            Import.Status.IMPORTED_WITH_SKIPS,
            Import.Status.REJECTED,
        }, list(run.problems.values_list("message", flat=True))
        stored = ImportProblem.objects.filter(import_run=run)
        assert stored.count() == run.error_count + run.warning_count
        transaction.set_rollback(True)


# --- benchmarks ---------------------------------------------------------------------------

# Indicators DfE publishes an England figure for, as a percentage: 12.5 fits them all.
BENCHMARKED = [d.code for d in CATALOGUE if d.england_benchmark and d.unit == "percent"]
AREAS = [("england", ""), ("region", "East Midlands"), ("neighbours", "831")]
WRONG = {
    "indicator": ["nope", "cla_rate_per_10K", ""],
    "year": ["202122", "1999", "２０２２", "22"],
    "area": ["England ", "ward", ""],
    "area_code": ["Inner London", "999", "east midlands"],
    "value": ["-3", "150", "c", "1e400", "NaN", "12%", "1,234.5", ""],
    "source": ["x" * 300],
}


def damage_cells(rows: list[list[str]], wrong: dict, draw) -> None:
    """Up to three cells of the data rows made wrong or hostile, in place."""
    header = rows[0]
    for _ in range(draw(st.integers(0, 3)) if len(rows) > 1 else 0):
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, len(header) - 1))
        choices = wrong.get(header[c])
        bad = st.one_of(st.sampled_from(choices), NASTY_CELL) if choices else NASTY_CELL
        rows[r][c] = draw(bad)


@st.composite
def our_layout(draw) -> bytes:
    """A file in our layout (indicator,year,area,area_code,value,source), then damaged."""
    header = list(draw(st.permutations(OUR_COLUMNS)))
    if draw(st.sampled_from([False, False, False, True])):  # a column or more missing
        header = header[: draw(st.integers(3, len(header) - 1))]
    rows = [header]
    for _ in range(draw(st.integers(1, 5))):
        area, area_code = draw(st.sampled_from(AREAS))
        good = {
            "indicator": draw(st.sampled_from(BENCHMARKED)),
            "year": draw(st.sampled_from(["2019", "2021", "2022"])),
            "area": area,
            "area_code": area_code,
            "value": draw(st.sampled_from(["12.5", "0", "100", "45"])),
            "source": "DfE SSDA903",
        }
        rows.append([good[c] for c in header])
    damage_cells(rows, WRONG, draw)
    return encode(write_csv(rows, draw), draw)


@st.composite
def dfe_layout(draw) -> bytes:
    """DfE's open-data layout with some of the measure columns we map, then damaged."""
    measures = draw(st.lists(st.sampled_from(sorted(DFE_COLUMNS)), min_size=1, max_size=3))
    measures = list(dict.fromkeys(measures))
    filters = {c: v for m in measures for d in DFE_COLUMNS[m] for c, v in d.where}
    header = ["time_period", "time_identifier", "geographic_level", "region_name"]
    header += sorted(filters) + measures
    rows = [header]
    for _ in range(draw(st.integers(1, 5))):
        level, region = draw(
            st.sampled_from(
                [("National", ""), ("Regional", "East Midlands"), ("Local authority", "")]
            )
        )
        good = {
            "time_period": draw(st.sampled_from(["202122", "2022", "202021"])),
            "time_identifier": "Financial year",
            "geographic_level": level,
            "region_name": region,
            **{c: draw(st.sampled_from([v, "Total"])) for c, v in filters.items()},
            **{m: draw(st.sampled_from(["12.5", "45", "c", "x"])) for m in measures},
        }
        rows.append([good[c] for c in header])
    wrong = {
        "time_period": ["202123", "2022/23", "１"],
        "geographic_level": ["Ward", "national "],
        "region_name": ["Inner London", "Atlantis", *REGIONS.values()],
        **{m: ["-1", "150", "1e400", ""] for m in measures},
    }
    damage_cells(rows, wrong, draw)
    return encode(write_csv(rows, draw), draw)


def assert_benchmark_problems(problems: list[Problem], name: str) -> None:
    for p in problems:
        assert isinstance(p, Problem) and p.severity in {"error", "warning"}, p
        assert p.file == name, p
        assert isinstance(p.message, str) and p.message.strip(), p
        assert p.row is None or p.row >= 1, p


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_the_benchmark_loader_answers_any_file_with_problems_or_loads_it_all(db, data):
    raw = data.draw(st.one_of(our_layout(), dfe_layout(), st.binary(max_size=500)))
    options = data.draw(
        st.sampled_from(
            [
                {},
                {},
                {},
                {"indicator": "cla_rate_per_10k", "measure": "rate_per_10000"},
                {"indicator": "nope", "measure": "value"},
                {"filters": {"population_type": "Children looked after at 31 March"}},
            ]
        )
    )
    with transaction.atomic():
        before = Benchmark.objects.count()
        saved, problems = load_benchmarks(raw, name="fuzz.csv", **options)
        event("benchmarks: loaded" if saved else "benchmarks: refused")
        assert_benchmark_problems(problems, "fuzz.csv")
        if any(p.severity == "error" for p in problems):
            assert saved == 0
            assert Benchmark.objects.count() == before  # all or nothing
        else:
            assert saved > 0
        transaction.set_rollback(True)


# --- the quarterly return's Excel upload --------------------------------------------------


@pytest.fixture
def template(derby) -> tuple[QuarterlyReturn, object, bytes]:
    officer = make_user("fuzz.officer", role=Role.OFFICER)
    Setting.objects.create(
        urn="SC100001",
        name="Rosewood House",
        setting_type=SettingType.CHILDRENS_HOME,
        la=derby,
        run_by_council=derby,
    )
    ret = QuarterlyReturn.objects.create(la=derby, year=2022, quarter=4, created_by=officer)
    return ret, officer, spreadsheet.build_template(ret, officer)


CELL_VALUE = st.one_of(
    st.integers(0, 50),
    NASTY_CELL.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.sampled_from(["=1+2", "=A1", "=SUM(B1:B9)", "=1/0", '=HYPERLINK("https://x.org")']),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.none(),
)


def edited(template: bytes, edits: list[tuple[int, int, int, object]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    for sheet, row, col, value in edits:
        book.worksheets[sheet % len(book.worksheets)].cell(row=row, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def garbled(template: bytes, seed: int, flips: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(template)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


CELL = re.compile(r"^[A-Z]{1,3}[0-9]{1,7}$")


@settings(FUZZ, max_examples=30)
@given(data=st.data())
def test_the_excel_upload_answers_any_workbook_with_located_problems(template, data):
    ret, officer, good = template
    kind = data.draw(st.sampled_from(["cells", "cells", "garbled", "truncated", "bytes"]))
    if kind == "cells":
        edits = data.draw(
            st.lists(
                st.tuples(st.integers(0, 6), st.integers(1, 40), st.integers(1, 8), CELL_VALUE),
                max_size=6,
            )
        )
        upload = edited(good, edits)
    elif kind == "garbled":
        upload = garbled(good, data.draw(st.integers(0, 2**32)), data.draw(st.integers(1, 40)))
    elif kind == "truncated":
        upload = good[: data.draw(st.integers(0, len(good) - 1))]
    else:
        upload = data.draw(st.binary(max_size=3000))
    name = data.draw(st.sampled_from(["return.xlsx", "return.csv", "=1+2.xlsx", "a\u202e.xlsx"]))
    with transaction.atomic():
        result, problems = spreadsheet.upload(ret, upload, name, officer)
        event(f"excel upload ({kind}): {'saved' if result else 'refused'}")
        assert (result is None) == bool(problems)
        for p in problems:
            assert isinstance(p, spreadsheet.Problem)
            assert isinstance(p.message, str) and p.message.strip(), p
            assert not p.cell or CELL.match(p.cell), p
            assert str(p).strip()
        transaction.set_rollback(True)
