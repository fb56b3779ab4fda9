"""Meetings, the report workflow, and their pages: deadlines, rules and access."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse

from committee import workflow
from committee.deadlines import deadline_warning, is_working_day, publication_deadline
from committee.models import (
    AgendaItem,
    Committee,
    Meeting,
    MeetingAction,
    MeetingPack,
    PublishedVersion,
    Report,
    ReportStatus,
    ReportType,
    Resolution,
)
from corporate_parenting.lib import task_locks
from corporate_parenting.models import AuditLog, Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7 fake"


def fake_build(report):
    return {"title": report.title, "figures": {"paragraphs": ["627 children"], "tables": []}}


def fake_pdf(content):
    return FAKE_PDF


@pytest.fixture
def approver(db):
    return make_user("derby.approver", role=Role.OFFICER, can_approve_reports=True)


@pytest.fixture
def notts_clerk(db):
    return make_user("notts.clerk", role=Role.CLERK, la_code="891")


@pytest.fixture
def fast_pdf(monkeypatch):
    """Publishing in view tests without WeasyPrint."""
    monkeypatch.setattr(workflow, "_default_pdf", fake_pdf)
    monkeypatch.setattr(workflow, "_default_build", fake_build)


def make_report(la, *, status=ReportStatus.DRAFT, recommendations="To note the report.", **kw):
    from committee.skeletons import ensure_templates

    template = ensure_templates()[la.la_code]
    values = {
        "la": la,
        "report_type": ReportType.CIC_PERFORMANCE,
        "template": template,
        "title": "Children in care performance update",
        "report_of": "Strategic Director of Peoples Services",
        "year": 2022,
        "quarter": 4,
        "summary": "The report sets out performance.",
        "recommendations": recommendations,
        "status": status,
    }
    values.update(kw)
    return Report.objects.create(**values)


def make_meeting(la, date=dt.date(2022, 7, 26)):
    committee, _ = Committee.objects.get_or_create(la=la, name="Corporate Parenting Committee")
    return Meeting.objects.create(committee=committee, date=date)


def client_for(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


# --- deadlines ----------------------------------------------------------------------------


def test_a_tuesday_meetings_papers_are_due_the_monday_of_the_week_before():
    assert publication_deadline(dt.date(2022, 7, 26)) == dt.date(2022, 7, 18)


def test_weekends_are_not_clear_days():
    # Monday 25 July 2022: Fri 22 ... Mon 18 are the five clear days; publish Fri 15.
    assert publication_deadline(dt.date(2022, 7, 25)) == dt.date(2022, 7, 15)


def test_bank_holidays_are_not_clear_days():
    # Tuesday 7 June 2022: 2 and 3 June were the Platinum Jubilee bank holidays.
    assert publication_deadline(dt.date(2022, 6, 7)) == dt.date(2022, 5, 26)


def test_publication_falls_back_past_a_bank_holiday_weekend():
    # Tuesday 26 April 2022: the fifth clear day is Tue 19; Mon 18 is Easter Monday and
    # Fri 15 Good Friday, so the papers go out on Thursday 14 April.
    assert publication_deadline(dt.date(2022, 4, 26)) == dt.date(2022, 4, 14)


@pytest.mark.parametrize("offset", range(0, 400, 7))
def test_the_deadline_leaves_exactly_five_clear_working_days(offset):
    meeting = dt.date(2022, 1, 4) + dt.timedelta(days=offset)
    deadline = publication_deadline(meeting)
    assert is_working_day(deadline)
    between = [
        deadline + dt.timedelta(days=n) for n in range(1, (meeting - deadline).days)
    ]  # excludes the day of publication and the day of the meeting
    assert sum(is_working_day(d) for d in between) == 5


def test_deadline_warnings(derby):
    report = make_report(derby)
    item = AgendaItem.objects.create(
        meeting=make_meeting(derby), number=5, title="CiCC", report=report
    )
    before = deadline_warning(item, dt.date(2022, 7, 1))
    assert "not approved yet" in before
    assert "by Monday 18 July 2022" in before
    assert "today" in deadline_warning(item, dt.date(2022, 7, 18))
    assert "missed its publication deadline" in deadline_warning(item, dt.date(2022, 7, 19))
    assert deadline_warning(item, dt.date(2022, 7, 27)) == ""  # the meeting has been
    report.status = ReportStatus.APPROVED
    assert "clerk must publish it" in deadline_warning(item, dt.date(2022, 7, 1))
    report.status = ReportStatus.PUBLISHED
    assert deadline_warning(item, dt.date(2022, 7, 1)) == ""
    report.status = ReportStatus.DRAFT
    assert "not approved" in deadline_warning(report, dt.date(2022, 7, 1))


# --- workflow rules -----------------------------------------------------------------------


def test_approve_needs_an_officer_who_may_approve(derby, officer, clerk, approver):
    report = make_report(derby)
    for user in (officer, clerk):
        with pytest.raises(workflow.WorkflowError):
            workflow.approve(report, user, report.version)
    with pytest.raises(workflow.WorkflowError, match="changed by someone else"):
        workflow.approve(report, approver, report.version + 5)
    workflow.approve(report, approver, report.version)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.approved_by == approver
    assert AuditLog.objects.filter(object_id=str(report.pk), detail__contains="approved").exists()


def test_publishing_without_recommendations_is_refused(derby, clerk):
    report = make_report(derby, status=ReportStatus.APPROVED, recommendations="  \n ")
    with pytest.raises(workflow.WorkflowError, match="Add at least one recommendation"):
        workflow.publish(report, clerk, report.version, pdf=fake_pdf, build=fake_build)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert not PublishedVersion.objects.exists()


def test_only_a_clerk_of_the_council_publishes(derby, approver, notts_clerk):
    report = make_report(derby, status=ReportStatus.APPROVED)
    for user in (approver, notts_clerk):
        with pytest.raises(workflow.WorkflowError):
            workflow.publish(report, user, report.version, pdf=fake_pdf, build=fake_build)
    assert not PublishedVersion.objects.exists()


def test_a_draft_cannot_be_published(derby, clerk):
    report = make_report(derby)
    with pytest.raises(workflow.WorkflowError, match="must be approved"):
        workflow.publish(report, clerk, report.version, pdf=fake_pdf, build=fake_build)
    assert not PublishedVersion.objects.exists()


def test_a_failed_pdf_publishes_nothing(derby, clerk):
    report = make_report(derby, status=ReportStatus.APPROVED)

    def broken(content):
        raise RuntimeError("WeasyPrint fell over")

    with pytest.raises(RuntimeError):
        workflow.publish(report, clerk, report.version, pdf=broken, build=fake_build)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert not PublishedVersion.objects.exists()


def test_publish_locks_and_reopen_keeps_the_record(derby, clerk, approver):
    report = make_report(derby, status=ReportStatus.APPROVED)
    first = workflow.publish(report, clerk, report.version, pdf=fake_pdf, build=fake_build)
    assert first.number == 1
    assert bytes(first.pdf) == FAKE_PDF
    assert first.sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    assert first.content["title"] == report.title
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED and report.locked
    with pytest.raises(workflow.WorkflowError, match="published and locked"):
        workflow.check_editable(report)
    with pytest.raises(workflow.WorkflowError, match="already published"):
        workflow.publish(report, clerk, report.version, pdf=fake_pdf, build=fake_build)

    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.reopen(report, clerk, "  ")
    workflow.reopen(report, clerk, "The Q4 figures were revised", report.version)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.approved_by is None
    assert PublishedVersion.objects.filter(report=report).count() == 1
    assert AuditLog.objects.filter(detail__contains="The Q4 figures were revised").exists()

    workflow.approve(report, approver, report.version)
    second = workflow.publish(report, clerk, report.version, pdf=fake_pdf, build=fake_build)
    assert second.number == 2
    assert list(report.published.values_list("number", flat=True)) == [2, 1]


def test_differs_from_published_says_what_changed(derby, clerk):
    report = make_report(derby, status=ReportStatus.APPROVED)
    assert workflow.differs_from_published(report, fresh={}) == []
    content = {
        "figures": {
            "paragraphs": ["Derby had 627 children in care."],
            "tables": [{"caption": "Placements", "columns": ["A"], "rows": [["1"]]}],
        }
    }
    workflow.publish(report, clerk, report.version, pdf=fake_pdf, build=lambda r: content)
    same = content["figures"]
    assert workflow.differs_from_published(report, fresh=same) == []
    changed = workflow.differs_from_published(
        report,
        fresh={
            "paragraphs": ["Derby had 630 children in care."],
            "tables": [{"caption": "Placements", "columns": ["A"], "rows": [["2"]]}],
        },
    )
    assert "the table “Placements” has different figures" in changed
    assert any("now reads “Derby had 630 children in care.”" in c for c in changed)


# --- pages: access ------------------------------------------------------------------------


def test_pages_need_the_right_role(client, derby, officer, councillor, clerk, approver):
    meeting = make_meeting(derby)
    draft = make_report(derby)
    pages = {
        "meeting_list": ([], {"clerk": 200, "officer": 200, "councillor": 200}),
        "meeting_create": ([], {"clerk": 200, "officer": 403, "councillor": 403}),
        "meeting_detail": ([meeting.pk], {"clerk": 200, "officer": 200, "councillor": 200}),
        "agenda_item_create": ([meeting.pk], {"clerk": 200, "officer": 403, "councillor": 403}),
        "resolution_create": ([meeting.pk], {"clerk": 200, "officer": 403, "councillor": 403}),
        "meeting_action_create": (
            [meeting.pk],
            {"clerk": 200, "officer": 403, "councillor": 403},
        ),
        "report_list": ([], {"clerk": 200, "officer": 200, "councillor": 200}),
        "report_create": ([], {"clerk": 403, "officer": 200, "councillor": 403}),
        "report_edit": ([draft.pk], {"clerk": 403, "officer": 200, "councillor": 403}),
        # A councillor reads published reports only: a draft is missing to them.
        "report_detail": ([draft.pk], {"clerk": 200, "officer": 200, "councillor": 404}),
    }
    users = {"clerk": clerk, "officer": officer, "councillor": councillor}
    for name, (args, expected) in pages.items():
        for who, status in expected.items():
            client.force_login(users[who])
            response = client.get(reverse(name, args=args))
            assert response.status_code == status, (name, who, response.status_code)
    client.logout()
    assert client.get(reverse("meeting_list")).status_code in (302, 403)


def test_another_councils_meeting_and_report_are_missing(client, derby, notts_clerk):
    meeting = make_meeting(derby)
    report = make_report(derby, status=ReportStatus.PUBLISHED)
    pack = MeetingPack.objects.create(meeting=meeting, kind="public", status="ready", pdf=b"x")
    client.force_login(notts_clerk)
    for url in (
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("agenda_item_create", args=[meeting.pk]),
        reverse("report_detail", args=[report.pk]),
        reverse("report_pdf", args=[report.pk]),
        reverse("pack_detail", args=[meeting.pk, pack.pk]),
        reverse("pack_download", args=[meeting.pk, pack.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("pack_create", args=[meeting.pk]), {"kind": "public"}).status_code
        == 404
    )


# --- pages: meetings ----------------------------------------------------------------------


def test_a_clerk_adds_a_meeting_and_an_item(client, derby, clerk):
    report = make_report(derby)
    client.force_login(clerk)
    response = client.post(
        reverse("meeting_create"),
        {
            "new_committee": "Corporate Parenting Committee",
            "date_day": "26",
            "date_month": "7",
            "date_year": "2022",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    meeting = Meeting.objects.get()
    assert response.url == reverse("meeting_detail", args=[meeting.pk])
    again = client.post(
        reverse("meeting_create"),
        {
            "committee": meeting.committee.pk,
            "date_day": "26",
            "date_month": "7",
            "date_year": "2022",
        },
    )
    assert "already has a meeting on that date" in again.content.decode()

    bad = client.post(
        reverse("agenda_item_create", args=[meeting.pk]),
        {"number": "5", "title": "CiCC update", "report": report.pk, "exempt": "on"},
    )
    assert "Schedule 12A" in bad.content.decode()
    client.post(
        reverse("agenda_item_create", args=[meeting.pk]),
        {"number": "5", "title": "CiCC update", "report": report.pk},
    )
    item = AgendaItem.objects.get()
    assert item.report == report and not item.exempt
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "CiCC update" in page
    assert "Monday 18 July 2022" in page


def test_the_meeting_page_warns_of_the_publication_deadline(client, derby, clerk):
    meeting = make_meeting(derby, date=dt.date.today() + dt.timedelta(days=30))
    AgendaItem.objects.create(meeting=meeting, number=1, title="CiCC", report=make_report(derby))
    client.force_login(clerk)
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "This report is not approved yet" in page


def test_a_pack_is_refused_for_a_meeting_with_no_reports(client, derby, clerk):
    meeting = make_meeting(derby)
    AgendaItem.objects.create(meeting=meeting, number=1, title="Apologies")
    client.force_login(clerk)
    response = client.post(reverse("pack_create", args=[meeting.pk]), {"kind": "public"})
    assert response.status_code == 200
    assert "This meeting has no reports to export." in response.content.decode()
    assert not MeetingPack.objects.exists()


def test_a_public_pack_is_refused_when_every_report_is_exempt(client, derby, clerk):
    meeting = make_meeting(derby)
    AgendaItem.objects.create(
        meeting=meeting,
        number=1,
        title="Placements",
        report=make_report(derby),
        exempt=True,
        exempt_reason="Paragraph 3",
    )
    client.force_login(clerk)
    response = client.post(reverse("pack_create", args=[meeting.pk]), {"kind": "public"})
    assert "all exempt" in response.content.decode()
    assert not MeetingPack.objects.exists()


def test_pack_progress_polls_until_ready(client, derby, councillor):
    meeting = make_meeting(derby)
    pack = MeetingPack.objects.create(
        meeting=meeting, kind="public", status="running", progress=40, step="Report 2 of 5"
    )
    client.force_login(councillor)
    url = reverse("pack_detail", args=[meeting.pk, pack.pk])
    with task_locks.held_while_running(task_locks.PACK, pack.pk):  # a worker is making it
        page = client.get(url).content.decode()
        assert 'hx-trigger="every 1s"' in page and "Refresh this page" in page
        partial = client.get(url, headers={"HX-Request": "true"})
        assert "Report 2 of 5 (40%)" in partial.content.decode()
        assert "<html" not in partial.content.decode()
    pack.status, pack.pdf, pack.pages = "ready", b"%PDF-pack", 3
    pack.save()
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    page = client.get(url).content.decode()
    assert "Download the public pack" in page
    download = client.get(reverse("pack_download", args=[meeting.pk, pack.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download.content == b"%PDF-pack"


def test_resolutions_and_actions(client, derby, clerk):
    meeting = make_meeting(derby)
    item = AgendaItem.objects.create(meeting=meeting, number=5, title="CiCC")
    client.force_login(clerk)
    client.post(
        reverse("resolution_create", args=[meeting.pk]),
        {"item": item.pk, "text": "To note the report"},
    )
    assert Resolution.objects.get().text == "To note the report"
    response = client.post(
        reverse("meeting_action_create", args=[meeting.pk]),
        {
            "item": item.pk,
            "text": "Pass the Allestree feedback to Cabinet",
            "owner": "Participation Officer",
            "due_date_day": "30",
            "due_date_month": "9",
            "due_date_year": "2022",
        },
    )
    assert response.status_code == 302
    action = MeetingAction.objects.get()
    response = client.post(
        reverse("meeting_action_edit", args=[meeting.pk, action.pk]),
        {
            "seen_version": action.version,
            "item": item.pk,
            "text": action.text,
            "owner": action.owner,
            "due_date_day": "30",
            "due_date_month": "9",
            "due_date_year": "2022",
            "done_on_day": "12",
            "done_on_month": "9",
            "done_on_year": "2022",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == dt.date(2022, 9, 12)
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "To note the report" in page and "Participation Officer" in page


# --- pages: reports -----------------------------------------------------------------------


def test_an_officer_starts_and_writes_a_report(client, derby, officer):
    client.force_login(officer)
    response = client.post(
        reverse("report_create"),
        {
            "report_type": ReportType.CICC,
            "title": "Children in Care Council update",
            "report_of": "Director of Integrated Commissioning",
            "year": "2022",
            "quarter": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    report = Report.objects.get()
    assert response.url == reverse("report_edit", args=[report.pk])
    assert report.la == derby and report.template.la == derby
    form = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    assert "HTML isn&#x27;t allowed" in form or "HTML isn't allowed" in form
    data = {
        "seen_version": report.version,
        "title": report.title,
        "report_of": report.report_of,
        "summary": "<script>alert('x')</script> **Two** meetings",
        "recommendations": "To note the report.",
    }
    assert client.post(reverse("report_edit", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert report.recommendations == "To note the report."
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "<script>alert" not in page  # the Markdown is rendered inert


def test_a_locked_report_cannot_be_edited(client, derby, officer):
    report = make_report(derby, status=ReportStatus.PUBLISHED)
    client.force_login(officer)
    response = client.post(
        reverse("report_edit", args=[report.pk]),
        {"seen_version": report.version, "title": "Changed", "report_of": "x"},
    )
    assert "published and locked" in response.content.decode()
    report.refresh_from_db()
    assert report.title != "Changed"


def test_an_officer_without_the_clerk_role_cannot_publish(client, derby, approver, fast_pdf):
    report = make_report(derby, status=ReportStatus.APPROVED)
    client.force_login(approver)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Publish the report" not in page
    response = client.post(
        reverse("report_detail", args=[report.pk]),
        {"action": "publish", "version": report.version},
    )
    assert "Only the committee clerk can publish" in response.content.decode()
    assert not PublishedVersion.objects.exists()


def test_publishing_without_recommendations_shows_why(client, derby, clerk, fast_pdf):
    report = make_report(derby, status=ReportStatus.APPROVED, recommendations="")
    client.force_login(clerk)
    response = client.post(
        reverse("report_detail", args=[report.pk]),
        {"action": "publish", "version": report.version},
    )
    assert "Add at least one recommendation before publishing" in response.content.decode()
    assert not PublishedVersion.objects.exists()


def test_approve_then_publish_in_the_browser(client, derby, approver, clerk, councillor, fast_pdf):
    report = make_report(derby)
    client.force_login(councillor)
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 404
    client.force_login(approver)
    client.post(
        reverse("report_detail", args=[report.pk]), {"action": "approve", "version": report.version}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    client.force_login(clerk)
    response = client.post(
        reverse("report_detail", args=[report.pk]), {"action": "publish", "version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    client.force_login(councillor)
    pdf = client.get(reverse("report_pdf", args=[report.pk]))
    assert pdf.content == FAKE_PDF and pdf["Content-Type"] == "application/pdf"
    # The published version can't be reopened by a councillor.
    assert (
        client.post(
            reverse("report_detail", args=[report.pk]),
            {"action": "reopen", "version": report.version, "reason": "x"},
        ).status_code
        == 404
    )


def test_the_whole_pipeline_publishes_a_real_pdf_and_pack(client, derby, clerk):
    """The real content, PDF and pack task (by the other modules), end to end."""
    report = make_report(derby, status=ReportStatus.APPROVED)
    meeting = make_meeting(derby)
    AgendaItem.objects.create(meeting=meeting, number=5, title="CiCC update", report=report)
    client.force_login(clerk)
    client.post(
        reverse("report_detail", args=[report.pk]), {"action": "publish", "version": report.version}
    )
    version = PublishedVersion.objects.get()
    assert bytes(version.pdf).startswith(b"%PDF")
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "The report as published" in page
    docx = client.get(reverse("report_docx", args=[report.pk]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    if reverse("report_tables_xlsx", args=[report.pk]) in page:
        xlsx = client.get(reverse("report_tables_xlsx", args=[report.pk]))
        assert xlsx.content.startswith(b"PK")
        csv = client.get(reverse("report_table_csv", args=[report.pk, 1]))
        assert csv.status_code == 200
    response = client.post(reverse("pack_create", args=[meeting.pk]), {"kind": "public"})
    pack = MeetingPack.objects.get()
    assert response.url == reverse("pack_detail", args=[meeting.pk, pack.pk])
    pack.refresh_from_db()
    assert pack.status == "ready", pack.error
    download = client.get(reverse("pack_download", args=[meeting.pk, pack.pk]))
    assert download.content.startswith(b"%PDF")


# --- the demo meeting ---------------------------------------------------------------------


def test_the_demo_meeting_loads_once(derby, clerk, officer, fast_pdf):
    from committee.demo import load_demo_meeting

    meeting = load_demo_meeting(log=lambda _: None)
    load_demo_meeting(log=lambda _: None)  # again: nothing duplicated
    assert Meeting.objects.count() == 1 and meeting.date == dt.date(2022, 7, 26)
    reports = Report.objects.filter(la=derby)
    assert reports.count() == 6
    assert {r.report_type for r in reports} == set(ReportType.values) - {"annual_performance"}
    assert reports.filter(status=ReportStatus.PUBLISHED).count() == 1
    assert reports.filter(status=ReportStatus.APPROVED).count() == 5
    assert all(workflow.recommendations(r) for r in reports)
    assert PublishedVersion.objects.count() == 1
    assert meeting.items.count() == 10
    assert Resolution.objects.filter(item__meeting=meeting).count() == 10
    assert MeetingAction.objects.filter(text__contains="Cabinet").exists()
    assert MeetingAction.objects.filter(text__contains="pocket money").exists()


# --- appendices ---------------------------------------------------------------------------


def one_page_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_clerk_appends_an_external_pdf_and_a_non_pdf_is_refused(client, derby, clerk, councillor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from committee.models import AgendaItem, Appendix

    meeting = make_meeting(derby)
    item = AgendaItem.objects.create(
        meeting=meeting, number=5, title="Performance", report=make_report(derby)
    )
    url = reverse("appendix_create", args=[meeting.pk, item.pk])
    client_for(client, clerk)
    bad = client.post(
        url,
        {
            "title": "Appendix 2: Ofsted letter",
            "file": SimpleUploadedFile("letter.docx", b"PK\x03\x04 not a pdf"),
        },
    )
    assert "letter.docx is not a PDF: choose a PDF file" in bad.content.decode()
    assert not Appendix.objects.exists()
    good = client.post(
        url,
        {
            "title": "Appendix 2: Ofsted letter",
            "file": SimpleUploadedFile("letter.pdf", one_page_pdf(), "application/pdf"),
        },
    )
    assert good.status_code == 302
    appendix = Appendix.objects.get()
    assert bytes(appendix.pdf).startswith(b"%PDF-") and appendix.item == item
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Appendix: Appendix 2: Ofsted letter" in page
    client.logout()
    client_for(client, councillor)
    assert client.get(url).status_code == 403


def test_report_tables_download_as_csv_and_excel_with_formulas_neutralised(
    client, derby, clerk, monkeypatch
):
    import io

    from openpyxl import load_workbook

    from committee import figures

    table = {
        "id": "homes",
        "caption": "Homes",
        "columns": ["Home", "Children"],
        "rows": [["=1+2", "7"], ["@cmd", "c"]],
        "numeric": [False, True],
    }
    monkeypatch.setattr(
        figures, "data_for", lambda report: {"paragraphs": [], "tables": [table], "charts": []}
    )
    report = make_report(derby, status=ReportStatus.APPROVED)
    client.force_login(clerk)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert reverse("report_table_csv", args=[report.pk, 1]) in page
    csv = client.get(reverse("report_table_csv", args=[report.pk, 1])).content.decode("utf-8-sig")
    assert "'=1+2" in csv and "'@cmd" in csv
    xlsx = client.get(reverse("report_tables_xlsx", args=[report.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = {c.coordinate: c for row in sheet.iter_rows() for c in row}
    assert cells["A2"].value == "=1+2" and cells["A2"].data_type == "s"
    assert cells["B2"].value == 7


# --- review fixes: packs, published versions, stored PDFs --------------------------------


def _publish_version(report, pdf=FAKE_PDF, content=None):
    number = report.published.count() + 1
    report.status = ReportStatus.PUBLISHED
    report.save(update_fields=["status"])
    return PublishedVersion.objects.create(
        report=report,
        number=number,
        content=content or {"title": f"{report.title} v{number}", "sections": []},
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def test_a_pack_with_an_unpublished_report_is_refused_on_the_meeting_page(client, derby, clerk):
    meeting = make_meeting(derby)
    AgendaItem.objects.create(
        meeting=meeting, number=4, title="CiCC", report=make_report(derby, title="Sufficiency")
    )
    client.force_login(clerk)
    response = client.post(reverse("pack_create", args=[meeting.pk]), {"kind": "public"})
    assert response.status_code == 200
    assert "Item 4&#x27;s report, “Sufficiency”, isn&#x27;t published yet" in (
        response.content.decode()
    )
    assert not MeetingPack.objects.exists()
    # A pack that failed in the task shows its error on the meeting page too.
    MeetingPack.objects.create(
        meeting=meeting, kind="public", status="failed", error="Item 9 went wrong"
    )
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Item 9 went wrong" in page


def test_confidential_packs_are_only_for_clerks(client, derby, clerk, officer, councillor):
    meeting = make_meeting(derby)
    pack = MeetingPack.objects.create(
        meeting=meeting, kind="confidential", status="ready", pdf=b"%PDF-secret", pages=1
    )
    public = MeetingPack.objects.create(
        meeting=meeting, kind="public", status="ready", pdf=b"%PDF-open", pages=1
    )
    detail = reverse("pack_detail", args=[meeting.pk, pack.pk])
    download = reverse("pack_download", args=[meeting.pk, pack.pk])
    for user in (officer, councillor):
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.get(download).status_code == 404
        page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
        assert detail not in page
        assert reverse("pack_detail", args=[meeting.pk, public.pk]) in page
        assert client.get(reverse("pack_download", args=[meeting.pk, public.pk])).status_code == 200
    client.force_login(clerk)
    assert client.get(detail).status_code == 200
    response = client.get(download)
    assert response.status_code == 200 and response.content == b"%PDF-secret"
    assert detail in client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()


def test_a_councillor_reads_the_published_version_after_a_reopening(
    client, derby, councillor, officer, monkeypatch
):
    from committee import content as content_mod
    from committee import docx as docx_mod

    report = make_report(derby, title="Live draft title")
    client.force_login(councillor)
    assert client.get(reverse("report_detail", args=[report.pk])).status_code == 404
    table = {"caption": "Homes", "columns": ["Home", "N"], "rows": [["Frozen", "1"]]}
    frozen = {
        "title": "As published",
        "sections": [{"key": "s", "heading": "H", "blocks": [{"kind": "table", "table": table}]}],
    }
    _publish_version(report, pdf=b"%PDF-v1")
    _publish_version(report, pdf=b"%PDF-v2", content=frozen)
    report.status = ReportStatus.DRAFT  # reopened
    report.save()

    def no_build(*args, **kwargs):
        raise AssertionError("a councillor must not see the live draft")

    monkeypatch.setattr(content_mod, "build", no_build)
    seen = {}
    monkeypatch.setattr(docx_mod, "report_docx", lambda c: seen.setdefault("docx", c) and b"PK")
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "As published" in page and "Live draft title" not in page
    assert "Approve and publish" not in page
    pdf = client.get(reverse("report_pdf", args=[report.pk]))
    assert (
        pdf.content == b"%PDF-v2" and pdf["ETag"] == f'"{hashlib.sha256(b"%PDF-v2").hexdigest()}"'
    )
    old = client.get(reverse("report_pdf", args=[report.pk]) + "?version=1")
    assert old.content == b"%PDF-v1"
    client.get(reverse("report_docx", args=[report.pk]))
    assert seen["docx"]["title"] == "As published"
    csv = client.get(reverse("report_table_csv", args=[report.pk, 1])).content.decode("utf-8-sig")
    assert "Frozen" in csv
    assert client.get(reverse("report_tables_xlsx", args=[report.pk])).status_code == 200
    listing = client.get(reverse("report_list")).content.decode()
    assert reverse("report_detail", args=[report.pk]) in listing
    # Officers see the live draft.
    monkeypatch.setattr(content_mod, "build", lambda report, **kw: {"title": report.title})
    client.force_login(officer)
    assert (
        "Live draft title"
        in client.get(reverse("report_detail", args=[report.pk])).content.decode()
    )


def test_a_corrupted_stored_pdf_is_not_served(client, derby, councillor, caplog):
    report = make_report(derby)
    version = _publish_version(report, pdf=b"%PDF-good")
    PublishedVersion.objects.filter(pk=version.pk).update(pdf=b"%PDF-tampered")
    client.force_login(councillor)
    for url in (
        reverse("report_pdf", args=[report.pk]),
        reverse("report_pdf", args=[report.pk]) + "?version=1",
    ):
        response = client.get(url)
        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.decode() == (
            "The stored PDF failed its integrity check; contact your administrator."
        )
    assert any(r.levelname == "ERROR" and "integrity" in r.getMessage() for r in caplog.records)


def test_the_meeting_list_counts_without_a_query_per_meeting(
    client, derby, clerk, django_assert_max_num_queries
):
    for day in range(1, 7):
        meeting = make_meeting(derby, date=dt.date(2022, 7, day))
        AgendaItem.objects.create(meeting=meeting, number=1, title="Apologies")
        AgendaItem.objects.create(meeting=meeting, number=2, title="A", report=make_report(derby))
        published = make_report(derby)
        _publish_version(published)
        AgendaItem.objects.create(meeting=meeting, number=3, title="B", report=published)
    client.force_login(clerk)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("meeting_list")).content.decode()
    assert page.count("1 of 2") == 6
