from __future__ import annotations

from django.db.models import Model

from corporate_parenting.models import AuditLog, User


def record(
    *,
    user: User,
    action: AuditLog.Action,
    obj: Model,
    changed_fields: dict[str, object] | None = None,
    detail: str = "",
) -> AuditLog:
    return AuditLog.objects.create(
        user_id_at_time=user.pk,
        username=user.get_username(),
        la_id=getattr(obj, "la_id", None) or user.la_id,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        changed_fields=changed_fields or {},
        detail=detail[:500],
    )
