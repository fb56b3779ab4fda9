"""Loading Ofsted's published list of children's social care providers.

The layout is Ofsted's "Children's social care data in England: provider level" table
(one row per registered provider, as at 31 March each year): a few title lines, then a
header row with "URN", "Provision type", "Registration status", "Name", "Postcode",
"Local authority", "Sector", "Places", "Organisation which owns the provider", the
latest full inspection's event type, date, publication date and event number, and its
judgements. Column names have changed from year to year ("Ofsted region" or "Ofsted
Region", line breaks inside headings, an "Inspection ..." prefix in 2022), so headings
are matched loosely against a list of the names seen.

Everything is checked before anything is saved: each problem carries its file, row,
column, value and a plain-English message, and a file with any error saves nothing.
Re-loading a list updates settings by URN.

A change of registration status is a status change from the list's date, made with the
rules of inspections.closures, so the setting's closure history is kept. The list never
reopens a council's home that the council itself recorded as closed or temporarily
closed ("Active" says the registration stands, not that the home takes children): the
council's status stays, with a warning. Every setting the list changes has its
`version` bumped, so an officer's open form can't overwrite the change unawares.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from corporate_parenting.lib.dates import long_date
from corporate_parenting.models import LocalAuthority
from inspections import closures, frameworks
from inspections.models import (
    POSTCODE_REGEX,
    URN_REGEX,
    ClosureSource,
    Framework,
    InspectionType,
    Setting,
    SettingClosure,
    SettingInspection,
    SettingJudgement,
    SettingStatus,
    SettingType,
)
from inspections.services import CouncilMatcher, check_judgements
from performance import oversight
from placements.demo_returns import COUNCILS
from placements.models import SAVED, Import
from placements.ssda903 import HasProblems, Problem

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEMO_FILE = REFERENCE_DIR / "demo_ofsted_providers.csv"

# How far down the sheet the header row may be: Ofsted's files have three title lines.
HEADER_SEARCH_ROWS = 20
MAX_PLACES = 32767  # PositiveSmallIntegerField

# --- columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the heading Ofsted uses now, quoted in messages
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def names(self) -> set[str]:
        return {_heading(n) for n in (self.title, *self.aliases)}


# Judgement columns, by SCCIF area code. The 2022 list put "Inspection " before each.
GRADE_COLUMNS = {
    "overall_experiences": "Overall experiences and progress of children and young people",
    "help_and_protection": "How well children and young people are helped and protected",
    "leaders_and_managers": "The effectiveness of leaders and managers",
    "education": "Outcomes in education and related learning activities",
    "health": "Health services",
}

COLUMNS: tuple[Column, ...] = (
    Column("urn", "URN", ("Provider URN",), required=True),
    Column("provision_type", "Provision type", ("Provider type",), required=True),
    Column(
        "registration_status",
        "Registration status",
        ("Reg status", "Provider status"),
        required=True,
    ),
    Column("local_authority", "Local authority", required=True),
    Column("registration_date", "Registration date"),
    Column("name", "Name", ("Setting name", "Provider name")),
    Column("postcode", "Postcode", ("Provider postcode",)),
    Column("sector", "Sector"),
    Column("places", "Places", ("Number of registered places", "Registered places")),
    Column(
        "owner",
        "Organisation which owns the provider",
        ("Organisation which owns the children's home", "Organisation"),
    ),
    Column("web_link", "Web link"),
    Column(
        "inspection_date",
        "Latest full inspection date",
        ("Inspection date",),
    ),
    Column(
        "publication_date",
        "Latest full inspection publication date",
        ("Inspection publication date", "Publication date"),
    ),
    Column(
        "event_number",
        "Latest full inspection event number",
        ("Inspection event number", "Event number"),
    ),
    *(
        Column(f"grade:{code}", title, (f"Inspection {title}",))
        for code, title in GRADE_COLUMNS.items()
    ),
)


def _heading(text: object) -> str:
    """Headings compared without case, line breaks, curly quotes or stray spaces."""
    return re.sub(r"\s+", " ", str(text or "").replace("\u2019", "'")).strip().lower()


_BY_HEADING = {name: column for column in COLUMNS for name in column.names}

# --- values ----------------------------------------------------------------------------

PROVISION_TYPES = {
    "children's home": SettingType.CHILDRENS_HOME,
    # Registered as a children's home, and inspected as one.
    "residential special school (registered as a children's home)": SettingType.CHILDRENS_HOME,
    "secure children's home": SettingType.SECURE_CHILDRENS_HOME,
    "independent fostering agency": SettingType.INDEPENDENT_FOSTERING_AGENCY,
    "supported accommodation": SettingType.REGISTERED_SUPPORTED_ACCOMMODATION,
    "registered supported accommodation": SettingType.REGISTERED_SUPPORTED_ACCOMMODATION,
    "residential family centre": SettingType.RESIDENTIAL_FAMILY_CENTRE,
    "residential special school": SettingType.RESIDENTIAL_SPECIAL_SCHOOL,
    "voluntary adoption agency": SettingType.VOLUNTARY_ADOPTION_AGENCY,
}

# Ofsted's registration statuses. A suspended registration can't take children, which
# is a temporary closure as far as a committee is concerned.
STATUSES = {
    "active": SettingStatus.OPEN,
    "suspended": SettingStatus.TEMPORARILY_CLOSED,
    "temporarily closed": SettingStatus.TEMPORARILY_CLOSED,
    "temporarily inactive": SettingStatus.TEMPORARILY_CLOSED,
    "resigned": SettingStatus.CLOSED,
    "cancelled": SettingStatus.CLOSED,
    "closed": SettingStatus.CLOSED,
}

GRADES = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement to be good": "requires_improvement",
    "requires improvement": "requires_improvement",
    "inadequate": "inadequate",
}
GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}
NOT_GIVEN = {"", "redacted", "n/a", "na", "-", "not applicable", "not judged"}

# Which SCCIF framework a setting's full inspections are made under. Registered
# supported accommodation has its own outcome scale, not held yet.
FRAMEWORK_FOR_TYPE = {
    SettingType.CHILDRENS_HOME: frameworks.SCCIF_CHILDRENS_HOMES,
    SettingType.SECURE_CHILDRENS_HOME: frameworks.SCCIF_SECURE_HOMES,
    SettingType.INDEPENDENT_FOSTERING_AGENCY: frameworks.SCCIF_OTHER,
    SettingType.RESIDENTIAL_FAMILY_CENTRE: frameworks.SCCIF_OTHER,
    SettingType.RESIDENTIAL_SPECIAL_SCHOOL: frameworks.SCCIF_OTHER,
    SettingType.VOLUNTARY_ADOPTION_AGENCY: frameworks.SCCIF_OTHER,
    SettingType.OTHER: frameworks.SCCIF_OTHER,
}

# --- results ---------------------------------------------------------------------------


@dataclass
class ProviderRow:
    line: int
    urn: str
    provision_type: str
    setting_type: str
    status: str
    la: LocalAuthority | None
    present: set[str]  # the optional columns the file has
    name: str = ""
    postcode: str = ""
    sector: str = ""
    owner: str = ""
    # False when the row can't say who runs the setting: keep what is stored.
    run_by_known: bool = False
    run_by: LocalAuthority | None = None
    places: int | None = None
    registration_date: dt.date | None = None
    inspection_date: dt.date | None = None
    publication_date: dt.date | None = None
    event_number: str = ""
    grades: dict[str, str] = field(default_factory=dict)
    web_link: str = ""
    record_inspection: bool = False


@dataclass
class LoadResult(HasProblems):
    file: str
    problems: list[Problem] = field(default_factory=list)
    as_at: dt.date | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    inspections_created: int = 0
    inspections_updated: int = 0
    saved: bool = False

    def summary(self) -> str:
        if not self.saved:
            return (
                f"{self.file}: nothing saved — {len(self.errors)} error(s), "
                f"{len(self.warnings)} warning(s)."
            )
        return (
            f"{self.file}: {self.rows} provider(s) read; {self.created} setting(s) added, "
            f"{self.updated} updated; {self.inspections_created} inspection(s) added, "
            f"{self.inspections_updated} updated; {len(self.warnings)} warning(s)."
        )


# --- reading a file --------------------------------------------------------------------

Cell = object  # str, int, float, date or None as the file gives it


@dataclass
class Table:
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells)
    sheet: str = ""


class FileProblem(Exception):
    """The file can't be read as a table at all."""


def read_table(data: bytes, file_name: str) -> Table:
    """Read a CSV or XLSX file, chosen by its content; the extension only sharpens messages."""
    suffix = Path(file_name).suffix.lower()
    if not data.strip():
        raise FileProblem("The file is empty.")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem(
            "This is an old-style Excel (.xls) file. Save it as .xlsx or CSV and load that."
        )
    if data[:4] == b"PK\x03\x04":
        if b"opendocument.spreadsheet" in data[:200]:
            raise FileProblem(
                "This is an OpenDocument (.ods) spreadsheet, as Ofsted publishes. "
                "Save it as .xlsx or CSV and load that."
            )
        return _read_xlsx(data)
    if suffix == ".xlsx":
        raise FileProblem("The file is named .xlsx but is not an Excel workbook.")
    if b"\x00" in data[:4096] or data[:5] == b"%PDF-":
        raise FileProblem("This is not a CSV or XLSX file.")
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved as "CSV" on Windows are often in the Windows code page.
        text = data.decode("cp1252", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileProblem(f"This is not a CSV file that can be read: {exc}.") from None
    return Table([(n, list(r)) for n, r in enumerate(rows, start=1)])


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: only a full load gives cells' hyperlinks (Ofsted's "Web link").
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileProblem("This is not a CSV or XLSX file.") from None
    for sheet in book.worksheets:
        rows: list[tuple[int, list[Cell]]] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values: list[Cell] = []
            for cell in cells:
                link = getattr(cell, "hyperlink", None)
                values.append(link.target if link is not None and link.target else cell.value)
            rows.append((number, values))
        if _find_header(rows) is not None:
            return Table(rows, sheet=sheet.title)
    first = book.worksheets[0]
    return Table(
        [(n, [c.value for c in cells]) for n, cells in enumerate(first.iter_rows(), start=1)],
        sheet=first.title,
    )


def _find_header(rows: Sequence[tuple[int, list[Cell]]]) -> int | None:
    """Index of the first row with three or more headings we know."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(_heading(c) in _BY_HEADING for c in cells) >= 3:
            return index
    return None


_AS_AT = re.compile(r"as at (\d{1,2} [A-Za-z]+ \d{4})")


def _as_at_from_title(rows: Sequence[tuple[int, list[Cell]]]) -> dt.date | None:
    """Ofsted's title line says "Provider level as at 31 March 2023"."""
    for _, cells in rows:
        for cell in cells:
            match = _AS_AT.search(str(cell or ""))
            if match:
                try:
                    return dt.datetime.strptime(match.group(1), "%d %B %Y").date()
                except ValueError:
                    return None
    return None


# --- checking rows ---------------------------------------------------------------------


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return re.sub(r"\s+", " ", str(cell)).strip()


def _given(cell: Cell) -> str:
    """The cell's text, or "" when Ofsted withholds or doesn't apply it."""
    text = _text(cell)
    return "" if text.lower() in NOT_GIVEN else text


def _date(cell: Cell) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = _text(cell)
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            pass
    raise ValueError(text)


def _postcode(text: str) -> str:
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


class RowChecker:
    """Turns one file's rows into ProviderRows, collecting every problem."""

    def __init__(self, file: str, councils: CouncilMatcher) -> None:
        self.file = file
        self.councils = councils
        self.problems: list[Problem] = []
        self.error_count = 0
        self._framework_areas = {
            f.code: [(a.code, a.name, a.required) for a in f.areas.all()]
            for f in Framework.objects.prefetch_related("areas")
        }

    def error(self, message: str, row: int | None = None, column: str = "", value: object = ""):
        self.error_count += 1
        self.problems.append(Problem("error", self.file, message, row, column, _text(value)))

    def warning(self, message: str, row: int | None = None, column: str = "", value: object = ""):
        self.problems.append(Problem("warning", self.file, message, row, column, _text(value)))

    def columns(self, header: list[Cell], line: int) -> dict[str, int] | None:
        found: dict[str, int] = {}
        for index, cell in enumerate(header):
            column = _BY_HEADING.get(_heading(cell))
            if column and column.key not in found:
                found[column.key] = index
        missing = [c for c in COLUMNS if c.required and c.key not in found]
        for column in missing:
            self.error(
                f"The header row (row {line}) has no {column.title} column. "
                f"Ofsted's list heads it “{column.title}”.",
                row=line,
                column=column.title,
            )
        return None if missing else found

    def check(self, line: int, cells: list[Cell], at: dict[str, int]) -> ProviderRow | None:
        def cell(key: str) -> Cell:
            index = at.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        before = self.error_count
        urn = _text(cell("urn")).upper()
        provision = _text(cell("provision_type"))
        if not urn and not provision:
            # A note under the table, say, rather than a provider.
            self.warning("The row has no URN or Provision type: skipped.", line)
            return None
        if not urn:
            self.error("URN is empty: every provider needs its Ofsted URN.", line, "URN")
        elif not re.match(URN_REGEX, urn):
            self.error(
                f"URN {urn!r} is neither SC followed by 6 digits nor 7 digits.",
                line,
                "URN",
                urn,
            )

        if not provision:
            self.error("Provision type is empty.", line, "Provision type")
        setting_type = PROVISION_TYPES.get(_heading(provision), SettingType.OTHER)

        status_text = _text(cell("registration_status"))
        status = STATUSES.get(status_text.lower())
        if status is None:
            self.error(
                f"Registration status {status_text!r} is not one we know: "
                "use Active, Suspended, Resigned or Cancelled.",
                line,
                "Registration status",
                status_text,
            )

        la_name = _given(cell("local_authority"))
        la = self.councils.match(la_name) if la_name else None
        if not la_name:
            self.warning(
                "Local authority is empty: the setting is saved without a council area.",
                line,
                "Local authority",
            )
        elif la is None:
            self.warning(
                f"Local authority {la_name!r} is not a council we know: "
                "the setting is saved without a council area.",
                line,
                "Local authority",
                la_name,
            )

        row = ProviderRow(
            line=line,
            urn=urn,
            provision_type=provision,
            setting_type=setting_type,
            status=status or SettingStatus.OPEN,
            la=la,
            present=set(at),
            name=_given(cell("name")),
            sector=_given(cell("sector")),
            owner=_given(cell("owner")),
            event_number=_given(cell("event_number")),
        )
        raw_postcode = _given(cell("postcode"))
        if raw_postcode:
            row.postcode = _postcode(raw_postcode)
            if not re.match(POSTCODE_REGEX, row.postcode):
                self.warning(
                    f"Postcode {raw_postcode!r} is not a UK postcode: saved without one.",
                    line,
                    "Postcode",
                    raw_postcode,
                )
                row.postcode = ""
        link = _text(cell("web_link"))
        if link.startswith(("https://", "http://")):
            row.web_link = link[:200]

        row.registration_date = self._date(cell("registration_date"), line, "Registration date")
        row.inspection_date = self._date(
            cell("inspection_date"), line, "Latest full inspection date"
        )
        row.publication_date = self._date(
            cell("publication_date"), line, "Latest full inspection publication date"
        )
        if (
            row.inspection_date
            and row.publication_date
            and row.publication_date < row.inspection_date
        ):
            self.error(
                f"Latest full inspection publication date {row.publication_date:%d/%m/%Y} "
                f"is before the inspection date {row.inspection_date:%d/%m/%Y}.",
                line,
                "Latest full inspection publication date",
                cell("publication_date"),
            )

        places = _given(cell("places"))
        if places:
            if re.fullmatch(r"[0-9]+(\.0+)?", places) and int(float(places)) <= MAX_PLACES:
                row.places = int(float(places))
            else:
                self.error(
                    f"Places {places!r} is not a whole number of places.",
                    line,
                    "Places",
                    places,
                )

        for code, title in GRADE_COLUMNS.items():
            value = _given(cell(f"grade:{code}"))
            if not value:
                continue
            grade = GRADES.get(value.lower())
            if grade is None:
                self.error(
                    f"{value!r} is not an Ofsted grade: use Outstanding, Good, "
                    "Requires improvement to be good or Inadequate.",
                    line,
                    title,
                    value,
                )
            else:
                row.grades[code] = grade

        self._who_runs_it(row)
        self._inspection(row)
        return row if self.error_count == before else None

    def _date(self, value: Cell, line: int, column: str) -> dt.date | None:
        if not _given(value):
            return None
        try:
            return _date(value)
        except ValueError:
            self.error(
                f"{column} {_text(value)!r} is not a date in the form dd/mm/yyyy.",
                line,
                column,
                value,
            )
            return None

    def _who_runs_it(self, row: ProviderRow) -> None:
        """A "Local Authority" sector row is run by the council that owns it."""
        if "sector" not in row.present or not row.sector:
            return
        if row.sector.lower() != "local authority":
            row.run_by_known, row.run_by = True, None
            return
        council = self.councils.match(row.owner) if row.owner else None
        if council is None:
            self.warning(
                f"Organisation which owns the provider {row.owner!r} is not a council we "
                "know: who runs the setting is left as it was.",
                row.line,
                "Organisation which owns the provider",
                row.owner,
            )
            return
        row.run_by_known, row.run_by = True, council

    def _inspection(self, row: ProviderRow) -> None:
        """Decide whether the row's latest full inspection can be recorded as one."""
        code = FRAMEWORK_FOR_TYPE.get(row.setting_type)
        if not code or not row.grades:
            return
        if row.inspection_date is None:
            self.warning(
                "The row has judgements but no Latest full inspection date: "
                "no inspection is recorded for it.",
                row.line,
                "Latest full inspection date",
            )
            return
        areas = self._framework_areas.get(code, [])
        known = {a for a, _, _ in areas}
        missing = [name for a, name, required in areas if required and a not in row.grades]
        if missing:
            self.warning(
                f"The latest full inspection ({row.inspection_date:%d/%m/%Y}) has no grade "
                f"for {'; '.join(missing)}: it is not recorded as an inspection.",
                row.line,
                "Latest full inspection date",
                row.inspection_date.strftime("%d/%m/%Y"),
            )
            return
        # Judgements the framework doesn't hold (education for a children's home) are
        # blank in Ofsted's list anyway; any others are dropped.
        row.grades = {a: g for a, g in row.grades.items() if a in known}
        row.record_inspection = True


def check_file(
    data: bytes, file_name: str, councils: CouncilMatcher | None = None
) -> tuple[list[ProviderRow], LoadResult]:
    """Read and check a whole file without saving anything."""
    result = LoadResult(file=file_name)
    try:
        table = read_table(data, file_name)
    except FileProblem as exc:
        result.problems.append(Problem("error", file_name, str(exc)))
        return [], result
    header_index = _find_header(table.rows)
    if header_index is None:
        result.problems.append(
            Problem(
                "error",
                file_name,
                "No header row was found in the first 20 rows: Ofsted's list has one with "
                "URN, Provision type, Registration status and Local authority.",
            )
        )
        return [], result
    result.as_at = _as_at_from_title(table.rows[:header_index])
    checker = RowChecker(file_name, councils or CouncilMatcher())
    line, header = table.rows[header_index]
    at = checker.columns(header, line)
    rows: list[ProviderRow] = []
    if at is not None:
        first_seen: dict[str, int] = {}
        for line, cells in table.rows[header_index + 1 :]:
            if not any(_text(c) for c in cells):
                continue
            row = checker.check(line, cells, at)
            if row is None:
                continue
            if row.urn in first_seen:
                checker.error(
                    f"URN {row.urn} is also on row {first_seen[row.urn]}: "
                    "each provider must appear once.",
                    line,
                    "URN",
                    row.urn,
                )
                continue
            first_seen[row.urn] = line
            rows.append(row)
        if not first_seen and not checker.error_count:
            checker.error("The file has a header row but no providers under it.", line)
    result.problems += checker.problems
    result.rows = len(rows)
    return rows, result


# --- saving ----------------------------------------------------------------------------

_SETTING_FIELDS = (
    "name",
    "setting_type",
    "provision_type",
    "la_id",
    "run_by_council_id",
    "sector",
    "provider_name",
    "registered_places",
    "registration_date",
    "status",
    "status_since",
    "postcode",
    "ofsted_url",
    "latest_full_inspection_date",
    "latest_overall_judgement",
    "list_as_at",
)


def _apply(setting: Setting, row: ProviderRow, as_at: dt.date) -> None:
    """Copy a checked row onto a setting, keeping what the list doesn't say.

    Not the status: see `_new_status` and `_status_change`.
    """
    present = row.present
    if row.name:  # Ofsted withholds children's homes' names: keep one entered here
        setting.name = row.name[:200]
    if row.postcode:
        setting.postcode = row.postcode
    if row.web_link:
        setting.ofsted_url = row.web_link
    setting.setting_type = row.setting_type
    setting.provision_type = row.provision_type[:100]
    setting.la = row.la
    if row.run_by_known:
        setting.run_by_council = row.run_by
    if "sector" in present:
        setting.sector = row.sector[:40]
    if "owner" in present:
        setting.provider_name = row.owner[:200]
    if "places" in present:
        setting.registered_places = row.places
    if "registration_date" in present:
        setting.registration_date = row.registration_date
    if "inspection_date" in present:
        setting.latest_full_inspection_date = row.inspection_date
    if "grade:overall_experiences" in present:
        grade = row.grades.get("overall_experiences")
        setting.latest_overall_judgement = GRADE_LABELS[grade] if grade else ""
    setting.list_as_at = as_at


def _new_status(setting: Setting, row: ProviderRow, as_at: dt.date) -> SettingClosure | None:
    """A new setting's status, and its closure period from the list's date if closed."""
    setting.status = row.status
    if row.status == SettingStatus.OPEN:
        setting.status_since = row.registration_date
        return None
    setting.status_since = as_at
    return SettingClosure(
        setting=setting, status=row.status, start=as_at, source=ClosureSource.OFSTED_LIST
    )


def _status_change(
    setting: Setting, row: ProviderRow, as_at: dt.date, result: LoadResult
) -> list[SettingClosure]:
    """Apply the row's status to a stored setting from the list's date, as
    closures.record_status would; return the closure periods to save."""
    if row.status == setting.status:
        return []
    history = closures.closures_of(setting)
    ongoing = next((c for c in history if c.end is None), None)
    status_label = SettingStatus(row.status).label.lower()
    if (
        row.status == SettingStatus.OPEN
        and ongoing is not None
        and ongoing.source != ClosureSource.OFSTED_LIST
        and setting.run_by_council_id is not None
    ):
        label = SettingStatus(setting.status).label.lower()
        since = setting.status_since or ongoing.start
        result.problems.append(
            Problem(
                "warning",
                result.file,
                f"{_setting_name(setting)} is active in Ofsted's list, but "
                f"{setting.run_by_council.name} has recorded it as {label} since "
                f"{long_date(since)}: it is left {label}. If the home has reopened, "
                "record that on the home's page.",
                row.line,
                "Registration status",
            )
        )
        return []
    try:
        return closures.plan_status(
            setting, history, row.status, as_at, source=ClosureSource.OFSTED_LIST
        )
    except closures.StatusChangeError as exc:
        result.problems.append(
            Problem(
                "warning",
                result.file,
                f"The list as at {long_date(as_at)} says {_setting_name(setting)} is "
                f"{status_label}, which its closure history can't take ({exc}): its status "
                "is left as it was.",
                row.line,
                "Registration status",
            )
        )
        return []


def _setting_name(setting: Setting) -> str:
    return f"{setting.name} ({setting.urn})" if setting.name else f"URN {setting.urn}"


def _values(setting: Setting) -> dict[str, object]:
    return {f: getattr(setting, f) for f in _SETTING_FIELDS}


@transaction.atomic
def save_rows(rows: list[ProviderRow], as_at: dt.date, result: LoadResult) -> None:
    urns = [r.urn for r in rows]
    # Locked until the list is saved: an officer saving one of these settings meanwhile
    # waits, then finds its version bumped and is told, rather than either change being
    # lost.
    existing = {
        s.urn: s
        for s in Setting.objects.select_for_update()
        .filter(urn__in=urns)
        .prefetch_related(closures.prefetch())
    }
    new: list[Setting] = []
    new_closures: list[SettingClosure] = []
    changed_closures: list[SettingClosure] = []
    # Settings grouped by the fields that changed: bulk_update builds an expression per
    # row and field, so writing only changed fields keeps a national reload quick.
    changed: dict[frozenset[str], list[Setting]] = {}
    now = timezone.now()
    for row in rows:
        setting = existing.get(row.urn)
        if setting is None:
            setting = Setting(urn=row.urn)
            _apply(setting, row, as_at)
            closure = _new_status(setting, row, as_at)
            if closure is not None:
                new_closures.append(closure)
            new.append(setting)
            existing[row.urn] = setting
            continue
        before = _values(setting)
        _apply(setting, row, as_at)
        for closure in _status_change(setting, row, as_at, result):
            (changed_closures if closure.pk else new_closures).append(closure)
        after = _values(setting)
        # Every row of a new list changes list_as_at; that alone isn't an update.
        fields = frozenset(f for f in _SETTING_FIELDS if before[f] != after[f]) - {"list_as_at"}
        if fields:
            setting.updated_at = now
            setting.version += 1
            changed.setdefault(fields | {"updated_at", "version"}, []).append(setting)
    Setting.objects.bulk_create(new, batch_size=500)
    for fields, settings in changed.items():
        Setting.objects.bulk_update(settings, sorted(fields), batch_size=200)
    # Periods ended or changed first: a setting has one open period at a time.
    SettingClosure.objects.bulk_update(
        changed_closures, ["status", "start", "end", "source"], batch_size=500
    )
    SettingClosure.objects.bulk_create(new_closures, batch_size=500)
    Setting.objects.filter(urn__in=urns).exclude(list_as_at=as_at).update(list_as_at=as_at)
    result.created = len(new)
    result.updated = sum(len(settings) for settings in changed.values())
    _save_inspections([r for r in rows if r.record_inspection], existing, result)


def _inspection_values(inspection: SettingInspection) -> tuple[object, ...]:
    return (inspection.framework_id, inspection.published_on, inspection.ofsted_event_number)


def _save_inspections(
    rows: list[ProviderRow], settings: dict[str, Setting], result: LoadResult
) -> None:
    """One full inspection per row, by setting and date; its judgements as the row has them."""
    by_code = {f.code: f for f in Framework.objects.select_related("scale")}
    setting_ids = [settings[r.urn].pk for r in rows]
    existing = {
        (i.setting_id, i.date): i
        for i in SettingInspection.objects.filter(
            setting_id__in=setting_ids, inspection_type=InspectionType.FULL
        ).prefetch_related("judgements")
    }
    wanted: dict[tuple[int, dt.date], tuple[SettingInspection, dict]] = {}
    new: list[SettingInspection] = []
    changed: list[SettingInspection] = []
    resolved_by: dict[tuple[str, frozenset], dict] = {}  # a few grade patterns recur
    for row in rows:
        framework = by_code[FRAMEWORK_FOR_TYPE[row.setting_type]]
        pattern = (framework.code, frozenset(row.grades.items()))
        if pattern not in resolved_by:
            resolved, wrong = check_judgements(framework, row.grades)
            if wrong:  # checked already; a framework edited under us would land here
                raise ValueError(" ".join(wrong))
            resolved_by[pattern] = resolved
        resolved = resolved_by[pattern]
        setting = settings[row.urn]
        key = (setting.pk, row.inspection_date)
        inspection = existing.get(key)
        if inspection is None:
            inspection = SettingInspection(
                setting=setting,
                date=row.inspection_date,
                inspection_type=InspectionType.FULL,
                framework=framework,
                published_on=row.publication_date,
                ofsted_event_number=row.event_number[:20],
                source=SettingInspection.Source.OFSTED_LIST,
            )
            new.append(inspection)
        else:
            stored = {j.area_id: j.grade_id for j in inspection.judgements.all()}
            before = _inspection_values(inspection)
            inspection.framework = framework
            inspection.published_on = row.publication_date or inspection.published_on
            inspection.ofsted_event_number = row.event_number[:20] or inspection.ofsted_event_number
            if _inspection_values(inspection) != before or stored != {
                a.pk: g.pk for a, g in resolved.items()
            }:
                inspection.updated_at = timezone.now()
                changed.append(inspection)
        wanted[key] = (inspection, resolved)
    SettingInspection.objects.bulk_create(new, batch_size=500)
    SettingInspection.objects.bulk_update(
        changed,
        ["framework", "published_on", "ofsted_event_number", "updated_at"],
        batch_size=500,
    )
    rewrite = {id(i) for i in (*new, *changed)}
    SettingJudgement.objects.filter(inspection__in=changed).delete()
    SettingJudgement.objects.bulk_create(
        [
            SettingJudgement(inspection=inspection, area=area, grade=grade)
            for inspection, resolved in wanted.values()
            if id(inspection) in rewrite
            for area, grade in resolved.items()
        ],
        batch_size=1000,
    )
    result.inspections_created, result.inspections_updated = len(new), len(changed)


def load_provider_file(
    data: bytes,
    file_name: str,
    *,
    as_at: dt.date | None = None,
    check_only: bool = False,
) -> LoadResult:
    """Check a provider list and, if it has no errors, save it in one transaction.

    `as_at` overrides the date in the list's title line; without either, today.
    """
    rows, result = check_file(data, file_name)
    if as_at:
        result.as_at = as_at
    if result.errors or check_only:
        return result
    save_rows(rows, result.as_at or timezone.localdate(), result)
    result.saved = True
    # Ratings feed every council's "children in Good or better settings" figure.
    for la_id in Import.objects.filter(status__in=SAVED).values_list("la_id", flat=True).distinct():
        oversight.changed(la_id)
    return result


# --- the demo list ----------------------------------------------------------------------

# Derby's five homes and Nottinghamshire's five, as in placements.demo_returns.
DEMO_RUN_BY = {
    "831": ["SC900001", "SC900002", "SC900003", "SC900004", "SC900005"],
    "891": ["SC900006", "SC900007", "SC900008", "SC900009", "SC900010"],
}
# One of Derby's five homes has been temporarily closed since early 2020 (seed 004, July
# 2022): the date the demo SSDA903 generator stops placing children there.
DEMO_CLOSED_HOME = COUNCILS["831"].closed_home


def load_demo_providers(log: Callable[[str], None] = print) -> LoadResult:
    """Load the made-up demo list; loading it again changes nothing."""
    result = load_provider_file(DEMO_FILE.read_bytes(), DEMO_FILE.name)
    if not result.saved:
        raise RuntimeError(
            "The demo provider list did not load: "
            + "; ".join(p.as_text() for p in result.errors[:5])
        )
    # The list's Sector and owner columns say this already; the demo insists on it.
    for la_code, urns in DEMO_RUN_BY.items():
        council = LocalAuthority.objects.get(la_code=la_code)
        Setting.objects.filter(urn__in=urns).exclude(run_by_council=council).update(
            run_by_council=council, updated_at=timezone.now(), version=F("version") + 1
        )
    # The council's own record of its closed home (the list says it is Active).
    urn, since = DEMO_CLOSED_HOME
    closures.record_status(
        Setting.objects.get(urn=urn),
        SettingStatus.TEMPORARILY_CLOSED,
        since,
        source=ClosureSource.COUNCIL,
    )
    for la_code in DEMO_RUN_BY:
        oversight.changed(LocalAuthority.objects.get(la_code=la_code).pk)
    log(result.summary())
    return result
