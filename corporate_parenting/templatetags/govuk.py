"""Template helpers for GOV.UK form patterns (see templates/includes/field.html)."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()

_PARTS = (("Day", 2), ("Month", 2), ("Year", 4))


@register.filter
def date_parts(field: BoundField) -> list[dict[str, object]]:
    """The day, month and year boxes of a GOV.UK date input, with their values."""
    widget = field.field.widget
    value = field.value()
    if not isinstance(value, list | tuple):
        value = widget.decompress(value)
    parts = []
    for (label, width), suffix, part in zip(_PARTS, widget.widgets_names, value, strict=True):
        parts.append(
            {
                "label": label,
                "width": width,
                "name": field.html_name + suffix,
                "id": field.auto_id + suffix,
                "value": "" if part is None else part,
            }
        )
    return parts


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id an error summary links to: the first box of a date, the first radio."""
    widget = field.field.widget
    if getattr(widget, "govuk_date", False):
        return f"{field.auto_id}{widget.widgets_names[0]}"
    if getattr(widget, "input_type", "") == "radio":
        return f"{field.auto_id}_0"
    return field.id_for_label
