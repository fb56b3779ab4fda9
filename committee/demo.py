"""The demo committee meeting: Derby's Corporate Parenting Committee of 26 July 2022.

From the published minutes (seed 004): six reports, pre-filled with the narrative the
minutes describe, approved and waiting for the clerk to publish (the Children in Care
Council update is published, so the demo shows both states), the resolutions as
minuted and the actions the committee asked for. Safe to run again: nothing is
duplicated, and a report someone has since changed in the demo is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from committee.models import (
    AgendaItem,
    Committee,
    Meeting,
    MeetingAction,
    Report,
    ReportStatus,
    ReportType,
    Resolution,
)
from corporate_parenting.models import LocalAuthority, User

DATE = dt.date(2022, 7, 26)
YEAR = 2022  # 2021/22
COMMITTEE = "Corporate Parenting Committee"
EARLY_HELP = "Director of Early Help and Children's Social Care"
COMMISSIONING = "Director of Integrated Commissioning (Children and Young People)"

# Items 1 to 4 carry no report.
PROCEDURAL = [
    (1, "Apologies"),
    (2, "Late items to be introduced by the Chair"),
    (3, "Declarations of interest"),
    (4, "Minutes of the meeting held on 12 April 2022"),
]

REPORTS = [
    {
        "number": 5,
        "type": ReportType.CICC,
        "quarter": 4,
        "title": "Children in Care Council (CiCC) update",
        "report_of": COMMISSIONING,
        "summary": (
            "This report highlights the work of the Children in Care Council (CiCC) and "
            "explains the challenges it faces which the Corporate Parenting Committee may be "
            "able to help with.\n\n"
            "The CiCC met in April and June 2022. In April a Senior Practitioner for the "
            "Children in Care Service consulted the CiCC on the revised **Pocket Money and "
            "Savings Policy**. In June a Life Story Practitioner shared the Life Story Work "
            "Policy and asked what important information should be recorded through a young "
            "person's journey.\n\n"
            "Other participation this quarter:\n\n"
            "- a consultation in the council's children's homes\n"
            "- a focus group on the Allestree Park rewilding project\n"
            "- school participation sessions at West Park School\n"
            "- foster carer training on participation\n"
            "- the Children's Accommodation Strategy"
        ),
        "recommendations": (
            "To consider the content of the report and the feedback from the CiCC.\n"
            "To present the CiCC representatives' feedback on the Allestree rewilding to "
            "Cabinet for consideration."
        ),
        "resolutions": [
            "The Corporate Parenting Committee considered the content of the report and "
            "feedback from CiCC and requested that the feedback on Allestree Re-wilding from "
            "the CiC representatives be presented to Cabinet for consideration."
        ],
        "actions": [
            (
                "Present the CiC representatives' feedback on the Allestree Park rewilding to "
                "Cabinet for its consideration.",
                "Participation Officer, Children in Care Council",
                dt.date(2022, 9, 14),
                dt.date(2022, 9, 14),
            ),
            (
                "Complete the review of pocket money and savings for children in care, so all "
                "children in care are paid alike, and bring a full report with financial "
                "sign-off to a future meeting.",
                "Senior Practitioner, Children in Care Service",
                dt.date(2022, 12, 31),
                None,
            ),
        ],
        "publish": True,
    },
    {
        "number": 6,
        "type": ReportType.PLACEMENTS,
        "quarter": 0,
        "title": "Children's placements overview report",
        "report_of": COMMISSIONING,
        "summary": (
            "This report gives a brief overview of the types and range of placements "
            "commissioned with external providers for children in care and children in need: "
            "the sufficiency of each placement type, the quality and cost of placements, and "
            "the development work under way.\n\n"
            "Placements are made in internal fostering and children's homes, external "
            "fostering through independent fostering agencies, external mother and baby "
            "fostering, external children's homes, external semi-independent provision and "
            "secure welfare."
        ),
        "recommendations": "To note the content of the report.",
        "resolutions": ["The Committee considered and noted the content of the report."],
        "actions": [],
    },
    {
        "number": 7,
        "type": ReportType.CHILDRENS_HOMES,
        "quarter": 0,
        "title": "Children's homes: update, inspection and Regulation 44 reports and member visits",
        "report_of": EARLY_HELP,
        "summary": (
            "This report gives an overview of the internal and external inspections of Derby "
            "City Council's children's homes over the last six to twelve months.\n\n"
            "Each home has three kinds of inspection: Ofsted inspections at least twice a "
            "year, monthly independent visits under Regulation 44, and management visits."
        ),
        "recommendations": (
            "To note the content of the report, as inspections are a key element of the "
            "regulatory function in relation to children's homes. Management visits are a "
            "statutory requirement.\n"
            "To note the report as a Corporate Parent."
        ),
        "resolutions": [
            "To note the content of the report, as inspections are a key element of the "
            "regulatory function in relation to Children's Homes. Management visits are a "
            "statutory requirement.",
            "To note the report as a Corporate Parent.",
        ],
        "actions": [],
    },
    {
        "number": 8,
        "type": ReportType.FOSTERING_ANNUAL,
        "quarter": 0,
        "title": "Fostering agency annual report and statement of purpose",
        "report_of": EARLY_HELP,
        "summary": (
            "This is the annual report of the work of the Fostering Service, with its "
            "Statement of Purpose. It explains the role of the Fostering Panel and its "
            "standards of compliance: the panel's membership complies with the guidance, "
            "the regulations and the National Minimum Standards 2011 for fostering "
            "services.\n\n"
            "Ofsted's inspection of children's services in March 2022, which included the "
            "fostering service, judged it **Outstanding**."
        ),
        "recommendations": "To approve the Fostering Agency Report and Statement of Purpose.",
        "resolutions": [
            "The Committee resolved to approve the Fostering Agency Report and Statement of "
            "Purpose."
        ],
        "actions": [],
    },
    {
        "number": 9,
        "type": ReportType.PERMANENCE,
        "quarter": 4,
        "title": "Children's Permanence Team: quarter 4 update report 2021/22",
        "report_of": "Strategic Director of Early Help and Children's Social Care",
        "summary": (
            "This report updates the committee on the ongoing performance of the Children's "
            "Permanence Team (CPT) for quarter 4 and for 2021/22 as a whole.\n\n"
            "The Exit from Care Team was set up in 2013 to meet sufficiency needs and make "
            "sure children and young people are cared for in local communities, and with "
            "their families where possible. It is now part of the CPT."
        ),
        "recommendations": (
            "To note the ongoing performance of the Children's Permanence Team: exits from "
            "care each quarter and the forecast; staffing; caseloads; the arrangements for "
            "children who have left care; the team's financial savings and forecast; its "
            "additional work; and its strengths and areas for development."
        ),
        "resolutions": [
            "The Committee resolved to note the ongoing performance of the Children's "
            "Permanence Team in: how many children and young people exited care per quarter "
            "and the onward forecast; quarterly staffing updates and forecasts; caseloads; "
            "arrangements for children and young people exited from care; financial savings "
            "and the expected savings forecast; additional work completed by the team; and "
            "the identification of service strengths and areas for development."
        ],
        "actions": [],
    },
    {
        "number": 10,
        "type": ReportType.CIC_PERFORMANCE,
        "quarter": 4,
        "title": "Annual performance update: children in care and care leavers",
        "report_of": EARLY_HELP,
        "summary": (
            "This report presents the latest provisional performance for children in care "
            "and care leavers in the context of national information (Appendix 1), and the "
            "key findings of the 2022 Ofsted inspection about children in need of help and "
            "protection, children in care and care leavers (Appendix 2).\n\n"
            "An improvement plan for the areas identified for development must be sent to "
            "Ofsted by 19 August 2022."
        ),
        "recommendations": (
            "To note the latest performance information relating to Derby City Council's "
            "children in care and care leavers.\n"
            "To note how Derby compares to national and comparator benchmarks.\n"
            "To note the inspection findings, with the full letter at Appendix 2.\n"
            "To note that an improvement plan for any areas identified for development will "
            "be sent to Ofsted by 19 August 2022."
        ),
        "resolutions": [
            "To note the latest performance information relating to Derby City Council's "
            "Children in Care and Care Leavers.",
            "To note how Derby compares to national and comparator benchmarks.",
            "To note the inspection findings presented in paragraph 4.8 with the full letter "
            "available at Appendix 2.",
            "To note that an improvement plan in response to any areas identified for "
            "development will be submitted to Ofsted by 19 August in line with the principles "
            "within the inspection guidance.",
        ],
        "actions": [
            (
                "Send Ofsted the improvement plan for the areas the inspection identified for "
                "development, and bring it to the next meeting.",
                "Head of Strategy and Performance",
                dt.date(2022, 8, 19),
                dt.date(2022, 8, 18),
            )
        ],
    },
]

CONTACT = "Democratic Services, Derby City Council, democratic.services@example.org"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load_demo_meeting(log: Callable[[str], None] = print) -> Meeting:
    """Derby's meeting of 26 July 2022, its six reports, resolutions and actions."""
    from committee import workflow
    from committee.skeletons import ensure_templates

    templates = ensure_templates()
    with transaction.atomic():
        derby = LocalAuthority.objects.get(la_code="831")
        template = templates["831"]
        author = _user("derby.officer")
        approver = _user("derby.manager") or author
        committee, _ = Committee.objects.get_or_create(la=derby, name=COMMITTEE)
        meeting, _ = Meeting.objects.get_or_create(
            committee=committee,
            date=DATE,
            defaults={"time": dt.time(13, 0), "venue": "The Council House, Derby"},
        )
        for number, title in PROCEDURAL:
            AgendaItem.objects.update_or_create(
                meeting=meeting, number=number, defaults={"title": title}
            )
        approved_at = timezone.make_aware(dt.datetime(2022, 7, 14, 10, 0))
        to_publish = []
        for spec in REPORTS:
            report, created = Report.objects.get_or_create(
                la=derby,
                report_type=spec["type"],
                year=YEAR,
                quarter=spec["quarter"],
                title=spec["title"],
                defaults={"template": template, "report_of": spec["report_of"]},
            )
            if created or (
                report.status != ReportStatus.PUBLISHED and not report.published.exists()
            ):
                Report.objects.filter(pk=report.pk).update(
                    template=template,
                    report_of=spec["report_of"],
                    summary=spec["summary"],
                    recommendations=spec["recommendations"],
                    reasons="The committee oversees the council's duties as corporate parent.",
                    contact=CONTACT,
                    status=ReportStatus.APPROVED,
                    approved_at=approved_at,
                    approved_by=approver,
                    updated_by=author,
                )
                report.refresh_from_db()
            item, _ = AgendaItem.objects.update_or_create(
                meeting=meeting,
                number=spec["number"],
                defaults={"title": spec["title"], "report": report},
            )
            for text in spec["resolutions"]:
                Resolution.objects.get_or_create(item=item, text=text)
            for text, owner, due, done in spec["actions"]:
                MeetingAction.objects.get_or_create(
                    item=item,
                    text=text,
                    defaults={"owner": owner, "due_date": due, "done_on": done},
                )
            if spec.get("publish") and report.status == ReportStatus.APPROVED:
                to_publish.append(report)
    log(f"Committee: {meeting} with {len(REPORTS)} reports.")
    clerk = _user("derby.clerk")
    for report in to_publish:
        if clerk is None:
            break
        try:
            workflow.publish(report, clerk, report.version)
        except Exception as error:
            log(f"Committee: could not publish “{report.title}” ({error}); left approved.")
        else:
            log(f"Committee: published “{report.title}”.")
    return meeting
