"""A quarterly return as an Excel workbook: the template to download and the upload to read.

`build_template(ret)` makes an .xlsx for one return, pre-filled with what has been
saved so far: an About sheet (council, period, template version and, in hidden rows,
each section's version at download) and a sheet per section. Single-value sections
keep the field names in a hidden column C, and the tables key their rows by Ofsted
URN and placement-type code, so reading never depends on the labels.

`read_upload(ret, data, file_name)` checks a filled-in workbook and returns the values
and every problem found, each naming the sheet and cell. `save_upload` saves the values
of a workbook with no problems in one transaction, every changed field audited as a
person reads it; `upload` does both, all or nothing: with any problem nothing is saved.

Text is written as plain text, never as a formula, so "=1+2" typed on screen comes back
as "=1+2"; a formula typed into a text cell of the workbook is refused. An upload that
would change a section someone else has changed since the template was downloaded is
refused too, naming the section, who changed it and when.
"""

# Messages quote what was typed in typographic single quotes, as GOV.UK style has it.
# ruff: noqa: RUF001

from __future__ import annotations

import contextlib
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import capfirst, slugify
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from corporate_parenting import audit
from corporate_parenting.govuk_forms import display
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import AuditLog, User
from inspections.models import Setting
from inspections.ratings import council_homes
from returns.models import (
    ChildrenInCareCouncil,
    Consultation,
    Education,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    PlacementsSection,
    PlacementType,
    QuarterlyReturn,
    StaffingSection,
)
from returns.workflow import SECTION_TITLES, ReturnError, check_editable, due_date, quarter_bounds

TEMPLATE_VERSION = "CP-QR-1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A genuine template unpacks to well under 1 MB; this stops a "zip bomb".
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Rows read from any one sheet: a template has a few dozen.
MAX_ROWS = 1000
MAX_NEW_CONSULTATION_ROWS = 20

ABOUT = "About"
SHEET_NAMES = {
    "fostering": "Fostering",
    "permanence": "Permanence",
    "staffing": "Staffing",
    "placements": "Placements",
    "education": "Education",
    "cicc": "CiCC",
}
# Single-value sections: a row per field, the field name in hidden column C.
SIMPLE_MODELS: dict[str, type[Model]] = {
    "fostering": Fostering,
    "permanence": Permanence,
    "education": Education,
    "cicc": ChildrenInCareCouncil,
}
NOT_VALUES = {"id", "ret", "version", "updated_at", "updated_by"}
CONSULTATION_MARKER = "consultation_id"

STATUS_LABELS = {"open": "Open", "temporarily_closed": "Temporarily closed", "closed": "Closed"}
STAFFING_COLUMNS = [
    ("urn", "Ofsted URN"),
    ("name", "Home"),
    ("establishment_fte", "Staffing establishment (FTE)"),
    ("vacancies_fte", "Vacancies (FTE)"),
    ("agency_fte", "Agency staff in use (FTE)"),
    ("home_status", "Status at the quarter's end"),
]
PLACEMENT_COLUMNS = [
    ("label", "Placement type"),
    ("placements", "External placements at the quarter's end"),
    ("average_weekly_cost", "Average weekly cost (£)"),
    ("framework", "Framework used"),
    ("over_20_miles", "Placed 20 miles or more from home"),
    ("out_of_area", "Placed outside the council's area"),
    ("placement_type", "Type code (don't change)"),
]
CONSULTATION_COLUMNS = [
    ("topic", "Topic"),
    ("young_people", "Young people who took part"),
    (CONSULTATION_MARKER, CONSULTATION_MARKER),  # hidden: the marker the reader looks for
]
TOPIC_MAX = Consultation._meta.get_field("topic").max_length
FRAMEWORK_MAX = PlacementCost._meta.get_field("framework").max_length


# --- kinds of value -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    places: int
    maximum: Decimal
    hint: str  # ends a problem message: "…: enter a whole number, 0 or more."
    note: str  # what to enter, in the template
    number_format: str


WHOLE = Kind(
    "whole",
    0,
    Decimal(2147483647),
    "enter a whole number, 0 or more.",
    "A whole number, 0 or more.",
    "0",
)
PERCENT = Kind(
    "percent",
    1,
    Decimal(100),
    "enter a percentage from 0 to 100, with at most 1 decimal place.",
    "A percentage from 0 to 100, with at most 1 decimal place (type 85.5 for 85.5%).",
    "0.0",
)
FTE = Kind(
    "fte",
    1,
    Decimal("99999.9"),
    "enter full-time equivalent (FTE) staff, 0 or more, with at most 1 decimal place.",
    "Full-time equivalent (FTE), 0 or more, with at most 1 decimal place.",
    "0.0",
)
MONEY = Kind(
    "money",
    2,
    Decimal("9999999.99"),
    "enter an amount in pounds, 0 or more, with at most 2 decimal places.",
    "Pounds, 0 or more, with at most 2 decimal places.",
    "#,##0.00",
)


def kind_of(model_field) -> Kind:
    if model_field.get_internal_type() == "PositiveIntegerField":
        return WHOLE
    if model_field.name.endswith("_pct"):
        return PERCENT
    if model_field.name.endswith("_fte"):
        return FTE
    return MONEY


def value_fields(model: type[Model]) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in NOT_VALUES]


def _validation(kind: Kind) -> DataValidation:
    common = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorTitle": "Not allowed",
        "error": capfirst(kind.hint),
    }
    if kind is WHOLE:
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", **common)
    if kind is PERCENT:
        return DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", **common
        )
    return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", **common)


class Formula(str):
    """A cell of the upload holding a formula: its text ("=A1+2"), with `result`, the
    value the spreadsheet saved for it (None when it saved none, as some tools don't)."""

    result: object

    def __new__(cls, text: str, result: object) -> Formula:
        formula = super().__new__(cls, text)
        formula.result = result
        return formula


FORMULA_IN_TEXT = "formulas aren't accepted; type the text."


def _show(raw: object) -> str:
    if isinstance(raw, Formula):
        return _show(raw.result)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and abs(raw) < 1e15 else repr(raw)
    if isinstance(raw, dt.datetime):
        return f"{raw:%d/%m/%Y %H:%M}" if raw.time() != dt.time() else f"{raw:%d/%m/%Y}"
    if isinstance(raw, dt.date):
        return f"{raw:%d/%m/%Y}"
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    return "" if raw is None else str(raw).strip()


def _from_float(raw: float) -> Decimal:
    number = Decimal(repr(raw))
    # Arithmetic in a spreadsheet leaves 33.300000000000004 for 33.3.
    if number.as_tuple().exponent < -9:
        with contextlib.suppress(InvalidOperation):
            number = number.quantize(Decimal("1e-9")).normalize()
    return number


def parse_number(
    raw: object, kind: Kind, number_format: str = "General"
) -> tuple[int | Decimal | None, str | None]:
    """(value, None) or (None, problem). A blank cell is (None, None): not entered.

    A formula's saved result is read as if typed; one with no saved result is a problem,
    not a blank, so the figure isn't silently lost."""
    if isinstance(raw, Formula):
        if raw.result is None:
            return None, f"‘{raw}’ is a formula with no result saved in the file: {kind.hint}"
        raw = raw.result
    if raw is None:
        return None, None
    shown = _show(raw)
    not_a_number = f"‘{shown}’ is not a number: {kind.hint}"
    if isinstance(raw, bool):
        return None, not_a_number
    if isinstance(raw, dt.date | dt.datetime | dt.time):
        return None, f"‘{shown}’ is a date, not a number: {kind.hint}"
    if isinstance(raw, int | float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None, not_a_number
        number = _from_float(raw) if isinstance(raw, float) else Decimal(raw)
        if kind is PERCENT and "%" in (number_format or ""):
            # Typed as 85% in a cell formatted as a percentage: stored as 0.85.
            number = (number * 100).normalize()
            shown = f"{number:f}%"
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None, None
        cleaned = text.replace(",", "").replace("£", "").replace(" ", "")
        if kind is PERCENT and cleaned.endswith("%"):
            cleaned = cleaned[:-1]
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            return None, not_a_number
        if not number.is_finite():
            return None, not_a_number
    else:
        return None, not_a_number
    if number < 0:
        return None, f"‘{shown}’ is not allowed: {kind.hint}"
    if kind is PERCENT and number > 100:
        return None, f"‘{shown}’ is more than 100: {kind.hint}"
    if number > kind.maximum:
        return None, f"‘{shown}’ is too large: {kind.hint}"
    places = max(0, -number.normalize().as_tuple().exponent)
    if kind is WHOLE and places:
        return None, f"‘{shown}’ is not a whole number: {kind.hint}"
    if places > kind.places:
        return None, f"‘{shown}’ has too many decimal places: {kind.hint}"
    if kind is WHOLE:
        return int(number), None
    return number.quantize(Decimal(1).scaleb(-kind.places)), None


# --- problems and values ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: str = ""

    def __str__(self) -> str:
        if self.sheet and self.cell:
            what = f" ({self.field})" if self.field else ""
            return f"Sheet ‘{self.sheet}’, cell {self.cell}{what}: {self.message}"
        if self.sheet:
            return f"Sheet ‘{self.sheet}’: {self.message}"
        return self.message

    @property
    def text(self) -> str:
        return str(self)


@dataclass
class UploadValues:
    """What a workbook holds, checked, ready for `save_upload`."""

    # fostering, permanence, education and cicc: {field name: value}
    sections: dict[str, dict[str, object]] = field(default_factory=dict)
    # {setting: {field name: value}}, for the homes on the Staffing sheet
    staffing: dict[Setting, dict[str, object]] = field(default_factory=dict)
    # {placement type code: {field name: value}}
    placements: dict[str, dict[str, object]] = field(default_factory=dict)
    # [{"id": pk or None, "topic": ..., "young_people": ...}]; a None topic deletes the row
    consultations: list[dict[str, object]] = field(default_factory=list)
    # The consultations in the template when it was downloaded: those left out are deleted.
    consultations_at_download: set[int] = field(default_factory=set)
    versions_at_download: dict[str, int] = field(default_factory=dict)


@dataclass
class UploadResult:
    changes: int = 0
    sections_changed: list[str] = field(default_factory=list)


# --- the template -------------------------------------------------------------------------

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
INPUT = PatternFill("solid", start_color="FFF7BF")
WRAP = Alignment(wrap_text=True, vertical="top")


def _section_versions(ret: QuarterlyReturn) -> dict[str, int]:
    versions = {}
    for slug, model in _section_models().items():
        section = model.objects.filter(ret=ret).only("version").first()
        versions[slug] = section.version if section else 0
    return versions


def _section_models() -> dict[str, type[Model]]:
    return {
        "fostering": Fostering,
        "permanence": Permanence,
        "staffing": StaffingSection,
        "placements": PlacementsSection,
        "education": Education,
        "cicc": ChildrenInCareCouncil,
    }


def _heading(ws, title: str, ret: QuarterlyReturn, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = f"{ret.la.name}, {ret.period_label}. {note}"
    ws["A2"].alignment = Alignment(wrap_text=False)


def _header_row(ws, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = BOLD
        cell.alignment = WRAP


def _input_cell(ws, row: int, col: int, value: object, kind: Kind | None, dvs: dict) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.fill = INPUT
    if kind is None:
        cell.number_format = "@"  # text: Excel keeps what is typed, "=1+2" included
    else:
        cell.number_format = kind.number_format
        if kind.name not in dvs:
            dvs[kind.name] = _validation(kind)
            ws.add_data_validation(dvs[kind.name])
        dvs[kind.name].add(cell.coordinate)


def _value_rows(ws, section, model: type[Model], start: int, dvs: dict) -> int:
    """Label, value, hidden field name and what to enter, a row per field; the next row."""
    row = start
    for f in value_fields(model):
        kind = kind_of(f)
        ws.cell(row=row, column=1, value=capfirst(f.verbose_name)).alignment = WRAP
        _input_cell(ws, row, 2, getattr(section, f.name) if section else None, kind, dvs)
        ws.cell(row=row, column=3, value=f.name)
        note = kind.note + (f" {f.help_text}" if f.help_text else "")
        ws.cell(row=row, column=4, value=note).alignment = WRAP
        row += 1
    return row


def _simple_sheet(wb: Workbook, ret: QuarterlyReturn, slug: str) -> None:
    model = SIMPLE_MODELS[slug]
    ws = wb.create_sheet(SHEET_NAMES[slug])
    _heading(
        ws,
        SECTION_TITLES[slug],
        ret,
        "Type the figures in column B. Leave a cell blank if you don't have the figure: "
        "blank means not entered, not zero.",
    )
    _header_row(ws, 3, ["Question", "Figure", "Field (don't change)", "What to enter"])
    section = model.objects.filter(ret=ret).first()
    dvs: dict = {}
    row = _value_rows(ws, section, model, 4, dvs)
    if slug == "cicc":
        row += 1
        ws.cell(row=row, column=1, value="Consultations held in the quarter").font = BOLD
        row += 1
        _header_row(ws, row, [label for _, label in CONSULTATION_COLUMNS])
        ws.cell(row=row, column=4, value="One row a consultation. Clear a row to remove it.")
        row += 1
        consultations = list(Consultation.objects.filter(ret=ret).order_by("pk"))
        for c in consultations:
            _input_cell(ws, row, 1, c.topic, None, dvs)
            _input_cell(ws, row, 2, c.young_people, WHOLE, dvs)
            ws.cell(row=row, column=3, value=c.pk)
            row += 1
        for _ in range(MAX_NEW_CONSULTATION_ROWS):
            _input_cell(ws, row, 1, None, None, dvs)
            _input_cell(ws, row, 2, None, WHOLE, dvs)
            row += 1
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].hidden = True
    ws.column_dimensions["D"].width = 70
    ws.freeze_panes = "A4"


def _staffing_sheet(wb: Workbook, ret: QuarterlyReturn) -> None:
    ws = wb.create_sheet(SHEET_NAMES["staffing"])
    _heading(
        ws,
        SECTION_TITLES["staffing"],
        ret,
        "A row per children's home the council runs, by Ofsted URN. Don't change the URNs.",
    )
    _header_row(ws, 3, [label for _, label in STAFFING_COLUMNS])
    rows = {
        r.setting_id: r
        for r in HomeStaffing.objects.filter(section__ret=ret).select_related("setting")
    }
    homes = {h.pk: h for h in council_homes(ret.la)}
    homes.update({r.setting_id: r.setting for r in rows.values()})
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not allowed",
        error="Choose Open, Temporarily closed or Closed.",
    )
    ws.add_data_validation(status)
    dvs: dict = {}
    row = 4
    for home in sorted(homes.values(), key=lambda h: (h.name.lower(), h.urn)):
        existing = rows.get(home.pk)
        ws.cell(row=row, column=1, value=home.urn)
        ws.cell(row=row, column=2, value=home.name or "(name not published)")
        for col, name in ((3, "establishment_fte"), (4, "vacancies_fte"), (5, "agency_fte")):
            _input_cell(ws, row, col, getattr(existing, name) if existing else None, FTE, dvs)
        state = existing.home_status if existing else home.status
        _input_cell(ws, row, 6, STATUS_LABELS.get(state, "Open"), None, dvs)
        status.add(f"F{row}")
        row += 1
    if not homes:
        ws.cell(row=4, column=2, value="The council runs no children's homes we know of.")
    for col, width in zip("ABCDEF", (14, 40, 18, 14, 18, 22), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"


def _placements_sheet(wb: Workbook, ret: QuarterlyReturn) -> None:
    ws = wb.create_sheet(SHEET_NAMES["placements"])
    _heading(
        ws,
        SECTION_TITLES["placements"],
        ret,
        "A row per type of external placement. Leave a cell blank if you don't have the figure.",
    )
    _header_row(ws, 3, [label for _, label in PLACEMENT_COLUMNS])
    rows = {r.placement_type: r for r in PlacementCost.objects.filter(section__ret=ret)}
    dvs: dict = {}
    row = 4
    for code, label in PlacementType.choices:
        existing = rows.get(code)
        ws.cell(row=row, column=1, value=label)
        for col, name, kind in (
            (2, "placements", WHOLE),
            (3, "average_weekly_cost", MONEY),
            (4, "framework", None),
            (5, "over_20_miles", WHOLE),
            (6, "out_of_area", WHOLE),
        ):
            value = getattr(existing, name) if existing else None
            _input_cell(ws, row, col, value if value != "" else None, kind, dvs)
        ws.cell(row=row, column=7, value=code)
        row += 1
    for col, width in zip("ABCDEF", (44, 18, 16, 36, 18, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["G"].hidden = True
    ws.freeze_panes = "A4"


def _about_sheet(wb: Workbook, ret: QuarterlyReturn, user: User | None) -> None:
    ws = wb.active
    ws.title = ABOUT
    ws["A1"] = settings.SERVICE_NAME
    ws["A1"].font = TITLE
    ws["A2"] = "Quarterly return template"
    ws["A2"].font = BOLD
    start, end = quarter_bounds(ret.year, ret.quarter)
    due = due_date(ret.year, ret.quarter)
    now = timezone.localtime()
    by = f" by {user}" if user else ""
    facts = [
        ("Council", ret.la.name),
        ("LA code", ret.la.la_code),
        ("Period", ret.period_label),
        ("Quarter", f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"),
        ("Due", f"{due.day} {due:%B %Y}"),
        ("Template version", TEMPLATE_VERSION),
        ("Downloaded", f"{now:%d/%m/%Y %H:%M}{by}"),
    ]
    row = 4
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=2, value=value)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="How to fill in this template").font = BOLD
    instructions = [
        "1. Fill in the yellow cells on each sheet: Fostering, Permanence, Staffing, "
        "Placements, Education and CiCC. They start with what has been saved so far.",
        "2. Leave a cell blank if you don't have the figure: blank means not entered, not zero.",
        "3. Counts are whole numbers, 0 or more. Percentages are from 0 to 100 with at most "
        "1 decimal place. Staffing is in full-time equivalents (FTE).",
        "4. Don't rename or delete sheets, change the URNs or the hidden columns, or change "
        "this About sheet: they are how the upload knows what each figure is.",
        f"5. Upload the file on the return's page in {settings.SERVICE_NAME}. It is checked "
        "first: if anything is wrong, nothing is saved and every problem is listed with its "
        "sheet and cell.",
        "6. Uploading replaces the whole return with the file's figures. If someone changes "
        "a section after you download this file, the upload is refused: download a new one.",
    ]
    for text in instructions:
        row += 1
        ws.cell(row=row, column=1, value=text)
    # What the return held at download: an upload is refused if a section it would
    # change has been changed since.
    row += 2
    hidden = [(f"Section version: {slug}", v) for slug, v in _section_versions(ret).items()]
    consultation_ids = Consultation.objects.filter(ret=ret).order_by("pk")
    hidden.append(
        (
            "Consultations at download",
            ",".join(str(pk) for pk in consultation_ids.values_list("pk", flat=True)),
        )
    )
    for label, value in hidden:
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=value)
        ws.row_dimensions[row].hidden = True
        row += 1
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 40


# What Excel reads as the start of a formula when the cell is edited.
FORMULA_STARTS = ("=", "+", "-", "@")


def _plain_text(wb: Workbook) -> None:
    """Every string as plain text, never a formula.

    openpyxl writes any string starting with "=" as a formula, which Excel would run
    and the upload (reading saved results) would read as blank. Officers' text, home
    names, people's names: all are data. The quote prefix keeps Excel from reading
    "+44" or "=1+2" as a formula when the cell is edited."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True


def build_template(ret: QuarterlyReturn, user: User | None = None) -> bytes:
    """The return as an .xlsx workbook, pre-filled with its saved figures."""
    wb = Workbook()
    _about_sheet(wb, ret, user)
    for slug in SHEET_NAMES:
        if slug == "staffing":
            _staffing_sheet(wb, ret)
        elif slug == "placements":
            _placements_sheet(wb, ret)
        else:
            _simple_sheet(wb, ret, slug)
    _plain_text(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_file_name(ret: QuarterlyReturn) -> str:
    """E.g. derby-2021-22-q4-return.xlsx."""
    return f"{slugify(ret.la.name)}-{ret.year - 1}-{str(ret.year)[-2:]}-q{ret.quarter}-return.xlsx"


# --- reading an upload --------------------------------------------------------------------

Row = list[tuple[object, str]]  # (value, number format) a column
# Columns read from any sheet: the widest, Placements, has 7.
MAX_COLUMNS = 8


@dataclass
class Sheet:
    """A sheet of the upload: its values (a formula's saved result) and the formulas typed
    in it, by (row, column)."""

    ws: object
    formulas: dict[tuple[int, int], str]

    @property
    def title(self) -> str:
        return self.ws.title


def _formulas(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """{sheet title: {(row, column): formula}} for the cells that hold a formula.

    The values are read with `data_only`, as the results the spreadsheet saved; this
    second read finds which of them were formulas."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        found: dict[str, dict[tuple[int, int], str]] = {}
        for ws in wb.worksheets:
            cells = found.setdefault(ws.title, {})
            rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLUMNS)
            for index, row in enumerate(rows, start=1):
                for col, cell in enumerate(row, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        cells[(index, col)] = str(cell.value)
        return found
    finally:
        wb.close()


def _open(data: bytes, file_name: str, problems: list[Problem]):
    """(workbook, formulas) or (None, {}) after adding the problem."""
    name = file_name or "The file"
    if len(data) > MAX_UPLOAD_BYTES:
        problems.append(
            Problem(
                f"{name} is {len(data) / 1024 / 1024:.1f} MB, over the 5 MB limit. A filled-in "
                "template is much smaller: check it is the right file."
            )
        )
        return None, {}
    not_xlsx = (
        f"{name} is not an Excel workbook (.xlsx). Download the template, fill it in and "
        "upload it as an Excel workbook."
    )
    if file_name.lower().endswith((".xls", ".ods", ".csv")):
        not_xlsx = (
            f"{name} is not an Excel workbook (.xlsx). Open it in Excel and save it as "
            "“Excel Workbook (.xlsx)”, then upload that."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                problems.append(Problem(f"{name} is too large once unpacked to be a template."))
                return None, {}
        formulas = _formulas(data)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True), formulas
    except Exception:  # a corrupt or foreign file can fail anywhere inside openpyxl
        problems.append(Problem(not_xlsx))
        return None, {}


def _rows(sheet: Sheet, max_col: int) -> list[tuple[int, Row]]:
    """(row number, [(value, number format) a column]); a formula's value is a `Formula`."""
    out = []
    for index, cells in enumerate(sheet.ws.iter_rows(min_row=1, max_col=max_col), start=1):
        if index > MAX_ROWS:
            break
        row = []
        for col, c in enumerate(cells, start=1):
            value = getattr(c, "value", None)
            formula = sheet.formulas.get((index, col))
            if formula is not None:
                value = Formula(formula, value)
            row.append((value, getattr(c, "number_format", "General")))
        row += [(None, "General")] * (max_col - len(row))
        out.append((index, row))
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_sheets(wb, formulas: dict, problems: list[Problem]) -> dict[str, Sheet]:
    by_name = {
        ws.title.strip().lower(): Sheet(ws, formulas.get(ws.title, {})) for ws in wb.worksheets
    }
    found = {}
    missing = []
    for key, name in [("about", ABOUT), *SHEET_NAMES.items()]:
        ws = by_name.get(name.lower())
        if ws is None:
            missing.append(f"‘{name}’")
        else:
            found[key] = ws
    if missing:
        listed = (
            missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        )
        plural = "sheet is" if len(missing) == 1 else "sheets are"
        problems.append(
            Problem(
                f"The {listed} {plural} missing. Don't rename or delete the template's sheets: "
                f"download a new template (version {TEMPLATE_VERSION}) if you need to."
            )
        )
    return found


def _read_about(ret: QuarterlyReturn, ws, values: UploadValues, problems: list[Problem]) -> bool:
    """Check the About sheet; False when the file can't be for this return."""
    facts: dict[str, tuple[str, object]] = {}
    for index, row in _rows(ws, 2):
        label = _show(row[0][0])
        if label and label not in facts:
            facts[label] = (f"B{index}", row[1][0])
    version = _show(facts.get("Template version", ("", None))[1])
    if not version:
        problems.append(
            Problem(
                "This file has no template version; download a new template "
                f"(version {TEMPLATE_VERSION}).",
                sheet=ABOUT,
            )
        )
        return False
    if version != TEMPLATE_VERSION:
        problems.append(
            Problem(
                f"This file is template version {version}; download a new template "
                f"(version {TEMPLATE_VERSION}).",
                sheet=ABOUT,
                cell=facts["Template version"][0],
                field="Template version",
                value=version,
            )
        )
        return False
    ok = True
    code_cell, code = facts.get("LA code", ("", None))
    council_cell, council = facts.get("Council", ("", None))
    code, council = _show(code), _show(council)
    if (code and code != ret.la.la_code) or (not code and council != ret.la.name):
        shown = council or code or "no council"
        problems.append(
            Problem(
                f"This template is for {shown}, not {ret.la.name}. Download {ret.la.name}'s "
                f"template for {ret.period_label}.",
                sheet=ABOUT,
                cell=council_cell or code_cell,
                field="Council",
                value=shown,
            )
        )
        ok = False
    period_cell, period = facts.get("Period", ("", None))
    period = _show(period)
    if period != ret.period_label:
        problems.append(
            Problem(
                f"This template is for {period or 'no period'}, but this is the "
                f"{ret.period_label} return. Upload it on the {period or 'right'} return's "
                f"page, or download the template for {ret.period_label}.",
                sheet=ABOUT,
                cell=period_cell,
                field="Period",
                value=period,
            )
        )
        ok = False
    if not ok:
        return False
    for slug in SHEET_NAMES:
        raw = facts.get(f"Section version: {slug}", ("", None))[1]
        with contextlib.suppress(ValueError):
            values.versions_at_download[slug] = int(_show(raw))
    if set(values.versions_at_download) != set(SHEET_NAMES):
        problems.append(
            Problem(
                "This file doesn't record what each section held when it was downloaded, so it "
                "can't be checked against changes made since. Don't change the About sheet: "
                f"download a new template (version {TEMPLATE_VERSION}).",
                sheet=ABOUT,
            )
        )
        return False
    raw_ids = _show(facts.get("Consultations at download", ("", None))[1])
    values.consultations_at_download = {
        number for part in raw_ids.split(",") if (number := whole_number(part)) is not None
    }
    return True


def _cell_problem(sheet: str, col: int, row: int, label: str, raw: object, message: str):
    return Problem(
        message, sheet=sheet, cell=f"{get_column_letter(col)}{row}", field=label, value=_show(raw)
    )


def _read_simple(
    slug: str, ws, values: UploadValues, problems: list[Problem]
) -> list[tuple[int, Row]]:
    """The single values of a section; returns the sheet's rows for further reading."""
    sheet = SHEET_NAMES[slug]
    fields = {f.name: f for f in value_fields(SIMPLE_MODELS[slug])}
    rows = _rows(ws, 4)
    seen: dict[str, int] = {}
    read: dict[str, object] = {}
    for index, row in rows:
        name = _show(row[2][0])
        if name not in fields:
            continue
        f = fields[name]
        label = capfirst(f.verbose_name)
        if name in seen:
            problems.append(
                Problem(
                    f"{label} appears twice, in rows {seen[name]} and {index}: keep one row "
                    "for each question.",
                    sheet=sheet,
                )
            )
            continue
        seen[name] = index
        raw, number_format = row[1]
        value, message = parse_number(raw, kind_of(f), number_format)
        if message:
            problems.append(_cell_problem(sheet, 2, index, label, raw, message))
        else:
            read[name] = value
    for name, f in fields.items():
        if name not in seen:
            problems.append(
                Problem(
                    f"There is no row for {capfirst(f.verbose_name)} (‘{name}’ in hidden column "
                    f"C). Don't delete rows: download a new template (version {TEMPLATE_VERSION}).",
                    sheet=sheet,
                )
            )
    values.sections[slug] = read
    return rows


def _header_index(rows: list[tuple[int, Row]], col: int, text: str) -> int | None:
    for index, row in rows:
        if _show(row[col][0]).lower() == text.lower():
            return index
    return None


def _no_header(sheet: str, text: str, column: str) -> Problem:
    return Problem(
        f"The heading ‘{text}’ is missing from column {column}. Don't change the headings: "
        f"download a new template (version {TEMPLATE_VERSION}).",
        sheet=sheet,
    )


def _read_staffing(ret: QuarterlyReturn, ws, values: UploadValues, problems: list[Problem]) -> None:
    sheet = SHEET_NAMES["staffing"]
    rows = _rows(ws, len(STAFFING_COLUMNS))
    header = _header_index(rows, 0, "Ofsted URN")
    if header is None:
        problems.append(_no_header(sheet, "Ofsted URN", "A"))
        return
    known = {h.urn.upper(): h for h in council_homes(ret.la)}
    for r in HomeStaffing.objects.filter(section__ret=ret).select_related("setting"):
        known.setdefault(r.setting.urn.upper(), r.setting)
    labels = dict(STAFFING_COLUMNS)
    seen: dict[str, int] = {}
    by_status = {v.lower(): k for k, v in STATUS_LABELS.items()} | {k: k for k in STATUS_LABELS}
    for index, row in rows:
        if index <= header or all(_blank(v) for v, _ in row[:1] + row[2:]):
            continue
        urn = _show(row[0][0]).upper()
        if not urn:
            problems.append(
                _cell_problem(
                    sheet,
                    1,
                    index,
                    "Ofsted URN",
                    None,
                    "Enter the home's Ofsted URN, or clear the row.",
                )
            )
            continue
        home = known.get(urn)
        if home is None:
            other = Setting.objects.filter(urn__iexact=urn).first()
            message = (
                f"‘{urn}’ is not one of {ret.la.name}'s children's homes: only homes the "
                "council runs can be entered."
                if other
                else f"‘{urn}’ is not the Ofsted URN of any children's home we hold: use the "
                "URNs in the template."
            )
            problems.append(_cell_problem(sheet, 1, index, "Ofsted URN", row[0][0], message))
            continue
        if urn in seen:
            problems.append(
                _cell_problem(
                    sheet,
                    1,
                    index,
                    "Ofsted URN",
                    row[0][0],
                    f"{_home_name(home)} appears twice, in rows {seen[urn]} and {index}: "
                    "keep one row for each home.",
                )
            )
            continue
        seen[urn] = index
        read: dict[str, object] = {}
        ok = True
        for col, name in ((3, "establishment_fte"), (4, "vacancies_fte"), (5, "agency_fte")):
            raw, number_format = row[col - 1]
            value, message = parse_number(raw, FTE, number_format)
            if message:
                problems.append(_cell_problem(sheet, col, index, labels[name], raw, message))
                ok = False
            read[name] = value
        raw_status = _show(row[5][0])
        status = by_status.get(raw_status.lower()) if raw_status else "open"
        if isinstance(row[5][0], Formula):
            problems.append(
                _cell_problem(
                    sheet,
                    6,
                    index,
                    labels["home_status"],
                    str(row[5][0]),
                    "formulas aren't accepted; choose Open, Temporarily closed or Closed.",
                )
            )
            ok = False
        elif status is None:
            problems.append(
                _cell_problem(
                    sheet,
                    6,
                    index,
                    labels["home_status"],
                    raw_status,
                    f"‘{raw_status}’ is not a status: choose Open, Temporarily closed or Closed.",
                )
            )
            ok = False
        read["home_status"] = status
        est, vac = read["establishment_fte"], read["vacancies_fte"]
        if ok and est is not None and vac is not None and vac > est:
            problems.append(
                _cell_problem(
                    sheet,
                    4,
                    index,
                    labels["vacancies_fte"],
                    row[3][0],
                    f"{_home_name(home)} (row {index}) has {vac} FTE vacancies but an "
                    f"establishment of {est} FTE: vacancies can't be more than the establishment.",
                )
            )
            ok = False
        if ok:
            values.staffing[home] = read


def _home_name(home: Setting) -> str:
    return f"{home.name} ({home.urn})" if home.name else home.urn


def _read_placements(ws, values: UploadValues, problems: list[Problem]) -> None:
    sheet = SHEET_NAMES["placements"]
    rows = _rows(ws, len(PLACEMENT_COLUMNS))
    header = _header_index(rows, 0, "Placement type")
    if header is None:
        problems.append(_no_header(sheet, "Placement type", "A"))
        return
    by_label = {label.lower(): code for code, label in PlacementType.choices}
    labels = dict(PLACEMENT_COLUMNS)
    seen: dict[str, int] = {}
    for index, row in rows:
        if index <= header or all(_blank(v) for v, _ in row):
            continue
        code = _show(row[6][0])
        label = _show(row[0][0])
        if code:
            if code not in PlacementType.values:
                problems.append(
                    _cell_problem(
                        sheet,
                        7,
                        index,
                        labels["placement_type"],
                        code,
                        f"‘{code}’ is not a placement type code. Don't change the hidden column "
                        f"G: download a new template (version {TEMPLATE_VERSION}).",
                    )
                )
                continue
        elif label.lower() in by_label:
            code = by_label[label.lower()]
        else:
            if all(_blank(v) for v, _ in row[1:6]):
                continue
            types = "; ".join(PlacementType.labels)
            problems.append(
                _cell_problem(
                    sheet,
                    1,
                    index,
                    labels["label"],
                    label,
                    f"‘{label}’ is not a placement type: use the template's rows ({types})."
                    if label
                    else "Enter the placement type, or clear the row.",
                )
            )
            continue
        name = PlacementType(code).label
        if code in seen:
            problems.append(
                _cell_problem(
                    sheet,
                    1,
                    index,
                    labels["label"],
                    label,
                    f"{name} appears twice, in rows {seen[code]} and {index}: keep one row "
                    "for each placement type.",
                )
            )
            continue
        seen[code] = index
        read: dict[str, object] = {}
        ok = True
        for col, f, kind in (
            (2, "placements", WHOLE),
            (3, "average_weekly_cost", MONEY),
            (5, "over_20_miles", WHOLE),
            (6, "out_of_area", WHOLE),
        ):
            raw, number_format = row[col - 1]
            value, message = parse_number(raw, kind, number_format)
            if message:
                problems.append(
                    _cell_problem(sheet, col, index, f"{name}: {labels[f]}", raw, message)
                )
                ok = False
            read[f] = value
        framework = _show(row[3][0])
        if isinstance(row[3][0], Formula):
            problems.append(
                _cell_problem(
                    sheet,
                    4,
                    index,
                    f"{name}: {labels['framework']}",
                    str(row[3][0]),
                    FORMULA_IN_TEXT,
                )
            )
            ok = False
        elif len(framework) > FRAMEWORK_MAX:
            problems.append(
                _cell_problem(
                    sheet,
                    4,
                    index,
                    f"{name}: {labels['framework']}",
                    framework[:40] + "…",
                    f"The framework is {len(framework)} characters long: shorten it to "
                    f"{FRAMEWORK_MAX} or fewer.",
                )
            )
            ok = False
        read["framework"] = framework
        if ok:
            values.placements[code] = read


def _read_consultations(
    ret: QuarterlyReturn,
    rows: list[tuple[int, Row]],
    values: UploadValues,
    problems: list[Problem],
) -> None:
    sheet = SHEET_NAMES["cicc"]
    header = _header_index(rows, 2, CONSULTATION_MARKER)
    if header is None:
        header = _header_index(rows, 0, "Topic")
    if header is None:
        problems.append(_no_header(sheet, "Topic", "A"))
        return
    existing = set(Consultation.objects.filter(ret=ret).values_list("pk", flat=True))
    seen: set[int] = set()
    for index, row in rows:
        if index <= header:
            continue
        raw_topic, raw_count, raw_id = row[0][0], row[1][0], row[2][0]
        if all(_blank(v) for v in (raw_topic, raw_count, raw_id)):
            continue
        pk = None
        if not _blank(raw_id):
            try:
                pk = int(_show(raw_id))
            except ValueError:
                pk = -1
            if pk not in existing or pk in seen:
                problems.append(
                    _cell_problem(
                        sheet,
                        3,
                        index,
                        "Id",
                        raw_id,
                        f"‘{_show(raw_id)}’ doesn't match a consultation of this return. Don't "
                        "change the hidden column C: download a new template "
                        f"(version {TEMPLATE_VERSION}).",
                    )
                )
                continue
            seen.add(pk)
        topic = _show(raw_topic)
        young_people, message = parse_number(raw_count, WHOLE, row[1][1])
        if isinstance(raw_topic, Formula):
            problems.append(
                _cell_problem(sheet, 1, index, "Topic", str(raw_topic), FORMULA_IN_TEXT)
            )
        if message:
            problems.append(
                _cell_problem(sheet, 2, index, "Young people who took part", raw_count, message)
            )
        if message or isinstance(raw_topic, Formula):
            continue
        if not topic:
            if young_people is None:  # a cleared row: the consultation is removed
                values.consultations.append({"id": pk, "topic": None, "young_people": None})
                continue
            problems.append(
                _cell_problem(
                    sheet,
                    1,
                    index,
                    "Topic",
                    None,
                    "Enter the consultation's topic, or clear the row.",
                )
            )
            continue
        if len(topic) > TOPIC_MAX:
            problems.append(
                _cell_problem(
                    sheet,
                    1,
                    index,
                    "Topic",
                    topic[:40] + "…",
                    f"The topic is {len(topic)} characters long: shorten it to {TOPIC_MAX} "
                    "or fewer.",
                )
            )
            continue
        values.consultations.append({"id": pk, "topic": topic, "young_people": young_people})


def read_upload(
    ret: QuarterlyReturn, data: bytes, file_name: str
) -> tuple[UploadValues, list[Problem]]:
    """The workbook's values and every problem found in it. Reads only: saves nothing."""
    problems: list[Problem] = []
    values = UploadValues()
    wb, formulas = _open(data, file_name, problems)
    if wb is None:
        return values, problems
    try:
        sheets = _find_sheets(wb, formulas, problems)
        if "about" not in sheets:
            return values, problems
        if not _read_about(ret, sheets["about"], values, problems):
            return values, problems
        for slug in SHEET_NAMES:
            ws = sheets.get(slug)
            if ws is None:
                continue
            if slug == "staffing":
                _read_staffing(ret, ws, values, problems)
            elif slug == "placements":
                _read_placements(ws, values, problems)
            else:
                rows = _read_simple(slug, ws, values, problems)
                if slug == "cicc":
                    _read_consultations(ret, rows, values, problems)
    finally:
        wb.close()
    return values, problems


# --- saving -------------------------------------------------------------------------------


class StaleUpload(ReturnError):
    """Sections the upload would change were changed after the template was downloaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(" ".join(str(p) for p in problems))
        self.problems = problems


def _shown(obj: Model, name: str, value: object) -> str:
    """A value for the audit as a person reads it, as the on-screen forms record it:
    "(blank)", a choice's label, a number as typed."""
    db_field = type(obj)._meta.get_field(name)
    form_field = forms.ChoiceField(choices=db_field.choices) if db_field.choices else forms.Field()
    return display(form_field, value)[:200]


def _change(obj: Model, name: str, old: object, new: object) -> dict[str, str]:
    return {"old": _shown(obj, name, old), "new": _shown(obj, name, new)}


def _same(old: object, new: object) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return Decimal(old) == Decimal(new)
    return old == new


def _apply(obj: Model, new: dict[str, object]) -> dict[str, dict[str, str]]:
    """Set the fields that differ; {field: {"old": ..., "new": ...}} for the audit."""
    changes = {}
    for name, value in new.items():
        old = getattr(obj, name)
        if not _same(old, value):
            changes[name] = _change(obj, name, old, value)
            setattr(obj, name, value)
    return changes


def _changed_after_download(slug: str, section: Model | None) -> Problem:
    """E.g. "Education (the Virtual School) was changed by Olive Oduya at 14:32 on
    23 November 2026 after this template was downloaded. …", worded as `clash_message`."""
    by = getattr(section, "updated_by", None)
    who = str(by) if by else "someone else"
    when = getattr(section, "updated_at", None)
    at = ""
    if when:
        local = timezone.localtime(when)
        at = f" at {local:%H:%M} on {local.day} {local:%B %Y}"
    return Problem(
        f"{SECTION_TITLES[slug]} was changed by {who}{at} after this template was "
        "downloaded. Download a new template and enter your changes again."
    )


class _Saver:
    """Writes an upload's values; run in a transaction that is rolled back if any section
    it changes was changed after the template was downloaded (`StaleUpload`)."""

    def __init__(self, ret: QuarterlyReturn, user: User, file_name: str):
        self.ret, self.user = ret, user
        self.detail = f"spreadsheet upload {file_name}"[:500]
        self.result = UploadResult()
        self.stale: list[Problem] = []

    def log(self, action: str, obj: Model, changes: dict) -> None:
        audit.record(
            user=self.user, action=action, obj=obj, changed_fields=changes, detail=self.detail
        )
        self.result.changes += len(changes)

    def section(self, slug: str) -> tuple[Model, bool]:
        model = _section_models()[slug]
        section = (
            model.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(ret=self.ret)
            .first()
        )
        if section is not None:
            return section, False
        return model(ret=self.ret, version=1, updated_by=self.user), True

    def check_fresh(self, slug: str, section: Model, created: bool) -> None:
        """Called for a section the upload changes: note it if it is not as downloaded
        (changed since, or created since when the template had none)."""
        now = 0 if created else section.version
        if now != self.values.versions_at_download.get(slug):
            self.stale.append(_changed_after_download(slug, None if created else section))

    def bump(self, slug: str, section: Model) -> None:
        section.version += 1
        section.updated_by = self.user
        section.save()
        self.result.sections_changed.append(SECTION_TITLES[slug])

    def simple(self, slug: str, new: dict[str, object]) -> None:
        section, created = self.section(slug)
        changes = _apply(section, new)
        # Consultations belong to the Children in Care Council section.
        others = self.consultations() if slug == "cicc" else False
        if created or changes or others:
            self.check_fresh(slug, section, created)
        if created:
            section.save()
            self.log(AuditLog.Action.CREATE, section, changes)
            self.result.sections_changed.append(SECTION_TITLES[slug])
        elif changes:
            self.log(AuditLog.Action.UPDATE, section, changes)
        if not created and (changes or others):
            self.bump(slug, section)

    def rows(self, slug: str, new_rows: dict, key: str, model: type[Model]) -> None:
        section, created = self.section(slug)
        if created:
            section.save()
        existing = {
            getattr(r, f"{key}_id" if key == "setting" else key): r
            for r in model.objects.select_for_update().filter(section=section)
        }
        changed = False
        for k, new in new_rows.items():
            lookup = k.pk if key == "setting" else k
            row = existing.get(lookup)
            if row is None:
                if all(v in (None, "", "open") for v in new.values()):
                    continue  # nothing entered for this home or type: no row
                row = model(section=section, **{key: k})
                changes = _apply(row, new)
                row.save()
                self.log(AuditLog.Action.CREATE, row, changes)
                changed = True
                continue
            changes = _apply(row, new)
            if changes:
                row.save()
                self.log(AuditLog.Action.UPDATE, row, changes)
                changed = True
        if created or changed:
            self.check_fresh(slug, section, created)
        if created:
            self.log(AuditLog.Action.CREATE, section, {})
            self.result.sections_changed.append(SECTION_TITLES[slug])
        elif changed:
            self.bump(slug, section)

    def consultations(self) -> bool:
        changed = False
        existing = {c.pk: c for c in Consultation.objects.select_for_update().filter(ret=self.ret)}
        kept = set()
        for item in self.values.consultations:
            pk = item["id"]
            if item["topic"] is None:
                continue  # cleared: deleted below
            new = {"topic": item["topic"], "young_people": item["young_people"]}
            if pk is None:
                c = Consultation(ret=self.ret, **new)
                c.save()
                self.log(
                    AuditLog.Action.CREATE,
                    c,
                    {k: _change(c, k, None, v) for k, v in new.items()},
                )
                changed = True
                continue
            kept.add(pk)
            c = existing[pk]
            changes = _apply(c, new)
            if changes:
                c.save()
                self.log(AuditLog.Action.UPDATE, c, changes)
                changed = True
        # Left out of the sheet (or cleared): delete those the template listed; keep any
        # added on screen since it was downloaded.
        for pk in (self.values.consultations_at_download & set(existing)) - kept:
            c = existing[pk]
            # Logged on the section (or the return), which outlive the deleted row, so
            # the return's audit page still shows what was removed.
            owner = ChildrenInCareCouncil.objects.filter(ret=self.ret).first() or self.ret
            self.log(
                AuditLog.Action.UPDATE,
                owner,
                {
                    f"Consultation removed: {c.topic}"[:80]: {
                        "old": f"{c.topic} ({display(None, c.young_people)} young people)",
                        "new": "(removed)",
                    }
                },
            )
            c.delete()
            changed = True
        return changed

    def run(self, values: UploadValues) -> UploadResult:
        self.values = values
        for slug in SHEET_NAMES:
            if slug == "staffing":
                self.rows(slug, values.staffing, "setting", HomeStaffing)
            elif slug == "placements":
                self.rows(slug, values.placements, "placement_type", PlacementCost)
            else:
                self.simple(slug, values.sections.get(slug, {}))
        if self.stale:
            raise StaleUpload(self.stale)  # the caller's transaction undoes the writes
        audit.record(
            user=self.user,
            action=AuditLog.Action.UPDATE,
            obj=self.ret,
            detail=f"{self.detail}: {self.result.changes} changes",
        )
        return self.result


def save_upload(
    ret: QuarterlyReturn, values: UploadValues, user: User, file_name: str = ""
) -> UploadResult:
    """Save a checked upload in one transaction. ReturnError if the return can't be
    changed; `StaleUpload` (nothing saved) if a section it would change has been changed
    since the template was downloaded. Both are checked with the return locked, so no
    save on screen can slip in between."""
    with transaction.atomic():
        locked = QuarterlyReturn.objects.select_for_update(of=("self",)).select_related(
            "signed_off_by"
        )
        current = locked.get(pk=ret.pk)
        check_editable(current)
        return _Saver(current, user, file_name).run(values)


def upload(
    ret: QuarterlyReturn, data: bytes, file_name: str, user: User
) -> tuple[UploadResult | None, list[Problem]]:
    """Check and, only if there are no problems, save. (result, []) or (None, problems)."""
    try:
        check_editable(ret)
    except ReturnError as e:
        return None, [Problem(str(e))]
    values, problems = read_upload(ret, data, file_name)
    if problems:
        return None, problems
    try:
        return save_upload(ret, values, user, file_name), []
    except StaleUpload as e:
        return None, e.problems
    except ReturnError as e:
        return None, [Problem(str(e))]
    except IntegrityError:
        return None, [
            Problem(
                "Someone saved part of this return at the same moment, so nothing was saved. "
                "Upload the file again."
            )
        ]
