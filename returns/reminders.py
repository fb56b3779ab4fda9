"""Reminders of quarterly returns that are due soon or overdue.

A return is due `CP_RETURN_DUE_DAYS` after its quarter ends (`workflow.due_date`). Of
the last four quarters that have ended, each whose return isn't signed off needs
attention from 7 days before it is due: not started, a draft to finish, or submitted
and waiting for an officer with permission to sign it off (other than the one who
submitted it, who can't). Officers see them on their home page (`banner_context`) and
are emailed them by `send_return_reminders`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from corporate_parenting.models import LocalAuthority, Role, User
from returns.models import QuarterlyReturn, ReturnStatus
from returns.workflow import current_quarter, due_date, period_label, previous_quarter

DUE_SOON_DAYS = 7
QUARTERS_CHECKED = 4

NOT_STARTED = "not_started"
STATE_LABELS = {
    NOT_STARTED: "Not started",
    ReturnStatus.DRAFT: "Draft",
    ReturnStatus.SUBMITTED: "Submitted, awaiting sign-off",
}


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@dataclass(frozen=True)
class Reminder:
    year: int
    quarter: int
    due: dt.date
    today: dt.date
    ret: QuarterlyReturn | None

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.quarter)

    @property
    def state(self) -> str:
        return self.ret.status if self.ret else NOT_STARTED

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def awaiting_sign_off(self) -> bool:
        return self.state == ReturnStatus.SUBMITTED

    @property
    def overdue(self) -> bool:
        return self.today > self.due

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.due).days)

    @property
    def days_left(self) -> int:
        return max(0, (self.due - self.today).days)

    @property
    def when(self) -> str:
        """E.g. "overdue by 5 days: it was due on 30 January 2022"."""
        if self.overdue:
            return f"overdue by {_days(self.days_overdue)}: it was due on {_date(self.due)}"
        if self.days_left == 0:
            return f"due today, {_date(self.due)}"
        if self.days_left == 1:
            return f"due tomorrow, {_date(self.due)}"
        return f"due in {_days(self.days_left)}, on {_date(self.due)}"

    @property
    def due_label(self) -> str:
        return _date(self.due)


def returns_needing_attention(
    la: LocalAuthority | int, today: dt.date | None = None
) -> list[Reminder]:
    """The last four ended quarters whose return isn't signed off and is due within 7 days
    or overdue, oldest first."""
    today = today or timezone.localdate()
    periods = []
    year, quarter = current_quarter(today)
    for _ in range(QUARTERS_CHECKED):
        year, quarter = previous_quarter(year, quarter)
        periods.append((year, quarter))
    periods.reverse()
    match = Q()
    for year, quarter in periods:
        match |= Q(year=year, quarter=quarter)
    returns = {
        (r.year, r.quarter): r for r in QuarterlyReturn.objects.filter(match, la=la).order_by()
    }
    reminders = []
    for year, quarter in periods:
        ret = returns.get((year, quarter))
        if ret is not None and ret.status == ReturnStatus.SIGNED_OFF:
            continue
        due = due_date(year, quarter)
        if (due - today).days > DUE_SOON_DAYS:
            continue
        reminders.append(Reminder(year=year, quarter=quarter, due=due, today=today, ret=ret))
    return reminders


def can_sign_off(reminder: Reminder, user: User) -> bool:
    """Whether `user` could sign off the return the reminder is about: not its submitter
    (`workflow.sign_off` refuses them), and only with permission to sign off returns."""
    return bool(
        user.can_sign_off_returns
        and reminder.ret is not None
        and reminder.ret.submitted_by_id != user.pk
    )


def for_officer(reminders: list[Reminder], user: User) -> list[Reminder]:
    """The reminders an officer acts on: returns to fill in, and, for officers who may sign
    off returns, those waiting for sign-off that someone else submitted."""
    return [r for r in reminders if not r.awaiting_sign_off or can_sign_off(r, user)]


def banner_context(user: User, today: dt.date | None = None) -> dict[str, object]:
    """For `returns/_reminders_banner.html` on the officer home page."""
    if getattr(user, "role", None) != Role.OFFICER or not user.la_id:
        return {"return_reminders": []}
    mine = for_officer(returns_needing_attention(user.la_id, today), user)
    return {
        "return_reminders": mine,
        "return_reminders_overdue": sum(r.overdue for r in mine),
    }


def officers_to_remind(la: LocalAuthority | int):
    return (
        User.objects.filter(la=la, role=Role.OFFICER, is_active=True)
        .exclude(email="")
        .order_by("username")
    )


def subject_for(la: LocalAuthority, reminders: list[Reminder]) -> str:
    """E.g. "Derby: 3 quarterly returns need attention (2 overdue)"."""
    overdue = sum(r.overdue for r in reminders)
    what = "return needs" if len(reminders) == 1 else "returns need"
    late = f" ({overdue} overdue)" if overdue else ""
    return f"{la.name}: {len(reminders)} quarterly {what} attention{late}"


def reminder_email(user: User, la: LocalAuthority, reminders: list[Reminder]) -> EmailMessage:
    site = getattr(settings, "CP_SITE_URL", "").rstrip("/")
    body = render_to_string(
        "returns/reminder_email.txt",
        {
            "user": user,
            "la": la,
            "reminders": reminders,
            "service_name": settings.SERVICE_NAME,
            "returns_url": f"{site}{reverse('return_list')}" if site else "",
        },
    )
    return EmailMessage(subject=subject_for(la, reminders), body=body, to=[user.email])
