"""A committee report's workflow: draft -> approved -> published, and back to draft.

Rules:

* Officers write reports; only a draft can be changed (`check_editable`).
* An officer with `can_approve_reports` approves a draft (`approve`).
* Only a clerk of the report's council publishes (`publish`), and only an approved report
  with at least one recommendation. Publishing builds the content, makes the PDF and
  stores both as a `PublishedVersion` in one transaction: if any step fails, nothing is
  published. A published report is locked.
* A clerk, or an officer who may approve reports, reopens an approved or published report
  to a draft, giving a reason (`reopen`). Earlier published versions stay as the record;
  publishing again makes the next version.

Every step checks the version the person saw (so two people can't act on different
states of the report) and is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from committee.models import PublishedVersion, Report, ReportStatus
from corporate_parenting import audit
from corporate_parenting.models import AuditLog, Role, User

LOCKED = (
    "This report is published and locked. Reopen it to a draft, giving a reason, to change "
    "it; the published version stays on record."
)
APPROVED_LOCKED = (
    "This report is approved, so it can't be changed. Reopen it to a draft, giving a "
    "reason, to change it."
)
NO_RECOMMENDATIONS = (
    "Add at least one recommendation before publishing, for example “To note the report.”"
)


class WorkflowError(Exception):
    """A step refused, with the message to show."""


def recommendations(report: Report) -> list[str]:
    return [line.strip() for line in report.recommendations.splitlines() if line.strip()]


def check_editable(report: Report) -> None:
    if report.status == ReportStatus.PUBLISHED:
        raise WorkflowError(LOCKED)
    if report.status == ReportStatus.APPROVED:
        raise WorkflowError(APPROVED_LOCKED)


def can_approve(user: User, report: Report) -> bool:
    return (
        user.role == Role.OFFICER
        and user.can_approve_reports
        and user.la_id == report.la_id
        and report.status == ReportStatus.DRAFT
    )


def can_publish(user: User, report: Report) -> bool:
    return (
        user.role == Role.CLERK
        and user.la_id == report.la_id
        and report.status == ReportStatus.APPROVED
    )


def can_reopen(user: User, report: Report) -> bool:
    allowed = user.role == Role.CLERK or (user.role == Role.OFFICER and user.can_approve_reports)
    return allowed and user.la_id == report.la_id and report.status != ReportStatus.DRAFT


def _locked(report: Report, version: int | None) -> Report:
    """The report's row, locked for this transaction, checked against the seen version."""
    fresh = Report.objects.select_for_update().get(pk=report.pk)
    if version is not None and fresh.version != version:
        raise WorkflowError(
            "This report was changed by someone else while you were looking at it. "
            "Check it again and retry."
        )
    return fresh


def _sync(report: Report, fresh: Report) -> None:
    for field in ("status", "version", "approved_at", "approved_by_id", "updated_at"):
        setattr(report, field, getattr(fresh, field))


def _save(fresh: Report, user: User, **values: object) -> None:
    values.update(updated_at=timezone.now(), updated_by=user, version=F("version") + 1)
    Report.objects.filter(pk=fresh.pk).update(**values)
    fresh.refresh_from_db()


def approve(report: Report, user: User, version: int | None) -> Report:
    if user.la_id != report.la_id:
        raise WorkflowError("This report belongs to another council.")
    # The council decides who approves (a council admin grants the permission): a senior
    # officer, or the clerk who assembles the meeting.
    if user.role not in (Role.OFFICER, Role.CLERK) or not user.can_approve_reports:
        raise WorkflowError("Only someone with permission to approve reports can approve it.")
    with transaction.atomic():
        fresh = _locked(report, version)
        if fresh.status != ReportStatus.DRAFT:
            raise WorkflowError("Only a draft report can be approved.")
        _save(
            fresh, user, status=ReportStatus.APPROVED, approved_at=timezone.now(), approved_by=user
        )
        audit.record(
            user=user,
            action=AuditLog.Action.UPDATE,
            obj=fresh,
            changed_fields={"status": {"old": "Draft", "new": "Approved"}},
            detail="Report approved for publication",
        )
    _sync(report, fresh)
    return report


def _default_pdf(content: dict) -> bytes:
    from committee.pdf import report_pdf

    return report_pdf(content)


def _default_build(report: Report) -> dict:
    """The report's content, with the figures it was built from kept beside it (under
    "figures") so later changes to the data can be spotted (`differs_from_published`)."""
    from committee.content import build
    from committee.figures import data_for

    data = data_for(report)
    content = build(report, data=data)
    content["figures"] = {
        "paragraphs": data.get("paragraphs", []),
        "tables": data.get("tables", []),
    }
    return content


def publish(
    report: Report,
    user: User,
    version: int | None,
    *,
    pdf: Callable[[dict], bytes] | None = None,
    build: Callable[[Report], dict] | None = None,
) -> PublishedVersion:
    """Publish an approved report: freeze its content and PDF as the next version."""
    if user.la_id != report.la_id:
        raise WorkflowError("This report belongs to another council.")
    if user.role != Role.CLERK:
        raise WorkflowError("Only the committee clerk can publish a report. Nothing was published.")
    pdf = pdf or _default_pdf
    build = build or _default_build
    with transaction.atomic():
        fresh = _locked(report, version)
        if fresh.status == ReportStatus.PUBLISHED:
            raise WorkflowError("This report is already published.")
        if fresh.approved_by_id == user.pk:
            raise WorkflowError(
                "You approved this report, so another clerk must publish it: approving and "
                "publishing are separate checks."
            )
        if fresh.status != ReportStatus.APPROVED:
            raise WorkflowError(
                "This report must be approved by an officer with permission to approve "
                "reports before it can be published."
            )
        if not recommendations(fresh):
            raise WorkflowError(NO_RECOMMENDATIONS)
        content = build(fresh)
        data = pdf(content)
        if not data:
            raise WorkflowError("The PDF could not be made. Nothing was published.")
        stored = json.loads(json.dumps(content, cls=DjangoJSONEncoder))
        last = fresh.published.aggregate(n=Max("number"))["n"] or 0
        published = PublishedVersion.objects.create(
            report=fresh,
            number=last + 1,
            content=stored,
            pdf=bytes(data),
            sha256=hashlib.sha256(bytes(data)).hexdigest(),
            published_by=user,
        )
        _save(fresh, user, status=ReportStatus.PUBLISHED)
        audit.record(
            user=user,
            action=AuditLog.Action.UPDATE,
            obj=fresh,
            changed_fields={"status": {"old": "Approved", "new": "Published"}},
            detail=f"Published as version {published.number} (sha256 {published.sha256[:12]}…)",
        )
        audit.record(user=user, action=AuditLog.Action.CREATE, obj=published)
    _sync(report, fresh)
    return published


def reopen(report: Report, user: User, reason: str, version: int | None = None) -> Report:
    """Back to a draft, with the reason recorded; published versions stay."""
    reason = (reason or "").strip()
    if user.la_id != report.la_id:
        raise WorkflowError("This report belongs to another council.")
    if not (user.role == Role.CLERK or (user.role == Role.OFFICER and user.can_approve_reports)):
        raise WorkflowError(
            "Only the clerk or an officer with permission to approve reports can reopen it."
        )
    if not reason:
        raise WorkflowError("Give the reason for reopening the report")
    with transaction.atomic():
        fresh = _locked(report, version)
        if fresh.status == ReportStatus.DRAFT:
            raise WorkflowError("This report is already a draft.")
        old = fresh.get_status_display()
        _save(fresh, user, status=ReportStatus.DRAFT, approved_at=None, approved_by=None)
        audit.record(
            user=user,
            action=AuditLog.Action.UPDATE,
            obj=fresh,
            changed_fields={"status": {"old": old, "new": "Draft"}},
            detail=f"Reopened to a draft: {reason}",
        )
    _sync(report, fresh)
    return report


# --- has the data moved since publication? ------------------------------------------------


def _tables(value: object) -> dict[str, str]:
    """Tables as {caption: canonical JSON}."""
    named = {}
    for i, table in enumerate(value or [], 1):
        name = (
            (table.get("caption") or table.get("title") or table.get("id"))
            if isinstance(table, dict)
            else None
        )
        named[str(name or f"table {i}")] = json.dumps(table, sort_keys=True, cls=DjangoJSONEncoder)
    return named


def _short(text: object, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def differs_from_published(report: Report, fresh: dict | None = None) -> list[str]:
    """What changed in the report's figures since its latest published version: a list
    of sentences, empty when nothing changed (or it was never published, or the
    published content doesn't say which figures it was built from)."""
    latest = report.published.defer("pdf").order_by("-number").first()
    if latest is None:
        return []
    old = (latest.content or {}).get("figures")
    if not isinstance(old, dict):
        return []
    if fresh is None:
        from committee.figures import data_for

        fresh = data_for(report)
    fresh = json.loads(json.dumps(fresh, cls=DjangoJSONEncoder))
    changes = []
    before, after = _tables(old.get("tables")), _tables(fresh.get("tables"))
    for name, table in after.items():
        if name not in before:
            changes.append(f"a new table, “{name}”")
        elif before[name] != table:
            changes.append(f"the table “{name}” has different figures")
    changes.extend(f"the table “{name}” is no longer there" for name in before if name not in after)
    old_paras = [str(p) for p in old.get("paragraphs") or []]
    new_paras = [str(p) for p in fresh.get("paragraphs") or []]
    for i, para in enumerate(new_paras):
        if i >= len(old_paras):
            changes.append(f"a new sentence: “{_short(para)}”")
        elif old_paras[i] != para:
            changes.append(f"“{_short(old_paras[i])}” now reads “{_short(para)}”")
    changes.extend(f"“{_short(para)}” is no longer there" for para in old_paras[len(new_paras) :])
    return changes
