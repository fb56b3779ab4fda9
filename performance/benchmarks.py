"""Loading published benchmarks: England, a DfE region, a council's statistical neighbours.

Benchmarks are published figures, loaded rather than computed. A file is checked completely
before anything is saved: only a file without errors is written, in one transaction, so a bad
file leaves the database exactly as it was. Every problem carries its file, row, column and
value, and says in plain English what is wrong, in the style of the SSDA903 import.

Two layouts are read, told apart by their columns:

* our own: ``indicator,year,area,area_code,value,source``, one published figure a row;
* DfE's open data from Explore Education Statistics (``time_period``, ``geographic_level``,
  ``region_name`` ... and measure columns). National rows are England, Regional rows the DfE
  region; Local authority rows are skipped, since a council's own figure is not a benchmark.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from corporate_parenting.models import LocalAuthority, Region
from performance.catalogue import BY_CODE, CATALOGUE
from performance.models import Benchmark, Target
from performance.services import sync_catalogue
from placements.ssda903 import Problem

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

OUR_COLUMNS = ("indicator", "year", "area", "area_code", "value", "source")
OUR_REQUIRED = ("indicator", "year", "area", "area_code", "value")
DFE_REQUIRED = ("time_period", "geographic_level")
# DfE's own columns: everything else in one of its files is a filter or a measure.
DFE_STANDARD = {
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
}
AREAS = [a.value for a in Benchmark.Area]
REGIONS = {r.value.lower(): r.value for r in Region}
# Older DfE files say "East" and "Yorkshire and the Humber"; case is folded anyway.
REGIONS["east"] = Region.EAST_OF_ENGLAND.value
# DfE publishes Inner and Outer London as Regional rows too; they are not DfE regions.
SUB_REGIONS = {"inner london", "outer london"}
# GSS symbols DfE puts where a figure is withheld or doesn't exist: c (confidential),
# k (rounds to 0), x (not available), z (not applicable), u (low reliability), and
# older ones. They are gaps in DfE's table, not mistakes in the file.
SUPPRESSED = {"c", "k", "x", "z", "u", "low", ":", "~", ".", "..", "-"}
SOURCE_MAX = Benchmark._meta.get_field("source").max_length or 200

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


@dataclass(frozen=True)
class DfeMeasure:
    """Which rows of a DfE measure column are one of our indicators.

    ``where`` pairs a DfE filter column with the value a row must have, because DfE files
    are long: the same measure column (``number``, ``percentage``) holds many breakdowns.
    """

    indicator: str
    where: tuple[tuple[str, str], ...] = ()


_CLA = "Children looked after on 31 March each year"
_STARTING = "Children starting to be looked after each year"
_CEASING = "Children ceasing to be looked after each year"
_LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)

# DfE measure column -> our indicators. Kept explicit because DfE files are per table and
# generic column names (number, percentage) mean different things in different tables; a
# table not listed here is loaded with --indicator CODE --measure COLUMN [--filter COL=VALUE].
# Column names and filter values are matched ignoring case and spacing.
DFE_COLUMNS: dict[str, tuple[DfeMeasure, ...]] = {
    # "Children looked after in England including adoptions": "CLA numbers and rates per
    # 10,000 children aged under 18 years - by local authority" (one row per population_type).
    "children_count": (
        DfeMeasure("cla_at_31_march", (("population_type", _CLA),)),
        DfeMeasure("starts", (("population_type", _STARTING),)),
        DfeMeasure("ceased", (("population_type", _CEASING),)),
    ),
    "rate_per_10000": (
        DfeMeasure("cla_rate_per_10k", (("population_type", _CLA),)),
        DfeMeasure("ceased_rate_per_10k", (("population_type", _CEASING),)),
        # Older files and table-tool downloads with one row per area and year.
        DfeMeasure("cla_rate_per_10k"),
    ),
    "number_of_children": (DfeMeasure("cla_at_31_march"),),
    "rate": (DfeMeasure("cla_rate_per_10k"),),
    # "Stability measures for children looked after in England": "Placement stability by
    # local authority" (cla_group and placement_stability split the rows).
    "percentage": (
        DfeMeasure(
            "stability_3plus_placements",
            (
                ("cla_group", "CLA on 31 March"),
                ("placement_stability", "With 3 or more placements during the year"),
            ),
        ),
        DfeMeasure(
            "stability_long_term",
            (
                ("cla_group", _LONG_TERM),
                ("placement_stability", "Living with the same carer for at least 2 years"),
            ),
        ),
    ),
    # "Children looked after: a focus on placement location": "Placement locality for CLA"
    # (national only). Its total leaves out children whose locality isn't known, as ours does.
    "percent_count": (
        DfeMeasure("placed_out_of_area", (("location", "Outside the LA boundary"),)),
    ),
}


def _fold(text: str) -> str:
    """Compare DfE names ignoring case and runs of spaces ("Yorkshire and the Humber")."""
    return " ".join(text.split()).lower()


def _number(raw: str) -> float | None:
    text = raw.strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _is_figure(raw: str) -> bool:
    return _number(raw) is not None or raw.strip().lower() in SUPPRESSED


def _not_a_number(raw: str) -> str:
    hint = (
        f": give {raw.strip()[:-1].strip()} for {raw.strip()}" if raw.strip().endswith("%") else ""
    )
    return f"'{raw}' is not a number{hint}"


def _unknown_indicator(raw: str) -> str:
    codes = [d.code for d in CATALOGUE]
    close = difflib.get_close_matches(raw.strip().lower(), codes, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    shown = ", ".join(codes[:5])
    return (
        f"'{raw}' is not an indicator code{hint}; known codes: {shown} and "
        f"{len(codes) - 5} more (see performance/catalogue.py)"
    )


def _area_text(area: str, area_code: str) -> str:
    return f"{area} {area_code}" if area_code else area


@dataclass
class _Candidate:
    row: int
    indicator: str
    year: int
    area: str
    area_code: str
    value: float
    source: str
    raw: dict[str, str]


class _Checker:
    """Collects the problems and the good figures of one file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.good: dict[tuple[str, int, str, str], _Candidate] = {}
        self.la_codes = set(LocalAuthority.objects.values_list("la_code", flat=True))

    def error(
        self, message: str, row: int | None = None, column: str = "", value: str = ""
    ) -> None:
        self.problems.append(Problem("error", self.name, message, row, column, value))

    def warning(self, message: str, row: int | None = None, column: str = "") -> None:
        self.problems.append(Problem("warning", self.name, message, row, column))

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    def indicator(self, raw: str, row: int, column: str) -> str | None:
        code = raw.strip()
        if code in BY_CODE:
            return code
        self.error(_unknown_indicator(code), row, column, raw)
        return None

    def year(self, raw: str, row: int, column: str) -> int | None:
        text = raw.strip()
        if re.fullmatch(r"\d{4}", text) and 2000 <= int(text) <= 2100:
            return int(text)
        self.error(
            f"'{raw}' is not a year: use the 4-digit year the collection year ends, e.g. 2022 "
            "for 2021/22 (between 2000 and 2100)",
            row,
            column,
            raw,
        )
        return None

    def region(self, raw: str, row: int, column: str) -> str | None:
        region = REGIONS.get(_fold(raw))
        if region:
            return region
        self.error(
            f"'{raw}' is not a DfE region: use one of {', '.join(r.value for r in Region)}",
            row,
            column,
            raw,
        )
        return None

    def value(self, code: str, area: str, raw: str, row: int, column: str) -> float | None:
        value = _number(raw)
        if value is None:
            if raw.strip():
                self.error(_not_a_number(raw), row, column, raw)
            else:
                self.error(
                    "the value is blank: give the published figure, or leave the row out if "
                    "there isn't one",
                    row,
                    column,
                )
            return None
        definition = BY_CODE[code]
        if definition.unit == "percent" and not 0 <= value <= 100:
            self.error(
                f"{raw.strip()} is not a percentage: {code} is a percentage, so it must be "
                "between 0 and 100",
                row,
                column,
                raw,
            )
            return None
        if value < 0:
            self.error(f"{raw.strip()} is negative: a published figure can't be", row, column, raw)
            return None
        if area == Benchmark.Area.ENGLAND and not definition.england_benchmark:
            self.error(
                f"{code} has no England benchmark: DfE doesn't publish one for it",
                row,
                column,
                raw,
            )
            return None
        return value

    def add(self, candidate: _Candidate, *, dfe: bool) -> None:
        key = (candidate.indicator, candidate.year, candidate.area, candidate.area_code)
        first = self.good.get(key)
        if first is None:
            self.good[key] = candidate
            return
        message = (
            f"duplicate: indicator {candidate.indicator}, year {candidate.year}, area "
            f"{_area_text(candidate.area, candidate.area_code)} appears in rows {first.row} "
            f"and {candidate.row}"
        )
        if dfe:
            # Filter columns hold words; measure columns hold figures (or DfE's symbols).
            differ = sorted(
                c
                for c in candidate.raw
                if c not in DFE_STANDARD
                and first.raw.get(c) != candidate.raw.get(c)
                and not all(_is_figure(r.get(c, "")) for r in (first.raw, candidate.raw))
            )
            if differ:
                message += (
                    f". DfE's file splits it by {', '.join(differ)}: choose the rows with "
                    "--filter COLUMN=VALUE"
                )
        self.error(message, candidate.row)


def _read(path_or_bytes: str | Path | bytes, checker: _Checker) -> list[list[str]] | None:
    """The file's rows, header first, or None (with an error) if it can't be read."""
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
    else:
        try:
            data = Path(path_or_bytes).read_bytes()
        except OSError as exc:
            checker.error(f"The file can't be opened: {exc.strerror or exc}.")
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        checker.error(
            f"The file is not UTF-8 text: row {line} contains the byte 0x{data[exc.start]:02X}, "
            "which is not valid UTF-8. It is probably Latin-1 or Windows-1252: save it as "
            "'CSV UTF-8' and load it again.",
            line,
        )
        return None
    if not text.strip():
        checker.error("The file is empty.")
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        checker.error(f"The file can't be read as CSV: {exc}.")
        return None
    if not any(cell.strip() for row in rows[1:] for cell in row):
        checker.error("The file is empty: it has column names but no rows.", 1)
        return None
    return rows


def _records(rows: list[list[str]], header: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: value}) for every non-blank row; the header is row 1."""
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        # Short rows are padded; cells beyond the header have no column and are dropped.
        padded = (row + [""] * len(header))[: len(header)]
        records.append((number, dict(zip(header, padded, strict=True))))
    return records


def _check_ours(
    rows: list[list[str]], header: list[str], checker: _Checker, dfe_options: bool
) -> None:
    missing = [c for c in OUR_REQUIRED if c not in header]
    if missing:
        checker.error(
            f"The column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing: our layout has the columns "
            f"{','.join(OUR_COLUMNS)}",
            1,
            missing[0],
        )
        return
    if dfe_options:
        checker.error(
            "--indicator, --measure and --filter are for DfE's open-data files; this file is in "
            "our own layout (indicator,year,area,...), which names the indicator on each row",
            1,
        )
        return
    unused = [c for c in header if c and c not in OUR_COLUMNS]
    if unused:
        checker.warning(f"Column(s) {', '.join(unused)} are not used and were ignored.", 1)
    for number, record in _records(rows, header):
        code = checker.indicator(record["indicator"], number, "indicator")
        year = checker.year(record["year"], number, "year")
        raw_area = record["area"].strip()
        area = raw_area.lower()
        raw_code = record["area_code"].strip()
        area_code: str | None = raw_code
        if area not in AREAS:
            checker.error(
                f"'{raw_area}' is not an area: use england, region or neighbours",
                number,
                "area",
                record["area"],
            )
            area_code = None
        elif area == Benchmark.Area.ENGLAND and raw_code:
            checker.error(
                f"area_code must be blank for england (it is '{raw_code}')",
                number,
                "area_code",
                raw_code,
            )
            area_code = None
        elif area != Benchmark.Area.ENGLAND and not raw_code:
            what = "the DfE region's name" if area == "region" else "the council's DfE LA code"
            checker.error(f"area_code is blank: for {area} give {what}", number, "area_code")
            area_code = None
        elif area == Benchmark.Area.REGION:
            area_code = checker.region(raw_code, number, "area_code")
        elif area == Benchmark.Area.NEIGHBOURS and raw_code not in checker.la_codes:
            checker.error(
                f"'{raw_code}' is not the DfE LA code of a council we know: for neighbours give "
                "the council whose statistical neighbours these are, e.g. 831 for Derby",
                number,
                "area_code",
                raw_code,
            )
            area_code = None
        source = record.get("source", "").strip()
        if len(source) > SOURCE_MAX:
            checker.error(
                f"the source is {len(source)} characters long; at most {SOURCE_MAX} fit",
                number,
                "source",
            )
            source = ""
        if code is None:
            # The unit isn't known, but a value that isn't a number is still worth reporting.
            if _number(record["value"]) is None and record["value"].strip():
                checker.error(_not_a_number(record["value"]), number, "value", record["value"])
            continue
        value = checker.value(code, area, record["value"], number, "value")
        if year is None or area_code is None or value is None:
            continue
        checker.add(
            _Candidate(number, code, year, area, area_code, value, source, record), dfe=False
        )


def _dfe_year(raw: str, row: int, checker: _Checker) -> int | None:
    """time_period 2022 is the year ending March 2022; 202122 (2021/22) is 2022 as well."""
    text = raw.strip()
    if re.fullmatch(r"\d{6}", text):
        start, end = int(text[:4]), int(text[4:])
        if (start + 1) % 100 != end:
            checker.error(
                f"'{raw}' is not a DfE time period: a two-year period such as 202122 names "
                "consecutive years",
                row,
                "time_period",
                raw,
            )
            return None
        text = str(start + 1)
    return checker.year(text, row, "time_period")


def _dfe_mapping(
    header: list[str], indicator: str | None, measure: str | None, checker: _Checker
) -> dict[str, list[DfeMeasure]] | None:
    """The measure columns of this file that are ours, with the rows that belong to each."""
    if indicator is not None and measure is not None:
        if indicator not in BY_CODE:
            checker.error(_unknown_indicator(indicator), None, "--indicator", indicator)
            return None
        column = _fold(measure)
        if column not in header:
            checker.error(
                f"The column {measure} (from --measure) is missing: the file's columns are "
                f"{', '.join(c for c in header if c not in DFE_STANDARD)}",
                1,
                measure,
            )
            return None
        return {column: [DfeMeasure(indicator)]}
    mapping: dict[str, list[DfeMeasure]] = {}
    for column, measures in DFE_COLUMNS.items():
        if column not in header:
            continue
        usable = [m for m in measures if all(_fold(c) in header for c, _ in m.where)]
        # A measure keyed by filter columns is more precise than one assuming a plain file.
        if any(m.where for m in usable):
            usable = [m for m in usable if m.where]
        if usable:
            mapping[column] = usable
    if not mapping:
        checker.error(
            "None of the file's columns is a DfE measure we know "
            f"({', '.join(c for c in header if c not in DFE_STANDARD)}). Say which column is "
            "which indicator with --indicator CODE --measure COLUMN (and --filter COLUMN=VALUE "
            "to pick rows).",
            1,
        )
        return None
    return mapping


def _check_dfe(
    rows: list[list[str]],
    header: list[str],
    checker: _Checker,
    *,
    indicator: str | None,
    measure: str | None,
    filters: Mapping[str, str],
) -> None:
    missing = [c for c in DFE_REQUIRED if c not in header]
    missing += [_fold(c) for c in filters if _fold(c) not in header]
    if missing:
        checker.error(
            f"The column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing from DfE's file",
            1,
            missing[0],
        )
        return
    mapping = _dfe_mapping(header, indicator, measure, checker)
    if mapping is None:
        return
    wanted = {_fold(c): _fold(v) for c, v in filters.items()}
    skipped: Counter[str] = Counter()
    matched_filter = False
    for number, record in _records(rows, header):
        if any(_fold(record[c]) != v for c, v in wanted.items()):
            continue
        matched_filter = True
        level = _fold(record["geographic_level"])
        if level == "local authority":
            skipped["la"] += 1
            continue
        if level == "national":
            area, area_code = Benchmark.Area.ENGLAND.value, ""
        elif level == "regional":
            if "region_name" not in header:
                checker.error(
                    "The column region_name is missing: it names the region of Regional rows",
                    number,
                    "region_name",
                )
                return
            if _fold(record["region_name"]) in SUB_REGIONS:
                skipped["sub-region"] += 1
                continue
            region = checker.region(record["region_name"], number, "region_name")
            if region is None:
                continue
            area, area_code = Benchmark.Area.REGION.value, region
        else:
            checker.error(
                f"'{record['geographic_level']}' is not a geographic level this loader reads: "
                "National, Regional or Local authority",
                number,
                "geographic_level",
                record["geographic_level"],
            )
            continue
        year = _dfe_year(record["time_period"], number, checker)
        if year is None:
            continue
        found = False
        for column, measures in mapping.items():
            for m in measures:
                if any(_fold(record[_fold(c)]) != _fold(v) for c, v in m.where):
                    continue
                found = True
                raw = record[column]
                if raw.strip().lower() in SUPPRESSED or not raw.strip():
                    skipped["suppressed"] += 1
                    continue
                value = checker.value(m.indicator, area, raw, number, column)
                if value is None:
                    continue
                source = f"DfE open data, {checker.name}, column {column}"[:SOURCE_MAX]
                checker.add(
                    _Candidate(number, m.indicator, year, area, area_code, value, source, record),
                    dfe=True,
                )
        if not found:
            skipped["unmapped"] += 1
    # One warning for each kind of skipped row, not one a row: DfE files have thousands.
    if skipped["la"]:
        checker.warning(
            f"{skipped['la']} Local authority row(s) were skipped: a council's own figure is not "
            "a benchmark (load statistical-neighbour averages in our layout)."
        )
    if skipped["sub-region"]:
        checker.warning(
            f"{skipped['sub-region']} Inner or Outer London row(s) were skipped: they are not "
            "DfE regions."
        )
    if skipped["suppressed"]:
        checker.warning(
            f"{skipped['suppressed']} figure(s) were withheld or not available in DfE's file "
            "(c, k, x, z ...) and were skipped."
        )
    if skipped["unmapped"]:
        checker.warning(
            f"{skipped['unmapped']} row(s) are breakdowns that aren't one of our indicators and "
            "were skipped."
        )
    if wanted and not matched_filter:
        shown = ", ".join(f"{c}={v!r}" for c, v in filters.items())
        checker.error(f"No row has {shown}: check --filter against the file's values.")


def load_benchmarks(
    path_or_bytes: str | Path | bytes,
    *,
    name: str,
    indicator: str | None = None,
    measure: str | None = None,
    filters: Mapping[str, str] | None = None,
) -> tuple[int, list[Problem]]:
    """Check a benchmark file and, if it has no errors, save it; return (saved, problems).

    ``saved`` counts the benchmarks created or updated: loading a file again updates the
    figures in place (the key is indicator, year, area and area code). With any error
    nothing is saved. ``indicator`` and ``measure`` map one measure column of a DfE file to
    one indicator instead of DFE_COLUMNS; ``filters`` keep only DfE rows with those values.
    """
    if (indicator is None) != (measure is None):
        raise ValueError("indicator and measure go together: give both or neither")
    checker = _Checker(name)
    rows = _read(path_or_bytes, checker)
    if rows is None:
        return 0, checker.problems
    header = [_fold(h) for h in rows[0]]
    filters = filters or {}
    if all(c in header for c in DFE_REQUIRED) or "time_period" in header:
        _check_dfe(rows, header, checker, indicator=indicator, measure=measure, filters=filters)
    elif {"indicator", "area", "value"} & set(header):
        _check_ours(rows, header, checker, indicator is not None or bool(filters))
    else:
        shown = ", ".join(h for h in header if h)[:150]
        checker.error(
            f"Its columns ({shown}) are neither our layout ({','.join(OUR_COLUMNS)}) nor DfE's "
            "open data (time_period, geographic_level, ...). Check that the first row holds "
            "the column names.",
            1,
        )
    if checker.errors:
        return 0, checker.problems
    if not checker.good:
        checker.error("Nothing in the file is a benchmark we can load.")
        return 0, checker.problems
    with transaction.atomic():
        indicators = sync_catalogue()
        Benchmark.objects.bulk_create(
            [
                Benchmark(
                    indicator=indicators[c.indicator],
                    year=c.year,
                    area=c.area,
                    area_code=c.area_code,
                    value=c.value,
                    source=c.source,
                )
                for c in checker.good.values()
            ],
            update_conflicts=True,
            unique_fields=["indicator", "year", "area", "area_code"],
            update_fields=["value", "source"],
        )
    return len(checker.good), checker.problems


def _read_targets(path: Path) -> list[tuple[str, str, int, float]]:
    """The demo targets file (la_code,indicator,year,value); raises ValueError if it's wrong."""
    la_codes = set(LocalAuthority.objects.values_list("la_code", flat=True))
    targets = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            la_code, code = row["la_code"].strip(), row["indicator"].strip()
            value = _number(row["value"])
            if la_code not in la_codes:
                raise ValueError(f"{path.name}, row {number}: no council has LA code {la_code!r}")
            if code not in BY_CODE:
                raise ValueError(f"{path.name}, row {number}: {_unknown_indicator(code)}")
            if not re.fullmatch(r"\d{4}", row["year"].strip()) or value is None:
                raise ValueError(f"{path.name}, row {number}: year or value is not a number")
            targets.append((la_code, code, int(row["year"]), value))
    return targets


def load_demo_benchmarks_and_targets() -> None:
    """Load the demo benchmarks and targets in performance/reference; idempotent."""
    indicators = sync_catalogue()
    name = "demo_benchmarks.csv"
    _, problems = load_benchmarks(REFERENCE_DIR / name, name=name)
    errors = [p.as_text() for p in problems if p.severity == "error"]
    if errors:
        raise ValueError("The demo benchmarks don't load:\n" + "\n".join(errors))
    targets = _read_targets(REFERENCE_DIR / "demo_targets.csv")
    councils = {la.la_code: la for la in LocalAuthority.objects.all()}
    current = {
        (t.la_id, t.indicator_id, t.year): t.value
        for t in Target.objects.filter(la__la_code__in={t[0] for t in targets})
    }
    with transaction.atomic():
        for la_code, code, year, value in targets:
            la, indicator = councils[la_code], indicators[code]
            # Leave a target that already says this alone, so its updated_at stays true.
            if current.get((la.pk, indicator.pk, year)) == value:
                continue
            Target.objects.update_or_create(
                la=la, indicator=indicator, year=year, defaults={"value": value}
            )
