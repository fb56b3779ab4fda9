"""Forms for meetings, agenda items, reports, resolutions and actions."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from committee.models import (
    AgendaItem,
    Committee,
    MeetingAction,
    PackKind,
    Report,
    ReportTemplate,
    Resolution,
)
from corporate_parenting.govuk_forms import DateField, VersionedForm
from corporate_parenting.lib.numbers import whole_number

MARKDOWN_HINT = (
    "Markdown: **bold**, *italic*, lists with - or 1., a blank line between paragraphs. "
    "HTML isn't allowed."
)
DEFAULT_COMMITTEE = "Corporate Parenting Committee"


def year_choices() -> list[tuple[int, str]]:
    this = timezone.localdate().year + 1
    return [(y, f"{y - 1}/{str(y)[-2:]}") for y in range(this, 2018, -1)]


QUARTERS = [(0, "The whole year"), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]


class MeetingForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.none(),
        required=False,
        empty_label="Choose a committee",
        label="Committee",
    )
    new_committee = forms.CharField(
        label="Or a new committee's name",
        required=False,
        max_length=200,
        help_text="For example, Corporate Parenting Committee",
    )
    date = DateField(label="Date of the meeting", name_in_message="the date of the meeting")
    venue = forms.CharField(label="Venue (optional)", required=False, max_length=200)

    def __init__(self, *args: object, la: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.la = la
        committees = Committee.objects.filter(la=la)
        self.fields["committee"].queryset = committees
        if not committees.exists():
            self.fields["new_committee"].initial = DEFAULT_COMMITTEE
        elif committees.count() == 1:
            self.fields["committee"].initial = committees.first().pk

    def clean(self) -> dict[str, object]:
        data = super().clean()
        name = (data.get("new_committee") or "").strip()
        data["new_committee"] = name
        if not data.get("committee") and not name and "committee" not in self.errors:
            self.add_error("committee", "Choose a committee or enter a new committee's name")
        if data.get("committee") and name:
            self.add_error("new_committee", "Choose a committee or enter a new name, not both")
        return data


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["number", "title", "report", "exempt", "exempt_reason"]
        labels = {
            "number": "Item number",
            "report": "Report (optional)",
            "exempt": "Exempt (Part II): not for publication",
            "exempt_reason": "Reason it is exempt",
        }
        error_messages = {
            "number": {"required": "Enter the item number"},
            "title": {"required": "Enter the item's title"},
        }

    def __init__(self, *args: object, meeting: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["report"].queryset = Report.objects.filter(la_id=meeting.committee.la_id)
        self.fields["report"].empty_label = "No report"
        self.fields["number"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        if not self.instance.pk and not self.is_bound:
            last = meeting.items.order_by("-number").first()
            self.initial["number"] = (last.number + 1) if last else 1

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("exempt") and not (data.get("exempt_reason") or "").strip():
            self.add_error(
                "exempt_reason",
                "Enter the paragraph of Schedule 12A that makes the item exempt",
            )
        if not data.get("exempt"):
            data["exempt_reason"] = ""
        number = data.get("number")
        if number is not None:
            taken = self.meeting.items.filter(number=number).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("number", f"Item {number} is already on the agenda")
        return data

    def save(self, commit: bool = True) -> AgendaItem:
        self.instance.meeting = self.meeting
        return super().save(commit)


class ReportCreateForm(forms.ModelForm):
    year = forms.TypedChoiceField(label="Year", coerce=int, choices=year_choices)
    quarter = forms.TypedChoiceField(label="Quarter", coerce=int, choices=QUARTERS)

    class Meta:
        model = Report
        fields = ["report_type", "title", "report_of", "year", "quarter", "template"]
        labels = {"report_type": "Type of report", "template": "Report template"}
        error_messages = {
            "title": {"required": "Enter the report's title"},
            "report_of": {"required": "Enter whose report it is, e.g. Strategic Director of…"},
        }

    def __init__(self, *args: object, la: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.la = la
        templates = ReportTemplate.objects.filter(la=la)
        self.fields["template"].queryset = templates
        self.fields["template"].empty_label = None
        self.fields["template"].required = False  # defaults to the council's template
        self.fields["template"].help_text = "Your council's report layout"
        if templates.exists():
            self.initial.setdefault("template", templates.first().pk)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
        self.fields["report_type"].choices = self.fields["report_type"].choices[1:]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("template") is None:
            data["template"] = self.fields["template"].queryset.first()
            if data["template"] is None:
                raise forms.ValidationError(
                    "Your council has no report template yet, so a report can't be started. "
                    "Ask the product team to add your council's report layout."
                )
        return data

    def save(self, commit: bool = True) -> Report:
        self.instance.la = self.la
        self.instance.template = self.cleaned_data["template"]
        return super().save(commit)


TEXT_FIELDS = [
    "summary",
    "recommendations",
    "reasons",
    "supporting_information",
    "other_options",
    "contact",
    "background_papers",
    "appendices",
]


class ReportEditForm(VersionedForm):
    what = "report"

    class Meta:
        model = Report
        fields = ["title", "report_of", *TEXT_FIELDS]
        error_messages = {"title": {"required": "Enter the report's title"}}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in TEXT_FIELDS:
            field = self.fields[name]
            field.widget = forms.Textarea()
            extra = f"{field.help_text} " if field.help_text else ""
            if name == "recommendations":
                extra = "One recommendation a line, e.g. “To note the report.” "
            field.help_text = f"{extra}{MARKDOWN_HINT}"


class WorkflowForm(forms.Form):
    ACTIONS = ("approve", "publish", "reopen")

    action = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why does the report need to be reopened?",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="This is recorded in the audit trail. Published versions stay on record.",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("action") not in self.ACTIONS:
            raise forms.ValidationError("Choose to approve, publish or reopen the report")
        data["version"] = whole_number(data.get("version")) or 0
        data["reason"] = (data.get("reason") or "").strip()
        if data["action"] == "reopen" and not data["reason"] and "reason" not in self.errors:
            self.add_error("reason", "Give the reason for reopening the report")
        return data


class ResolutionForm(forms.ModelForm):
    class Meta:
        model = Resolution
        fields = ["item", "text"]
        labels = {"item": "Agenda item", "text": "What the committee resolved"}
        error_messages = {"text": {"required": "Enter what the committee resolved"}}

    def __init__(self, *args: object, meeting: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.items.all()
        self.fields["item"].empty_label = "Choose an item"
        self.fields["item"].error_messages["required"] = "Choose the agenda item"


class MeetingActionForm(VersionedForm):
    what = "action"
    due_date = DateField(label="Due date", name_in_message="the due date")
    done_on = DateField(
        label="Done on (optional)", required=False, name_in_message="the date it was done"
    )

    class Meta:
        model = MeetingAction
        fields = ["item", "text", "owner", "due_date", "done_on"]
        labels = {"item": "Agenda item", "text": "Action", "owner": "Owner"}
        help_texts = {"owner": "Who will do it, e.g. Senior Practitioner, Children in Care"}
        error_messages = {
            "text": {"required": "Enter the action"},
            "owner": {"required": "Enter who owns the action"},
        }

    def __init__(self, *args: object, meeting: object, **kwargs: object) -> None:
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.items.all()
        self.fields["item"].empty_label = "Choose an item"
        self.fields["item"].error_messages["required"] = "Choose the agenda item"
        self.fields["text"].widget = forms.Textarea()

    def _extra_kwargs(self) -> dict[str, object]:
        return {"meeting": self.meeting}

    def clean(self) -> dict[str, object]:
        data = super().clean()
        done = data.get("done_on")
        if done and done > timezone.localdate():
            self.add_error("done_on", "The date it was done must be today or in the past")
        return data


class PackForm(forms.Form):
    kind = forms.ChoiceField(
        choices=PackKind.choices,
        label="Which pack",
        widget=forms.RadioSelect,
        initial=PackKind.PUBLIC,
        error_messages={"required": "Choose the public or the confidential pack"},
    )


APPENDIX_MAX_MB = 20


class AppendixForm(forms.Form):
    """An external PDF (an Ofsted letter, say) to append to an item's report in the pack."""

    title = forms.CharField(
        label="Title of the appendix",
        max_length=300,
        help_text="As the agenda will list it, for example “Appendix 2: Ofsted letter”.",
        error_messages={"required": "Enter the title of the appendix"},
    )
    file = forms.FileField(
        label="The PDF",
        error_messages={"required": "Choose the PDF to append", "empty": "The file is empty"},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        name = upload.name
        if upload.size > APPENDIX_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"{name} is {upload.size / 1024 / 1024:.1f} MB: an appendix can be at most "
                f"{APPENDIX_MAX_MB} MB"
            )
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(f"{name} is not a PDF: choose a PDF file")
        import io

        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(data))
            pages = len(reader.pages)
        except (PdfReadError, ValueError, KeyError, OSError):
            raise forms.ValidationError(
                f"{name} looks like a PDF but can't be read: save it again as a PDF and retry"
            ) from None
        if reader.is_encrypted:
            raise forms.ValidationError(
                f"{name} is password-protected: save a copy without a password"
            )
        if pages == 0:
            raise forms.ValidationError(f"{name} has no pages")
        return data
