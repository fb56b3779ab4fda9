"""The audit log: who read which child-level record, and who changed what.

`record` writes one entry about a saved object; `record_about` writes one about
something that isn't a single row (a list of children, an export of the log). The
log is append-only (a PostgreSQL trigger refuses UPDATE, DELETE and TRUNCATE), so
entries are only ever added here.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model
from django.utils.text import capfirst

from corporate_parenting.models import AuditLog, User

# The apps whose records the log names; their models make the "type of record" filter.
AUDITED_APPS = (
    "corporate_parenting",
    "placements",
    "inspections",
    "performance",
    "returns",
    "committee",
)


def record(
    *,
    user: User,
    action: AuditLog.Action,
    obj: Model,
    changed_fields: dict[str, object] | None = None,
    detail: str = "",
) -> AuditLog:
    return record_about(
        user=user,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        la_id=getattr(obj, "la_id", None) or user.la_id,
        changed_fields=changed_fields,
        detail=detail,
    )


def record_about(
    *,
    user: User,
    action: AuditLog.Action,
    object_type: str,
    object_id: str = "",
    la_id: int | None = None,
    changed_fields: dict[str, object] | None = None,
    detail: str = "",
) -> AuditLog:
    """An entry about records that aren't one saved object: `la_id` defaults to the
    user's council."""
    return AuditLog.objects.create(
        user_id_at_time=user.pk,
        username=user.get_username(),
        la_id=la_id or user.la_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changed_fields=changed_fields or {},
        detail=detail[:500],
    )


def object_type_names() -> dict[str, str]:
    """{"placements.Child": "Child (placements)", ...} for every audited model, by name."""
    names = {
        model._meta.label: f"{capfirst(model._meta.verbose_name)} ({model._meta.app_label})"
        for app_label in AUDITED_APPS
        for model in apps.get_app_config(app_label).get_models()
    }
    return dict(sorted(names.items(), key=lambda item: item[1].lower()))


def describe_changes(changed_fields: object) -> list[str]:
    """Changed fields as lines a person reads: "status: Draft → Submitted".

    Views store either {"field": {"old": ..., "new": ...}} or {"field": value}.
    """
    if not isinstance(changed_fields, dict):
        return [str(changed_fields)] if changed_fields else []
    lines = []
    for name, value in changed_fields.items():
        if isinstance(value, dict) and "new" in value:
            old = value.get("old")
            text = f"{value['new']}" if old is None else f"{old} → {value['new']}"
        else:
            text = "(removed)" if value is None else str(value)
        lines.append(f"{name}: {text}")
    return lines
