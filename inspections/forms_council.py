"""Forms for inspections of the council itself, its areas for improvement and actions.

The inspection form grows one select per judgement area of the chosen framework. The
framework is read from the submitted data (or, unsubmitted, from the record or the
`?framework=` choice), so the areas shown always belong to the framework being saved.
The inspection and its judgements are written together, in the transaction that
`VersionedForm.save_checked` opens, or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from corporate_parenting.govuk_forms import (
    DateField,
    VersionedForm,
    check_completion,
    completed_on_field,
    status_field,
)
from corporate_parenting.lib.dates import long_date
from corporate_parenting.models import LocalAuthority
from inspections.models import (
    RAG,
    ActionItem,
    ActionStatus,
    AreaForImprovement,
    CouncilInspection,
    CouncilInspectionType,
    CouncilJudgement,
    Framework,
    Grade,
    JudgementArea,
)

NO_FRAMEWORK_LABEL = "No graded judgements (focused visit, JTAI, monitoring visit)"

# Types judged under a framework, with the family of frameworks (by code) each uses.
GRADED_TYPES = {
    CouncilInspectionType.ILACS_STANDARD: "ilacs",
    CouncilInspectionType.ILACS_SHORT: "ilacs",
    CouncilInspectionType.SLAC: "slac",
}
UNGRADED_TYPES = {
    CouncilInspectionType.FOCUSED_VISIT,
    CouncilInspectionType.MONITORING_VISIT,
    CouncilInspectionType.JTAI,
}


def quoted(text: str) -> str:
    """In curly single quotes, as GOV.UK writes the names of things in messages."""
    return f"\u2018{text}\u2019"


def _article(text: str) -> str:
    return f"an {text}" if text[:1].lower() in "aeiou" else f"a {text}"


def _type_phrase(inspection_type: str) -> str:
    """'an ILACS standard inspection', 'a focused visit', 'a JTAI'."""
    label = CouncilInspectionType(inspection_type).label
    if inspection_type == CouncilInspectionType.JTAI:
        label = "JTAI"
    elif not label.startswith("ILACS"):
        label = label[0].lower() + label[1:]
    return _article(label)


def _valid_on(framework: Framework, day: dt.date) -> bool:
    return (framework.valid_from is None or framework.valid_from <= day) and (
        framework.valid_until is None or day <= framework.valid_until
    )


def _or_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def council_frameworks():
    return Framework.objects.filter(subject=Framework.Subject.COUNCIL).order_by(
        "valid_from", "code"
    )


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Framework) -> str:
        return obj.name


class CouncilInspectionForm(VersionedForm):
    what = "inspection"

    inspection_type = forms.ChoiceField(
        label="Type of inspection",
        choices=CouncilInspectionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of inspection"},
    )
    framework = FrameworkChoiceField(
        label="Judgement framework",
        queryset=council_frameworks(),
        required=False,
        empty_label=NO_FRAMEWORK_LABEL,
        help_text="The framework the judgements were made under. Choose it, then "
        f"select {quoted('Show the judgements for this framework')} to enter the grades.",
        error_messages={"invalid_choice": "Select a framework from the list"},
    )
    start_date = DateField(label="Start date", name_in_message="the start date")
    end_date = DateField(label="End date", name_in_message="the end date")
    published_on = DateField(
        label="Date the report was published",
        name_in_message="the date the report was published",
        required=False,
    )
    report_url = forms.URLField(
        label="Link to the report",
        required=False,
        assume_scheme="https",
        help_text="The address of the report on Ofsted's website.",
        error_messages={
            "invalid": "Enter the link to the report in the right format, "
            "like https://reports.ofsted.gov.uk/…"
        },
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea,
        help_text="The main findings, as the report gives them.",
    )
    action_plan_due = DateField(
        label="Action plan due at Ofsted",
        name_in_message="the date the action plan is due at Ofsted",
        required=False,
        help_text="The date by which the action plan must be sent to Ofsted.",
    )
    action_plan_sent = DateField(
        label="Action plan sent to Ofsted",
        name_in_message="the date the action plan was sent to Ofsted",
        required=False,
    )

    class Meta:
        model = CouncilInspection
        fields = [
            "inspection_type",
            "framework",
            "start_date",
            "end_date",
            "published_on",
            "report_url",
            "summary",
            "action_plan_due",
            "action_plan_sent",
        ]

    def __init__(self, *args: Any, la: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.la = la
        if self.instance.pk is None:
            self.instance.la = la
        self.chosen_framework = self._framework_to_show()
        self.areas: list[JudgementArea] = []
        self.grades: dict[str, Grade] = {}
        if self.chosen_framework is not None:
            self._add_judgement_fields(self.chosen_framework)

    # --- the judgement fields ------------------------------------------------------------

    def _framework_to_show(self) -> Framework | None:
        if self.is_bound:
            value = self.data.get(self.add_prefix("framework"))
        else:
            value = self.initial.get("framework")
        if isinstance(value, Framework):
            return value
        try:
            return council_frameworks().select_related("scale").get(pk=int(value))
        except (TypeError, ValueError, Framework.DoesNotExist):
            return None

    def _add_judgement_fields(self, framework: Framework) -> None:
        self.areas = list(framework.areas.order_by("order"))
        self.grades = {g.code: g for g in framework.scale.grades.order_by("rank")}
        choices = [("", "Not judged")] + [(g.code, g.label) for g in self.grades.values()]
        current: dict[int, str] = {}
        if self.instance.pk and self.instance.framework_id == framework.pk:
            current = {
                j.area_id: j.grade.code for j in self.instance.judgements.select_related("grade")
            }
        for area in self.areas:
            name = self.grade_field_name(area)
            self.fields[name] = forms.ChoiceField(
                label=area.name,
                choices=choices,
                required=False,
                error_messages={"invalid_choice": f"Choose one of the grades for {_quoted(area)}"},
            )
            if area.pk in current:
                self.initial[name] = current[area.pk]

    @staticmethod
    def grade_field_name(area: JudgementArea) -> str:
        return f"grade_{area.code}"

    def judgement_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The grade fields, grouped by the area's section, in the framework's order."""
        groups: list[tuple[str, list[forms.BoundField]]] = []
        for area in self.areas:
            if not groups or groups[-1][0] != area.section:
                groups.append((area.section, []))
            groups[-1][1].append(self[self.grade_field_name(area)])
        return groups

    def hide_errors(self) -> None:
        """Show the submitted values again without judging them (the form was reloaded
        to show another framework's areas, not submitted)."""
        self._errors = ErrorDict()

    # --- checks --------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        start = data.get("start_date")
        end = data.get("end_date")
        published = data.get("published_on")
        plan_due = data.get("action_plan_due")
        plan_sent = data.get("action_plan_sent")
        kind = data.get("inspection_type")
        framework = data.get("framework")

        for name, what in (
            ("start_date", "The start date"),
            ("end_date", "The end date"),
            ("published_on", "The date the report was published"),
            ("action_plan_sent", "The date the action plan was sent to Ofsted"),
        ):
            if data.get(name) and data[name] > today:
                self.add_error(name, f"{what} must be today or in the past")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be the same as or after the start date")
        if end and published and published < end:
            self.add_error(
                "published_on",
                "The date the report was published must be the same as or after the end date",
            )
        if end and plan_due and plan_due <= end:
            self.add_error(
                "action_plan_due",
                "The date the action plan is due at Ofsted must be after the end date",
            )
        if end and plan_sent and plan_sent < end:
            self.add_error(
                "action_plan_sent",
                "The date the action plan was sent to Ofsted must be the same as or after "
                "the end date",
            )

        grades = self._cleaned_grades()
        framework_ok = self._check_framework(kind, framework, start, grades)
        if framework_ok and framework is not None and kind in GRADED_TYPES:
            for area in self.areas:
                name = self.grade_field_name(area)
                if area.required and name not in self.errors and not data.get(name):
                    self.add_error(name, f"Enter a judgement for {_quoted(area)}")
        if kind and start:
            clash = CouncilInspection.objects.filter(
                la=self.la, inspection_type=kind, start_date=start
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "start_date",
                    f"There is already {_type_phrase(kind)} starting on {long_date(start)}. "
                    "Change that one instead",
                )
        return data

    def _cleaned_grades(self) -> dict[JudgementArea, Grade]:
        grades = {}
        for area in self.areas:
            code = self.cleaned_data.get(self.grade_field_name(area))
            if code:
                grades[area] = self.grades[code]
        return grades

    def _check_framework(
        self,
        kind: str | None,
        framework: Framework | None,
        start: dt.date | None,
        grades: dict[JudgementArea, Grade],
    ) -> bool:
        """Add any error about the framework; return whether it is the right one."""
        if not kind:
            return False
        phrase = _type_phrase(kind)
        if kind in UNGRADED_TYPES:
            if grades:
                self.add_error(
                    "framework",
                    f"{phrase[0].upper()}{phrase[1:]} gives no graded judgements. Choose "
                    f"{quoted(NO_FRAMEWORK_LABEL)} and remove the grades",
                )
            elif framework is not None:
                self.add_error(
                    "framework",
                    f"{phrase[0].upper()}{phrase[1:]} gives no graded judgements. Choose "
                    f"{quoted(NO_FRAMEWORK_LABEL)}",
                )
            return False
        family = GRADED_TYPES.get(kind)
        candidates = [f for f in council_frameworks() if not family or f.code.startswith(family)]
        if framework is None:
            if family:
                names = _or_list([f.name for f in candidates])
                self.add_error(
                    "framework", f"Choose the framework {phrase} is judged under: {names}"
                )
            return False
        if family and not framework.code.startswith(family):
            names = _or_list([f.name for f in candidates])
            self.add_error(
                "framework",
                f"{phrase[0].upper()}{phrase[1:]} is not judged under {framework.name}. "
                f"Choose {names}",
            )
            return False
        if start and not _valid_on(framework, start):
            if framework.valid_from and start < framework.valid_from:
                when = f"starting on or after {long_date(framework.valid_from)}"
            else:
                when = f"starting on or before {long_date(framework.valid_until)}"
            applies = [f.name for f in candidates if _valid_on(f, start)]
            if applies:
                advice = (
                    f"For an inspection starting on {long_date(start)}, choose {_or_list(applies)}"
                )
            else:
                advice = (
                    f"No framework this service knows applies to {phrase} starting on "
                    f"{long_date(start)}: check the start date"
                )
            self.add_error(
                "framework", f"{framework.name} applies only to inspections {when}. {advice}"
            )
            return False
        return True

    # --- saving --------------------------------------------------------------------------

    def _save_checked(self, user: object) -> CouncilInspection | None:
        # Runs inside save_checked's transaction: the judgements go with the inspection.
        inspection = super()._save_checked(user)
        if inspection is None:
            return None
        CouncilJudgement.objects.filter(inspection=inspection).delete()
        framework = self.cleaned_data.get("framework")
        if framework is not None:
            CouncilJudgement.objects.bulk_create(
                CouncilJudgement(inspection=inspection, area=area, grade=grade)
                for area, grade in self._cleaned_grades().items()
            )
        return inspection

    def _extra_kwargs(self) -> dict[str, object]:
        return {"la": self.la}


def _quoted(area: JudgementArea) -> str:
    text = quoted(area.name)
    return f"{text} in {area.section}" if area.section else text


class AreaForImprovementForm(VersionedForm):
    what = "area for improvement"

    number = forms.IntegerField(
        label="Number",
        min_value=1,
        max_value=999,
        help_text="As the report numbers it.",
        error_messages={
            "required": "Enter the number of the area for improvement",
            "invalid": "The number must be a whole number, like 3",
            "min_value": "The number must be 1 or more",
            "max_value": "The number must be 999 or less",
        },
    )
    text = forms.CharField(
        label="Area for improvement",
        widget=forms.Textarea,
        help_text="As the report words it.",
        error_messages={"required": "Enter the area for improvement"},
    )

    class Meta:
        model = AreaForImprovement
        fields = ["number", "text"]

    def __init__(self, *args: Any, inspection: CouncilInspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        if self.instance.pk is None:
            self.instance.inspection = inspection
            if "number" not in self.initial:
                numbers = inspection.areas_for_improvement.values_list("number", flat=True)
                self.initial["number"] = max(numbers, default=0) + 1

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        taken = AreaForImprovement.objects.filter(
            inspection=self.inspection, number=number
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"There is already an area for improvement numbered {number} for this "
                "inspection. Enter another number"
            )
        return number

    def _extra_kwargs(self) -> dict[str, object]:
        return {"inspection": self.inspection}


RAG_HINT = (
    "Red: off track, the action will not be done by its due date without help. "
    "Amber: at risk of not being done by its due date. "
    "Green: on track, or complete."
)


class ActionItemForm(VersionedForm):
    what = "action"

    action = forms.CharField(
        label="Action",
        widget=forms.Textarea,
        error_messages={"required": "Enter the action"},
    )
    owner = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="The job title or name of the member of staff responsible. "
        "Do not enter a child's name.",
        error_messages={
            "required": "Enter the owner of the action",
            "max_length": "The owner must be 200 characters or fewer",
        },
    )
    due_date = DateField(label="Due date", name_in_message="the due date")
    status = status_field(
        ActionStatus.choices, required="Select the status of the action", invalid=None
    )
    completed_on = completed_on_field(
        name_in_message="the date the action was completed", help_text="Only for a complete action."
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea,
        required=False,
        help_text="What shows the action has made a difference, such as an audit's findings.",
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=RAG.choices,
        widget=forms.RadioSelect,
        help_text=RAG_HINT,
        error_messages={"required": "Select a RAG rating: Red, Amber or Green"},
    )

    class Meta:
        model = ActionItem
        fields = ["action", "owner", "due_date", "status", "completed_on", "evidence", "rag"]

    def __init__(self, *args: Any, area: AreaForImprovement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        if self.instance.pk is None:
            self.instance.area = area

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        due = data.get("due_date")
        start = self.area.inspection.start_date
        if due and due < start:
            self.add_error(
                "due_date",
                "The due date must be the same as or after the inspection's start date, "
                f"{long_date(start)}",
            )
        check_completion(self, after=start, after_name="inspection's start date")
        return data

    def _extra_kwargs(self) -> dict[str, object]:
        return {"area": self.area}
