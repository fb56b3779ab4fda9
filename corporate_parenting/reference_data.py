"""Loading the reference data that ships with the product."""

from __future__ import annotations

import csv
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def read_reference_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_councils(local_authority_model) -> int:
    """Create or update every council from councils.csv; returns the number of rows."""
    rows = read_reference_csv("councils.csv")
    for row in rows:
        local_authority_model.objects.update_or_create(
            la_code=row["la_code"],
            defaults={"ons_code": row["ons_code"], "name": row["name"], "region": row["region"]},
        )
    return len(rows)
