"""The audit log for administrators: filter it, page through it, export it as CSV.

A council admin sees their own council's entries; a system admin sees every council's
and can filter by council. The log grows by a row for every child record read, so
pages are found by position (the entry they start after), never by counting or
skipping rows: the page after the millionth entry costs what the first page does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from committee.exports import neutralise
from corporate_parenting import audit
from corporate_parenting.access import role_required
from corporate_parenting.govuk_forms import DateField
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import AuditLog, LocalAuthority, Role, User

PAGE_SIZE = 50
CURSORS = ("before", "after")
CSV_COLUMNS = [
    "time",
    "username",
    "user id",
    "council",
    "action",
    "type of record",
    "record id",
    "changed fields",
    "detail",
]


class AuditFilterForm(forms.Form):
    date_from = DateField(label="From", required=False, name_in_message="the date from")
    date_to = DateField(label="To", required=False, name_in_message="the date to")
    username = forms.CharField(label="Username", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditLog.Action.choices]
    )
    object_type = forms.ChoiceField(label="Type of record", required=False)
    council = forms.ModelChoiceField(
        LocalAuthority.objects.all(), required=False, empty_label="All councils"
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [
            ("", "Any type"),
            *audit.object_type_names().items(),
        ]
        if not user.is_system_admin:
            del self.fields["council"]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The date to must be the same as or after the date from")
        return data


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visible_entries(user: User) -> QuerySet[AuditLog]:
    """Everything the user may read: their council's entries, or all for a system admin."""
    entries = AuditLog.objects.all()
    return entries if user.is_system_admin else entries.filter(la_id=user.la_id)


def filtered(entries: QuerySet[AuditLog], data: dict[str, object]) -> QuerySet[AuditLog]:
    """The entries that match a valid filter form's cleaned data."""
    if data.get("date_from"):
        entries = entries.filter(at__gte=_start_of(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
    if data.get("username"):
        entries = entries.filter(username=data["username"].strip())
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("object_type"):
        entries = entries.filter(object_type=data["object_type"])
    if data.get("council"):
        entries = entries.filter(la_id=data["council"].pk)
    return entries


def _cursor(request: HttpRequest, entries: QuerySet[AuditLog]) -> tuple[str, AuditLog | None]:
    """The page asked for: ("before", entry) for older entries, ("after", entry) for
    newer ones, or ("", None) for the newest."""
    for direction in CURSORS:
        number = whole_number(request.GET.get(direction))
        if number is not None:
            entry = entries.filter(pk=number).only("pk", "at").first()
            if entry is not None:
                return direction, entry
    return "", None


def page_of(entries: QuerySet[AuditLog], direction: str, cursor: AuditLog | None):
    """One page, newest first, with whether there are newer and older entries."""
    if direction == "after":
        # Newer than the cursor: the oldest PAGE_SIZE of them, shown newest first.
        newer = entries.filter(at__gte=cursor.at).filter(Q(at__gt=cursor.at) | Q(pk__gt=cursor.pk))
        rows = list(newer.order_by("at", "pk")[: PAGE_SIZE + 1])
        has_newer, has_older = len(rows) > PAGE_SIZE, True
        return rows[:PAGE_SIZE][::-1], has_newer, has_older
    if direction == "before":
        entries = entries.filter(at__lte=cursor.at).filter(
            Q(at__lt=cursor.at) | Q(pk__lt=cursor.pk)
        )
    rows = list(entries.order_by("-at", "-pk")[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], direction == "before", len(rows) > PAGE_SIZE


def _query_without_cursor(request: HttpRequest) -> QueryDict:
    query = request.GET.copy()
    for name in CURSORS:
        query.pop(name, None)
    return query


@role_required(Role.COUNCIL_ADMIN, Role.SYSTEM_ADMIN)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AuditFilterForm(request.GET or None, user=user)
    entries = visible_entries(user)
    context: dict[str, object] = {"form": form, "is_system_admin": user.is_system_admin}
    if form.is_bound and not form.is_valid():
        return render(request, "corporate_parenting/audit_log.html", context)
    scoped = filtered(entries, form.cleaned_data if form.is_bound else {})
    rows, has_newer, has_older = page_of(scoped, *_cursor(request, entries))
    councils = (
        dict(LocalAuthority.objects.values_list("pk", "name")) if user.is_system_admin else {}
    )
    names = audit.object_type_names()
    context.update(
        {
            "rows": [
                {
                    "entry": entry,
                    "council": councils.get(entry.la_id, ""),
                    "type": names.get(entry.object_type, entry.object_type),
                    "changes": audit.describe_changes(entry.changed_fields),
                }
                for entry in rows
            ],
            "query": _query_without_cursor(request).urlencode(),
            "newer": rows[0].pk if has_newer and rows else None,
            "older": rows[-1].pk if has_older and rows else None,
            "first_page": not has_newer,
        }
    )
    return render(request, "corporate_parenting/audit_log.html", context)


def _filters_text(form: AuditFilterForm) -> str:
    """The filters of an export, for its own audit entry: "action=view, username=x"."""
    parts = []
    for name, value in form.cleaned_data.items():
        if value:
            parts.append(f"{name}={getattr(value, 'la_code', value)}")
    return ", ".join(parts) or "none"


def _csv_chunks(entries: QuerySet[AuditLog], rows_a_chunk: int = 500) -> Iterator[str]:
    """The CSV, a few hundred rows at a time, read from the database in batches."""
    codes = dict(LocalAuthority.objects.values_list("pk", "la_code"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")  # a byte-order mark, so Excel reads the file as UTF-8
    writer.writerow(CSV_COLUMNS)
    rows = entries.order_by("-at", "-pk").values_list(
        "at",
        "username",
        "user_id_at_time",
        "la_id",
        "action",
        "object_type",
        "object_id",
        "changed_fields",
        "detail",
    )
    for n, (at, username, user_id, la_id, *rest, changed, detail) in enumerate(
        rows.iterator(chunk_size=2000), start=1
    ):
        cells = [
            timezone.localtime(at).isoformat(timespec="seconds"),
            username,
            user_id or "",
            codes.get(la_id, ""),
            *rest,
            json.dumps(changed, ensure_ascii=False) if changed else "",
            detail,
        ]
        writer.writerow([neutralise(cell) for cell in cells])
        if n % rows_a_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@role_required(Role.COUNCIL_ADMIN, Role.SYSTEM_ADMIN)
@require_GET
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """Every entry that matches the filters, streamed. The export is itself audited."""
    user = request.user
    form = AuditFilterForm(request.GET, user=user)
    if not form.is_valid():
        context = {"form": form, "is_system_admin": user.is_system_admin}
        return render(request, "corporate_parenting/audit_log.html", context, status=400)
    council = form.cleaned_data.get("council")
    audit.record_about(
        user=user,
        action=AuditLog.Action.EXPORT,
        object_type=AuditLog._meta.label,
        la_id=council.pk if council else None,
        detail=f"audit log CSV; filters: {_filters_text(form)}",
    )
    entries = filtered(visible_entries(user), form.cleaned_data)
    scope = council.la_code if council else (user.la.la_code if user.la_id else "all-councils")
    response = StreamingHttpResponse(_csv_chunks(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-log-{scope}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response
