"""A report's tables as CSV or Excel, safe to open in a spreadsheet.

A cell starting with =, +, -, @, a tab or a carriage return could be read as a formula
(CSV injection), so such text is written as text: prefixed with an apostrophe in CSV, and
as a plain string cell with the quote prefix in Excel. A numeric column's figures stay
numbers in Excel; suppressed ("c") and missing figures stay text.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?£?\d[\d,]*(\.\d+)?%?$")


def neutralise(value: object) -> str:
    """The value as text a spreadsheet won't run: risky text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def table_csv(table: dict) -> bytes:
    """A table as CSV, UTF-8 with a byte-order mark (so Excel reads £ and dashes correctly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in table["columns"]])
    for row in table["rows"]:
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue().encode("utf-8-sig")


def as_number(text: str) -> int | float | None:
    """A formatted figure ("1,234", "45.5%", "£1,200.00") as a number; None if it isn't one."""
    text = text.strip()
    if not NUMBER.match(text):
        return None
    plain = text.replace(",", "").replace("£", "")
    if plain.endswith("%"):
        return float(plain[:-1])
    return float(plain) if "." in plain else int(plain)


def _sheet_title(table: dict, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", str(table.get("id") or "Table")).strip()[:31] or "Table"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}-{n}"
    used.add(title.lower())
    return title


def _text_cell(cell, value: object) -> None:
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
    if text.startswith(DANGEROUS):
        cell.quotePrefix = True  # Excel shows it as typed text, and won't evaluate it


def tables_xlsx(tables: list[dict]) -> bytes:
    """The tables as an Excel workbook: a sheet each, the header row bold."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table, used))
        numeric = list(table.get("numeric") or [])
        for col, heading in enumerate(table["columns"], start=1):
            cell = sheet.cell(row=1, column=col)
            _text_cell(cell, heading)
            cell.font = bold
        for r, row in enumerate(table["rows"], start=2):
            for col, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=col)
                number = None
                if col - 1 < len(numeric) and numeric[col - 1] and isinstance(value, str):
                    number = as_number(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    number = value
                if number is not None:
                    cell.value = number
                else:
                    _text_cell(cell, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
