"""Reading and checking SSDA903 CSV files.

Every problem is kept with its file, row, column, value and a plain-English
message. Nothing here touches the database except to read the code lists, so a
return can be checked completely before anything is saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from placements.models import collection_year_bounds, collection_year_label, collection_year_of


class ImportError903(Exception):
    """The import's own error: raised for a return that cannot be read at all."""


# --- table definitions ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id, date, code, flag, int, text, postcode, urn, partial_date, ignored
    required: bool = False
    code_field: str = ""
    # Event dates can't be after the end of the collection year.
    not_after_year_end: bool = False
    may_be_absent: bool = False
    max_length: int = 0


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    columns: tuple[Column, ...]
    first_year: int = 0
    one_row_per_child: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def needed_names(self) -> set[str]:
        return {c.name for c in self.columns if not c.may_be_absent}


def _child() -> Column:
    return Column("CHILD", "id", required=True, max_length=20)


def _dob() -> Column:
    return Column("DOB", "date", required=True, not_after_year_end=True)


FLAG = "OC2_FLAG"

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "header",
        "Header",
        (
            _child(),
            Column("SEX", "code", required=True, code_field="SEX"),
            _dob(),
            Column("ETHNIC", "code", required=True, code_field="ETHNIC"),
            Column("UPN", "ignored", may_be_absent=True),
            Column("MOTHER", "flag", may_be_absent=True),
            Column("MC_DOB", "ignored", may_be_absent=True),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "episodes",
        "Episodes",
        (
            _child(),
            Column("DECOM", "date", required=True, not_after_year_end=True),
            Column("RNE", "code", required=True, code_field="RNE"),
            Column("LS", "code", required=True, code_field="LS"),
            Column("CIN", "code", required=True, code_field="CIN"),
            Column("PLACE", "code", required=True, code_field="PLACE"),
            Column("PLACE_PROVIDER", "code", code_field="PLACE_PROVIDER"),
            Column("DEC", "date", not_after_year_end=True),
            Column("REC", "code", code_field="REC"),
            Column("REASON_PLACE_CHANGE", "code", code_field="REASON_PLACE_CHANGE"),
            Column("HOME_POST", "postcode", max_length=10),
            Column("PL_POST", "postcode", max_length=10),
            Column("URN", "urn", may_be_absent=True),
        ),
    ),
    TableSpec(
        "uasc",
        "UASC",
        (
            _child(),
            Column("SEX", "code", required=True, code_field="SEX"),
            _dob(),
            Column("DUC", "date"),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "missing",
        "Missing",
        (
            _child(),
            _dob(),
            Column("MISSING", "code", required=True, code_field="MISSING"),
            Column("MIS_START", "date", required=True, not_after_year_end=True),
            Column("MIS_END", "date", not_after_year_end=True),
        ),
    ),
    TableSpec(
        "oc2",
        "OC2",
        (
            _child(),
            _dob(),
            Column("SDQ_SCORE", "int"),
            Column("SDQ_REASON", "code", code_field="SDQ_REASON"),
            Column("CONVICTED", "flag"),
            Column("HEALTH_CHECK", "flag"),
            Column("IMMUNISATIONS", "flag"),
            Column("TEETH_CHECK", "flag"),
            Column("HEALTH_ASSESSMENT", "flag"),
            Column("SUBSTANCE_MISUSE", "flag"),
            Column("INTERVENTION_RECEIVED", "flag"),
            Column("INTERVENTION_OFFERED", "flag"),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "oc3",
        "OC3",
        (
            _child(),
            _dob(),
            Column("IN_TOUCH", "code", required=True, code_field="IN_TOUCH"),
            Column("ACTIV", "code", code_field="ACTIV"),
            Column("ACCOM", "code", code_field="ACCOM"),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "ad1",
        "AD1",
        (
            _child(),
            _dob(),
            Column("DATE_INT", "date", not_after_year_end=True),
            Column("DATE_MATCH", "date", not_after_year_end=True),
            Column("FOSTER_CARE", "flag"),
            Column("NB_ADOPTR", "code", code_field="NB_ADOPTR"),
            Column("SEX_ADOPTR", "code", code_field="SEX_ADOPTR"),
            Column("LS_ADOPTR", "code", code_field="LS_ADOPTR"),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "placed_adoption",
        "PlacedAdoption",
        (
            _child(),
            _dob(),
            Column("DATE_PLACED", "date", required=True, not_after_year_end=True),
            Column("DATE_PLACED_CEASED", "date", not_after_year_end=True),
            Column("REASON_PLACED_CEASED", "code", code_field="REASON_PLACED_CEASED"),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "prev_perm",
        "PrevPerm",
        (
            _child(),
            _dob(),
            Column("PREV_PERM", "code", required=True, code_field="PREV_PERM"),
            Column("LA_PERM", "text", max_length=3),
            Column("DATE_PERM", "partial_date"),
        ),
        one_row_per_child=True,
    ),
    TableSpec(
        "reviews",
        "Reviews",
        (
            _child(),
            _dob(),
            Column("REVIEW", "date", required=True, not_after_year_end=True),
            Column("REVIEW_CODE", "code", required=True, code_field="REVIEW_CODE"),
        ),
    ),
    TableSpec(
        "sw_episodes",
        "SWEpisodes",
        (
            _child(),
            _dob(),
            Column("SW_ID", "text", required=True, max_length=20),
            Column("SW_DECOM", "date", required=True, not_after_year_end=True),
            Column("SW_DEC", "date", not_after_year_end=True),
            Column("SW_REASON", "code", code_field="SW_REASON"),
        ),
        first_year=2024,
    ),
    TableSpec(
        "dolo",
        "DoLo",
        (
            _child(),
            _dob(),
            Column("DOLO_START", "date", required=True, not_after_year_end=True),
            Column("DOLO_END", "date", not_after_year_end=True),
        ),
        first_year=2027,
    ),
)
TABLES_BY_KEY = {t.key: t for t in TABLES}


# --- problems ---------------------------------------------------------------------------


@dataclass
class Problem:
    severity: str  # "error" or "warning"
    file: str
    message: str
    row: int | None = None
    column: str = ""
    value: str = ""

    def as_text(self) -> str:
        where = self.file + (f", row {self.row}" if self.row else "")
        where += f", {self.column}" if self.column else ""
        return f"{self.severity.upper()}: {where}: {self.message}"


@dataclass
class Row:
    line: int  # the row number a spreadsheet shows: the header is row 1
    values: dict[str, object]
    valid: bool = True


@dataclass
class ParsedTable:
    spec: TableSpec
    file: str
    rows: list[Row] = field(default_factory=list)

    def valid_rows(self) -> list[Row]:
        return [r for r in self.rows if r.valid]


@dataclass
class SourceFile:
    name: str
    data: bytes


class HasProblems:
    """Anything that collects Problems: a checked return, a loaded list."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class CheckedReturn(HasProblems):
    year: int
    tables: dict[str, ParsedTable]
    problems: list[Problem]
    files: list[dict[str, object]]

    @property
    def skipped_rows(self) -> int:
        return sum(1 for t in self.tables.values() for r in t.rows if not r.valid)


# --- code lists -------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeRule:
    label: str
    valid_from: dt.date | None
    valid_until: dt.date | None


class CodeLists:
    """The codes valid in one collection year, and where else each code is valid."""

    def __init__(self, year: int, entries: Iterable[tuple[int, str, str, str, object, object]]):
        self.year = year
        self.current: dict[str, dict[str, CodeRule]] = defaultdict(dict)
        self.years: dict[tuple[str, str], list[int]] = defaultdict(list)
        for entry_year, fld, code, label, valid_from, valid_until in entries:
            self.years[(fld, code)].append(entry_year)
            if entry_year == year:
                self.current[fld][code] = CodeRule(label, valid_from, valid_until)  # type: ignore[arg-type]

    @classmethod
    def for_year(cls, year: int) -> CodeLists:
        from placements.models import CodeListEntry

        rows = CodeListEntry.objects.values_list(
            "year", "field", "code", "label", "valid_from", "valid_until"
        )
        return cls(year, rows)

    def problem(
        self, fld: str, code: str, on: dt.date | None, *, ended_in: int | None = None
    ) -> str | None:
        """None if `code` is valid for `fld` in this year (on date `on`), else why not.

        `ended_in` is the collection year an episode ended in, when that is before this
        return's year: full-history extracts carry old episodes, whose codes were right
        for their own time (E43 ended in 2016 is valid though retired since).
        """
        if ended_in is not None and ended_in < self.year:
            if ended_in in self.years.get((fld, code), []):
                return None
            return (
                f"'{code}' was not a valid {fld} code in {collection_year_label(ended_in)}, "
                "when this episode ended"
            )
        rule = self.current.get(fld, {}).get(code)
        if rule is None:
            year_text = collection_year_label(self.year)
            other = sorted(set(self.years.get((fld, code), [])))
            if other:
                span = (
                    f"from {collection_year_label(other[0])} onwards"
                    if other[0] > self.year
                    else f"only up to {collection_year_label(other[-1])}"
                    if other[-1] < self.year
                    else f"in {', '.join(collection_year_label(y) for y in other)}"
                )
                return f"'{code}' is not a valid {fld} code in {year_text}: it is used {span}"
            known = ", ".join(sorted(self.current.get(fld, {})))
            return f"'{code}' is not a valid {fld} code in {year_text}. Valid codes: {known}"
        if on is not None:
            if rule.valid_until and on > rule.valid_until:
                return (
                    f"'{code}' ({rule.label}) cannot be used for dates after "
                    f"{rule.valid_until:%d/%m/%Y}"
                )
            if rule.valid_from and on < rule.valid_from:
                return (
                    f"'{code}' ({rule.label}) cannot be used for dates before "
                    f"{rule.valid_from:%d/%m/%Y}"
                )
        return None

    def label(self, fld: str, code: str) -> str:
        rule = self.current.get(fld, {}).get(code)
        return rule.label if rule else code


# --- reading files ---------------------------------------------------------------------

DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
PARTIAL_DATE_RE = re.compile(r"^(?:(?:\d{2}|zz)/(?:\d{2}|zz)/\d{4})$", re.IGNORECASE)
SCORE_RE = re.compile(r"^[0-9]{1,2}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_FIELD = 10_000
URN_RE = re.compile(r"^(?:SC\d{6}|\d{7}|XXXXXXX)$", re.IGNORECASE)


@functools.lru_cache(maxsize=16_384)  # a return repeats its dates (births, starts) often
def parse_date(raw: str) -> tuple[dt.date | None, str | None]:
    match = DATE_RE.match(raw)
    if not match:
        return None, f"'{raw}' is not a date in the format dd/mm/yyyy"
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, f"'{raw}' is not a real date"


def describe_non_text(data: bytes) -> str | None:
    head = data[:1024]
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Excel or Word file"
    if b"\x00" in data:
        return "a binary file"
    return None


def _zip_kind(data: bytes) -> str:
    """Which kind of ZIP: Excel and Word files are ZIPs too, and the officer needs to
    know which of them they chose. Only the archive's list of names is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "a damaged ZIP archive"
    if "xl/workbook.xml" in names:
        return "an Excel workbook (.xlsx)"
    if "word/document.xml" in names:
        return "a Word document (.docx)"
    return "a ZIP archive"


def decode(file: SourceFile, problems: list[Problem]) -> str | None:
    kind = describe_non_text(file.data)
    if kind:
        problems.append(
            Problem(
                "error",
                file.name,
                f"This is not a CSV file: it looks like {kind}. "
                "Export each SSDA903 table from your system as CSV and upload those.",
            )
        )
        return None
    try:
        return file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.data[: exc.start].count(b"\n") + 1
        byte = file.data[exc.start]
        problems.append(
            Problem(
                "error",
                file.name,
                f"The file is not UTF-8 text: row {line} contains the byte 0x{byte:02X}, "
                "which is not valid UTF-8. It is probably Latin-1 or Windows-1252: "
                "save it as 'CSV UTF-8' and upload it again.",
                row=line,
            )
        )
        return None


def _csv_error_text(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"A value is longer than {MAX_FIELD:,} characters, so this can't be an SSDA903 "
            "table. Check that the file is the CSV export of the return."
        )
    return f"The file can't be read as CSV ({exc}). Check that it was saved as CSV."


def identify(header: list[str]) -> TableSpec | None:
    """The table whose needed columns the file best covers; ties go to the bigger table.

    Scoring on needed columns (not all columns) matters: a Header file without the
    optional UPN and MC_DOB must not be taken for UASC, which shares CHILD, SEX and DOB.
    """
    cols = set(header)
    best, best_key = None, (0.0, 0)
    for spec in TABLES:
        needed = spec.needed_names
        present = len(cols & needed)
        key = (present / len(needed), present)
        if key > best_key:
            best, best_key = spec, key
    return best if best_key[0] >= 0.6 else None


def read_file(
    file: SourceFile, year: int, codes: CodeLists, problems: list[Problem]
) -> ParsedTable | None:
    text = decode(file, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem("error", file.name, "The file is empty."))
        return None
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        raw_header = next(reader)
    except csv.Error as exc:
        problems.append(Problem("error", file.name, _csv_error_text(exc), row=1))
        return None
    header = [h.strip().upper() for h in raw_header]
    spec = identify(header)
    if spec is None:
        shown = ", ".join(h for h in header if h)[:150]
        problems.append(
            Problem(
                "error",
                file.name,
                f"Its columns ({shown}) don't match any SSDA903 table. "
                "Check that the first row holds the column names.",
                row=1,
            )
        )
        return None
    missing = [n for n in spec.column_names if n in spec.needed_names and n not in header]
    if missing:
        problems.append(
            Problem(
                "error",
                file.name,
                f"This looks like the {spec.title} table, but the column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'are' if len(missing) > 1 else 'is'} missing.",
                row=1,
                column=", ".join(missing),
            )
        )
        return None
    duplicated = [h for h, n in Counter(header).items() if n > 1 and h]
    if duplicated:
        problems.append(
            Problem(
                "error",
                file.name,
                f"The column {', '.join(duplicated)} appears more than once in the first row.",
                row=1,
            )
        )
        return None
    extra = [h for h in header if h not in spec.column_names]
    if extra:
        problems.append(
            Problem(
                "warning",
                file.name,
                f"Extra column{'s' if len(extra) > 1 else ''} "
                f"{', '.join(e or '(blank)' for e in extra)} ignored.",
                row=1,
            )
        )
    index = {name: header.index(name) for name in spec.column_names if name in header}
    table = ParsedTable(spec, file.name)
    _, year_end = collection_year_bounds(year)
    controls = CONTROL_RE.search(text) is not None  # once, not in every cell
    try:
        for line_no, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines, including trailing ones
            if len(record) != len(header):
                problems.append(
                    Problem(
                        "error",
                        file.name,
                        f"This row has {len(record)} values but the first row names "
                        f"{len(header)} columns.",
                        row=line_no,
                    )
                )
                table.rows.append(Row(line_no, {}, valid=False))
                continue
            table.rows.append(
                _check_row(
                    spec,
                    file.name,
                    line_no,
                    record,
                    index,
                    codes,
                    year_end,
                    problems,
                    controls=controls,
                )
            )
    except csv.Error as exc:
        problems.append(Problem("error", file.name, _csv_error_text(exc), row=reader.line_num))
        return None
    if not table.rows:
        severity = "error" if spec.key in {"header", "episodes"} else "warning"
        problems.append(
            Problem(
                severity,
                file.name,
                f"The {spec.title} table has a header row but no data rows.",
            )
        )
    return table


def _check_row(
    spec: TableSpec,
    file_name: str,
    line_no: int,
    record: list[str],
    index: dict[str, int],
    codes: CodeLists,
    year_end: dt.date,
    problems: list[Problem],
    *,
    controls: bool = True,
) -> Row:
    """Check one row's values; `controls` False says the file has no control character
    anywhere, so no cell needs searching for one."""
    values: dict[str, object] = {}
    valid = True

    def bad(column: str, value: str, message: str) -> None:
        nonlocal valid
        valid = False
        problems.append(Problem("error", file_name, message, line_no, column, value[:200]))

    for col in spec.columns:
        if col.kind == "ignored" or col.name not in index:
            continue
        raw = record[index[col.name]].strip()
        if controls and CONTROL_RE.search(raw):
            bad(col.name, CONTROL_RE.sub("?", raw), f"{col.name} contains a control character.")
            values[col.name] = None
            continue
        if col.max_length and len(raw) > col.max_length:
            bad(
                col.name,
                raw,
                f"{col.name} '{raw[:40]}' is longer than {col.max_length} characters.",
            )
            values[col.name] = None
            continue
        if not raw:
            if col.required:
                bad(col.name, raw, f"{col.name} is blank, but it is required.")
            values[col.name] = None
            continue
        if col.kind == "date":
            parsed, error = parse_date(raw)
            if error:
                bad(col.name, raw, f"{col.name} {error}.")
            elif col.not_after_year_end and parsed > year_end:
                bad(
                    col.name,
                    raw,
                    f"{col.name} {raw} is after the end of the collection year "
                    f"({year_end:%d/%m/%Y}).",
                )
            values[col.name] = parsed
        elif col.kind == "code":
            values[col.name] = raw.upper()
        elif col.kind == "flag":
            if raw not in {"0", "1"}:
                bad(col.name, raw, f"{col.name} '{raw}' must be 0 (no) or 1 (yes).")
            values[col.name] = raw == "1"
        elif col.kind == "int":
            if not SCORE_RE.match(raw) or not 0 <= int(raw) <= 40:
                bad(col.name, raw, f"{col.name} '{raw}' must be a whole number from 0 to 40.")
                values[col.name] = None
            else:
                values[col.name] = int(raw)
        elif col.kind == "urn":
            if not URN_RE.match(raw):
                bad(
                    col.name,
                    raw,
                    f"URN '{raw}' is not an Ofsted URN: expected SC followed by 6 digits, "
                    "7 digits, or XXXXXXX when there is none.",
                )
            values[col.name] = raw.upper()
        elif col.kind == "partial_date":
            if not PARTIAL_DATE_RE.match(raw):
                bad(col.name, raw, f"{col.name} '{raw}' must be dd/mm/yyyy (zz for unknown parts).")
            values[col.name] = raw
        else:
            values[col.name] = raw

    # Codes are checked once all dates are known: some codes are valid only for
    # episodes starting before or after a date (P2 from 28 October 2023, say).
    on = values.get("DECOM") if spec.key == "episodes" else None
    ended = values.get("DEC") if spec.key == "episodes" else None
    ended_in = collection_year_of(ended) if isinstance(ended, dt.date) else None
    for col in spec.columns:
        code = values.get(col.name)
        if col.kind == "code" and code:
            error = codes.problem(
                col.code_field,
                str(code),
                on if isinstance(on, dt.date) else None,
                ended_in=ended_in,
            )
            if error:
                bad(col.name, str(code), f"{col.name} {error}.")

    if spec.key == "episodes":
        decom, dec, rec = values.get("DECOM"), values.get("DEC"), values.get("REC")
        if isinstance(decom, dt.date) and isinstance(dec, dt.date) and dec < decom:
            bad("DEC", f"{dec:%d/%m/%Y}", f"DEC {dec:%d/%m/%Y} is before DECOM {decom:%d/%m/%Y}.")
        place, urn = values.get("PLACE"), values.get("URN")
        regulated_from = dt.date(2023, 10, 28)
        if (
            place == "H5"
            and isinstance(decom, dt.date)
            # Open on or after that date: a blank DEC means open at the year's end.
            and max(decom, dec if isinstance(dec, dt.date) else year_end) >= regulated_from
            and (not urn or urn == "XXXXXXX")
        ):
            # Supported accommodation became regulated on 28 October 2023.
            bad(
                "URN",
                str(urn or ""),
                "PLACE H5 (semi-independent living) needs an Ofsted URN for episodes open on or "
                "after 28/10/2023, when supported accommodation became regulated.",
            )
        dec_given = "DEC" in index and bool(record[index["DEC"]].strip())
        if dec_given != bool(rec):
            bad(
                "REC" if dec_given else "DEC",
                str(rec or ""),
                "DEC is given but REC is blank: DEC and REC must both be given, or both blank."
                if dec_given
                else f"REC '{rec}' is given but DEC is blank: DEC and REC must both be given, "
                "or both blank.",
            )
    return Row(line_no, values, valid)


# --- checks across rows and tables ------------------------------------------------------


def check_return(
    files: list[SourceFile], *, year: int, codes: CodeLists, skip_invalid: bool
) -> CheckedReturn:
    problems: list[Problem] = []
    tables: dict[str, ParsedTable] = {}
    file_notes: list[dict[str, object]] = []
    for file in files:
        table = read_file(file, year, codes, problems)
        file_notes.append(
            {
                "name": file.name,
                "bytes": len(file.data),
                "sha256": hashlib.sha256(file.data).hexdigest(),
                "table": table.spec.title if table else None,
                "rows": len(table.rows) if table else 0,
            }
        )
        if table is None:
            continue
        if table.spec.first_year and year < table.spec.first_year:
            problems.append(
                Problem(
                    "warning",
                    file.name,
                    f"The {table.spec.title} table was not collected in "
                    f"{collection_year_label(year)} (it starts in "
                    f"{collection_year_label(table.spec.first_year)}), so this file is ignored.",
                )
            )
            continue
        if table.spec.key in tables:
            other = tables[table.spec.key].file
            problems.append(
                Problem(
                    "error",
                    file.name,
                    f"Two files hold the {table.spec.title} table: {other} and {file.name}. "
                    "Upload one file per table.",
                )
            )
            continue
        tables[table.spec.key] = table

    if "header" not in tables:
        problems.append(
            Problem(
                "error",
                "(the return)",
                "There is no usable Header table, so no other table can be checked or saved. "
                "Upload the Header file (CHILD, SEX, DOB, ETHNIC ...) with the others."
                if files
                else "No files were given.",
            )
        )
    if "episodes" not in tables:
        problems.append(
            Problem(
                "error",
                "(the return)",
                "There is no usable Episodes table: every return needs one.",
            )
        )
    for table in tables.values():
        if table.spec.one_row_per_child:
            _check_one_row_per_child(table, problems)
    if "header" in tables:
        # Without a Header, "not in the Header file" on every row would bury the cause.
        header_children = _header_children(tables["header"])
        for table in tables.values():
            if table.spec.key != "header":
                _check_children_in_header(table, header_children, problems, skip_invalid)
    if "episodes" in tables:
        _check_episode_sequences(tables["episodes"], problems)
        if skip_invalid:
            _skip_whole_histories(tables["episodes"], problems)
    return CheckedReturn(year, tables, problems, file_notes)


def _skip_whole_histories(table: ParsedTable, problems: list[Problem]) -> None:
    """Dropping one bad episode would split a period of care in two and distort stability,
    so a child with any invalid episode has all their episodes skipped."""
    broken = {
        str(r.values.get("CHILD")) for r in table.rows if not r.valid and r.values.get("CHILD")
    }
    for row in table.rows:
        child = str(row.values.get("CHILD"))
        if row.valid and child in broken:
            row.valid = False
            problems.append(
                Problem(
                    "error",
                    table.file,
                    f"Skipped because another of CHILD {child}'s episodes is invalid: "
                    "a child's episodes are imported together or not at all.",
                    row.line,
                    "CHILD",
                    child,
                )
            )


def _check_one_row_per_child(table: ParsedTable, problems: list[Problem]) -> None:
    lines: dict[str, list[Row]] = defaultdict(list)
    for row in table.rows:
        child = row.values.get("CHILD")
        if child:
            lines[str(child)].append(row)
    for child, rows in lines.items():
        if len(rows) > 1:
            numbers = ", ".join(str(r.line) for r in rows)
            for row in rows:
                row.valid = False
                problems.append(
                    Problem(
                        "error",
                        table.file,
                        f"CHILD {child} appears {len(rows)} times in the {table.spec.title} "
                        f"table (rows {numbers}); it must appear once.",
                        row.line,
                        "CHILD",
                        child,
                    )
                )


def _header_children(header: ParsedTable | None) -> dict[str, bool]:
    """Children in the Header file, and whether their Header row is valid."""
    found: dict[str, bool] = {}
    if header:
        for row in header.rows:
            child = row.values.get("CHILD")
            if child:
                found[str(child)] = found.get(str(child), True) and row.valid
    return found


def _check_children_in_header(
    table: ParsedTable, header_children: dict[str, bool], problems: list[Problem], skip: bool
) -> None:
    for row in table.rows:
        child = row.values.get("CHILD")
        if not child:
            continue
        state = header_children.get(str(child))
        if state is None:
            row.valid = False
            problems.append(
                Problem(
                    "error",
                    table.file,
                    f"CHILD {child} is not in the Header file.",
                    row.line,
                    "CHILD",
                    str(child),
                )
            )
        elif state is False and skip and row.valid:
            row.valid = False
            problems.append(
                Problem(
                    "error",
                    table.file,
                    f"Skipped because CHILD {child}'s Header row is invalid.",
                    row.line,
                    "CHILD",
                    str(child),
                )
            )


def _check_episode_sequences(table: ParsedTable, problems: list[Problem]) -> None:
    by_child: dict[str, list[Row]] = defaultdict(list)
    for row in table.rows:
        if row.values.get("CHILD") and isinstance(row.values.get("DECOM"), dt.date):
            by_child[str(row.values["CHILD"])].append(row)
    for child, rows in by_child.items():
        rows.sort(key=lambda r: (r.values["DECOM"], r.line))
        for previous, row in pairwise(rows):
            start: dt.date = row.values["DECOM"]  # type: ignore[assignment]
            prev_start: dt.date = previous.values["DECOM"]  # type: ignore[assignment]
            prev_end = previous.values.get("DEC")
            if start == prev_start:
                message = (
                    f"CHILD {child} has two episodes starting on {start:%d/%m/%Y} "
                    f"(rows {previous.line} and {row.line})."
                )
            elif prev_end is None:
                message = (
                    f"CHILD {child}'s episode starting {start:%d/%m/%Y} overlaps the episode "
                    f"in row {previous.line}, which started {prev_start:%d/%m/%Y} and has no DEC."
                )
            elif isinstance(prev_end, dt.date) and start < prev_end:
                message = (
                    f"CHILD {child}'s episode starting {start:%d/%m/%Y} overlaps the episode "
                    f"in row {previous.line}, which runs from {prev_start:%d/%m/%Y} "
                    f"to {prev_end:%d/%m/%Y}."
                )
            else:
                continue
            row.valid = False
            problems.append(
                Problem("error", table.file, message, row.line, "DECOM", f"{start:%d/%m/%Y}")
            )
