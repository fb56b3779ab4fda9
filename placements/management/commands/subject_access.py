"""Everything held about one child, for answering a subject access request.

Writes one JSON file: the child's details from the Header, every row of every table
that belongs to the child (found from the models, so a new table is included without
changing this command), the import problems that name the child, and the audit log's
record of who viewed the child's records. Writing it is itself audited.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst, slugify

from corporate_parenting import audit
from corporate_parenting.models import AuditLog, LocalAuthority, Role, User
from placements.models import Child, ImportProblem

# The children list records the children each page showed under this key (placements.views).
LIST_KEY = "children shown (record ids)"
# Database ids that mean nothing outside the service; the child is the file's subject.
LEFT_OUT = {"id", "la", "child", "period"}


class Command(BaseCommand):
    help = (
        "Write everything held about one child (SSDA903 records, import problems naming "
        "them, and who viewed their records) to a JSON file, for a subject access request."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("la_code", help="DfE LA code, e.g. 831 for Derby")
        parser.add_argument("child_id", help="The child's CHILD identifier in the return")
        parser.add_argument(
            "--by",
            required=True,
            metavar="USERNAME",
            help="Who is answering the request (recorded in the audit log)",
        )
        parser.add_argument(
            "--output", type=Path, help="File to write (default: var/subject-access/...)"
        )

    def handle(self, *args: object, **options: object) -> None:
        child = _child(str(options["la_code"]), str(options["child_id"]))
        by = _answerer(str(options["by"]), child.la)
        request = {
            "council": child.la.name,
            "la_code": child.la.la_code,
            "child_id": child.child_id,
            "written_at": timezone.now(),
            "written_by": by.get_username(),
        }
        found = {"request": request} | held_about(child)
        path = options["output"] or default_path(child)
        _write_private(path, json.dumps(found, cls=DjangoJSONEncoder, indent=2))  # type: ignore[arg-type]
        records = sum(len(v) for v in found.values() if isinstance(v, list))
        audit.record(
            user=by,
            action=AuditLog.Action.EXPORT,
            obj=child,
            detail=f"subject access: {records} records written to {path}",
        )
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {records} records about CHILD {child.child_id} to {path}")
        )


def _child(la_code: str, child_id: str) -> Child:
    try:
        la = LocalAuthority.objects.get(la_code=la_code)
    except LocalAuthority.DoesNotExist:
        raise CommandError(f"No council has LA code {la_code!r}, e.g. 831 for Derby.") from None
    try:
        return Child.objects.select_related("la").get(la=la, child_id=child_id)
    except Child.DoesNotExist:
        raise CommandError(
            f"{la.name} holds no child with CHILD {child_id!r}: nothing is held about them "
            "in the SSDA903 records. Check the identifier against the council's own system."
        ) from None


def _answerer(username: str, la: LocalAuthority) -> User:
    """The person answering, named in the audit log: an officer of the child's council
    (the only role that sees child-level records) or a system admin."""
    user = User.objects.filter(username=username, is_active=True).first()
    allowed = user is not None and (
        user.role == Role.SYSTEM_ADMIN or (user.la_id == la.pk and user.role == Role.OFFICER)
    )
    if not allowed:
        raise CommandError(
            f"{username!r} can't answer this request: --by must name an active officer of "
            f"{la.name}, or a system admin."
        )
    return user


def held_about(child: Child) -> dict[str, object]:
    """Every record about the child, by table, in the order a reader would want them."""
    found: dict[str, object] = {"Child (Header)": _values(child)}
    for model, field in _tables_of_children():
        rows = model._default_manager.filter(**{field: child}).order_by("pk")
        found[capfirst(model._meta.verbose_name)] = [_values(row) for row in rows]
    found["Import problems naming the child"] = list(_problems(child))
    found["Who viewed or exported the child's records"] = list(_views(child))
    return found


def _tables_of_children() -> list[tuple[type[Model], str]]:
    """Each model with a foreign key to Child, and that key's name."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Child
    ]


def _values(row: Model) -> dict[str, object]:
    return {
        field.name: field.value_from_object(row)
        for field in row._meta.concrete_fields
        if field.name not in LEFT_OUT
    }


def _problems(child: Child) -> QuerySet:
    """Problems whose value is the child's identifier, or whose message names it. (A
    problem with another of the child's cells can't be told from other children's.)"""
    return (
        ImportProblem.objects.filter(import_run__la=child.la)
        .filter(Q(value=child.child_id) | Q(message__regex=_named_in_message(child.child_id)))
        .order_by("import_run__created_at", "id")
        .values(
            "import_run__year",
            "import_run__created_at",
            "severity",
            "file",
            "row",
            "column",
            "value",
            "message",
        )
    )


def _named_in_message(child_id: str) -> str:
    """Messages name a child as "CHILD C1": match C1 there, but not C12."""
    return f"CHILD {re.escape(child_id)}(?![A-Za-z0-9_])"


def _views(child: Child) -> QuerySet:
    """The audit log's entries about the child: their page, and list pages showing them."""
    return (
        AuditLog.objects.filter(la_id=child.la_id, object_type=Child._meta.label)
        .filter(Q(object_id=str(child.pk)) | Q(changed_fields__contains={LIST_KEY: [child.pk]}))
        .order_by("at", "id")
        .values("at", "username", "action", "detail")
    )


def default_path(child: Child) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"{child.la.la_code}-{slugify(child.child_id) or 'child'}-{stamp}.json"
    return Path(settings.BASE_DIR) / "var" / "subject-access" / name


def _write_private(path: Path, text: str) -> None:
    """Readable by this account alone, in a folder no one else can list."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    os.chmod(path, 0o600)
