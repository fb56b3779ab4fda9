"""Turning stored figures into what a reader sees: suppression, formatting and RAG."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

SUPPRESSED = "c"
NO_FIGURE = "\u2013"  # an en dash: no figure for this period
SUPPRESSION_TEXT = "fewer than {n}, withheld to protect children's privacy"


def threshold() -> int:
    return int(settings.CP_SUPPRESSION_THRESHOLD)


def is_small(n: float | None) -> bool:
    """A count from 1 to the threshold identifies too few children to publish."""
    return n is not None and 0 < n <= threshold()


def suppressed(*, unit: str, numerator: float | None, denominator: float | None) -> bool:
    """GSS convention: small counts, and any rate or average built on one, are withheld."""
    if unit == "count":
        return is_small(numerator)
    return is_small(numerator) or is_small(denominator)


def format_value(value: float | None, unit: str, *, days_word: bool = False) -> str:
    if value is None:
        return NO_FIGURE
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "score":
        return f"{value:.1f}"
    text = f"{value:,.0f}"
    return f"{text} days" if days_word and unit == "days" else text


def format_change(change: float, unit: str) -> str:
    if unit == "percent":
        return f"{abs(change):.1f} percentage points"
    return format_value(abs(change), unit, days_word=True)


@dataclass
class Rag:
    status: str  # green, amber, red or "" when there is no target or no polarity
    label: str


def rag(*, value: float | None, target: float | None, polarity: str, tolerance: float) -> Rag:
    if value is None or target is None or polarity == "neutral":
        return Rag("", "")
    gap = value - target if polarity == "higher" else target - value
    if gap >= 0:
        return Rag("green", "On or better than target")
    if gap >= -tolerance:
        return Rag("amber", "Close to target")
    return Rag("red", "Worse than target")


def suppress_table(cells: dict[str, float], *, has_total: bool = True) -> dict[str, str]:
    """Suppress small cells; if exactly one is withheld in a table with a total, withhold the
    next smallest too, so it can't be worked out by subtraction (secondary suppression)."""
    shown = {k: ("c" if is_small(v) else f"{v:,.0f}") for k, v in cells.items()}
    withheld = [k for k, v in shown.items() if v == SUPPRESSED]
    if has_total and len(withheld) == 1:
        others = sorted((v, k) for k, v in cells.items() if k not in withheld and v > 0)
        if others:
            shown[others[0][1]] = SUPPRESSED
    return shown
