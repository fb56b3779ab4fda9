"""When a setting was closed: its closure periods, and the one way to change its status.

`Setting.status` and `status_since` say how a setting stands now. `SettingClosure`
keeps every period it was closed or temporarily closed, so questions about a past day
("was Willow Lodge closed in June 2021?") get the answer that was true then, whatever
has happened since. `record_status` is the one place that changes a setting's status:
it keeps the two in step and bumps the setting's `version`, so an officer's open form
can't overwrite the change. Ofsted's list loader makes the same changes in bulk with
`plan_status`, the rules without the saving.

The rules, for a status change dated `since`:

- open -> closed or temporarily closed: a new period from `since`. It may not start
  on or before the last day of an earlier period.
- temporarily closed <-> closed: the same period, with the new status. Its start
  doesn't move (an earlier `since` moves it back: the home was closed from then); the
  setting's `status_since` is `since`, the day the status changed.
- closed or temporarily closed, the same again with another date: a correction of the
  date, which moves the period's start when the date was the period's start.
- closed or temporarily closed -> open: the period ends the day before `since`, which
  must be after the period's start.
- open -> open with another date: a correction of the opening or reopening date (a
  reopening date moves the end of the period before it).

Reading: `closure_on(setting, day)` and `closed_on(setting, day)`, from the setting's
prefetched `closures` when there are any (`prefetch()`), else with one query.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils import timezone

from corporate_parenting.lib.dates import long_date
from inspections.models import ClosureSource, Setting, SettingClosure, SettingStatus

CLOSED = (SettingStatus.TEMPORARILY_CLOSED, SettingStatus.CLOSED)
DAY = dt.timedelta(days=1)


class StatusChangeError(ValueError):
    """A status change the setting's closure history can't take; the message says why."""


def _name(setting: Setting) -> str:
    return setting.name or f"The home with URN {setting.urn}"


# --- reading ---------------------------------------------------------------------------


def prefetch() -> Prefetch:
    """Prefetch for `Setting.closures`, oldest first: the readers below then don't query."""
    return Prefetch("closures", queryset=SettingClosure.objects.order_by("start"))


def closures_of(setting: Setting) -> list[SettingClosure]:
    """The setting's closure periods, oldest first (from the prefetch when there is one)."""
    cache = getattr(setting, "_prefetched_objects_cache", {})
    if "closures" in cache:
        return sorted(cache["closures"], key=lambda c: c.start)
    if setting.pk is None:
        return []
    return list(SettingClosure.objects.filter(setting_id=setting.pk).order_by("start"))


def closure_on(setting: Setting, day: dt.date) -> SettingClosure | None:
    """The period the setting was closed or temporarily closed on `day`, if it was."""
    return closure_during(setting, day, day)


def closed_on(setting: Setting, day: dt.date) -> bool:
    return closure_on(setting, day) is not None


def closure_during(setting: Setting, first: dt.date, last: dt.date) -> SettingClosure | None:
    """The first period the setting was closed on any day from `first` to `last`."""
    for closure in closures_of(setting):
        if closure.start <= last and (closure.end is None or closure.end >= first):
            return closure
    return None


def describe(closure: SettingClosure) -> str:
    """ "was temporarily closed from 1 February 2020" (and "to 31 March 2021" if it ended)."""
    text = f"was {closure.get_status_display().lower()} from {long_date(closure.start)}"
    return f"{text} to {long_date(closure.end)}" if closure.end else text


# --- the rules -------------------------------------------------------------------------


def plan_status(
    setting: Setting,
    history: list[SettingClosure],
    status: str,
    since: dt.date | None,
    *,
    source: str,
) -> list[SettingClosure]:
    """Apply a status change to `setting` and its `history` in memory; save nothing.

    Sets the setting's `status` and `status_since`, changes or adds periods (a new one
    is added to `history`) and returns the periods to save: changed ones first, then a
    new one, the order the one-open-period constraint needs. Raises StatusChangeError,
    changing nothing, when the history can't take the change. No change, no periods.
    """
    status = SettingStatus(status)
    name = _name(setting)
    ongoing = next((c for c in history if c.end is None), None)
    ended = max((c for c in history if c.end is not None), key=lambda c: c.end, default=None)
    changed: list[SettingClosure] = []

    def after_ended(start: dt.date, what: str) -> None:
        if ended is not None and start <= ended.end:
            raise StatusChangeError(
                f"{name} {describe(ended)}, so the date {what} must be after {long_date(ended.end)}"
            )

    if (status, since) == (setting.status, setting.status_since) and (
        (ongoing is None) == (status == SettingStatus.OPEN)
    ):
        return []

    if ongoing is None and status == SettingStatus.OPEN:
        reopened = ended is not None and setting.status_since == ended.end + DAY
        if reopened and since != setting.status_since:
            # A correction of the date it reopened: the period before ends the day before.
            if since is None:
                raise StatusChangeError(f"Enter the date {name} reopened")
            if since <= ended.start:
                raise StatusChangeError(_reopen_message(name, ended))
            ended.end = since - DAY
            changed.append(ended)
    elif ongoing is None:
        if since is None:
            raise StatusChangeError(f"Enter the date {name} closed")
        after_ended(since, "it closed again")
        new = SettingClosure(setting=setting, status=status, start=since, end=None, source=source)
        history.append(new)
        changed.append(new)
    elif status == SettingStatus.OPEN:
        if since is None:
            raise StatusChangeError(f"Enter the date {name} reopened")
        if since <= ongoing.start:
            raise StatusChangeError(_reopen_message(name, ongoing))
        ongoing.end = since - DAY
        changed.append(ongoing)
    else:
        if since is None:
            raise StatusChangeError(f"Enter the date {name} closed")
        if status == ongoing.status and setting.status_since == ongoing.start:
            start = since  # a correction of the date the period began
        else:
            start = min(ongoing.start, since)  # never later: it was closed from then
        after_ended(start, "it closed")
        ongoing.start, ongoing.status = start, status
        if source == ClosureSource.COUNCIL:
            ongoing.source = source  # the council has confirmed it
        changed.append(ongoing)
    setting.status, setting.status_since = status, since
    return changed


def _reopen_message(name: str, closure: SettingClosure) -> str:
    return (
        f"{name} {describe(closure)}, so the date it reopened must be after "
        f"{long_date(closure.start)}"
    )


def check_status(setting: Setting, status: str, since: dt.date | None) -> str | None:
    """Why the setting's history can't take the change, or None: for a form's checks."""
    try:
        plan_status(
            copy.copy(setting),
            [copy.copy(c) for c in closures_of(setting)],
            status,
            since,
            source=ClosureSource.COUNCIL,
        )
    except StatusChangeError as exc:
        return str(exc)
    return None


# --- writing ---------------------------------------------------------------------------


def save_planned(closures: Iterable[SettingClosure]) -> None:
    """Save periods `plan_status` returned, in its order."""
    for closure in closures:
        closure.save()


@transaction.atomic
def record_status(
    setting: Setting,
    status: str,
    since: dt.date | None,
    *,
    source: str,
    bump_version: bool = True,
) -> bool:
    """Change a saved setting's status from `since`, keeping its closure history.

    `source` is who says so (a ClosureSource). Bumps the setting's `version`, unless
    the caller bumps it in its own update (`bump_version=False`). Returns whether
    anything changed; raises StatusChangeError, changing nothing, when the history
    can't take the change. The setting's row is locked and read afresh, so the
    change is made to what is stored, not to a copy an officer opened earlier.
    """
    current = Setting.objects.select_for_update().get(pk=setting.pk)
    history = list(SettingClosure.objects.filter(setting_id=current.pk).order_by("start"))
    before = (current.status, current.status_since)
    changed = plan_status(current, history, status, since, source=source)
    if not changed and (current.status, current.status_since) == before:
        return False
    save_planned(changed)
    values: dict[str, object] = {
        "status": current.status,
        "status_since": current.status_since,
        "updated_at": timezone.now(),
    }
    if bump_version:
        values["version"] = F("version") + 1
    Setting.objects.filter(pk=current.pk).update(**values)
    setting.status, setting.status_since = current.status, current.status_since
    setting.version = current.version + 1 if bump_version else current.version
    getattr(setting, "_prefetched_objects_cache", {}).pop("closures", None)

    from performance import oversight

    oversight.changed(current.run_by_council_id)
    return True


def backfill(setting_model: type = Setting, closure_model: type = SettingClosure) -> int:
    """A period for every setting that isn't open and has no open period: from its
    `status_since`, still open. Returns how many were added.

    Migration 0004 runs it with its historical models; running it again adds nothing.
    """
    has_open = closure_model.objects.filter(setting_id=OuterRef("pk"), end__isnull=True)
    missing = (
        setting_model.objects.exclude(status=SettingStatus.OPEN)
        .exclude(Exists(has_open))
        .values_list("pk", "status", "status_since")
    )
    new = [
        closure_model(
            setting_id=pk, status=status, start=since, end=None, source=ClosureSource.EARLIER
        )
        for pk, status, since in missing
    ]
    closure_model.objects.bulk_create(new, batch_size=500)
    return len(new)
