"""Turning stored figures into what a reader sees: suppression, formatting and RAG."""

from __future__ import annotations

from collections.abc import Collection, Mapping
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


def second_to_withhold[K](cells: Mapping[K, float], withheld: Collection[K]) -> K | None:
    """Secondary suppression: if exactly one cell of a set that adds up to a shown total is
    withheld, it could be worked out by subtraction, so the next smallest goes too."""
    if len([k for k in cells if k in withheld]) != 1:
        return None
    others = sorted((v, k) for k, v in cells.items() if k not in withheld and v > 0)
    return others[0][1] if others else None


def suppress_table(cells: dict[str, float], *, has_total: bool = True) -> dict[str, str]:
    """Suppress small cells, and a second cell where one alone would be worked out."""
    shown = {k: ("c" if is_small(v) else f"{v:,.0f}") for k, v in cells.items()}
    second = second_to_withhold(cells, {k for k, v in shown.items() if v == SUPPRESSED})
    if has_total and second is not None:
        shown[second] = SUPPRESSED
    return shown
