"""Hostile text typed into the service through its own forms, for the markup and export
tests (tests/security/test_markup.py, test_uploads.py) and the browser check
(tests/browser/test_hostile_markup.py).

Everything goes in as a person would put it: posted to the real views by the test
client, signed in as the officer, clerk or council admin who would type it. Only what
no form creates (a quarterly return's row, a computed indicator) is made directly.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committee.models import AgendaItem, Meeting, Report
from corporate_parenting.forms import user_fingerprint
from corporate_parenting.models import User
from corporate_parenting.two_factor import is_required
from inspections.models import CouncilInspection, MemberVisit, Reg44Visit, Setting
from performance.models import IndicatorValue
from performance.services import sync_catalogue
from returns.models import QuarterlyReturn
from tests.support.two_factor import verify_client_session

D = dt.date

# Tags and handlers as they would run if written out unescaped. Under 200 characters,
# so it fits every text box, names included.
PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'
# For the fields written in Markdown (reports) and long text: links and inline HTML too.
MARKDOWN = (
    f"{PAYLOAD}\n\n**Bold** and <b onmouseover=alert(1)>inline HTML</b>, "
    "[a script link](javascript:alert(1)) and [a real link](https://example.org/ok).\n\n"
    "- a list with <iframe src=javascript:alert(1)></iframe>"
)
# What must never appear in a page, a PDF or a Word file as markup.
ACTIVE = (
    "<script>alert",
    "<img src=x",
    "<svg onload",
    "<b onmouseover",
    "<iframe",
    'href="javascript:',
    "href='javascript:",
    "onerror=alert(1)>",
)
ESCAPED = html.escape("<script>alert(1)</script>", quote=False)

# Text a spreadsheet would run as a formula if a cell started with it.
FORMULAS = (
    '=HYPERLINK("https://evil.example/","Click me")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
)
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def dated(prefix: str, day: D | None) -> dict[str, str]:
    """A GOV.UK date input's three boxes, as a browser posts them."""
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def form_errors(response) -> str:
    """The error summary and field errors of a page, for a failed post's message."""
    text = response.content.decode(errors="replace")
    found = re.findall(r'govuk-error-(?:summary__list|message)">(.*?)</(?:ul|p)>', text, re.S)
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", " ".join(found)))[:1000]


def post(client: Client, url: str, data: dict[str, object]) -> str:
    """Post a form that must be accepted; the page it redirects to."""
    response = client.post(url, data)
    assert response.status_code == 302, f"{url} refused the post: {form_errors(response)}"
    return response["Location"]


def sign_in(client: Client, user: User) -> None:
    """Signed in, two-factor step passed (as tests/conftest.py does for test clients)."""
    client.force_login(user)
    if is_required(user):
        verify_client_session(client, user)


def pk_in(url: str) -> int:
    return int(re.findall(r"/(\d+)/", url)[-1])


@dataclass
class Seeded:
    """The records the hostile text went into, and who can read which page."""

    home: Setting
    visit: Reg44Visit
    inspection: CouncilInspection
    ret: QuarterlyReturn
    report: Report
    meeting: Meeting
    item: AgendaItem


def rename(client: Client, admin: User, target: User, first: str, last: str) -> None:
    """The council admin changes a user's name, as on the user's page."""
    sign_in(client, admin)
    target.refresh_from_db()
    post(
        client,
        reverse("council_user_edit", args=[target.pk]),
        {
            "first_name": first,
            "last_name": last,
            "email": target.email,
            "job_title": PAYLOAD,
            "role": target.role,
            "can_sign_off_returns": "on" if target.can_sign_off_returns else "",
            "can_approve_reports": "on" if target.can_approve_reports else "",
            "is_active": "on",
            "fingerprint": user_fingerprint(target),
        },
    )


def seed_inspections(client: Client, officer: User, home_name: str, text: str) -> dict:
    """A home, a Regulation 44 visit with a recommendation, a Regulation 45 review, a
    member visit, and an inspection of the council with its action plan."""
    sign_in(client, officer)
    home_url = post(
        client,
        reverse("home_create"),
        {
            "urn": "SC900777",
            "name": home_name,
            "setting_type": "childrens_home",
            "registered_places": "4",
            **dated("registration_date", D(2015, 1, 1)),
            "status": "open",
            **dated("status_since", None),
            "postcode": "",
        },
    )
    home = Setting.objects.get(pk=pk_in(home_url))
    visit_url = post(
        client,
        reverse("reg44_visit_create"),
        {
            "setting": str(home.pk),
            **dated("visit_date", D(2022, 1, 12)),
            "announced": "yes",
            "visitor": PAYLOAD,
            "children_spoken_to": "2",
            **dated("report_received", D(2022, 1, 20)),
            "children_safeguarded": "yes",
            "wellbeing_promoted": "yes",
            "summary": text,
        },
    )
    visit = Reg44Visit.objects.get(pk=pk_in(visit_url))
    post(
        client,
        reverse("reg44_recommendation_create", args=[visit.pk]),
        {
            "text": text,
            "owner": PAYLOAD,
            **dated("due_date", D(2022, 3, 1)),
            "status": "not_started",
            **dated("completed_on", None),
        },
    )
    post(
        client,
        reverse("reg45_create"),
        {
            "setting": str(home.pk),
            **dated("period_start", D(2021, 4, 1)),
            **dated("period_end", D(2021, 9, 30)),
            **dated("due_date", D(2021, 10, 31)),
            "status": "not_started",
            **dated("completed_on", None),
            "summary": text,
        },
    )
    post(
        client,
        reverse("member_visit_create"),
        {
            "setting": str(home.pk),
            **dated("date", D(2022, 1, 15)),
            "councillors": PAYLOAD,
            "findings": text,
            "actions": text,
        },
    )
    inspection_url = post(
        client,
        reverse("council_inspection_create"),
        {
            "inspection_type": "focused_visit",
            "framework": "",
            **dated("start_date", D(2022, 2, 1)),
            **dated("end_date", D(2022, 2, 3)),
            **dated("published_on", None),
            "report_url": "",
            "summary": text,
            **dated("action_plan_due", None),
            **dated("action_plan_sent", None),
        },
    )
    inspection = CouncilInspection.objects.get(pk=pk_in(inspection_url))
    post(client, reverse("afi_create", args=[inspection.pk]), {"number": "1", "text": text})
    area = inspection.areas_for_improvement.get()
    post(
        client,
        reverse("action_item_create", args=[area.pk]),
        {
            "action": text,
            "owner": PAYLOAD,
            **dated("due_date", D(2022, 6, 1)),
            "status": "not_started",
            **dated("completed_on", None),
            "evidence": text,
            "rag": "red",
        },
    )
    return {"home": home, "visit": visit, "inspection": inspection}


def seed_member_visits(client: Client, officer: User, home: Setting, findings: list[str]) -> None:
    """A member visit a day for each of `findings`, from 10 January 2022."""
    sign_in(client, officer)
    for n, text in enumerate(findings):
        post(
            client,
            reverse("member_visit_create"),
            {
                "setting": str(home.pk),
                **dated("date", D(2022, 1, 10) + dt.timedelta(days=n)),
                "councillors": "Cllr A Smith",
                "findings": text,
                "actions": "",
            },
        )
    assert MemberVisit.objects.filter(setting=home).count() >= len(findings)


def seed_return(client: Client, officer: User, topic: str, text: str) -> QuarterlyReturn:
    """Derby's 2021/22 Q4 return with a consultation, and a "you said, we did" action."""
    ret = QuarterlyReturn.objects.create(la=officer.la, year=2022, quarter=4, created_by=officer)
    sign_in(client, officer)
    post(
        client,
        reverse("return_section", args=[ret.pk, "cicc"]),
        {
            "meetings": "3",
            "attendance": "20",
            "consultation1_topic": topic,
            "consultation1_young_people": "6",
            "seen_version": "",
        },
    )
    post(
        client,
        reverse("cicc_action_create"),
        {
            "you_said": text,
            "we_did": text,
            "owner": PAYLOAD,
            **dated("due_date", D(2022, 6, 1)),
            "status": "not_started",
            **dated("completed_on", None),
            "raised_in": str(ret.pk),
        },
    )
    return ret


def seed_report(client: Client, officer: User, title: str, text: str) -> Report:
    """A children's homes report for 2021/22 with every narrative box filled."""
    sign_in(client, officer)
    edit_url = post(
        client,
        reverse("report_create"),
        {
            "report_type": "childrens_homes",
            "title": title,
            "report_of": PAYLOAD,
            "year": "2022",
            "quarter": "0",
        },
    )
    report = Report.objects.get(pk=pk_in(edit_url))
    narrative = {
        name: text
        for name in (
            "summary",
            "recommendations",
            "reasons",
            "supporting_information",
            "other_options",
            "contact",
            "background_papers",
            "appendices",
        )
    }
    post(
        client,
        edit_url,
        {"title": title, "report_of": PAYLOAD, **narrative, "seen_version": str(report.version)},
    )
    report.refresh_from_db()
    return report


def seed_meeting(
    client: Client, clerk: User, report: Report, text: str
) -> tuple[Meeting, AgendaItem]:
    """A meeting of a new committee, with an item for the report, a resolution and an
    action."""
    sign_in(client, clerk)
    meeting_url = post(
        client,
        reverse("meeting_create"),
        {
            "committee": "",
            "new_committee": PAYLOAD,
            **dated("date", D(2022, 7, 26)),
            "venue": PAYLOAD,
        },
    )
    meeting = Meeting.objects.get(pk=pk_in(meeting_url))
    post(
        client,
        reverse("agenda_item_create", args=[meeting.pk]),
        {"number": "1", "title": PAYLOAD, "report": str(report.pk), "exempt_reason": ""},
    )
    item = meeting.items.get()
    post(
        client,
        reverse("resolution_create", args=[meeting.pk]),
        {"item": str(item.pk), "text": text},
    )
    post(
        client,
        reverse("meeting_action_create", args=[meeting.pk]),
        {
            "item": str(item.pk),
            "text": text,
            "owner": PAYLOAD,
            **dated("due_date", D(2022, 9, 1)),
            **dated("done_on", None),
        },
    )
    return meeting, item


def seed_commentary(client: Client, officer: User, text: str) -> None:
    """Commentary on the number of children in care at 31 March 2022 (the figure itself
    is what an import would compute)."""
    indicator = sync_catalogue()["cla_at_31_march"]
    IndicatorValue.objects.create(
        la=officer.la,
        indicator=indicator,
        version=indicator.version,
        year=2022,
        value=627,
        numerator=627,
        computed_at=timezone.now(),
    )
    sign_in(client, officer)
    url = reverse("commentary_edit", args=[indicator.code]) + "?year=2022&quarter=0"
    post(client, url, {"text": text, "seen": "", "year": "2022", "quarter": "0"})


def seed_everything(client: Client, officer: User, clerk: User, admin: User) -> Seeded:
    """The payload in every free-text field a person can reach, names included."""
    rename(client, admin, officer, PAYLOAD, PAYLOAD)
    found = seed_inspections(client, officer, PAYLOAD, MARKDOWN)
    ret = seed_return(client, officer, PAYLOAD, MARKDOWN)
    report = seed_report(client, officer, PAYLOAD, MARKDOWN)
    meeting, item = seed_meeting(client, clerk, report, MARKDOWN)
    seed_commentary(client, officer, MARKDOWN)
    return Seeded(ret=ret, report=report, meeting=meeting, item=item, **found)


def pages(seeded: Seeded) -> dict[str, list[str]]:
    """Every page that shows the payloads, by the role that reads it."""
    s = seeded
    return {
        "officer": [
            reverse("homes_list"),
            reverse("home_detail", args=[s.home.pk]),
            reverse("home_edit", args=[s.home.pk]),
            reverse("reg44_grid") + "?year=2022",
            reverse("reg44_visit_detail", args=[s.visit.pk]),
            reverse("reg44_visit_edit", args=[s.visit.pk]),
            reverse("reg45_list"),
            reverse("member_visit_list"),
            reverse("council_inspection_list"),
            reverse("council_inspection_detail", args=[s.inspection.pk]),
            reverse("return_detail", args=[s.ret.pk]),
            reverse("return_section", args=[s.ret.pk, "cicc"]),
            reverse("return_audit", args=[s.ret.pk]),
            reverse("cicc_action_list"),
            reverse("report_list"),
            reverse("report_detail", args=[s.report.pk]),
            reverse("report_edit", args=[s.report.pk]),
        ],
        "councillor": [
            reverse("dashboard") + "?year=2022",
            reverse("meeting_detail", args=[s.meeting.pk]),
            reverse("member_visit_list"),
        ],
        "clerk": [
            reverse("meeting_list"),
            reverse("meeting_detail", args=[s.meeting.pk]),
            reverse("agenda_item_edit", args=[s.meeting.pk, s.item.pk]),
        ],
        "council_admin": [
            reverse("council_users"),
            reverse("audit_log"),
        ],
    }
