from __future__ import annotations

from django import template

from placements.models import collection_year_label

register = template.Library()


@register.filter
def code_label(code: str | None, labels: dict[str, str] | None) -> str:
    """'C2' with its label: 'C2: full care order'."""
    if not code:
        return ""
    label = (labels or {}).get(code)
    return f"{code}: {label}" if label else code


@register.filter
def year_label(year: int | None) -> str:
    return collection_year_label(year) if year else ""
