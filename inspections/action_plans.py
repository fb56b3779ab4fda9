"""Progress of the action plans that follow inspections of a council.

An action item is overdue on a day if its due date has passed and it was not complete
by then: an item completed late counts as overdue up to the day it was completed, and
not after. Reports for a past quarter can so ask "how many were overdue on 31 March?".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q

from corporate_parenting.models import LocalAuthority
from inspections.models import (
    RAG,
    ActionItem,
    ActionStatus,
    CouncilInspection,
    Reg44Recommendation,
    Reg45Review,
)


def is_overdue(item: ActionItem | Reg44Recommendation | Reg45Review, on: dt.date) -> bool:
    """Whether the item (an action, a Reg 44 recommendation, a Reg 45 review) was past its
    due date and not yet complete on `on`."""
    if item.due_date >= on:
        return False
    if item.status != ActionStatus.COMPLETE:
        return True
    return item.completed_on is None or item.completed_on > on


def _overdue_q(on: dt.date) -> Q:
    """`is_overdue` as a database filter on action items."""
    return Q(due_date__lt=on) & (~Q(status=ActionStatus.COMPLETE) | Q(completed_on__gt=on))


def overdue_count(la: LocalAuthority | int, on: dt.date) -> int:
    """Action items of the council's inspections overdue on `on`, counted in one query."""
    la_id = la.pk if isinstance(la, LocalAuthority) else la
    return ActionItem.objects.filter(_overdue_q(on), area__inspection__la_id=la_id).count()


def council_items(la: LocalAuthority | int):
    """Every action item of the council's inspections, for `is_overdue` on many dates."""
    la_id = la.pk if isinstance(la, LocalAuthority) else la
    return (
        ActionItem.objects.filter(area__inspection__la_id=la_id)
        .annotate(inspection_start=F("area__inspection__start_date"))
        .only("due_date", "status", "completed_on")
    )


def action_plan_overdue(inspection: CouncilInspection, on: dt.date) -> bool:
    """Whether the plan was due at Ofsted before `on` and had not been sent by then."""
    due = inspection.action_plan_due
    if due is None or due >= on:
        return False
    sent = inspection.action_plan_sent
    return sent is None or sent > on


def progress(inspection: CouncilInspection, on: dt.date) -> dict[str, Any]:
    """The state of an inspection's action plan on `on`.

    Reads `areas_for_improvement` and their `actions` through any prefetch, so prefetch
    `areas_for_improvement__actions` when summarising many inspections.

    Returns counts by status (`by_status`, keyed by ActionStatus value) and by RAG
    rating (`by_rag`, keyed by RAG value), with labelled lists of both for templates,
    the number of areas for improvement and of actions, how many are complete and
    overdue, and the plan's due date at Ofsted, its sent date, whether it had been
    sent by `on` and whether it was overdue then.
    """
    by_status = dict.fromkeys(ActionStatus.values, 0)
    by_rag = dict.fromkeys(RAG.values, 0)
    areas = total = overdue = 0
    for area in inspection.areas_for_improvement.all():
        areas += 1
        for item in area.actions.all():
            total += 1
            by_status[item.status] = by_status.get(item.status, 0) + 1
            by_rag[item.rag] = by_rag.get(item.rag, 0) + 1
            overdue += is_overdue(item, on)
    return {
        "areas": areas,
        "total": total,
        "complete": by_status[ActionStatus.COMPLETE],
        "overdue": overdue,
        "by_status": by_status,
        "by_rag": by_rag,
        "status_counts": [(s.value, s.label, by_status[s.value]) for s in ActionStatus],
        "rag_counts": [(r.value, r.label, by_rag[r.value]) for r in RAG],
        "plan_due": inspection.action_plan_due,
        "plan_sent_on": inspection.action_plan_sent,
        "plan_sent": inspection.action_plan_sent is not None and inspection.action_plan_sent <= on,
        "plan_overdue": action_plan_overdue(inspection, on),
    }
