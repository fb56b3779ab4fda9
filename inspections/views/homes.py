"""A council's own children's homes: their Ofsted outcomes, details and inspections.

Every page is limited to the signed-in user's council: a home another council runs is
"not found" (404), never "forbidden", so ids can't be probed. Officers add and change
homes and inspections; councillors and clerks read. Nothing here shows a child.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from corporate_parenting import audit
from corporate_parenting.access import role_required
from corporate_parenting.govuk_forms import save_and_audit
from corporate_parenting.lib.dates import long_date
from corporate_parenting.models import AuditLog, Role, User
from inspections import closures, ratings
from inspections.forms_homes import (
    HomeForm,
    InspectionForm,
    default_framework,
    setting_frameworks,
    stamp,
)
from inspections.models import (
    Framework,
    InspectionType,
    Setting,
    SettingInspection,
    SettingStatus,
    SettingType,
)
from inspections.services import record_inspection

READERS = (Role.OFFICER, Role.COUNCILLOR, Role.CLERK)

# The list's judgement columns: the three every SCCIF inspection gives, by area code.
MAIN_AREAS = ("overall_experiences", "help_and_protection", "leaders_and_managers")


def _council_setting(user: User, pk: int) -> Setting:
    """A setting the user's council runs, or 404."""
    if user.la_id is None:
        raise Http404
    return get_object_or_404(Setting.objects.filter(run_by_council_id=user.la_id), pk=pk)


def _status_text(setting: Setting) -> str:
    """ "Temporarily closed since 1 February 2020", and since when it has been closed at
    all when it closed for good after a temporary closure."""
    if setting.status == SettingStatus.OPEN:
        return "Open"
    text = f"{setting.get_status_display()} since {long_date(setting.status_since)}"
    ongoing = next((c for c in closures.closures_of(setting) if c.end is None), None)
    if ongoing is not None and ongoing.start < setting.status_since:
        text += f" (not open since {long_date(ongoing.start)})"
    return text


def _home_row(home: Setting, today) -> dict[str, object]:
    latest = ratings.latest_full_inspection(home, today)
    judgements = {j.area.code: j for j in latest.judgements.all()} if latest else {}
    return {
        "home": home,
        "status": _status_text(home),
        "closed": ratings.is_closed_on(home, today),
        "latest": latest,
        "main": [judgements.get(code) for code in MAIN_AREAS],
        "extra": [j for code, j in judgements.items() if code not in MAIN_AREAS],
        "interim": ratings.later_interim(home, latest, today),
    }


@role_required(*READERS)
def homes_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    homes = list(ratings.with_inspections(ratings.council_homes(request.user.la_id)))
    return render(
        request,
        "inspections/homes_list.html",
        {
            "rows": [_home_row(h, today) for h in homes],
            "summary": ratings.summarise(homes, today),
            "today": today,
            "can_edit": request.user.role == Role.OFFICER,
        },
    )


@role_required(*READERS)
def home_detail(request: HttpRequest, pk: int) -> HttpResponse:
    home = _council_setting(request.user, pk)
    home = ratings.with_inspections(Setting.objects.filter(pk=home.pk)).get()
    today = timezone.localdate()
    return render(
        request,
        "inspections/homes_detail.html",
        {
            "home": home,
            "status": _status_text(home),
            # Closures that have ended, newest first: the current one is the status.
            "past_closures": [c for c in reversed(closures.closures_of(home)) if c.end is not None],
            "inspections": ratings.inspections_of(home),
            "due": ratings.next_inspection_due(home, today),
            "can_edit": request.user.role == Role.OFFICER,
        },
    )


@role_required(Role.OFFICER)
def home_create(request: HttpRequest) -> HttpResponse:
    form = HomeForm(
        request.POST or None,
        council=request.user.la,
        initial={"setting_type": SettingType.CHILDRENS_HOME, "status": SettingStatus.OPEN},
    )
    # A home already in Ofsted's list is saved only once the officer has been told so.
    if request.method == "POST" and form.is_valid() and (not form.listed or form.claim_confirmed):
        message = (
            f"Home added: recorded as run by {request.user.la.name}"
            if form.listed
            else "Home added"
        )
        home = save_and_audit(request, form, message)
        if home is not None:
            return redirect("home_detail", pk=home.pk)
    return render(request, "inspections/homes_form.html", {"form": form, "home": None})


@role_required(Role.OFFICER)
def home_edit(request: HttpRequest, pk: int) -> HttpResponse:
    home = _council_setting(request.user, pk)
    # The form gets its own copy: validating sets the posted values on its instance.
    form = HomeForm(
        request.POST or None, instance=_council_setting(request.user, pk), council=request.user.la
    )
    if request.method == "POST" and form.is_valid():
        saved = save_and_audit(request, form, "Home updated")
        if saved is not None:
            return redirect("home_detail", pk=saved.pk)
    return render(request, "inspections/homes_form.html", {"form": form, "home": home})


def _chosen_framework(request: HttpRequest, fallback: Framework | None) -> Framework:
    """The framework posted back, or asked for with ?framework=, or the fallback."""
    code = request.POST.get("framework") or request.GET.get("framework")
    chosen = setting_frameworks().filter(code=code).first() if code else None
    chosen = chosen or fallback
    if chosen is None:  # no setting frameworks loaded at all
        raise Http404
    return chosen


def _save_inspection(
    request: HttpRequest, form: InspectionForm, inspection: SettingInspection | None
) -> tuple[SettingInspection | None, InspectionForm]:
    """Save the inspection and its judgements together, or return a form with the problem.

    An edit checks, with the row locked, that nobody saved the inspection since the
    form was opened; if someone did, nothing is written.
    """
    data = form.cleaned_data
    try:
        with transaction.atomic():
            if inspection is not None:
                current = SettingInspection.objects.select_for_update().get(pk=inspection.pk)
                if stamp(current) != data.get("seen"):
                    return None, form.report_clash(current)
                # Move the row to its new date and type first, so record_inspection
                # (which finds an inspection by home, date and type) updates this one.
                SettingInspection.objects.filter(pk=current.pk).update(
                    date=data["date"],
                    inspection_type=data["inspection_type"],
                    interim_outcome=data.get("interim_outcome") or "",
                )
            saved, created = record_inspection(
                form.setting,
                date=data["date"],
                framework=form.framework,
                grades=form.grades_by_area(),
                inspection_type=data["inspection_type"],
                **form.inspection_fields(),
            )
            if inspection is None and not created:
                # Another officer added this home's inspection of that date and type
                # since the form's own check: keep theirs.
                raise IntegrityError("inspection added meanwhile")
            changed = {name: str(data.get(name))[:200] for name in form.changed_data}
            changed.pop("seen", None)
            changed["framework"] = form.framework.code
            audit.record(
                user=request.user,
                action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE,
                obj=saved,
                changed_fields=changed,
            )
    except IntegrityError:
        form.add_error(
            None,
            "This inspection could not be saved because it clashes with one saved at the "
            "same moment. Check the home's inspections and try again.",
        )
        return None, form
    return saved, form


def _inspection_form_page(
    request: HttpRequest, home: Setting, inspection: SettingInspection | None
) -> HttpResponse:
    fallback = inspection.framework if inspection else default_framework(home)
    framework = _chosen_framework(request, fallback)
    form = InspectionForm(
        request.POST or None, setting=home, framework=framework, inspection=inspection
    )
    if request.method == "POST" and form.is_valid():
        saved, form = _save_inspection(request, form, inspection)
        if saved is not None:
            messages.success(request, "Inspection saved")
            return redirect("home_detail", pk=home.pk)
    return render(
        request,
        "inspections/homes_inspection_form.html",
        {
            "home": home,
            "inspection": inspection,
            "form": form,
            "framework": form.framework,
            "frameworks": setting_frameworks(),
            "interim": InspectionType.INTERIM,
        },
    )


@role_required(Role.OFFICER)
def setting_inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    home = _council_setting(request.user, pk)
    return _inspection_form_page(request, home, None)


@role_required(Role.OFFICER)
def setting_inspection_edit(request: HttpRequest, pk: int, inspection_pk: int) -> HttpResponse:
    home = _council_setting(request.user, pk)
    inspection = get_object_or_404(
        SettingInspection.objects.select_related("framework").prefetch_related(
            "judgements__area", "judgements__grade"
        ),
        setting=home,
        pk=inspection_pk,
    )
    return _inspection_form_page(request, home, inspection)


@role_required(*READERS)
def inspections_due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    homes = ratings.with_inspections(ratings.council_homes(request.user.la_id))
    rows = [ratings.next_inspection_due(h, today) for h in homes]
    return render(
        request,
        "inspections/homes_due.html",
        {"rows": rows, "today": today, "due_soon_months": ratings.DUE_SOON_MONTHS},
    )


urlpatterns = [
    path("inspections/homes/", homes_list, name="homes_list"),
    path("inspections/homes/new/", home_create, name="home_create"),
    path("inspections/homes/<int:pk>/", home_detail, name="home_detail"),
    path("inspections/homes/<int:pk>/change/", home_edit, name="home_edit"),
    path(
        "inspections/homes/<int:pk>/inspections/new/",
        setting_inspection_create,
        name="setting_inspection_create",
    ),
    path(
        "inspections/homes/<int:pk>/inspections/<int:inspection_pk>/change/",
        setting_inspection_edit,
        name="setting_inspection_edit",
    ),
    path("inspections/due/", inspections_due, name="inspections_due"),
]
