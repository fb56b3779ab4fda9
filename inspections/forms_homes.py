"""Forms for a council's own homes and their Ofsted inspections."""

from __future__ import annotations

import copy
import datetime as dt
import re

from django import forms
from django.db.models import F
from django.db.models.signals import post_save
from django.forms.utils import ErrorDict
from django.utils import timezone

from corporate_parenting.govuk_forms import DateField, VersionedForm
from corporate_parenting.lib.dates import long_date
from corporate_parenting.models import LocalAuthority
from inspections import closures, frameworks
from inspections.models import (
    POSTCODE_REGEX,
    URN_REGEX,
    ClosureSource,
    Framework,
    InspectionType,
    InterimOutcome,
    JudgementArea,
    Setting,
    SettingInspection,
    SettingStatus,
    SettingType,
)
from inspections.ratings import HOME_TYPES

# The SSDA903 return's placeholder for a placement with no Ofsted URN.
NO_URN_PLACEHOLDER = "XXXXXXX"

# Ofsted's sector for a home a council runs.
COUNCIL_SECTOR = "Local Authority"


def urn_format_message(typed: str) -> str:
    return f"{quote(typed)} is not an Ofsted URN: enter SC and 6 digits, like SC045099, or 7 digits"


def quote(text: str) -> str:
    """Text in curly single quotes, as messages name a judgement area."""
    return f"\u2018{text}\u2019"


def normalise_urn(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def normalise_postcode(text: str) -> str:
    """Upper case with one space before the last three characters: "de214js" -> "DE21 4JS"."""
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


# --- a home ----------------------------------------------------------------------------

STATUS_SINCE_PHRASES = {
    SettingStatus.OPEN: "the home opened or reopened",
    SettingStatus.TEMPORARILY_CLOSED: "the home was temporarily closed",
    SettingStatus.CLOSED: "the home closed",
}


STATUS_FIELDS = ("status", "status_since")


class HomeForm(VersionedForm):
    """A council home's details.

    Adding a home (`council` given, no instance) makes it the council's: run by it and in
    its area. A URN already in Ofsted's list as a council-run setting in the council's
    area that no council runs yet can be claimed: the form says so (`listed`) and the
    officer saves again to confirm (`claim` posts back the URN). The status and its date
    are written through inspections.closures.record_status, which keeps the home's
    closure history; the form checks a change against that history first.
    """

    what = "home"

    urn = forms.CharField(
        label="Ofsted unique reference number (URN)",
        help_text="SC and 6 digits, like SC045099, or 7 digits. It is on the home's Ofsted "
        "registration certificate and reports.",
        error_messages={"required": "Enter the home's Ofsted URN"},
    )
    name = forms.CharField(
        label="Name of the home",
        max_length=200,
        error_messages={
            "required": "Enter the name of the home",
            "max_length": "The name of the home must be 200 characters or fewer",
        },
    )
    setting_type = forms.ChoiceField(
        label="Type of home",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of home",
            "invalid_choice": "Select the type of home from the list",
        },
    )
    registered_places = forms.IntegerField(
        label="Registered places",
        widget=forms.TextInput,  # GOV.UK asks for text inputs, not type="number"
        help_text="The number of children the home is registered for.",
        min_value=1,
        max_value=99,
        error_messages={
            "required": "Enter the number of registered places",
            "invalid": "Registered places must be a whole number, like 4",
            "min_value": "Registered places must be a number from 1 to 99",
            "max_value": "Registered places must be a number from 1 to 99",
        },
    )
    registration_date = DateField(
        label="Date registered with Ofsted",
        required=False,
        name_in_message="the date the home was registered",
        help_text="Optional.",
    )
    # The URN of a listed home the officer has been told about and saves again to claim.
    claim = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=SettingStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the home is open or closed",
            "invalid_choice": "Select whether the home is open or closed",
        },
    )
    status_since = DateField(
        label="Since",
        required=False,
        name_in_message="the date of the home's status",
        help_text="The date the home opened, reopened or closed. Needed for a closed or "
        "temporarily closed home.",
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        help_text="Optional. The home's business address is not personal data.",
    )

    class Meta:
        model = Setting
        fields = [
            "urn",
            "name",
            "setting_type",
            "registered_places",
            "registration_date",
            "status",
            "status_since",
            "postcode",
        ]

    def __init__(
        self, *args: object, council: LocalAuthority | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.adding = self.instance.pk is None
        # A setting in Ofsted's list this form would record as the council's own.
        self.listed: Setting | None = None
        if self.adding:
            # Without it every past month counts as due a Regulation 44 visit.
            registered = self.fields["registration_date"]
            registered.required = True
            registered.help_text = (
                "It is on the home's Ofsted registration certificate. Regulation 44 visits "
                "are due from the first full month after it."
            )
        choices = [(t.value, t.label) for t in HOME_TYPES]
        current = self.instance.setting_type
        if current and current not in {value for value, _ in choices}:
            # A setting the council runs that isn't a home keeps its own type.
            choices.append((current, SettingType(current).label))
        self.fields["setting_type"].choices = choices

    def clean_urn(self) -> str:
        typed = self.cleaned_data["urn"].strip()
        urn = normalise_urn(typed)
        if urn == NO_URN_PLACEHOLDER:
            raise forms.ValidationError(
                "XXXXXXX is the placeholder the SSDA903 return uses for a placement with no "
                "Ofsted URN. Enter the home's own URN, like SC045099"
            )
        if not re.fullmatch(URN_REGEX, urn):
            raise forms.ValidationError(urn_format_message(typed))
        other = Setting.objects.filter(urn=urn).exclude(pk=self.instance.pk).first()
        if other is not None:
            if self.adding and self._claimable(other):
                self.listed = other
                # The form now saves the listed setting: its details are checked and
                # written as an edit of it. A copy, so `listed` keeps what Ofsted says.
                self.instance = copy.copy(other)
            else:
                # Not who has it: the other setting may be another council's home.
                raise forms.ValidationError(
                    f"Another setting already has the Ofsted URN {urn}. Check the URN"
                )
        return urn

    def _claimable(self, setting: Setting) -> bool:
        """In Ofsted's list as a council's setting in this council's area, run by none."""
        return (
            self.council is not None
            and setting.run_by_council_id is None
            and setting.la_id == self.council.pk
            and setting.sector.strip().lower() == COUNCIL_SECTOR.lower()
        )

    @property
    def claim_confirmed(self) -> bool:
        """The officer was told the home is in Ofsted's list and saved again."""
        return (
            self.listed is not None
            and self.cleaned_data.get("claim", "").strip().upper() == self.listed.urn
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the name of the home")
        return name

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode and not re.fullmatch(POSTCODE_REGEX, postcode):
            raise forms.ValidationError("Enter a real postcode, like DE21 4JS")
        return postcode

    def clean_registration_date(self) -> dt.date | None:
        day = self.cleaned_data["registration_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(
                "The date the home was registered must be today or in the past"
            )
        return day

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        status = cleaned.get("status")
        since = cleaned.get("status_since")
        if status and "status_since" not in self.errors:
            phrase = STATUS_SINCE_PHRASES[SettingStatus(status)]
            registered = cleaned.get("registration_date")
            if since is None and status != SettingStatus.OPEN:
                self.add_error("status_since", f"Enter the date {phrase}")
            elif since and since > timezone.localdate():
                self.add_error("status_since", f"The date {phrase} must be today or in the past")
            elif since and registered and since < registered:
                self.add_error(
                    "status_since",
                    f"The date {phrase} can't be before the home was registered "
                    f"on {long_date(registered)}",
                )
            elif self.instance.pk is not None:
                # The stored home's closure history (the form's instance is still as
                # stored until the form's values are copied onto it, after clean).
                problem = closures.check_status(self.instance, status, since)
                if problem:
                    self.add_error("status_since", problem)
        return cleaned

    # --- saving: the status through closures.record_status ---------------------------

    def save_checked(self, user: object) -> Setting | None:
        try:
            return super().save_checked(user)
        except closures.StatusChangeError as exc:
            # The history changed since the form's own check: nothing was saved.
            self.add_error("status_since", str(exc))
            return None

    def _save_checked(self, user: object) -> Setting | None:
        data = self.cleaned_data
        status, since = data["status"], data.get("status_since")
        now = timezone.now()
        values = {
            name: data[name]
            for name in self._meta.fields
            if name in data and name not in STATUS_FIELDS
        }
        if self.listed is not None:
            written = self._claim(values, now)
        elif self.instance.pk is None:
            home = Setting(
                **values,
                run_by_council=self.council,
                la=self.council,
                sector=COUNCIL_SECTOR,
                status=SettingStatus.OPEN,
                status_since=since if status == SettingStatus.OPEN else None,
                updated_at=now,
            )
            home.save()
            self.instance = home
            written = True
        else:
            written = Setting.objects.filter(
                pk=self.instance.pk, version=data.get("seen_version")
            ).update(**values, updated_at=now, version=F("version") + 1)
        if not written:
            if self.listed is None:
                self.report_clash(Setting.objects.get(pk=self.instance.pk))
            return None
        home = Setting.objects.get(pk=self.instance.pk)
        # The version was bumped above, in the same transaction.
        closures.record_status(
            home, status, since, source=ClosureSource.COUNCIL, bump_version=False
        )
        home.refresh_from_db()
        # An UPDATE sends no signal: tell listeners (the dashboard's indicators) as a
        # save would.
        post_save.send(sender=Setting, instance=home, created=False, raw=False)
        return home

    def _claim(self, values: dict[str, object], now: object) -> bool:
        """Record the listed setting as the council's, unless a colleague just did."""
        listed = Setting.objects.select_for_update().get(pk=self.listed.pk)
        if listed.run_by_council_id is not None:
            self.add_error(
                "urn",
                f"{listed.urn} has just been recorded as run by {listed.run_by_council.name}. "
                "Check the council's homes",
            )
            return False
        Setting.objects.filter(pk=listed.pk).update(
            **values, run_by_council=self.council, updated_at=now, version=F("version") + 1
        )
        return True

    def _extra_kwargs(self) -> dict[str, object]:
        return {"council": self.council}


# --- an inspection ---------------------------------------------------------------------

# The framework a home's inspections are made under unless the officer picks another.
DEFAULT_FRAMEWORK = {
    SettingType.CHILDRENS_HOME: frameworks.SCCIF_CHILDRENS_HOMES,
    SettingType.SECURE_CHILDRENS_HOME: frameworks.SCCIF_SECURE_HOMES,
}


def setting_frameworks():
    return Framework.objects.filter(subject=Framework.Subject.SETTING).order_by("name")


def default_framework(setting: Setting) -> Framework | None:
    code = DEFAULT_FRAMEWORK.get(setting.setting_type, frameworks.SCCIF_OTHER)
    return setting_frameworks().filter(code=code).first() or setting_frameworks().first()


NOT_INTERIM = ""
CLASH_MESSAGE = (
    "Someone else changed this inspection while you were editing. Their version is "
    "shown below: check it, make your changes again and save."
)


class InspectionForm(forms.Form):
    """One inspection of a home under one framework, with a grade field per area.

    The framework is chosen before the form is shown (the areas depend on it) and is
    passed in; the form posts it back in a hidden field, which the view reads.
    """

    date = DateField(label="Date of the inspection", name_in_message="the date of the inspection")
    inspection_type = forms.ChoiceField(
        label="Type of inspection",
        choices=InspectionType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of inspection",
            "invalid_choice": "Select the type of inspection",
        },
    )
    interim_outcome = forms.ChoiceField(
        label="Outcome of an interim inspection",
        choices=[(NOT_INTERIM, "Not an interim inspection"), *InterimOutcome.choices],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the outcome of the interim inspection"},
        help_text="An interim inspection gives no grades, only whether the home has improved, "
        "sustained or declined in effectiveness since its last full inspection.",
    )
    requirements = forms.IntegerField(
        label="Requirements",
        widget=forms.TextInput,
        help_text="Optional. How many requirements the report sets.",
        required=False,
        min_value=0,
        max_value=999,
        error_messages={
            "invalid": "Requirements must be a whole number, like 3",
            "min_value": "Requirements must be a number from 0 to 999",
            "max_value": "Requirements must be a number from 0 to 999",
        },
    )
    recommendations = forms.IntegerField(
        label="Recommendations",
        widget=forms.TextInput,
        help_text="Optional. How many recommendations the report makes.",
        required=False,
        min_value=0,
        max_value=999,
        error_messages={
            "invalid": "Recommendations must be a whole number, like 2",
            "min_value": "Recommendations must be a number from 0 to 999",
            "max_value": "Recommendations must be a number from 0 to 999",
        },
    )
    report_url = forms.URLField(
        label="Link to the report",
        help_text="Optional. The web address of the report on Ofsted's website.",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter the link to the report as a web address, like "
            "https://reports.ofsted.gov.uk/provider/…",
            "max_length": "The link to the report must be 200 characters or fewer",
        },
    )
    published_on = DateField(
        label="Date the report was published",
        required=False,
        name_in_message="the date the report was published",
        help_text="Optional.",
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: object = None,
        *,
        setting: Setting,
        framework: Framework,
        inspection: SettingInspection | None = None,
    ) -> None:
        self.setting = setting
        self.framework = framework
        self.inspection = inspection
        self.areas: list[JudgementArea] = list(framework.areas.order_by("order"))
        self.grades = {g.code: g for g in framework.scale.grades.order_by("rank")}
        initial: dict[str, object] = {"inspection_type": InspectionType.FULL}
        if inspection is not None:
            initial = inspection_initial(inspection)
        super().__init__(data, initial=initial)
        grade_choices = [("", "Not judged"), *((g.code, g.label) for g in self.grades.values())]
        for area in self.areas:
            self.fields[grade_field(area)] = forms.ChoiceField(
                label=area.name,
                choices=grade_choices,
                required=False,
                error_messages={
                    "invalid_choice": f"Select one of the listed judgements for {quote(area.name)}"
                },
            )

    def grade_fields(self) -> list[forms.BoundField]:
        return [self[grade_field(area)] for area in self.areas]

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date of the inspection must be today or in the past")
        registered = self.setting.registration_date
        if registered and day < registered:
            raise forms.ValidationError(
                "The date of the inspection can't be before the home was registered "
                f"on {long_date(registered)}"
            )
        return day

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        kind = cleaned.get("inspection_type")
        outcome = cleaned.get("interim_outcome")
        graded = {area: cleaned.get(grade_field(area)) for area in self.areas}
        graded = {area: code for area, code in graded.items() if code}
        if kind == InspectionType.FULL:
            for area in self.areas:
                if area.required and area not in graded:
                    self.add_error(grade_field(area), f"Enter a judgement for {quote(area.name)}")
        if kind == InspectionType.INTERIM:
            if not outcome:
                self.add_error(
                    "interim_outcome",
                    "Select whether the home improved, sustained or declined in effectiveness",
                )
            for area in graded:
                self.add_error(
                    grade_field(area),
                    "An interim inspection gives no grades: choose "
                    f"{quote('Not judged')} for {quote(area.name)}",
                )
        elif kind and outcome:
            self.add_error(
                "interim_outcome",
                "Only an interim inspection has an outcome: choose "
                + quote("Not an interim inspection"),
            )
        self._check_limiting(graded)
        day, published = cleaned.get("date"), cleaned.get("published_on")
        if day and published and published < day:
            self.add_error(
                "published_on",
                "The date the report was published must be on or after the date of the inspection",
            )
        if day and kind:
            duplicate = SettingInspection.objects.filter(
                setting=self.setting, date=day, inspection_type=kind
            )
            if self.inspection is not None:
                duplicate = duplicate.exclude(pk=self.inspection.pk)
            if duplicate.exists():
                self.add_error(
                    "date",
                    f"This home already has a {InspectionType(kind).label.lower()} on "
                    f"{long_date(day)}. Change that inspection instead",
                )
        return cleaned

    def _check_limiting(self, graded: dict[JudgementArea, str]) -> None:
        """In the SCCIF an inadequate limiting judgement makes the overall one inadequate."""
        if not self.grades:
            return
        worst = max(self.grades.values(), key=lambda g: g.rank)
        overall = next((a for a in self.areas if a.is_overall), None)
        if overall is None or overall not in graded:
            return
        for area in self.areas:
            if area.is_limiting and graded.get(area) == worst.code:
                if graded[overall] != worst.code:
                    self.add_error(
                        grade_field(overall),
                        f"{quote(area.name)} is {worst.label}, so {quote(overall.name)} must be "
                        f"{worst.label} too: it is a limiting judgement",
                    )
                return

    def grades_by_area(self) -> dict[str, str]:
        """Area code -> grade code for the areas judged, as record_inspection takes them."""
        return {
            area.code: self.cleaned_data[grade_field(area)]
            for area in self.areas
            if self.cleaned_data.get(grade_field(area))
        }

    def inspection_fields(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "interim_outcome": data.get("interim_outcome") or "",
            "requirements": data.get("requirements"),
            "recommendations": data.get("recommendations"),
            "report_url": data.get("report_url") or "",
            "published_on": data.get("published_on"),
        }

    def report_clash(self, fresh: SettingInspection) -> InspectionForm:
        """A form showing someone else's saved inspection, with a message saying so."""
        form = InspectionForm(
            inspection_data(fresh),
            setting=self.setting,
            framework=fresh.framework,
            inspection=fresh,
        )
        form.full_clean()
        form._errors = ErrorDict()
        form.add_error(None, forms.ValidationError(CLASH_MESSAGE, code="stale"))
        return form


def grade_field(area: JudgementArea) -> str:
    return f"grade_{area.code}"


def stamp(inspection: SettingInspection) -> str:
    return inspection.updated_at.isoformat()


def inspection_initial(inspection: SettingInspection) -> dict[str, object]:
    initial: dict[str, object] = {
        "date": inspection.date,
        "inspection_type": inspection.inspection_type,
        "interim_outcome": inspection.interim_outcome,
        "requirements": inspection.requirements,
        "recommendations": inspection.recommendations,
        "report_url": inspection.report_url,
        "published_on": inspection.published_on,
        "seen": stamp(inspection),
    }
    for judgement in inspection.judgements.all():
        initial[grade_field(judgement.area)] = judgement.grade.code
    return initial


def inspection_data(inspection: SettingInspection) -> dict[str, str]:
    """The inspection as a form would post it."""
    data: dict[str, str] = {}
    for name, value in inspection_initial(inspection).items():
        if isinstance(value, dt.date):
            data[f"{name}_day"], data[f"{name}_month"], data[f"{name}_year"] = (
                str(value.day),
                str(value.month),
                str(value.year),
            )
        elif name in ("date", "published_on"):
            data[f"{name}_day"] = data[f"{name}_month"] = data[f"{name}_year"] = ""
        else:
            data[name] = "" if value is None else str(value)
    data["framework"] = inspection.framework.code
    return data
