"""Whole numbers typed or passed in a URL, read without trusting them."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(text: object) -> int | None:
    """The text as a whole number if it is 1 to 9 ASCII digits, else None.

    `str.isdigit()` is no guard before `int()`: it is true for "²", which `int()` refuses,
    and for thousands of digits, which `int()` also refuses, so either would be a server
    error. Nine digits also keep the number inside every integer column."""
    raw = str(text or "").strip()
    return int(raw) if _DIGITS.fullmatch(raw) else None
