"""When a committee report must be published, and the warning when it may miss that.

The Local Government Act 1972, s100B(3), requires an agenda and its reports to be open
to inspection at least five clear days before the meeting. "Clear days" exclude both the
day of publication and the day of the meeting (R v Swansea City Council, ex p Elitestone,
1993), and, as councils apply them, weekends and bank holidays. So a Tuesday meeting's
papers must be out by the Monday of the week before.

We give the latest *working* day on which publishing still leaves five clear working days
(council offices are closed at weekends and on bank holidays, so a Sunday publication is
not offered).
"""

from __future__ import annotations

import datetime as dt

from committee.models import AgendaItem, Report, ReportStatus

CLEAR_DAYS = 5

# England and Wales bank holidays, 2021-2027, from GOV.UK
# (https://www.gov.uk/bank-holidays, the "england-and-wales" division of
# https://www.gov.uk/bank-holidays.json), including the one-off holidays for the
# Platinum Jubilee (3 June 2022), the State Funeral of Queen Elizabeth II
# (19 September 2022) and the Coronation (8 May 2023). 2027 is as announced.
_BANK_HOLIDAYS = """
2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28
2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19
2022-12-26 2022-12-27
2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25
2023-12-26
2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26
2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26
2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28
2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28
"""
BANK_HOLIDAYS = frozenset(dt.date.fromisoformat(d) for d in _BANK_HOLIDAYS.split())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def publication_deadline(meeting_date: dt.date) -> dt.date:
    """The last working day on which a report can be published for a meeting on
    `meeting_date` and still leave five clear working days before it.

    >>> publication_deadline(dt.date(2022, 7, 26))  # a Tuesday
    datetime.date(2022, 7, 18)
    """
    day, clear = meeting_date, 0
    while clear < CLEAR_DAYS:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            clear += 1
    # `day` is the fifth clear day; publication must be on a working day before it.
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def deadline_warning(subject: AgendaItem | Report, today: dt.date) -> str:
    """What to warn about a report's publication deadline, or "" when there's nothing.

    `subject` is an agenda item (its meeting and its report) or a report (its next
    meeting on or after `today`, else its latest).
    """
    if isinstance(subject, AgendaItem):
        report, meeting = subject.report, subject.meeting
    else:
        report = subject
        items = AgendaItem.objects.filter(report=report).select_related("meeting")
        upcoming = items.filter(meeting__date__gte=today).order_by("meeting__date").first()
        item = upcoming or items.order_by("-meeting__date").first()
        meeting = item.meeting if item else None
    if report is None or meeting is None or report.status == ReportStatus.PUBLISHED:
        return ""
    if meeting.date < today:
        return ""
    deadline = publication_deadline(meeting.date)
    meeting_day = long_date(meeting.date)
    if today > deadline:
        return (
            f"This report missed its publication deadline of {long_date(deadline)}, five "
            f"clear working days before the meeting on {meeting_day}. It can only be "
            "considered if the chair agrees it is urgent, with the reason recorded in the "
            "minutes."
        )
    when = "today" if today == deadline else f"by {long_date(deadline)}"
    if report.status == ReportStatus.DRAFT:
        return (
            f"This report is not approved yet. It must be approved and published {when} "
            f"(five clear working days before the meeting on {meeting_day})."
        )
    return (
        f"This report is approved but not published. The clerk must publish it {when} "
        f"(five clear working days before the meeting on {meeting_day})."
    )
