"""SSDA903 code lists, shipped as reference data and stored per collection year."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

CODES_CSV = Path(__file__).resolve().parent / "reference" / "ssda903_codes.csv"
FIRST_YEAR = 2013
LAST_YEAR = 2027


def load_code_lists(code_list_model) -> int:
    """Expand ssda903_codes.csv into one row per collection year; returns rows written."""
    rows = []
    with CODES_CSV.open(newline="", encoding="utf-8") as handle:
        for entry in csv.DictReader(handle):
            first = max(int(entry["first_year"] or FIRST_YEAR), FIRST_YEAR)
            last = min(int(entry["last_year"] or LAST_YEAR), LAST_YEAR)
            for year in range(first, last + 1):
                rows.append(
                    code_list_model(
                        year=year,
                        field=entry["field"],
                        code=entry["code"],
                        label=entry["label"],
                        valid_from=_date(entry["valid_from"]),
                        valid_until=_date(entry["valid_until"]),
                    )
                )
    code_list_model.objects.all().delete()
    code_list_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _date(raw: str) -> dt.date | None:
    return dt.date.fromisoformat(raw) if raw else None


def code_labels(year: int, fields: list[str] | None = None) -> dict[str, dict[str, str]]:
    """{field: {code: label}} for one collection year, codes in order: one query."""
    from placements.models import CodeListEntry

    entries = CodeListEntry.objects.filter(year=year).order_by("field", "code")
    if fields is not None:
        entries = entries.filter(field__in=fields)
    labels: dict[str, dict[str, str]] = {field: {} for field in fields or []}
    for field, code, label in entries.values_list("field", "code", "label"):
        labels.setdefault(field, {})[code] = label
    return labels
