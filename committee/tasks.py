"""Background tasks: making a meeting's PDF pack."""

from __future__ import annotations

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from committee.models import MeetingPack
from committee.pdf import PackError, pack_pdf
from corporate_parenting.lib import task_locks

logger = logging.getLogger(__name__)


def _update(pack_id: int, **fields) -> None:
    # Each update commits on its own (tasks run outside request transactions), so a
    # page polling the pack sees the progress as it goes.
    with transaction.atomic():
        MeetingPack.objects.filter(pk=pack_id).update(**fields)


INTERRUPTED = (
    "The pack was interrupted before it was finished (the service was restarted or the "
    "task was stopped). Ask for the pack again."
)


def close_interrupted_packs(meeting_id: int) -> int:
    """Record as failed the meeting's packs left "being made" by a process that died.
    Nothing half-made is kept: a pack's PDF is saved only with its "ready" status."""
    return (
        MeetingPack.objects.filter(meeting_id=meeting_id, status="running")
        .exclude(pk__in=task_locks.held(task_locks.PACK))
        .update(status="failed", step="", error=INTERRUPTED, finished_at=timezone.now())
    )


@task()
def make_pack(pack_id: int) -> str:
    """Make a `MeetingPack`'s PDF: status running, then ready (PDF and page count) or
    failed with a plain-English error."""
    pack = MeetingPack.objects.select_related("meeting__committee__la").get(pk=pack_id)
    close_interrupted_packs(pack.meeting_id)
    with task_locks.held_while_running(task_locks.PACK, pack_id):
        return _make(pack)


def _make(pack: MeetingPack) -> str:
    """The work itself, done while the pack's lock shows it is alive."""
    pack_id = pack.pk
    _update(pack_id, status="running", progress=0, step="Starting", error="")

    def progress(pct: int, step: str) -> None:
        _update(pack_id, progress=max(0, min(100, int(pct))), step=step[:200])

    try:
        pdf, pages = pack_pdf(pack.meeting, pack.kind, progress=progress)
    except PackError as exc:
        _update(pack_id, status="failed", error=str(exc), step="", finished_at=timezone.now())
        return "failed"
    except Exception:
        logger.exception("Meeting pack %s failed", pack_id)
        _update(
            pack_id,
            status="failed",
            step="",
            error="The pack could not be made because of a fault in the service. "
            "Try again; if it fails again, tell the service team.",
            finished_at=timezone.now(),
        )
        return "failed"
    _update(
        pack_id,
        status="ready",
        progress=100,
        step="Ready",
        pdf=pdf,
        pages=pages,
        error="",
        finished_at=timezone.now(),
    )
    return "ready"
