"""Committee meetings and reports in the browser.

Who does what (everything is the signed-in user's council's; another council's meeting,
report or pack is reported as missing, 404):

* Clerks: meetings, their agenda, resolutions and actions; publish approved reports;
  ask for the meeting packs. They read every report.
* Officers: write reports and, with `can_approve_reports`, approve them. They read
  meetings and packs.
* Councillors: read meetings, published reports and packs. A report that isn't
  published is missing to them.

The rules of the report workflow are in `committee.workflow`; the views call it and
show its refusals.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify

from committee import workflow
from committee.deadlines import deadline_warning, publication_deadline
from committee.forms import (
    AgendaItemForm,
    MeetingActionForm,
    MeetingForm,
    PackForm,
    ReportCreateForm,
    ReportEditForm,
    ResolutionForm,
    WorkflowForm,
)
from committee.models import (
    AgendaItem,
    Appendix,
    Committee,
    Meeting,
    MeetingAction,
    MeetingPack,
    PackKind,
    PublishedVersion,
    Report,
    ReportStatus,
    ReportTemplate,
)
from committee.tasks import close_interrupted_packs, make_pack
from corporate_parenting import audit
from corporate_parenting.access import get_for_council_or_404, role_required
from corporate_parenting.db_router import use_replica
from corporate_parenting.govuk_forms import changes, save_and_audit
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import AuditLog, Role, User

logger = logging.getLogger(__name__)

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK)
INTEGRITY_FAILED = "The stored PDF failed its integrity check; contact your administrator."
NO_REPORTS = "This meeting has no reports to export."
STATUS_TAGS = {
    ReportStatus.DRAFT: "govuk-tag--grey",
    ReportStatus.APPROVED: "govuk-tag--blue",
    ReportStatus.PUBLISHED: "govuk-tag--green",
}
PACK_TAGS = {
    "queued": "govuk-tag--grey",
    "running": "govuk-tag--blue",
    "ready": "govuk-tag--green",
    "failed": "govuk-tag--red",
}


# --- helpers ------------------------------------------------------------------------------


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    if request.user.la_id is None:
        raise Http404
    try:
        return Meeting.objects.select_related("committee__la").get(
            pk=pk, committee__la_id=request.user.la_id
        )
    except Meeting.DoesNotExist:
        raise Http404 from None


def _report(request: HttpRequest, pk: int) -> Report:
    report = get_for_council_or_404(
        Report.objects.select_related("la", "template", "approved_by", "updated_by"),
        request.user,
        pk=pk,
    )
    if request.user.role == Role.COUNCILLOR and not report.published.exists():
        raise Http404  # never published: a councillor can't see it
    return report


def _latest(report: Report) -> PublishedVersion | None:
    """The report's latest published version, without its stored PDF."""
    return report.published.defer("pdf").order_by("-number").first()


def _reads_published(user: User, report: Report) -> bool:
    """Whether this user reads the published version rather than the live report:
    councillors always (even after a reopening); officers and clerks while it's
    published."""
    return user.role == Role.COUNCILLOR or report.status == ReportStatus.PUBLISHED


def _stored_pdf(version: PublishedVersion, filename: str) -> HttpResponse:
    """A published version's stored PDF, if its bytes still match their SHA-256."""
    data = bytes(version.pdf)
    digest = hashlib.sha256(data).hexdigest()
    if digest != version.sha256:
        logger.error(
            "Stored PDF of %s (published version %s) failed its integrity check: "
            "sha256 %s, expected %s",
            version.report_id,
            version.pk,
            digest,
            version.sha256,
        )
        return HttpResponse(INTEGRITY_FAILED, status=500, content_type="text/plain; charset=utf-8")
    response = _file(data, "application/pdf", filename)
    response["ETag"] = f'"{version.sha256}"'
    return response


def _who(user: User | None) -> str:
    if user is None:
        return "someone whose account has since been removed"
    return str(user)


def _tag(report: Report) -> Report:
    report.tag = STATUS_TAGS[ReportStatus(report.status)]
    return report


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filename(report: Report, ext: str, suffix: str = "") -> str:
    return f"{slugify(report.title)[:80] or 'report'}{suffix}.{ext}"


def _content(report: Report, user: User) -> dict:
    """What this user reads: the latest published version's content for a councillor, or
    for anyone while the report is published; otherwise (officers and clerks) the live
    draft, built now."""
    if _reads_published(user, report):
        latest = _latest(report)
        if latest is not None:
            return latest.content
        if user.role == Role.COUNCILLOR:
            raise Http404
    from committee.content import build

    return build(report)


def _tables(content: dict) -> list[dict]:
    """Every table in the content, in order: figures tables and the charts' data."""
    tables = []
    for section in content.get("sections", []):
        for block in section.get("blocks", []):
            if block.get("kind") == "table" and block.get("table"):
                tables.append(block["table"])
            elif block.get("kind") == "chart":
                table = (block.get("chart") or {}).get("table") or {}
                if table.get("columns"):
                    tables.append(table)
    return tables


def _forms_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"committee/{template}", context)


# --- meetings -----------------------------------------------------------------------------


@role_required(*READERS)
def meeting_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    meetings = (
        Meeting.objects.filter(committee__la_id=request.user.la_id)
        .select_related("committee")
        .order_by("-date")
    )
    meetings = meetings.annotate(
        n_items=Count("items"),
        n_reports=Count("items", filter=Q(items__report__isnull=False)),
        n_published=Count("items", filter=Q(items__report__status=ReportStatus.PUBLISHED)),
    )
    rows = []
    for meeting in meetings:
        rows.append(
            {
                "meeting": meeting,
                "items": meeting.n_items,
                "reports": meeting.n_reports,
                "published": meeting.n_published,
                "deadline": publication_deadline(meeting.date),
                "upcoming": meeting.date >= today,
            }
        )
    return _forms_page(
        request,
        "meeting_list.html",
        {"rows": rows, "is_clerk": request.user.role == Role.CLERK},
    )


@role_required(Role.CLERK)
def meeting_create(request: HttpRequest) -> HttpResponse:
    la = request.user.la
    form = MeetingForm(request.POST or None, la=la)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                committee = data["committee"]
                if committee is None:
                    committee, _ = Committee.objects.get_or_create(
                        la=la, name=data["new_committee"]
                    )
                meeting = Meeting.objects.create(
                    committee=committee,
                    date=data["date"],
                    venue=data["venue"].strip(),
                    updated_by=request.user,
                )
        except IntegrityError:
            form.add_error("date", "This committee already has a meeting on that date")
        else:
            audit.record(
                user=request.user,
                action=AuditLog.Action.CREATE,
                obj=meeting,
                changed_fields=changes(form),
            )
            deadline = publication_deadline(meeting.date)
            messages.success(
                request,
                f"Meeting added. Its reports must be published by {deadline:%A} "
                f"{deadline.day} {deadline:%B %Y}.",
            )
            return redirect("meeting_detail", pk=meeting.pk)
    return _forms_page(request, "meeting_form.html", {"form": form})


def _meeting_page(
    request: HttpRequest, meeting: Meeting, *, pack_form: PackForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    councillor = user.role == Role.COUNCILLOR
    items = []
    appendices = Prefetch("appendices", queryset=Appendix.objects.only("pk", "item_id", "title"))
    items_qs = (
        meeting.items.select_related("report")
        .prefetch_related("resolutions", "actions", appendices)
        .annotate(
            report_published=Exists(PublishedVersion.objects.filter(report=OuterRef("report")))
        )
    )
    for item in items_qs:
        report = _tag(item.report) if item.report_id else None
        items.append(
            {
                "item": item,
                "report": report,
                "report_link": report is not None and (not councillor or item.report_published),
                "warning": "" if councillor else deadline_warning(item, today),
                "resolutions": list(item.resolutions.all()),
                "actions": list(item.actions.all()),
            }
        )
    pack_qs = meeting.packs.defer("pdf")
    if user.role != Role.CLERK:
        pack_qs = pack_qs.exclude(kind=PackKind.CONFIDENTIAL)
    packs = [{"pack": p, "tag": PACK_TAGS.get(p.status, "govuk-tag--grey")} for p in pack_qs]
    actions = [
        {"action": a, "item": i["item"], "overdue": a.done_on is None and a.due_date < today}
        for i in items
        for a in i["actions"]
    ]
    return render(
        request,
        "committee/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "actions": actions,
            "has_resolutions": any(i["resolutions"] for i in items),
            "packs": packs,
            "pack_form": pack_form or PackForm(),
            "deadline": publication_deadline(meeting.date),
            "is_clerk": user.role == Role.CLERK,
        },
        status=status,
    )


@role_required(*READERS)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, pk))


# --- agenda items -------------------------------------------------------------------------


def _item_page(request: HttpRequest, meeting: Meeting, item: AgendaItem | None) -> HttpResponse:
    form = AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        changed = {k: {"new": str(form.cleaned_data.get(k))[:200]} for k in form.changed_data}
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            form.add_error(
                "number", "That item number was taken at the same moment; choose another"
            )
        else:
            audit.record(
                user=request.user,
                action=AuditLog.Action.UPDATE if item else AuditLog.Action.CREATE,
                obj=saved,
                changed_fields=changed,
            )
            messages.success(request, f"Item {saved.number} {'changed' if item else 'added'}")
            return redirect("meeting_detail", pk=meeting.pk)
    return _forms_page(
        request, "meeting_item_form.html", {"form": form, "meeting": meeting, "item": item}
    )


@role_required(Role.CLERK)
def agenda_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, _meeting(request, pk), None)


@role_required(Role.CLERK)
def agenda_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return _item_page(request, meeting, item)


@role_required(Role.CLERK)
def appendix_create(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    from committee.forms import AppendixForm

    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    form = AppendixForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        appendix = Appendix.objects.create(
            item=item,
            title=form.cleaned_data["title"],
            pdf=form.cleaned_data["file"],
            uploaded_by=request.user,
        )
        audit.record(
            user=request.user,
            action=AuditLog.Action.CREATE,
            obj=appendix,
            changed_fields=changes(form),
        )
        messages.success(request, f"{appendix.title} appended to item {item.number}")
        return redirect("meeting_detail", pk=meeting.pk)
    return _forms_page(
        request, "meeting_appendix_form.html", {"form": form, "meeting": meeting, "item": item}
    )


# --- resolutions and actions --------------------------------------------------------------


@role_required(Role.CLERK)
def resolution_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ResolutionForm(request.POST or None, meeting=meeting, initial=_item_initial(request))
    if request.method == "POST" and form.is_valid():
        resolution = form.save()
        audit.record(
            user=request.user,
            action=AuditLog.Action.CREATE,
            obj=resolution,
            changed_fields=changes(form),
        )
        messages.success(request, "Resolution recorded")
        return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#resolutions")
    return _forms_page(request, "meeting_resolution_form.html", {"form": form, "meeting": meeting})


def _item_initial(request: HttpRequest) -> dict[str, object]:
    item = whole_number(request.GET.get("item"))
    return {"item": item} if item is not None else {}


def _action_page(
    request: HttpRequest, meeting: Meeting, action: MeetingAction | None
) -> HttpResponse:
    form = MeetingActionForm(
        request.POST or None,
        instance=action,
        meeting=meeting,
        initial=_item_initial(request) if action is None else None,
    )
    if request.method == "POST" and form.is_valid():
        saved = save_and_audit(request, form, "Action changed" if action else "Action added")
        if saved is not None:
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#actions")
    return _forms_page(
        request, "meeting_action_form.html", {"form": form, "meeting": meeting, "action": action}
    )


@role_required(Role.CLERK)
def meeting_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_page(request, _meeting(request, pk), None)


@role_required(Role.CLERK)
def meeting_action_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    action = MeetingAction.objects.filter(pk=action_pk, item__meeting=meeting).first()
    if action is None:
        raise Http404
    return _action_page(request, meeting, action)


# --- packs --------------------------------------------------------------------------------


@role_required(Role.CLERK)
def pack_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if request.method != "POST":
        return redirect("meeting_detail", pk=meeting.pk)
    form = PackForm(request.POST)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        with_reports = meeting.items.filter(report__isnull=False)
        if kind == PackKind.PUBLIC:
            with_reports = with_reports.filter(exempt=False)
        from committee.pdf import unpublished_refusal

        if not meeting.items.filter(report__isnull=False).exists():
            form.add_error("kind", NO_REPORTS)
        elif not with_reports.exists():
            form.add_error(
                "kind",
                "This meeting's reports are all exempt (Part II), so the public pack would "
                "be empty. Ask for the confidential pack instead.",
            )
        elif refusal := unpublished_refusal(meeting, kind):
            form.add_error("kind", refusal)
        else:
            pack = MeetingPack.objects.create(meeting=meeting, kind=kind, created_by=request.user)
            audit.record(
                user=request.user,
                action=AuditLog.Action.EXPORT,
                obj=pack,
                detail=f"{pack.get_kind_display()} asked for",
            )
            make_pack.enqueue(pack.pk)
            return redirect("pack_detail", pk=meeting.pk, pack_pk=pack.pk)
    return _meeting_page(request, meeting, pack_form=form)


def _packs(request: HttpRequest, meeting: Meeting):
    """The meeting's packs this user may see: confidential (Part II) ones only by the
    council's clerks."""
    packs = meeting.packs.all()
    if request.user.role != Role.CLERK:
        packs = packs.exclude(kind=PackKind.CONFIDENTIAL)
    return packs


def _pack(request: HttpRequest, pk: int, pack_pk: int) -> MeetingPack:
    meeting = _meeting(request, pk)
    pack = _packs(request, meeting).filter(pk=pack_pk).defer("pdf").first()
    if pack is None:
        raise Http404
    return pack


@role_required(*READERS)
def pack_detail(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    pack = _pack(request, pk, pack_pk)
    if pack.status == "running" and close_interrupted_packs(pack.meeting_id):
        pack.refresh_from_db()  # its maker died: say so, rather than "being made" forever
    finished = pack.status in ("ready", "failed")
    context = {
        "pack": pack,
        "meeting": pack.meeting,
        "finished": finished,
        "tag": PACK_TAGS.get(pack.status, "govuk-tag--grey"),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    if partial and not finished:
        return render(request, "committee/meeting_pack.html#progress", context)
    if partial:
        # Finished while the page was polling: reload the whole page for the result.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "committee/meeting_pack.html", context)


@role_required(*READERS)
def pack_download(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    pack = _packs(request, meeting).filter(pk=pack_pk, status="ready").first()
    if pack is None or not pack.pdf:
        raise Http404
    audit.record(
        user=request.user,
        action=AuditLog.Action.EXPORT,
        obj=pack,
        detail=f"{pack.get_kind_display()} downloaded",
    )
    name = f"{slugify(meeting.committee.name)}-{meeting.date.isoformat()}-{pack.kind}-pack.pdf"
    return _file(pack.pdf, "application/pdf", name)


# --- reports ------------------------------------------------------------------------------


@role_required(*READERS)
@use_replica
def report_list(request: HttpRequest) -> HttpResponse:
    reports = Report.objects.filter(la_id=request.user.la_id).select_related("updated_by")
    if request.user.role == Role.COUNCILLOR:
        reports = reports.filter(published__isnull=False).distinct()
    return _forms_page(
        request,
        "report_list.html",
        {
            "reports": [_tag(r) for r in reports],
            "can_write": request.user.role == Role.OFFICER,
        },
    )


@role_required(Role.OFFICER)
def report_create(request: HttpRequest) -> HttpResponse:
    la = request.user.la
    if not ReportTemplate.objects.filter(la=la).exists():
        from committee.skeletons import ensure_templates

        ensure_templates()
    form = ReportCreateForm(request.POST or None, la=la)
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.updated_by = request.user
        report.save()
        audit.record(
            user=request.user,
            action=AuditLog.Action.CREATE,
            obj=report,
            changed_fields=changes(form),
        )
        messages.success(request, "Report started. Write its narrative below.")
        return redirect("report_edit", pk=report.pk)
    return _forms_page(request, "report_create.html", {"form": form})


@role_required(Role.OFFICER)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        workflow.check_editable(report)
    except workflow.WorkflowError as error:
        return _forms_page(
            request, "report_edit.html", {"report": report, "form": None, "refusal": str(error)}
        )
    form = ReportEditForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            fresh = Report.objects.select_for_update().get(pk=report.pk)
            try:
                workflow.check_editable(fresh)
            except workflow.WorkflowError as error:
                return _forms_page(
                    request,
                    "report_edit.html",
                    {"report": fresh, "form": None, "refusal": str(error)},
                )
            saved = save_and_audit(request, form, "Report saved")
        if saved is not None:
            return redirect("report_detail", pk=report.pk)
    return _forms_page(request, "report_edit.html", {"report": report, "form": form})


def _report_page(
    request: HttpRequest, report: Report, form: WorkflowForm, *, failed: str = ""
) -> HttpResponse:
    from committee.content import render_html

    user = request.user
    content = _content(report, user)
    preview = render_html(content, mode="preview")
    published = list(report.published.select_related("published_by").defer("pdf", "content"))
    changes = []
    if report.status == ReportStatus.PUBLISHED and user.role != Role.COUNCILLOR:
        try:
            changes = workflow.differs_from_published(report)
        except Exception:
            changes = []
    items = AgendaItem.objects.filter(report=report).select_related("meeting__committee")
    councillor = user.role == Role.COUNCILLOR
    warning = "" if councillor else deadline_warning(report, timezone.localdate())
    return render(
        request,
        "committee/report_detail.html",
        {
            "report": _tag(report),
            "form": form,
            "failed_action": failed,
            "preview": preview,
            "tables": _tables(content),
            "published": [
                {"v": v, "by": _who(v.published_by), "at": timezone.localtime(v.published_at)}
                for v in published
            ],
            "changes": changes,
            "items": items,
            "warning": warning,
            "approved_by": _who(report.approved_by) if report.approved_at else "",
            "recommendations": workflow.recommendations(report),
            "can_edit": user.role == Role.OFFICER and report.status == ReportStatus.DRAFT,
            "can_approve": workflow.can_approve(user, report),
            "can_publish": workflow.can_publish(user, report),
            "can_reopen": workflow.can_reopen(user, report),
            "is_officer": user.role == Role.OFFICER,
            "is_clerk": user.role == Role.CLERK,
            "is_councillor": councillor,
            "reading_published": _reads_published(user, report),
            "shown_title": content.get("title") or report.title,
        },
    )


ACTION_DONE = {
    "approve": "The report was approved. The clerk can now publish it.",
    "publish": "The report was published and is now locked",
    "reopen": "The report was reopened and is a draft again",
}


@role_required(*READERS)
@use_replica
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = WorkflowForm(request.POST or None)
    if request.method != "POST":
        return _report_page(request, report, form)
    if request.user.role == Role.COUNCILLOR:
        raise Http404
    action = request.POST.get("action", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "approve":
                workflow.approve(report, request.user, data["version"])
            elif data["action"] == "publish":
                workflow.publish(report, request.user, data["version"])
            else:
                workflow.reopen(report, request.user, data["reason"], data["version"])
        except workflow.WorkflowError as error:
            report.refresh_from_db()
            form.add_error(None, str(error))
        else:
            messages.success(request, ACTION_DONE[data["action"]])
            return redirect("report_detail", pk=report.pk)
    return _report_page(request, report, form, failed=action)


@role_required(*READERS)
@use_replica
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    number = whole_number(request.GET.get("version"))
    version = None
    if number is not None:
        version = report.published.filter(number=number).first()
        if version is None:
            raise Http404
    elif _reads_published(request.user, report):
        version = report.published.order_by("-number").first()
        if version is None and request.user.role == Role.COUNCILLOR:
            raise Http404
    if version is not None:
        response = _stored_pdf(version, _filename(report, "pdf", f"-v{version.number}"))
        if response.status_code == 200:
            audit.record(
                user=request.user,
                action=AuditLog.Action.EXPORT,
                obj=report,
                detail=f"PDF, version {version.number}",
            )
        return response
    from committee.content import build
    from committee.pdf import report_pdf as make_pdf

    data = make_pdf(build(report))
    audit.record(user=request.user, action=AuditLog.Action.EXPORT, obj=report, detail="PDF")
    return _file(data, "application/pdf", _filename(report, "pdf", "-draft"))


@role_required(*READERS)
@use_replica
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from committee.docx import report_docx as make_docx

    report = _report(request, pk)
    data = make_docx(_content(report, request.user))
    audit.record(user=request.user, action=AuditLog.Action.EXPORT, obj=report, detail="Word")
    return _file(
        data,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _filename(report, "docx"),
    )


@role_required(*READERS)
@use_replica
def report_table_csv(request: HttpRequest, pk: int, n: int) -> HttpResponse:
    from committee.exports import table_csv

    report = _report(request, pk)
    tables = _tables(_content(report, request.user))
    if not 1 <= n <= len(tables):
        raise Http404
    data = table_csv(tables[n - 1])
    if isinstance(data, str):
        data = data.encode("utf-8-sig")
    audit.record(user=request.user, action=AuditLog.Action.EXPORT, obj=report, detail=f"Table {n}")
    return _file(data, "text/csv; charset=utf-8", _filename(report, "csv", f"-table-{n}"))


@role_required(*READERS)
@use_replica
def report_tables_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from committee.exports import tables_xlsx

    report = _report(request, pk)
    tables = _tables(_content(report, request.user))
    if not tables:
        raise Http404
    audit.record(user=request.user, action=AuditLog.Action.EXPORT, obj=report, detail="Tables")
    return _file(
        tables_xlsx(tables),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(report, "xlsx", "-tables"),
    )


urlpatterns = [
    path("committee/", meeting_list, name="meeting_list"),
    path("committee/meetings/new/", meeting_create, name="meeting_create"),
    path("committee/meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("committee/meetings/<int:pk>/items/new/", agenda_item_create, name="agenda_item_create"),
    path(
        "committee/meetings/<int:pk>/items/<int:item_pk>/appendices/new/",
        appendix_create,
        name="appendix_create",
    ),
    path(
        "committee/meetings/<int:pk>/items/<int:item_pk>/",
        agenda_item_edit,
        name="agenda_item_edit",
    ),
    path(
        "committee/meetings/<int:pk>/resolutions/new/",
        resolution_create,
        name="resolution_create",
    ),
    path(
        "committee/meetings/<int:pk>/actions/new/",
        meeting_action_create,
        name="meeting_action_create",
    ),
    path(
        "committee/meetings/<int:pk>/actions/<int:action_pk>/",
        meeting_action_edit,
        name="meeting_action_edit",
    ),
    path("committee/meetings/<int:pk>/packs/", pack_create, name="pack_create"),
    path("committee/meetings/<int:pk>/packs/<int:pack_pk>/", pack_detail, name="pack_detail"),
    path(
        "committee/meetings/<int:pk>/packs/<int:pack_pk>/download/",
        pack_download,
        name="pack_download",
    ),
    path("committee/reports/", report_list, name="report_list"),
    path("committee/reports/new/", report_create, name="report_create"),
    path("committee/reports/<int:pk>/", report_detail, name="report_detail"),
    path("committee/reports/<int:pk>/edit/", report_edit, name="report_edit"),
    path("committee/reports/<int:pk>/report.pdf", report_pdf, name="report_pdf"),
    path("committee/reports/<int:pk>/report.docx", report_docx, name="report_docx"),
    path(
        "committee/reports/<int:pk>/tables/<int:n>.csv",
        report_table_csv,
        name="report_table_csv",
    ),
    path("committee/reports/<int:pk>/tables.xlsx", report_tables_xlsx, name="report_tables_xlsx"),
]
