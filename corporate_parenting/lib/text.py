"""Text from outside (uploads, sign-in attempts) made safe to store and to read."""

from __future__ import annotations


def printable(text: str) -> str:
    """The text with every unprintable character as "?".

    PostgreSQL text can't hold NUL, so a NUL in anything a stranger typed would be a
    server error when it is stored; other control characters help nobody reading."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)
