"""Forms for entering a quarterly return: starting one, each of its six sections, the
workflow buttons and the Children in Care Council's "you said, we did" actions.

Every figure is optional (a blank means "not entered", not zero). A figure that isn't
right is refused with a message naming the question and echoing what was typed, for
example "Enquiries must be a whole number, 0 or more; you entered '-3'" (in curly quotes).

The two sections with rows (residential staffing, a row per council home; placements,
a row per external placement type) and the Children in Care Council (its consultations)
are one `VersionedForm` on the section model with the rows' fields added: the section's
`version` guards the rows too, and `save_rows` writes them in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from corporate_parenting import audit
from corporate_parenting.govuk_forms import (
    DateField,
    VersionedForm,
    changes,
    check_completion,
    completed_on_field,
    display,
    status_field,
)
from corporate_parenting.lib.numbers import whole_number
from corporate_parenting.models import AuditLog, User
from inspections.forms_visits import home_name
from inspections.ratings import council_homes
from placements.models import collection_year_label
from returns import workflow
from returns.models import (
    QUARTERS,
    ActionStatus,
    ChildrenInCareCouncil,
    CiccAction,
    Consultation,
    Education,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    PlacementsSection,
    PlacementType,
    QuarterlyReturn,
    StaffingSection,
)

NEW_CONSULTATIONS = 5  # blank consultation rows offered each time the CiCC form opens
MAX_COUNT = 999_999
OPEN, CLOSE = "\u2018", "\u2019"  # curly single quotes around what was typed
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


# --- figures ------------------------------------------------------------------------------


class FigureField(forms.Field):
    """A count, percentage, FTE or amount in pounds, typed as text and checked exactly.

    `places` is the number of decimal places allowed (0 for a whole number);
    `rule` says what is wanted, for the message; `maximum` is the largest value.
    """

    widget = forms.TextInput

    def __init__(
        self,
        *,
        places: int = 0,
        maximum: Decimal | int = MAX_COUNT,
        rule: str = "a whole number, 0 or more",
        name_in_message: str | None = None,
        unit: str = "",
        width: int = 5,
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.places, self.maximum, self.rule = places, maximum, rule
        self.name_in_message = name_in_message or str(self.label or "The figure")
        self.unit = unit  # "£" or "%": allowed before/after the number
        self.govuk_width = width
        self.inputmode = "numeric" if places == 0 else "decimal"

    def _message(self, raw: str, rule: str | None = None) -> forms.ValidationError:
        shown = raw if len(raw) <= 30 else raw[:29] + "…"
        return forms.ValidationError(
            f"{self.name_in_message} must be {rule or self.rule}; you entered {OPEN}{shown}{CLOSE}",
            code="invalid",
        )

    def to_python(self, value: object) -> int | Decimal | None:
        if value is None or isinstance(value, int | Decimal):
            return value
        raw = str(value).strip()
        if not raw:
            return None
        text = raw.replace(" ", "")
        if self.unit == "£":
            text = text.removeprefix("£")
        elif self.unit == "%":
            text = text.removesuffix("%")
        if (self.places == 0 or self.unit == "£") and _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise self._message(raw)
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern rules it out
            raise self._message(raw) from None
        if number > self.maximum:  # first: quantizing 29 digits raises InvalidOperation
            within = self.rule if self.unit == "%" else f"{self.rule}, up to {self.maximum:,}"
            raise self._message(raw, within)
        step = Decimal(1).scaleb(-self.places)
        if number != number.quantize(step):
            raise self._message(raw)
        if self.places == 0:
            return int(number)
        return number.quantize(step)


def figure_field(db_field: models.Field, **extra: object) -> forms.Field:
    """The form field for one of the returns' model fields, by its kind."""
    label = capfirst(db_field.verbose_name)
    common = {"label": label, "help_text": db_field.help_text}
    if isinstance(db_field, models.PositiveIntegerField):
        return FigureField(**common, **extra)
    if isinstance(db_field, models.DecimalField):
        places = db_field.decimal_places
        if db_field.name.endswith("_pct"):
            rule = "a percentage from 0 to 100, with no more than one decimal place"
            return FigureField(
                **common, places=1, maximum=Decimal(100), rule=rule, unit="%", **extra
            )
        biggest = Decimal(10) ** (db_field.max_digits - places) - Decimal(1).scaleb(-places)
        if places == 2:
            rule = "an amount in pounds, 0 or more, with no more than 2 decimal places"
            return FigureField(
                **common, places=2, maximum=biggest, rule=rule, unit="£", width=10, **extra
            )
        rule = "a number, 0 or more, with no more than one decimal place"
        return FigureField(**common, places=places, maximum=biggest, rule=rule, **extra)
    if isinstance(db_field, models.CharField) and db_field.choices:
        return forms.ChoiceField(
            choices=db_field.choices, widget=forms.Select, initial=db_field.default, **common
        )
    if isinstance(db_field, models.CharField):
        field = forms.CharField(
            max_length=db_field.max_length,
            required=False,
            error_messages={
                "max_length": f"{label} must be {db_field.max_length} characters or fewer"
            },
            **common,
        )
        field.govuk_width = 20
        return field
    return db_field.formfield()  # pragma: no cover - every section field is one of the above


def section_formfield(db_field: models.Field, **kwargs: object) -> forms.Field | None:
    if db_field.name in ("id", "ret", "version", "updated_at", "updated_by"):
        return None
    return figure_field(db_field)


def _has_value(value: object) -> bool:
    return value is not None and value != ""


# --- sections -----------------------------------------------------------------------------


class SectionForm(VersionedForm):
    """One section of a return. `groups` lay the questions out under headings, as
    (heading, [field names]); `add_rows` fills `row_groups` the same way for the rows.

    Bind it to the section as stored (or a new, unsaved one): a form opened before
    someone else first saved the section carries no version, so it clashes too."""

    slug = ""
    groups: list[tuple[str, list[str]]] = []

    def __init__(self, *args: object, ret: QuarterlyReturn, **kwargs: object) -> None:
        self.ret = ret
        super().__init__(*args, **kwargs)
        self.row_groups: list[tuple[str, list[str]]] = []
        self.add_rows()

    def _extra_kwargs(self) -> dict[str, object]:
        return {"ret": self.ret}

    def add_rows(self) -> None:
        """Add the rows' fields (and their stored values as initial)."""

    def save_rows(self, section: models.Model, user: User) -> dict[str, dict[str, str]]:
        """Write the rows, audit each, and return changes to record on the section."""
        return {}

    def section_changes(self) -> dict[str, dict[str, str]]:
        """What this save changes in the section's own columns, as {field: {old, new}}."""
        own = set(self._meta.fields or [])
        return {name: change for name, change in changes(self).items() if name in own}

    @property
    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups = self.groups or [("", list(self._meta.fields or []))]
        return [(heading, [self[name] for name in names]) for heading, names in groups if names]

    @property
    def rowsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[name] for name in names]) for heading, names in self.row_groups]


def _row_changes(
    form: SectionForm, row: models.Model, names: dict[str, str], creating: bool
) -> dict[str, dict[str, str]]:
    """Set the row's columns from the form; return what changed, as a person reads it."""
    changed = {}
    for column, field_name in names.items():
        field = form.fields[field_name]
        old = None if creating else getattr(row, column)
        new = form.cleaned_data.get(field_name)
        if column == "framework":
            new = new or ""
        old_text, new_text = display(field, old), display(field, new)
        if old_text != new_text:
            changed[column] = {"old": old_text[:200], "new": new_text[:200]}
        setattr(row, column, new)
    return changed


def _audit_row(user: User, row: models.Model, creating: bool, changed: dict) -> None:
    if changed:
        audit.record(
            user=user,
            action=AuditLog.Action.CREATE if creating else AuditLog.Action.UPDATE,
            obj=row,
            changed_fields=changed,
        )


FOSTERING_GROUPS = [
    (
        "Recruitment in the quarter",
        [
            "enquiries",
            "information_packs",
            "initial_visits",
            "applications",
            "assessments_started",
            "approvals_mainstream",
            "approvals_family_friends",
            "withdrawals",
        ],
    ),
    (
        "Foster carers deregistered in the quarter, by reason",
        [
            "dereg_retirement",
            "dereg_circumstances",
            "dereg_transfer_ifa",
            "dereg_dissatisfaction",
            "dereg_other",
        ],
    ),
    (
        "Capacity at the quarter's end",
        [
            "households_approved",
            "households_filled",
            "households_vacant",
            "places_approved",
            "places_filled",
            "places_vacant",
            "internal_placements",
        ],
    ),
    ("Recruitment events in the quarter", ["recruitment_events", "event_attendees"]),
]


class FosteringForm(SectionForm):
    slug, what = "fostering", "fostering section"
    groups = FOSTERING_GROUPS

    class Meta:
        model = Fostering
        fields = [name for _, names in FOSTERING_GROUPS for name in names]
        formfield_callback = section_formfield


PERMANENCE_GROUPS = [
    (
        "Children leaving care in the quarter, by route",
        ["exits_sgo", "exits_cao", "exits_reunification", "adoption_orders"],
    ),
    (
        "Adoption in the quarter",
        ["placed_for_adoption", "best_interest_decisions", "placement_orders", "matches"],
    ),
    (
        "Caseload at the quarter's end",
        [
            "plan_of_adoption",
            "allocated",
            "tracked_awaiting_placement_order",
            "order_granted_tasks_outstanding",
        ],
    ),
    ("Next quarter", ["projection_next_quarter", "team_capacity_pct"]),
]


class PermanenceForm(SectionForm):
    slug, what = "permanence", "permanence section"
    groups = PERMANENCE_GROUPS

    class Meta:
        model = Permanence
        fields = [name for _, names in PERMANENCE_GROUPS for name in names]
        formfield_callback = section_formfield


class EducationForm(SectionForm):
    slug, what = "education", "education section"

    class Meta:
        model = Education
        fields = [
            "pep_completion_pct",
            "attendance_pct",
            "fixed_term_exclusions",
            "permanent_exclusions",
            "not_in_full_time_education",
        ]
        formfield_callback = section_formfield


STAFFING_COLUMNS = ("establishment_fte", "vacancies_fte", "agency_fte", "home_status")


class StaffingForm(SectionForm):
    """A row of fields per council home: establishment, vacancies and agency staff (FTE)
    and the home's status at the quarter's end."""

    slug, what = "staffing", "residential staffing section"

    class Meta:
        model = StaffingSection
        fields: list[str] = []

    def add_rows(self) -> None:
        self.homes = list(council_homes(self.ret.la_id))
        stored = {}
        if self.instance.pk:
            stored = {
                row.setting_id: row for row in HomeStaffing.objects.filter(section=self.instance)
            }
        self.home_fields: dict[int, dict[str, str]] = {}
        for home in self.homes:
            name = home_name(home)
            names = {}
            for column in STAFFING_COLUMNS:
                db_field = HomeStaffing._meta.get_field(column)
                field_name = f"home{home.pk}_{column}"
                label = capfirst(db_field.verbose_name)
                if column == "home_status":
                    field = forms.ChoiceField(
                        label=f"{name}: {label}",
                        choices=db_field.choices,
                        widget=forms.Select,
                        error_messages={
                            "required": f"Select the status of {name} at the quarter's end",
                            "invalid_choice": f"Select the status of {name} at the quarter's end",
                        },
                    )
                    default = home.status if home.status in dict(db_field.choices) else "open"
                    field.initial = default
                else:
                    short = label.replace("Staffing establishment", "Establishment")
                    field = figure_field(db_field, name_in_message=f"{short} at {name}")
                    field.label = f"{name}: {label}"
                field.short_label = label
                self.fields[field_name] = field
                names[column] = field_name
                row = stored.get(home.pk)
                if row is not None:
                    self.initial[field_name] = getattr(row, column)
            self.home_fields[home.pk] = names
            self.row_groups.append((name, list(names.values())))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        for home in self.homes:
            names = self.home_fields[home.pk]
            est = data.get(names["establishment_fte"])
            vac = data.get(names["vacancies_fte"])
            if est is not None and vac is not None and vac > est:
                self.add_error(
                    names["vacancies_fte"],
                    f"Vacancies at {home_name(home)} ({vac} FTE) can't be more than its "
                    f"staffing establishment ({est} FTE)",
                )
        return data

    def save_rows(self, section: StaffingSection, user: User) -> dict[str, dict[str, str]]:
        stored = {row.setting_id: row for row in HomeStaffing.objects.filter(section=section)}
        for home in self.homes:
            row = stored.get(home.pk)
            creating = row is None
            if creating:
                row = HomeStaffing(section=section, setting=home)
            changed = _row_changes(self, row, self.home_fields[home.pk], creating)
            if creating or changed:
                row.save()
            _audit_row(user, row, creating, changed)
        return {}


PLACEMENT_COLUMNS = (
    "placements",
    "average_weekly_cost",
    "framework",
    "over_20_miles",
    "out_of_area",
)


class PlacementsForm(SectionForm):
    """A row of fields per external placement type."""

    slug, what = "placements", "placements section"

    class Meta:
        model = PlacementsSection
        fields: list[str] = []

    def add_rows(self) -> None:
        stored = {}
        if self.instance.pk:
            stored = {
                row.placement_type: row
                for row in PlacementCost.objects.filter(section=self.instance)
            }
        self.type_fields: dict[str, dict[str, str]] = {}
        for value, type_label in PlacementType.choices:
            names = {}
            for column in PLACEMENT_COLUMNS:
                db_field = PlacementCost._meta.get_field(column)
                field_name = f"{value}_{column}"
                label = capfirst(db_field.verbose_name)
                short = {"placements": "External placements"}.get(column, label)
                field = figure_field(db_field)
                if isinstance(field, FigureField):
                    field.name_in_message = f"{short} for {type_label}"
                else:
                    field.error_messages["max_length"] = (
                        f"{label} for {type_label} must be 200 characters or fewer"
                    )
                field.label = f"{type_label}: {label}"
                field.short_label = label
                self.fields[field_name] = field
                names[column] = field_name
                row = stored.get(value)
                if row is not None:
                    self.initial[field_name] = getattr(row, column)
            self.type_fields[value] = names
            self.row_groups.append((type_label, list(names.values())))

    def save_rows(self, section: PlacementsSection, user: User) -> dict[str, dict[str, str]]:
        stored = {row.placement_type: row for row in PlacementCost.objects.filter(section=section)}
        for value, _ in PlacementType.choices:
            names = self.type_fields[value]
            row = stored.get(value)
            creating = row is None
            if creating:
                if not any(_has_value(self.cleaned_data.get(n)) for n in names.values()):
                    continue  # nothing entered for this type: no row
                row = PlacementCost(section=section, placement_type=value)
            changed = _row_changes(self, row, names, creating)
            if creating or changed:
                row.save()
            _audit_row(user, row, creating, changed)
        return {}


class CiccForm(SectionForm):
    """Meetings and attendance, and the quarter's consultations: those saved, plus
    `NEW_CONSULTATIONS` blank ones to add. Blank consultations are ignored; clearing
    one that was saved removes it."""

    slug, what = "cicc", "Children in Care Council section"
    groups = [("Meetings in the quarter", ["meetings", "attendance"])]

    class Meta:
        model = ChildrenInCareCouncil
        fields = ["meetings", "attendance"]
        formfield_callback = section_formfield

    def add_rows(self) -> None:
        stored = list(Consultation.objects.filter(ret=self.ret).order_by("pk"))
        self.slots = len(stored) + NEW_CONSULTATIONS
        for i in range(1, self.slots + 1):
            topic = forms.CharField(
                label=f"Consultation {i}: topic",
                max_length=300,
                required=False,
                error_messages={
                    "max_length": f"The topic of consultation {i} must be 300 characters or fewer"
                },
            )
            topic.short_label = "Topic"
            topic.govuk_width = 30
            people = figure_field(
                Consultation._meta.get_field("young_people"),
                name_in_message=f"Young people who took part in consultation {i}",
            )
            people.label = f"Consultation {i}: young people who took part"
            people.short_label = "Young people who took part"
            self.fields[f"consultation{i}_topic"] = topic
            self.fields[f"consultation{i}_young_people"] = people
            if i <= len(stored):
                self.initial[f"consultation{i}_topic"] = stored[i - 1].topic
                self.initial[f"consultation{i}_young_people"] = stored[i - 1].young_people
            self.row_groups.append(
                (f"Consultation {i}", [f"consultation{i}_topic", f"consultation{i}_young_people"])
            )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        for i in range(1, self.slots + 1):
            topic = (data.get(f"consultation{i}_topic") or "").strip()
            data[f"consultation{i}_topic"] = topic
            if not topic and data.get(f"consultation{i}_young_people") is not None:
                self.add_error(
                    f"consultation{i}_topic",
                    f"Enter the topic of consultation {i}, or clear the number of young people",
                )
        return data

    def save_rows(self, section: ChildrenInCareCouncil, user: User) -> dict[str, dict[str, str]]:
        """Consultations are the section's: their changes are recorded on it."""
        stored = list(Consultation.objects.filter(ret=self.ret).order_by("pk"))
        changed: dict[str, dict[str, str]] = {}
        for i in range(1, self.slots + 1):
            topic = self.cleaned_data.get(f"consultation{i}_topic") or ""
            people = self.cleaned_data.get(f"consultation{i}_young_people")
            row = stored[i - 1] if i <= len(stored) else None
            old = (row.topic, row.young_people) if row else ("", None)
            if row is not None and not topic:
                row.delete()
            elif row is not None:
                row.topic, row.young_people = topic, people
                if old != (topic, people):
                    row.save()
            elif topic:
                Consultation.objects.create(ret=self.ret, topic=topic, young_people=people)
            if not topic and row is None:
                continue
            for label, before, after in (
                ("topic", old[0], topic),
                ("young people who took part", old[1], people),
            ):
                before_text = display(forms.Field(), before)
                after_text = display(forms.Field(), after)
                if before_text != after_text:
                    changed[f"Consultation {i}: {label}"] = {
                        "old": before_text[:200],
                        "new": after_text[:200],
                    }
        return changed


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "fostering": FosteringForm,
    "permanence": PermanenceForm,
    "staffing": StaffingForm,
    "placements": PlacementsForm,
    "education": EducationForm,
    "cicc": CiccForm,
}
assert set(SECTION_FORMS) == set(workflow.SECTION_TITLES)


# --- starting a return and moving it on ---------------------------------------------------

QUARTER_NAMES = {
    1: "Q1: April to June",
    2: "Q2: July to September",
    3: "Q3: October to December",
    4: "Q4: January to March",
}


class ReturnCreateForm(forms.Form):
    """Year and quarter as selects, but typed values are passed on as they came so the
    workflow's own check gives its precise message for a quarter that doesn't exist."""

    year = forms.CharField(label="Year", required=False, widget=forms.Select)
    quarter = forms.CharField(label="Quarter", required=False, widget=forms.Select)
    copy_forward = forms.BooleanField(
        label="Copy forward from the previous quarter",
        required=False,
        help_text="Start each section with the previous quarter's figures, to check and "
        "change. Children in Care Council consultations are not copied.",
    )

    def __init__(self, *args: object, today: dt.date | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        latest, _ = workflow.current_quarter(today)
        self.fields["year"].choices = [
            (str(y), collection_year_label(y)) for y in range(latest, max(2000, latest - 6) - 1, -1)
        ]
        self.fields["quarter"].choices = [(str(q), QUARTER_NAMES[q]) for q in QUARTERS]
        year, quarter = workflow.previous_quarter(*workflow.current_quarter(today))
        self.fields["year"].initial = str(year)
        self.fields["quarter"].initial = str(quarter)


class WorkflowForm(forms.Form):
    """Submit, sign off or reopen, carrying the version of the return the person saw."""

    ACTIONS = {"submit": "Submit", "sign_off": "Sign off", "reopen": "Reopen"}

    action = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why does the return need to be reopened?",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="This is recorded and shown on the return.",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("action") not in self.ACTIONS:
            raise forms.ValidationError("Choose to submit, sign off or reopen the return")
        data["version"] = whole_number(data.get("version")) or 0
        data["reason"] = (data.get("reason") or "").strip()
        if data["action"] == "reopen" and not data["reason"] and "reason" not in self.errors:
            self.add_error("reason", "Give the reason for reopening the return")
        return data


# --- "you said, we did" actions -----------------------------------------------------------


class ReturnChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: QuarterlyReturn) -> str:
        return f"The {obj.period_label} return"


class CiccActionForm(VersionedForm):
    what = "action"

    you_said = forms.CharField(
        label="You said",
        widget=forms.Textarea,
        help_text="What children and young people asked for. Do not include names or other "
        "details that identify them.",
        error_messages={"required": "Enter what children and young people said"},
    )
    we_did = forms.CharField(
        label="We did",
        widget=forms.Textarea,
        required=False,
        help_text="What the council has done, or is doing, in response.",
    )
    owner = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="The person or team responsible.",
        error_messages={
            "required": "Enter who owns the action",
            "max_length": "Owner must be 200 characters or fewer",
        },
    )
    due_date = DateField(label="Due date", name_in_message="the due date")
    status = status_field(ActionStatus.choices)
    completed_on = completed_on_field()

    class Meta:
        model = CiccAction
        fields = ["you_said", "we_did", "owner", "due_date", "status", "completed_on", "raised_in"]

    def __init__(self, *args: object, la_id: int, **kwargs: object) -> None:
        self.la_id = la_id
        super().__init__(*args, **kwargs)
        self.fields["owner"].govuk_width = 20
        self.fields["raised_in"] = ReturnChoiceField(
            label="Raised in",
            queryset=QuarterlyReturn.objects.filter(la_id=la_id).order_by("-year", "-quarter"),
            required=False,
            empty_label="Not linked to a return",
            help_text="The quarterly return the action was raised in.",
            error_messages={"invalid_choice": "Select one of your council's returns"},
        )

    def _extra_kwargs(self) -> dict[str, object]:
        return {"la_id": self.la_id}

    def clean_raised_in(self) -> QuarterlyReturn | None:
        """A new action, or a new link, only to a draft return: what a signed-off return
        says reaches councillors, so it doesn't gain actions nobody signed off. Progress
        on an action already linked (we did, status) can be recorded at any time."""
        ret = self.cleaned_data.get("raised_in")
        if ret is not None and ret.pk != self.instance.raised_in_id and not ret.editable:
            state = "signed off" if ret.locked else "submitted"
            raise forms.ValidationError(
                f"The {ret.period_label} return is {state}, so an action can't be added to "
                "it. Link the action to a draft return, or to none."
            )
        return ret

    def clean(self) -> dict[str, object]:
        data = super().clean()
        check_completion(self)
        return data
