"""Small helpers shared by management commands."""

from __future__ import annotations

import argparse
import datetime as dt


def dmy_date(raw: str) -> dt.date:
    """An argparse type for a dd/mm/yyyy date, as officers write them."""
    try:
        return dt.datetime.strptime(raw, "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a date in the format dd/mm/yyyy"
        ) from None
