"""Forms for Regulation 44 visits and recommendations, Regulation 45 reviews and
elected members' visits. Each check gives a plain-English message naming the home and
dates, so an officer knows exactly what to change."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from corporate_parenting.govuk_forms import (
    DateField,
    VersionedForm,
    YesNoField,
    check_completion,
    completed_on_field,
    status_field,
)
from corporate_parenting.lib.dates import long_date
from corporate_parenting.lib.numbers import whole_number
from inspections import closures, reg44
from inspections.models import (
    ActionStatus,
    MemberVisit,
    Reg44Recommendation,
    Reg44Visit,
    Reg45Review,
    Setting,
)

NO_NAMES = "Do not include children's names or other details that identify them."


def home_name(setting: Setting) -> str:
    return setting.name or f"The home with URN {setting.urn}"


class HomeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Setting) -> str:
        return str(obj)


class _CouncilForm(VersionedForm):
    """A form whose home is chosen from the council's own homes."""

    def __init__(self, *args: object, la_id: int, **kwargs: object) -> None:
        self.la_id = la_id
        super().__init__(*args, **kwargs)
        if "setting" in self.fields:
            self.fields["setting"] = HomeChoiceField(
                queryset=reg44.council_homes(la_id).order_by("name", "urn"),
                label="Home",
                empty_label="Choose a home",
                error_messages={
                    "required": "Select a home",
                    "invalid_choice": "Select one of your council's homes",
                },
            )
        for name in self.fields:
            if name != "seen_version" and name in self.initial_widths:
                self.fields[name].govuk_width = self.initial_widths[name]

    initial_widths: dict[str, int] = {}
    # The record a duplicate clashes with, for the page to link to.
    existing = None

    def _extra_kwargs(self) -> dict[str, object]:
        return {"la_id": self.la_id}

    def _not_future(self, name: str, what: str) -> None:
        day = self.cleaned_data.get(name)
        if day and day > timezone.localdate():
            self.add_error(name, f"{what} must be today or in the past")

    def _closed_check(self, name: str, what: str) -> None:
        """A visit can't happen while the home is closed or before it was registered."""
        setting, day = self.cleaned_data.get("setting"), self.cleaned_data.get(name)
        if not (setting and day) or name in self.errors:
            return
        closure = closures.closure_on(setting, day)
        if closure:
            self.add_error(
                name,
                f"{home_name(setting)} {closures.describe(closure)}, "
                f"so it can't have had {what} on {long_date(day)}",
            )
        elif setting.registration_date and day < setting.registration_date:
            self.add_error(
                name,
                f"{home_name(setting)} was registered on {long_date(setting.registration_date)}, "
                f"so it can't have had {what} on {long_date(day)}",
            )

    def _completion_check(self, after: dt.date | None, after_name: str) -> None:
        check_completion(self, after=after, after_name=after_name)


class Reg44VisitForm(_CouncilForm):
    what = "visit"
    initial_widths = {"visitor": 20, "children_spoken_to": 2}

    visit_date = DateField(label="Date of visit", name_in_message="the date of the visit")
    announced = YesNoField(
        label="Was the visit announced?",
        error_messages={"required": "Select yes if the visit was announced"},
    )
    visitor = forms.CharField(
        label="Independent person's name",
        max_length=200,
        error_messages={
            "required": "Enter the independent person's name",
            "max_length": "Independent person's name must be 200 characters or fewer",
        },
    )
    children_spoken_to = forms.CharField(
        label="Number of children spoken to",
        error_messages={"required": "Enter the number of children spoken to"},
    )
    report_received = DateField(
        label="Date the report was received",
        name_in_message="the date the report was received",
        required=False,
        help_text="Leave blank if the report has not arrived yet.",
    )
    children_safeguarded = YesNoField(
        label="Are children effectively safeguarded?",
        required=False,
        help_text="The independent person's opinion, from the report.",
    )
    wellbeing_promoted = YesNoField(
        label="Does the home promote children's well-being?",
        required=False,
        help_text="The independent person's opinion, from the report.",
    )
    summary = forms.CharField(
        label="Summary of the report", required=False, widget=forms.Textarea, help_text=NO_NAMES
    )

    class Meta:
        model = Reg44Visit
        fields = [
            "setting",
            "visit_date",
            "month",
            "announced",
            "visitor",
            "children_spoken_to",
            "report_received",
            "children_safeguarded",
            "wellbeing_promoted",
            "summary",
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Derived from the visit date in clean(), never entered.
        del self.fields["month"]

    def clean_children_spoken_to(self) -> int:
        number = whole_number(self.cleaned_data["children_spoken_to"])
        if number is None or number > 99:
            raise forms.ValidationError(
                "Number of children spoken to must be a whole number from 0 to 99"
            )
        return number

    def clean(self) -> dict[str, object]:
        data = super().clean()
        setting, visit_date = data.get("setting"), data.get("visit_date")
        report = data.get("report_received")
        self._not_future("visit_date", "Date of visit")
        self._not_future("report_received", "Date the report was received")
        self._closed_check("visit_date", "a visit")
        if visit_date and report and "report_received" not in self.errors and report < visit_date:
            self.add_error(
                "report_received",
                "Date the report was received must be the same as or after the date of the "
                f"visit ({long_date(visit_date)})",
            )
        opinions = {
            "children_safeguarded": "children are effectively safeguarded",
            "wellbeing_promoted": "the home promotes children's well-being",
        }
        if "report_received" not in self.errors:
            for name, opinion in opinions.items():
                if name in self.errors:
                    continue
                if report and data.get(name) is None:
                    self.add_error(name, f"Select yes if the report says {opinion}")
                elif not report and data.get(name) is not None:
                    self.add_error(
                        name,
                        "Enter the date the report was received, or remove this answer "
                        "until the report arrives",
                    )
        if visit_date:
            data["month"] = visit_date.replace(day=1)
        if setting and visit_date and "visit_date" not in self.errors:
            existing = (
                Reg44Visit.objects.filter(setting=setting, month=data["month"])
                .exclude(pk=self.instance.pk)
                .first()
            )
            if existing:
                self.existing = existing
                self.add_error(
                    "visit_date",
                    f"{home_name(setting)} already has a Regulation 44 visit for "
                    f"{visit_date:%B %Y} (on {long_date(existing.visit_date)}). "
                    "Change that visit instead.",
                )
        return data


class RecommendationForm(_CouncilForm):
    what = "recommendation"
    initial_widths = {"owner": 20}

    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea,
        help_text=NO_NAMES,
        error_messages={"required": "Enter the recommendation"},
    )
    owner = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="The person or team responsible, for example the registered manager.",
        error_messages={
            "required": "Enter who owns the recommendation",
            "max_length": "Owner must be 200 characters or fewer",
        },
    )
    due_date = DateField(label="Due date", name_in_message="the due date")
    status = status_field(ActionStatus.choices)
    completed_on = completed_on_field()

    class Meta:
        model = Reg44Recommendation
        fields = ["text", "owner", "due_date", "status", "completed_on"]

    def __init__(self, *args: object, visit: Reg44Visit, **kwargs: object) -> None:
        self.visit = visit
        super().__init__(*args, **kwargs)

    def _extra_kwargs(self) -> dict[str, object]:
        return {**super()._extra_kwargs(), "visit": self.visit}

    def clean(self) -> dict[str, object]:
        data = super().clean()
        due = data.get("due_date")
        if due and due < self.visit.visit_date:
            self.add_error(
                "due_date",
                "Due date must be the same as or after the date of the visit "
                f"({long_date(self.visit.visit_date)})",
            )
        self._completion_check(self.visit.visit_date, "date of the visit")
        return data


class Reg45ReviewForm(_CouncilForm):
    what = "review"

    period_start = DateField(label="Start of the period reviewed", name_in_message="the start date")
    period_end = DateField(label="End of the period reviewed", name_in_message="the end date")
    due_date = DateField(label="Due date", name_in_message="the due date")
    status = status_field(ActionStatus.choices)
    completed_on = completed_on_field()
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea, help_text=NO_NAMES
    )

    class Meta:
        model = Reg45Review
        fields = [
            "setting",
            "period_start",
            "period_end",
            "due_date",
            "status",
            "completed_on",
            "summary",
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        setting, start, end = data.get("setting"), data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error(
                "period_end",
                f"End of the period must be after the start ({long_date(start)})",
            )
        if setting and start and "period_start" not in self.errors:
            existing = (
                Reg45Review.objects.filter(setting=setting, period_start=start)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if existing:
                self.existing = existing
                self.add_error(
                    "period_start",
                    f"{home_name(setting)} already has a Regulation 45 review for the period "
                    f"starting {long_date(start)}. Change that review instead.",
                )
        due = data.get("due_date")
        if due and end and due < end and "period_end" not in self.errors:
            self.add_error(
                "due_date",
                f"Due date must be the same as or after the end of the period ({long_date(end)})",
            )
        # A review looks back over its period, so it is finished after the period ends.
        self._completion_check(end, "end of the period")
        return data


class MemberVisitForm(_CouncilForm):
    what = "visit"

    date = DateField(label="Date of visit", name_in_message="the date of the visit")
    councillors = forms.CharField(
        label="Councillors who visited",
        max_length=300,
        help_text="For example, Cllr A Smith and Cllr B Jones.",
        error_messages={
            "required": "Enter the councillors who visited",
            "max_length": "Councillors must be 300 characters or fewer",
        },
    )
    findings = forms.CharField(
        label="What they found",
        widget=forms.Textarea,
        help_text=NO_NAMES,
        error_messages={"required": "Enter what the councillors found"},
    )
    actions = forms.CharField(
        label="Actions that followed", required=False, widget=forms.Textarea, help_text=NO_NAMES
    )

    class Meta:
        model = MemberVisit
        fields = ["setting", "date", "councillors", "findings", "actions"]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        self._not_future("date", "Date of visit")
        self._closed_check("date", "a visit")
        return data
