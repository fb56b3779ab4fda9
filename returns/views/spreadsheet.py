"""A quarterly return as a spreadsheet: download the template, upload it filled in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from corporate_parenting import audit
from corporate_parenting.access import get_for_council_or_404, role_required
from corporate_parenting.models import AuditLog, Role
from returns import spreadsheet
from returns.models import QuarterlyReturn
from returns.workflow import ReturnError, check_editable

SUMMARY_LIMIT = 25


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label="Filled-in template",
        help_text="The .xlsx file you downloaded for this return, with the figures typed in. "
        "Up to 5 MB.",
        error_messages={
            "required": "Choose the filled-in template to upload",
            "empty": "The file you chose is empty: choose the filled-in template",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheet.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB, over the 5 MB limit. "
                "A filled-in template is much smaller: check it is the right file."
            )
        return upload


def _return_for(request: HttpRequest, pk: int) -> QuarterlyReturn:
    return get_for_council_or_404(
        QuarterlyReturn.objects.select_related("la", "signed_off_by"), request.user, pk=pk
    )


@role_required(Role.OFFICER)
@require_GET
@never_cache
def return_template(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return_for(request, pk)
    data = spreadsheet.build_template(ret, request.user)
    name = spreadsheet.template_file_name(ret)
    audit.record(
        user=request.user,
        action=AuditLog.Action.EXPORT,
        obj=ret,
        detail=f"spreadsheet template {spreadsheet.TEMPLATE_VERSION}: {name}",
    )
    response = HttpResponse(data, content_type=spreadsheet.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _success_message(file_name: str, result: spreadsheet.UploadResult) -> str:
    if result.changes or result.sections_changed:
        noun = "figure" if result.changes == 1 else "figures"
        text = f"{file_name} uploaded: {result.changes} {noun} changed."
        if result.sections_changed:
            text += " Sections saved: " + ", ".join(result.sections_changed) + "."
    else:
        text = f"{file_name} uploaded: it matched what was saved, so nothing changed."
    return text


@role_required(Role.OFFICER)
def return_upload(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return_for(request, pk)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    problems: list[spreadsheet.Problem] = []
    file_name = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = upload.name
        result, problems = spreadsheet.upload(ret, upload.read(), upload.name, request.user)
        if result is not None:
            messages.success(request, _success_message(upload.name, result))
            return redirect(reverse("return_detail", args=[ret.pk]))
    try:
        check_editable(ret)
        locked = ""
    except ReturnError as e:
        locked = str(e)
    context = {
        "ret": ret,
        "form": form,
        "problems": problems,
        "summary": problems[:SUMMARY_LIMIT],
        "more": max(0, len(problems) - SUMMARY_LIMIT),
        "file_name": file_name,
        "locked": locked,
        "error_title": bool(problems),
        "back_url": reverse("return_detail", args=[ret.pk]),
        "template_url": reverse("return_template", args=[ret.pk]),
        "template_version": spreadsheet.TEMPLATE_VERSION,
    }
    return render(request, "returns/sheet_upload.html", context)


urlpatterns = [
    path("returns/<int:pk>/template.xlsx", return_template, name="return_template"),
    path("returns/<int:pk>/spreadsheet/upload/", return_upload, name="return_upload"),
]
