"""Dates as the service writes them to people."""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    """18 January 2022 (no leading zero, as GOV.UK writes dates)."""
    return f"{day.day} {day:%B %Y}"
