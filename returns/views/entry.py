"""Entering a quarterly return: the council's returns, starting one (optionally copied
forward), each section's form, the workflow (submit, sign off, reopen), the return's
audit trail and the Children in Care Council's "you said, we did" actions.

Officers only, except the list of actions, which councillors and clerks can read too.
Everything is the signed-in user's council's; another council's return is reported as
missing (404).

A section save locks the return's row first (`select_for_update`) and checks it is
still editable inside the same transaction, so a sign-off can't slip in between the
check and the write; the section's `version` guards against two officers' edits.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from corporate_parenting import audit
from corporate_parenting.access import get_for_council_or_404, role_required
from corporate_parenting.govuk_forms import save_and_audit
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import AuditLog, Role, User
from returns import workflow
from returns.forms import (
    SECTION_FORMS,
    CiccActionForm,
    ReturnCreateForm,
    SectionForm,
    WorkflowForm,
    home_name,
)
from returns.models import (
    ActionStatus,
    CiccAction,
    Consultation,
    HomeStaffing,
    PlacementCost,
    QuarterlyReturn,
    ReturnStatus,
)
from returns.warnings import warnings_for

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK)
ACTION_WORDS = {"create": "created", "update": "changed", "delete": "removed"}
STATUS_TAGS = {
    ReturnStatus.DRAFT: "govuk-tag--grey",
    ReturnStatus.SUBMITTED: "govuk-tag--blue",
    ReturnStatus.SIGNED_OFF: "govuk-tag--green",
}


def _return(request: HttpRequest, pk: int, *, lock: bool = False) -> QuarterlyReturn:
    queryset = QuarterlyReturn.objects.select_related(
        "la", "submitted_by", "signed_off_by", "created_by"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_for_council_or_404(queryset, request.user, pk=pk)


def _who(user: User | None) -> str:
    if user is None:
        return "someone whose account has since been removed"
    return str(user)


def _decorate(ret: QuarterlyReturn, today: dt.date) -> QuarterlyReturn:
    ret.due = workflow.due_date(ret.year, ret.quarter)
    ret.overdue = ret.status != ReturnStatus.SIGNED_OFF and ret.due < today
    ret.tag = STATUS_TAGS[ReturnStatus(ret.status)]
    return ret


# --- the council's returns ----------------------------------------------------------------


def _list_page(request: HttpRequest, form: ReturnCreateForm) -> HttpResponse:
    today = timezone.localdate()
    sections = [f"{slug}__updated_at" for slug, _, _ in workflow.SECTIONS]
    returns = QuarterlyReturn.objects.filter(la_id=request.user.la_id).annotate(
        last_changed=Greatest("updated_at", *sections)
    )
    return render(
        request,
        "returns/entry_list.html",
        {
            "returns": [_decorate(r, today) for r in returns],
            "form": form,
            "due_days": settings.CP_RETURN_DUE_DAYS,
        },
    )


@role_required(Role.OFFICER)
def return_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ReturnCreateForm())


@role_required(Role.OFFICER)
def return_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("return_list")
    form = ReturnCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ret = workflow.create_return(
                request.user.la,
                data["year"].strip(),
                data["quarter"].strip(),
                request.user,
                copy_forward=data["copy_forward"],
            )
        except workflow.ReturnError as error:
            form.add_error(None, str(error))
        else:
            copied = " and copied forward from the previous quarter" if data["copy_forward"] else ""
            messages.success(request, f"The {ret.period_label} return was started{copied}")
            return redirect("return_detail", pk=ret.pk)
    return _list_page(request, form)


# --- one return ---------------------------------------------------------------------------


def _sections(ret: QuarterlyReturn, warnings: dict[str, list[str]]) -> list[dict[str, object]]:
    rows = []
    for slug, title, model in workflow.SECTIONS:
        section = model.objects.filter(ret=ret).select_related("updated_by").first()
        rows.append(
            {
                "slug": slug,
                "title": title,
                "section": section,
                "saved_by": _who(section.updated_by) if section else "",
                "saved_at": timezone.localtime(section.updated_at) if section else None,
                "warnings": warnings.get(slug, []),
                "url": reverse("return_section", args=[ret.pk, slug]),
            }
        )
    return rows


def _detail_page(
    request: HttpRequest, ret: QuarterlyReturn, form: WorkflowForm, action: str = ""
) -> HttpResponse:
    user = request.user
    _decorate(ret, timezone.localdate())
    submitted = ret.status == ReturnStatus.SUBMITTED
    signed_off = ret.status == ReturnStatus.SIGNED_OFF
    return render(
        request,
        "returns/entry_detail.html",
        {
            "ret": ret,
            "form": form,
            "failed_action": action,
            "sections": _sections(ret, warnings_for(ret)),
            "missing": workflow.missing_sections(ret),
            "reopenings": [
                {"at": timezone.localtime(r.at), "by": _who(r.by), "reason": r.reason}
                for r in ret.reopenings.select_related("by")
            ],
            "submitted_by": _who(ret.submitted_by) if ret.submitted_at else "",
            "signed_off_by": _who(ret.signed_off_by) if ret.signed_off_at else "",
            "can_edit": ret.editable,
            "can_submit": ret.status == ReturnStatus.DRAFT,
            "can_sign_off": submitted
            and user.can_sign_off_returns
            and ret.submitted_by_id != user.pk,
            "submitter_cannot_sign_off": submitted and ret.submitted_by_id == user.pk,
            "can_reopen": submitted or (signed_off and user.can_sign_off_returns),
            "reopen_needs_permission": signed_off and not user.can_sign_off_returns,
        },
    )


@role_required(Role.OFFICER)
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, pk)
    form = WorkflowForm(request.POST or None)
    if request.method != "POST":
        return _detail_page(request, ret, form)
    action = request.POST.get("action", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "submit":
                workflow.submit(ret, request.user, data["version"])
                done = f"The {ret.period_label} return was submitted for sign-off"
            elif data["action"] == "sign_off":
                workflow.sign_off(ret, request.user, data["version"])
                done = f"The {ret.period_label} return was signed off and is now locked"
            else:
                workflow.reopen(ret, request.user, data["version"], data["reason"])
                done = f"The {ret.period_label} return was reopened and is a draft again"
        except workflow.ReturnError as error:
            ret.refresh_from_db()
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("return_detail", pk=ret.pk)
    return _detail_page(request, ret, form, action)


# --- a section ----------------------------------------------------------------------------


def _section_form(ret: QuarterlyReturn, slug: str, data: object = None) -> SectionForm:
    form_class = SECTION_FORMS[slug]
    model = form_class._meta.model
    instance = model.objects.filter(ret=ret).select_related("updated_by").first()
    return form_class(data, instance=instance or model(ret=ret), ret=ret)


def _save_section(request: HttpRequest, form: SectionForm) -> object | None:
    """Save the section and its rows (in the caller's transaction) and audit them.
    None when the form now carries a clash to show."""
    creating = form.instance.pk is None
    changed = form.section_changes()
    section = form.save_checked(request.user)
    if section is None:
        return None
    changed.update(form.save_rows(section, request.user))
    if creating or changed:
        audit.record(
            user=request.user,
            action=AuditLog.Action.CREATE if creating else AuditLog.Action.UPDATE,
            obj=section,
            changed_fields=changed,
        )
    return section


@role_required(Role.OFFICER)
def return_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTION_FORMS:
        raise Http404
    title = workflow.SECTION_TITLES[section]
    locked_message = ""
    if request.method == "POST":
        with transaction.atomic():
            ret = _return(request, pk, lock=True)
            form = _section_form(ret, section, request.POST)
            try:
                workflow.check_editable(ret)
            except workflow.ReturnError as error:
                form.is_valid()
                form.add_error(None, str(error))
            else:
                if form.is_valid() and _save_section(request, form) is not None:
                    found = warnings_for(ret)[section]
                    note = ""
                    if found:
                        count = "1 warning" if len(found) == 1 else f"{len(found)} warnings"
                        note = f". Check the {count} below: the figures were saved anyway"
                    messages.success(request, f"{title} saved{note}")
                    return redirect("return_detail", pk=ret.pk)
    else:
        ret = _return(request, pk)
        form = _section_form(ret, section)
        try:
            workflow.check_editable(ret)
        except workflow.ReturnError as error:
            locked_message = str(error)
    stored = form.instance if form.instance.pk else None
    return render(
        request,
        "returns/entry_section.html",
        {
            "ret": _decorate(ret, timezone.localdate()),
            "form": form,
            "slug": section,
            "title": title,
            "stored": stored,
            "saved_by": _who(stored.updated_by) if stored else "",
            "warnings": warnings_for(ret)[section],
            "locked_message": locked_message,
            "homes_missing": section == "staffing" and not getattr(form, "homes", None),
        },
    )


# --- the audit trail ----------------------------------------------------------------------


def _field_label(object_type: str, name: str) -> str:
    try:
        model = apps.get_model(object_type)
        return capfirst(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


@role_required(Role.OFFICER)
def return_audit(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, pk)
    targets: dict[tuple[str, str], str] = {(QuarterlyReturn._meta.label, str(ret.pk)): "The return"}
    for _, title, model in workflow.SECTIONS:
        section = model.objects.filter(ret=ret).first()
        if section:
            targets[(model._meta.label, str(section.pk))] = title
    for row in HomeStaffing.objects.filter(section__ret=ret).select_related("setting"):
        targets[(HomeStaffing._meta.label, str(row.pk))] = (
            f"Residential staffing: {home_name(row.setting)}"
        )
    for row in PlacementCost.objects.filter(section__ret=ret):
        targets[(PlacementCost._meta.label, str(row.pk))] = (
            f"Placements: {row.get_placement_type_display()}"
        )
    for row in Consultation.objects.filter(ret=ret):
        targets[(Consultation._meta.label, str(row.pk))] = f"Consultation: {row.topic}"
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in targets:
        by_type.setdefault(object_type, []).append(object_id)
    query = Q()
    for object_type, ids in by_type.items():
        query |= Q(object_type=object_type, object_id__in=ids)
    entries = list(AuditLog.objects.filter(query).order_by("-at", "-pk"))
    names = {
        u.pk: _who(u)
        for u in User.objects.filter(
            pk__in={e.user_id_at_time for e in entries if e.user_id_at_time}
        )
    }
    lines = []
    for entry in entries:
        base = {
            "at": timezone.localtime(entry.at),
            "who": names.get(entry.user_id_at_time, entry.username),
            "what": targets[(entry.object_type, entry.object_id)],
            "action": ACTION_WORDS.get(entry.action, entry.action),
            "detail": entry.detail,
        }
        fields = entry.changed_fields if isinstance(entry.changed_fields, dict) else {}
        if not fields:
            lines.append({**base, "field": "", "old": "", "new": ""})
        for name, change in fields.items():
            change = change if isinstance(change, dict) else {"old": "", "new": change}
            lines.append(
                {
                    **base,
                    "field": _field_label(entry.object_type, name),
                    "old": change.get("old", ""),
                    "new": change.get("new", ""),
                }
            )
    return render(
        request,
        "returns/entry_audit.html",
        {"ret": _decorate(ret, timezone.localdate()), "lines": lines},
    )


# --- "you said, we did" actions -----------------------------------------------------------


@role_required(*READERS)
def cicc_action_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    actions = CiccAction.objects.filter(la_id=request.user.la_id).select_related("raised_in")
    if request.user.role != Role.OFFICER:
        # As on the dashboard: councillors and clerks don't read unsigned returns.
        actions = actions.filter(
            Q(raised_in__isnull=True) | Q(raised_in__status=ReturnStatus.SIGNED_OFF)
        )
    actions = list(actions)
    for action in actions:
        action.overdue = action.status != ActionStatus.COMPLETE and action.due_date < today
    return render(
        request,
        "returns/entry_cicc_actions.html",
        {"actions": actions, "can_edit": request.user.role == Role.OFFICER},
    )


def _action_page(request: HttpRequest, form: CiccActionForm, title: str) -> HttpResponse:
    return render(request, "returns/entry_cicc_action_form.html", {"form": form, "title": title})


@role_required(Role.OFFICER)
def cicc_action_create(request: HttpRequest) -> HttpResponse:
    la_id = request.user.la_id
    initial = {}
    raised_in = whole_number(request.GET.get("ret"))
    if raised_in and QuarterlyReturn.objects.filter(la_id=la_id, pk=raised_in).exists():
        initial["raised_in"] = raised_in
    form = CiccActionForm(
        request.POST or None, instance=CiccAction(la_id=la_id), la_id=la_id, initial=initial
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Action added")
    ):
        return redirect("cicc_action_list")
    return _action_page(request, form, "Add a “you said, we did” action")


@role_required(Role.OFFICER)
def cicc_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_for_council_or_404(CiccAction.objects.all(), request.user, pk=pk)
    form = CiccActionForm(request.POST or None, instance=action, la_id=request.user.la_id)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Action saved")
    ):
        return redirect("cicc_action_list")
    return _action_page(request, form, "Change a “you said, we did” action")


urlpatterns = [
    path("returns/", return_list, name="return_list"),
    path("returns/new/", return_create, name="return_create"),
    path("returns/cicc-actions/", cicc_action_list, name="cicc_action_list"),
    path("returns/cicc-actions/new/", cicc_action_create, name="cicc_action_create"),
    path("returns/cicc-actions/<int:pk>/change/", cicc_action_edit, name="cicc_action_edit"),
    path("returns/<int:pk>/", return_detail, name="return_detail"),
    path("returns/<int:pk>/audit/", return_audit, name="return_audit"),
    path("returns/<int:pk>/<slug:section>/", return_section, name="return_section"),
]
