"""A quarterly return's life: created (or copied forward), submitted, signed off, reopened.

Every step checks who may take it and what state the return is in, and raises
`ReturnError` with a plain-English message otherwise; nothing changes then. Steps that
change the status are conflict-checked on the return's `version` and audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from corporate_parenting import audit
from corporate_parenting.models import AuditLog, LocalAuthority, Role, User
from placements.models import collection_year_label, collection_year_of
from returns import figures
from returns.models import (
    QUARTERS,
    ChildrenInCareCouncil,
    Education,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    PlacementsSection,
    QuarterlyReturn,
    Reopening,
    ReturnStatus,
    StaffingSection,
)

# The sections of a return, in the order officers see them: slug, title, model.
SECTIONS: list[tuple[str, str, type]] = [
    ("fostering", "Fostering recruitment", Fostering),
    ("permanence", "Permanence", Permanence),
    ("staffing", "Residential staffing", StaffingSection),
    ("placements", "Placement sufficiency and cost", PlacementsSection),
    ("education", "Education (the Virtual School)", Education),
    ("cicc", "Children in Care Council", ChildrenInCareCouncil),
]
SECTION_TITLES = {slug: title for slug, title, _ in SECTIONS}


class ReturnError(Exception):
    """A step that can't be taken, with the message to show."""


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """Quarter 1 of 2022 (2021/22) is April to June 2021; quarter 4 is January to March 2022."""
    starts = {1: (year - 1, 4, 1), 2: (year - 1, 7, 1), 3: (year - 1, 10, 1), 4: (year, 1, 1)}
    ends = {1: (year - 1, 6, 30), 2: (year - 1, 9, 30), 3: (year - 1, 12, 31), 4: (year, 3, 31)}
    return dt.date(*starts[quarter]), dt.date(*ends[quarter])


def period_label(year: int, quarter: int) -> str:
    return f"{collection_year_label(year)} Q{quarter}"


def due_date(year: int, quarter: int) -> dt.date:
    """A return is due `CP_RETURN_DUE_DAYS` (30 unless changed) after its quarter ends."""
    return quarter_bounds(year, quarter)[1] + dt.timedelta(days=settings.CP_RETURN_DUE_DAYS)


def current_quarter(today: dt.date) -> tuple[int, int]:
    year = collection_year_of(today)
    quarter = next(q for q in QUARTERS if quarter_bounds(year, q)[1] >= today)
    return year, quarter


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def check_period(year: object, quarter: object, today: dt.date | None = None) -> tuple[int, int]:
    """The year and quarter as numbers, or ReturnError saying what is wrong."""
    today = today or timezone.localdate()
    try:
        year_n, quarter_n = int(str(year)), int(str(quarter))
    except ValueError:
        raise ReturnError(
            f"“{year} Q{quarter}” is not a quarter: give the year as 4 digits and the "
            "quarter as 1, 2, 3 or 4."
        ) from None
    if quarter_n not in QUARTERS:
        raise ReturnError(
            f"There is no quarter {quarter_n}: a year has quarters 1 (April to June) to 4 "
            "(January to March)."
        )
    latest_year, latest_quarter = current_quarter(today)
    if not 2000 <= year_n <= latest_year + 1:
        raise ReturnError(
            f"{year_n} is not a year returns can be made for: give a year from 2000 to "
            f"{latest_year}."
        )
    if (year_n, quarter_n) > (latest_year, latest_quarter):
        raise ReturnError(
            f"{period_label(year_n, quarter_n)} hasn't started yet: the latest quarter is "
            f"{period_label(latest_year, latest_quarter)}."
        )
    return year_n, quarter_n


def section_of(ret: QuarterlyReturn, slug: str):
    """The return's section by slug, or None if it hasn't been saved yet."""
    model = dict((s, m) for s, _, m in SECTIONS)[slug]
    return model.objects.filter(ret=ret).first()


def check_editable(ret: QuarterlyReturn) -> None:
    """ReturnError unless the return is a draft: a submitted return is what the signer
    reads, so it can't change under them; a signed-off one is locked."""
    if ret.status == ReturnStatus.SUBMITTED:
        raise ReturnError(
            f"The {ret.period_label} return has been submitted and is waiting for sign-off, "
            "so it can't be changed. Withdraw it to a draft on the return's page, giving a "
            "reason, to change it."
        )
    if ret.locked:
        by = ret.signed_off_by
        who = str(by) if by else "another officer"
        when = timezone.localtime(ret.signed_off_at) if ret.signed_off_at else None
        on = f" on {when.day} {when:%B %Y}" if when else ""
        raise ReturnError(
            f"The {ret.period_label} return was signed off by {who}{on} and is locked. "
            "Reopen it, giving a reason, to change it."
        )


@transaction.atomic
def create_return(
    la: LocalAuthority, year: object, quarter: object, user: User, *, copy_forward: bool = False
) -> QuarterlyReturn:
    """A new draft return; with `copy_forward`, its sections start as the previous
    quarter's (CiCC consultations are per quarter and are not copied)."""
    year_n, quarter_n = check_period(year, quarter)
    existing = QuarterlyReturn.objects.filter(la=la, year=year_n, quarter=quarter_n).first()
    if existing:
        raise ReturnError(
            f"{la.name} already has a return for {existing.period_label} "
            f"({existing.get_status_display().lower()}). Open that one instead."
        )
    previous = None
    if copy_forward:
        previous = QuarterlyReturn.objects.filter(
            la=la,
            year=previous_quarter(year_n, quarter_n)[0],
            quarter=previous_quarter(year_n, quarter_n)[1],
        ).first()
        if previous is None:
            raise ReturnError(
                f"There is no {period_label(*previous_quarter(year_n, quarter_n))} return "
                "to copy forward from."
            )
    try:
        with transaction.atomic():
            ret = QuarterlyReturn.objects.create(
                la=la, year=year_n, quarter=quarter_n, created_by=user
            )
    except IntegrityError:
        raise ReturnError(
            f"{la.name} already has a return for {period_label(year_n, quarter_n)}: someone "
            "created it a moment ago. Open that one instead."
        ) from None
    if previous is not None:
        _copy_sections(previous, ret, user)
    audit.record(
        user=user,
        action=AuditLog.Action.CREATE,
        obj=ret,
        changed_fields={"period": {"old": "(blank)", "new": ret.period_label}},
        detail=f"copied forward from {previous.period_label}" if previous else "",
    )
    return ret


def _copied_values(obj: object) -> dict[str, dict[str, str]]:
    """A copied record's values for the audit: {field: {"old": "(blank)", "new": value}}."""
    skip = {"id", "ret", "section", "version", "updated_at", "updated_by"}
    return {
        f.name: {"old": "(blank)", "new": str(getattr(obj, f.attname))[:200]}
        for f in obj._meta.concrete_fields
        if f.name not in skip and getattr(obj, f.attname) not in (None, "")
    }


def _copy_sections(source: QuarterlyReturn, target: QuarterlyReturn, user: User) -> None:
    """Copy each section (and its rows) into the new return, auditing every value copied.
    Staffing rows only for homes the council still runs."""
    from inspections.ratings import council_homes

    homes = set(council_homes(target.la_id).values_list("pk", flat=True))
    detail = f"copied forward from {source.period_label}"
    copied: list[object] = []
    for slug, _, model in SECTIONS:
        section = model.objects.filter(ret=source).first()
        if section is None:
            continue
        old_pk = section.pk
        section.pk = None
        section.id = None
        section.ret = target
        section.version = 1
        section.updated_by = user
        section.save()
        copied.append(section)
        if slug == "staffing":
            for row in HomeStaffing.objects.filter(section_id=old_pk, setting_id__in=homes):
                row.pk = None
                row.section = section
                row.save()
                copied.append(row)
        elif slug == "placements":
            for row in PlacementCost.objects.filter(section_id=old_pk):
                row.pk = None
                row.section = section
                row.save()
                copied.append(row)
    for obj in copied:
        audit.record(
            user=user,
            action=AuditLog.Action.CREATE,
            obj=obj,
            changed_fields=_copied_values(obj),
            detail=detail,
        )


def _move(ret: QuarterlyReturn, seen_version: int, **changes: object) -> None:
    """Change the return only if nobody has since; raise ReturnError if they have."""
    written = QuarterlyReturn.objects.filter(pk=ret.pk, version=seen_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not written:
        ret.refresh_from_db()
        raise ReturnError(_moved_message(ret))
    ret.refresh_from_db()


def _moved_message(ret: QuarterlyReturn) -> str:
    """Who last moved the return on, and when: "Sam Patel signed off the 2021/22 Q4
    return at 14:32 on 23 November 2026 while you had it open."""
    moves = [
        (ret.submitted_at, ret.submitted_by, "submitted"),
        (ret.signed_off_at, ret.signed_off_by, "signed off"),
    ]
    latest = ret.reopenings.select_related("by").first()
    if latest:
        moves.append((latest.at, latest.by, "reopened"))
    moves = [m for m in moves if m[0] is not None]
    if not moves:
        return (
            f"The {ret.period_label} return changed while you had it open. Here is the "
            "latest version: check it and try again."
        )
    at, by, what = max(moves, key=lambda m: m[0])
    who = str(by) if by else "Another officer"
    local = timezone.localtime(at)
    return (
        f"{who} {what} the {ret.period_label} return at {local:%H:%M} on {local.day} "
        f"{local:%B %Y} while you had it open. Here is the latest version: check it and "
        "try again."
    )


def missing_sections(ret: QuarterlyReturn) -> list[str]:
    return [title for slug, title, _ in SECTIONS if section_of(ret, slug) is None]


@transaction.atomic
def submit(ret: QuarterlyReturn, user: User, seen_version: int) -> None:
    if user.role != Role.OFFICER or user.la_id != ret.la_id:
        raise ReturnError("Only an officer of the council can submit its return.")
    if ret.status != ReturnStatus.DRAFT:
        raise ReturnError(
            f"The {ret.period_label} return is already {ret.get_status_display().lower()}."
        )
    missing = missing_sections(ret)
    if missing:
        raise ReturnError(
            "Save every section before submitting. Not saved yet: " + ", ".join(missing) + "."
        )
    _move(
        ret,
        seen_version,
        status=ReturnStatus.SUBMITTED,
        submitted_by=user,
        submitted_at=timezone.now(),
    )
    audit.record(
        user=user,
        action=AuditLog.Action.UPDATE,
        obj=ret,
        changed_fields={"status": {"old": "Draft", "new": "Submitted"}},
    )


@transaction.atomic
def sign_off(ret: QuarterlyReturn, user: User, seen_version: int) -> None:
    if user.role != Role.OFFICER or user.la_id != ret.la_id or not user.can_sign_off_returns:
        raise ReturnError("Only an officer with permission to sign off returns can sign it off.")
    if ret.status != ReturnStatus.SUBMITTED:
        status = ret.get_status_display().lower()
        raise ReturnError(f"Only a submitted return can be signed off; this one is {status}.")
    if ret.submitted_by_id == user.pk:
        raise ReturnError(
            "You submitted this return, so another officer with permission to sign off "
            "returns must sign it off."
        )
    _move(
        ret,
        seen_version,
        status=ReturnStatus.SIGNED_OFF,
        signed_off_by=user,
        signed_off_at=timezone.now(),
    )
    audit.record(
        user=user,
        action=AuditLog.Action.UPDATE,
        obj=ret,
        changed_fields={"status": {"old": "Submitted", "new": "Signed off"}},
    )
    figures.changed(ret.la_id)  # what councillors see changes with sign-off


@transaction.atomic
def reopen(ret: QuarterlyReturn, user: User, seen_version: int, reason: str) -> None:
    """Back to draft, with the reason recorded (a submitted return can be withdrawn too)."""
    if user.role != Role.OFFICER or user.la_id != ret.la_id:
        raise ReturnError("Only an officer of the council can reopen its return.")
    if ret.status == ReturnStatus.DRAFT:
        raise ReturnError(f"The {ret.period_label} return is already a draft.")
    if ret.status == ReturnStatus.SIGNED_OFF and not user.can_sign_off_returns:
        raise ReturnError(
            "Only an officer with permission to sign off returns can reopen a signed-off return."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError("Give the reason for reopening the return.")
    old = ret.get_status_display()
    _move(
        ret,
        seen_version,
        status=ReturnStatus.DRAFT,
        signed_off_by=None,
        signed_off_at=None,
        submitted_by=None,
        submitted_at=None,
    )
    Reopening.objects.create(ret=ret, by=user, reason=reason)
    audit.record(
        user=user,
        action=AuditLog.Action.UPDATE,
        obj=ret,
        changed_fields={"status": {"old": old, "new": "Draft"}},
        detail=f"Reopened: {reason}",
    )
    if old == "Signed off":
        figures.changed(ret.la_id)
