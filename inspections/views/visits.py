"""Regulation 44 visits (the compliance grid, each visit and its recommendations),
Regulation 45 reviews and elected members' visits to the council's homes.

Everyone on the council's side (officers, councillors, clerks) can read these pages;
only officers can record or change anything. Another council's records are reported
as missing (404).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from corporate_parenting.access import role_required
from corporate_parenting.govuk_forms import save_and_audit
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import Role
from inspections import action_plans, reg44
from inspections.forms_visits import (
    MemberVisitForm,
    RecommendationForm,
    Reg44VisitForm,
    Reg45ReviewForm,
    home_name,
    long_date,
)
from inspections.models import (
    MemberVisit,
    Reg44Recommendation,
    Reg44Visit,
    Reg45Review,
)
from placements.models import collection_year_bounds, collection_year_label, collection_year_of

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK)


def _mine[M](queryset: QuerySet[M], request: HttpRequest, via: str, **lookup: object) -> M:
    """The record, if it hangs off one of the user's council's homes; else 404."""
    try:
        return queryset.get(
            **{f"{via}run_by_council_id": request.user.la_id},
            **{f"{via}setting_type__in": reg44.HOME_TYPES},
            **lookup,
        )
    except queryset.model.DoesNotExist:
        raise Http404 from None


def _form_page(request: HttpRequest, form: object, **context: object) -> HttpResponse:
    return render(request, "inspections/visits_form.html", {"form": form, **context})


# --- Regulation 44: the grid --------------------------------------------------------------


def _grid_year(request: HttpRequest, today: dt.date) -> int:
    current = collection_year_of(today)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    if 2000 <= year <= current + 1:
        return year
    latest = reg44.council_homes(request.user.la_id).aggregate(m=Max("reg44_visits__month"))["m"]
    return collection_year_of(latest) if latest else current


@role_required(*READERS)
def reg44_grid(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _grid_year(request, today)
    start, end = collection_year_bounds(year)
    grid = reg44.grid(request.user.la_id, start, end, today)
    current = collection_year_of(today)
    return render(
        request,
        "inspections/visits_reg44_grid.html",
        {
            "grid": grid,
            "year": year,
            "year_label": collection_year_label(year),
            "previous": (year - 1, collection_year_label(year - 1)) if year > 2000 else None,
            "next": (year + 1, collection_year_label(year + 1)) if year < current else None,
            "can_edit": request.user.role == Role.OFFICER,
            "labels": reg44.LABELS,
        },
    )


# --- Regulation 44: one visit -------------------------------------------------------------


def _visit(request: HttpRequest, pk: int) -> Reg44Visit:
    return _mine(Reg44Visit.objects.select_related("setting"), request, "setting__", pk=pk)


@role_required(*READERS)
def reg44_visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    today = timezone.localdate()
    recommendations = list(visit.recommendations.all())
    for rec in recommendations:
        rec.overdue = action_plans.is_overdue(rec, today)
    days = reg44.report_days()
    status = reg44.report_status(visit, days, today)
    return render(
        request,
        "inspections/visits_reg44_detail.html",
        {
            "visit": visit,
            "home": home_name(visit.setting),
            "report_label": reg44.LABELS[status],
            "report_tag": reg44.TAG_CLASSES[status],
            "report_deadline": visit.visit_date + dt.timedelta(days=days),
            "report_days": days,
            "recommendations": recommendations,
            "year": collection_year_of(visit.month),
            "can_edit": request.user.role == Role.OFFICER,
        },
    )


def _initial_from_query(request: HttpRequest) -> dict[str, object]:
    """?setting=<pk>&month=2022-01 fills in the home and the visit's month and year."""
    initial: dict[str, object] = {}
    setting = whole_number(request.GET.get("setting"))
    if setting is not None:
        initial["setting"] = setting
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return initial
    initial["visit_date"] = ["", str(month.month), str(month.year)]
    return initial


def _visit_form_page(request: HttpRequest, form: Reg44VisitForm, title: str) -> HttpResponse:
    existing = form.existing
    return _form_page(
        request,
        form,
        title=title,
        back=reverse("reg44_grid"),
        back_label="Back to Regulation 44 visits",
        existing_url=reverse("reg44_visit_edit", args=[existing.pk]) if existing else None,
        existing_label=f"Change the visit on {long_date(existing.visit_date)}" if existing else "",
        submit="Save visit",
    )


@role_required(Role.OFFICER)
def reg44_visit_create(request: HttpRequest) -> HttpResponse:
    form = Reg44VisitForm(
        request.POST or None, la_id=request.user.la_id, initial=_initial_from_query(request)
    )
    if request.method == "POST" and form.is_valid():
        visit = save_and_audit(request, form, "Visit recorded")
        if visit:
            return redirect("reg44_visit_detail", pk=visit.pk)
    return _visit_form_page(request, form, "Record a Regulation 44 visit")


@role_required(Role.OFFICER)
def reg44_visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = Reg44VisitForm(request.POST or None, instance=visit, la_id=request.user.la_id)
    if request.method == "POST" and form.is_valid():
        saved = save_and_audit(request, form, "Visit saved")
        if saved:
            return redirect("reg44_visit_detail", pk=saved.pk)
    return _visit_form_page(request, form, f"Change the visit to {home_name(visit.setting)}")


# --- Regulation 44: recommendations -------------------------------------------------------


def _recommendation_page(
    request: HttpRequest, form: RecommendationForm, visit: Reg44Visit, title: str
) -> HttpResponse:
    return _form_page(
        request,
        form,
        title=title,
        caption=f"{home_name(visit.setting)}, visit on {long_date(visit.visit_date)}",
        back=reverse("reg44_visit_detail", args=[visit.pk]),
        back_label="Back to the visit",
        submit="Save recommendation",
    )


@role_required(Role.OFFICER)
def reg44_recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = RecommendationForm(
        request.POST or None,
        la_id=request.user.la_id,
        visit=visit,
        instance=Reg44Recommendation(visit=visit),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Recommendation added")
    ):
        return redirect("reg44_visit_detail", pk=visit.pk)
    return _recommendation_page(request, form, visit, "Add a recommendation")


@role_required(Role.OFFICER)
def reg44_recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rec = _mine(
        Reg44Recommendation.objects.select_related("visit__setting"),
        request,
        "visit__setting__",
        pk=pk,
    )
    form = RecommendationForm(
        request.POST or None, la_id=request.user.la_id, visit=rec.visit, instance=rec
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Recommendation saved")
    ):
        return redirect("reg44_visit_detail", pk=rec.visit_id)
    return _recommendation_page(request, form, rec.visit, "Change a recommendation")


# --- Regulation 45 reviews ----------------------------------------------------------------


@role_required(*READERS)
def reg45_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    reviews = list(
        Reg45Review.objects.filter(
            setting__run_by_council_id=request.user.la_id,
            setting__setting_type__in=reg44.HOME_TYPES,
        )
        .select_related("setting")
        .order_by("setting__name", "setting__urn", "-period_start")
    )
    for review in reviews:
        review.overdue = action_plans.is_overdue(review, today)
    return render(
        request,
        "inspections/visits_reg45_list.html",
        {"reviews": reviews, "can_edit": request.user.role == Role.OFFICER},
    )


def _reg45_page(request: HttpRequest, form: Reg45ReviewForm, title: str) -> HttpResponse:
    existing = form.existing
    return _form_page(
        request,
        form,
        title=title,
        back=reverse("reg45_list"),
        back_label="Back to Regulation 45 reviews",
        existing_url=reverse("reg45_edit", args=[existing.pk]) if existing else None,
        existing_label=f"Change the review for the period starting "
        f"{long_date(existing.period_start)}"
        if existing
        else "",
        submit="Save review",
    )


@role_required(Role.OFFICER)
def reg45_create(request: HttpRequest) -> HttpResponse:
    form = Reg45ReviewForm(request.POST or None, la_id=request.user.la_id)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Review recorded")
    ):
        return redirect("reg45_list")
    return _reg45_page(request, form, "Record a Regulation 45 review")


@role_required(Role.OFFICER)
def reg45_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _mine(Reg45Review.objects.select_related("setting"), request, "setting__", pk=pk)
    form = Reg45ReviewForm(request.POST or None, instance=review, la_id=request.user.la_id)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Review saved")
    ):
        return redirect("reg45_list")
    return _reg45_page(request, form, f"Change the review of {home_name(review.setting)}")


# --- elected members' visits --------------------------------------------------------------


@role_required(*READERS)
def member_visit_list(request: HttpRequest) -> HttpResponse:
    visits = (
        MemberVisit.objects.filter(
            setting__run_by_council_id=request.user.la_id,
            setting__setting_type__in=reg44.HOME_TYPES,
        )
        .select_related("setting")
        .order_by("-date", "setting__name")
    )
    return render(
        request,
        "inspections/visits_member_list.html",
        {"visits": visits, "can_edit": request.user.role == Role.OFFICER},
    )


def _member_page(request: HttpRequest, form: MemberVisitForm, title: str) -> HttpResponse:
    return _form_page(
        request,
        form,
        title=title,
        back=reverse("member_visit_list"),
        back_label="Back to elected members' visits",
        submit="Save visit",
    )


@role_required(Role.OFFICER)
def member_visit_create(request: HttpRequest) -> HttpResponse:
    form = MemberVisitForm(request.POST or None, la_id=request.user.la_id)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Visit recorded")
    ):
        return redirect("member_visit_list")
    return _member_page(request, form, "Record an elected members' visit")


@role_required(Role.OFFICER)
def member_visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _mine(MemberVisit.objects.select_related("setting"), request, "setting__", pk=pk)
    form = MemberVisitForm(request.POST or None, instance=visit, la_id=request.user.la_id)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_and_audit(request, form, "Visit saved")
    ):
        return redirect("member_visit_list")
    return _member_page(request, form, f"Change the visit to {home_name(visit.setting)}")


urlpatterns = [
    path("inspections/reg44/", reg44_grid, name="reg44_grid"),
    path("inspections/reg44/visits/new/", reg44_visit_create, name="reg44_visit_create"),
    path("inspections/reg44/visits/<int:pk>/", reg44_visit_detail, name="reg44_visit_detail"),
    path("inspections/reg44/visits/<int:pk>/change/", reg44_visit_edit, name="reg44_visit_edit"),
    path(
        "inspections/reg44/visits/<int:pk>/recommendations/new/",
        reg44_recommendation_create,
        name="reg44_recommendation_create",
    ),
    path(
        "inspections/reg44/recommendations/<int:pk>/change/",
        reg44_recommendation_edit,
        name="reg44_recommendation_edit",
    ),
    path("inspections/reg45/", reg45_list, name="reg45_list"),
    path("inspections/reg45/new/", reg45_create, name="reg45_create"),
    path("inspections/reg45/<int:pk>/change/", reg45_edit, name="reg45_edit"),
    path("inspections/member-visits/", member_visit_list, name="member_visit_list"),
    path("inspections/member-visits/new/", member_visit_create, name="member_visit_create"),
    path(
        "inspections/member-visits/<int:pk>/change/",
        member_visit_edit,
        name="member_visit_edit",
    ),
]
