"""Inspections of the council itself (ILACS, focused visits, JTAI, the 2011 framework),
their areas for improvement and the action plans that answer them.

Officers record them; officers, councillors and clerks read them. The detail page is
the action-plan progress report councillors read: it holds no personal data of
children, and an action's owner is a member of staff.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from corporate_parenting.access import get_for_council_or_404, role_required
from corporate_parenting.govuk_forms import save_and_audit
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import Role, User
from inspections import action_plans
from inspections.forms_council import ActionItemForm, AreaForImprovementForm, CouncilInspectionForm
from inspections.models import (
    ActionItem,
    AreaForImprovement,
    CouncilInspection,
    CouncilJudgement,
)

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK)


def _inspections(user: User) -> QuerySet[CouncilInspection]:
    return CouncilInspection.objects.filter(la_id=user.la_id).select_related("framework")


def _areas_and_actions() -> Prefetch:
    return Prefetch(
        "areas_for_improvement",
        queryset=AreaForImprovement.objects.order_by("number").prefetch_related(
            Prefetch("actions", queryset=ActionItem.objects.order_by("due_date", "pk"))
        ),
    )


@role_required(*READERS)
def council_inspection_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    inspections = list(
        _inspections(request.user)
        .order_by("-start_date", "inspection_type")
        .prefetch_related(
            Prefetch(
                "judgements",
                queryset=CouncilJudgement.objects.filter(area__is_overall=True).select_related(
                    "area", "grade"
                ),
                to_attr="overall_judgements",
            ),
            _areas_and_actions(),
        )
    )
    rows = [
        {
            "inspection": inspection,
            "overall": inspection.overall_judgements[0] if inspection.overall_judgements else None,
            "progress": action_plans.progress(inspection, today),
        }
        for inspection in inspections
    ]
    return render(
        request,
        "inspections/council_inspection_list.html",
        {"rows": rows, "can_edit": request.user.role == Role.OFFICER},
    )


@role_required(*READERS)
def council_inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    inspection = get_for_council_or_404(
        _inspections(request.user)
        .select_related("framework__scale")
        .prefetch_related(_areas_and_actions()),
        request.user,
        pk=pk,
    )
    sections: list[tuple[str, list[tuple[object, object]]]] = []
    if inspection.framework is not None:
        grades = {
            j.area_id: j.grade
            for j in CouncilJudgement.objects.filter(inspection=inspection).select_related("grade")
        }
        for area in inspection.framework.areas.order_by("order"):
            if not sections or sections[-1][0] != area.section:
                sections.append((area.section, []))
            sections[-1][1].append((area, grades.get(area.pk)))
    areas = [
        {
            "area": area,
            "actions": [
                {"item": item, "overdue": action_plans.is_overdue(item, today)}
                for item in area.actions.all()
            ],
        }
        for area in inspection.areas_for_improvement.all()
    ]
    return render(
        request,
        "inspections/council_inspection_detail.html",
        {
            "inspection": inspection,
            "sections": sections,
            "areas": areas,
            "progress": action_plans.progress(inspection, today),
            "today": today,
            "can_edit": request.user.role == Role.OFFICER,
        },
    )


def _inspection_form(request: HttpRequest, inspection: CouncilInspection | None) -> HttpResponse:
    la = request.user.la
    if request.method == "POST":
        form = CouncilInspectionForm(request.POST, instance=inspection, la=la)
        # Enter in a text box presses the form's first button, "Show the judgements": once
        # the chosen framework's judgements are on the page, that means save.
        reload = request.POST.get("framework", "") != request.POST.get("shown_framework", "")
        if "show_judgements" in request.POST and reload:
            # Reloaded to show the chosen framework's areas (works without JavaScript).
            form.hide_errors()
        elif form.is_valid():
            saved = save_and_audit(
                request,
                form,
                "Inspection added" if inspection is None else "Inspection saved",
            )
            if saved is not None:
                return redirect("council_inspection_detail", pk=saved.pk)
    else:
        initial = {}
        framework = whole_number(request.GET.get("framework"))
        if framework is not None:
            initial["framework"] = framework
        form = CouncilInspectionForm(instance=inspection, la=la, initial=initial)
    return render(
        request,
        "inspections/council_inspection_form.html",
        {"form": form, "inspection": inspection},
    )


@role_required(Role.OFFICER)
def council_inspection_create(request: HttpRequest) -> HttpResponse:
    return _inspection_form(request, None)


@role_required(Role.OFFICER)
def council_inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_for_council_or_404(_inspections(request.user), request.user, pk=pk)
    return _inspection_form(request, inspection)


def _detail_url(inspection: CouncilInspection, anchor: str = "") -> str:
    url = reverse("council_inspection_detail", args=[inspection.pk])
    return f"{url}#{anchor}" if anchor else url


@role_required(Role.OFFICER)
def afi_create(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_for_council_or_404(_inspections(request.user), request.user, pk=pk)
    return _afi_form(request, inspection, None)


@role_required(Role.OFFICER)
def afi_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(
        AreaForImprovement.objects.select_related("inspection"),
        inspection__la_id=request.user.la_id,
        pk=pk,
    )
    return _afi_form(request, area.inspection, area)


def _afi_form(
    request: HttpRequest, inspection: CouncilInspection, area: AreaForImprovement | None
) -> HttpResponse:
    form = AreaForImprovementForm(request.POST or None, instance=area, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        message = "Area for improvement added" if area is None else "Area for improvement saved"
        saved = save_and_audit(request, form, message)
        if saved is not None:
            return redirect(_detail_url(inspection, f"afi-{saved.pk}"))
    return render(
        request,
        "inspections/council_afi_form.html",
        {"form": form, "inspection": inspection, "area": area},
    )


@role_required(Role.OFFICER)
def action_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(
        AreaForImprovement.objects.select_related("inspection"),
        inspection__la_id=request.user.la_id,
        pk=pk,
    )
    return _action_form(request, area, None)


@role_required(Role.OFFICER)
def action_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ActionItem.objects.select_related("area__inspection"),
        area__inspection__la_id=request.user.la_id,
        pk=pk,
    )
    return _action_form(request, item.area, item)


def _action_form(
    request: HttpRequest, area: AreaForImprovement, item: ActionItem | None
) -> HttpResponse:
    form = ActionItemForm(request.POST or None, instance=item, area=area)
    if request.method == "POST" and form.is_valid():
        saved = save_and_audit(request, form, "Action added" if item is None else "Action saved")
        if saved is not None:
            return redirect(_detail_url(area.inspection, f"afi-{area.pk}"))
    return render(
        request,
        "inspections/council_action_form.html",
        {
            "form": form,
            "inspection": area.inspection,
            "area": area,
            "item": item,
        },
    )


urlpatterns = [
    path("inspections/council/", council_inspection_list, name="council_inspection_list"),
    path("inspections/council/new/", council_inspection_create, name="council_inspection_create"),
    path(
        "inspections/council/<int:pk>/", council_inspection_detail, name="council_inspection_detail"
    ),
    path(
        "inspections/council/<int:pk>/change/",
        council_inspection_edit,
        name="council_inspection_edit",
    ),
    path("inspections/council/<int:pk>/areas/new/", afi_create, name="afi_create"),
    path("inspections/council/areas/<int:pk>/change/", afi_edit, name="afi_edit"),
    path(
        "inspections/council/areas/<int:pk>/actions/new/",
        action_item_create,
        name="action_item_create",
    ),
    path("inspections/council/actions/<int:pk>/change/", action_item_edit, name="action_item_edit"),
]
