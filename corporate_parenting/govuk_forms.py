"""Form pieces in the GOV.UK Design System's patterns, and edits that can't be lost.

- `DateField`: the GOV.UK date input (day, month, year boxes) with its error messages.
- `YesNoField`: a yes/no question asked with radios; unanswered can be allowed.
- `VersionedForm`: a model form whose save fails, with a clear message, if someone else
  saved the record after this form was opened. Models give it a `version` column.

templates/includes/field.html renders every field here the GOV.UK way.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.db.models.signals import post_save
from django.utils import timezone

from corporate_parenting import audit
from corporate_parenting.lib.dates import long_date
from corporate_parenting.models import AuditLog

STALE = "stale"


class DateWidget(forms.MultiWidget):
    govuk_date = True  # field.html renders it as a GOV.UK date input

    def __init__(self) -> None:
        super().__init__(
            {"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()}
        )

    def decompress(self, value: object) -> list[object]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A date asked as day, month and year, with GOV.UK's error messages.

    `name_in_message` is how messages name the date (default: the label, lower case).
    """

    widget = DateWidget

    def __init__(self, *, label: str, required: bool = True, **kwargs: object) -> None:
        self.name_in_message = kwargs.pop("name_in_message", label.lower())
        parts = [forms.CharField(required=False) for _ in range(3)]
        super().__init__(
            fields=parts, label=label, required=required, require_all_fields=False, **kwargs
        )

    def clean(self, value: object) -> dt.date | None:
        day, month, year = [str(v or "").strip() for v in (value or ["", "", ""])]
        name = self.name_in_message
        if not (day or month or year):
            if self.required:
                raise forms.ValidationError(f"Enter {name}", code="required")
            return None
        missing = [p for p, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(
                f"{name[0].upper()}{name[1:]} must include a {' and '.join(missing)}",
                code="incomplete",
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(
                f"{name[0].upper()}{name[1:]} must be a real date, for example 27 3 2022",
                code="invalid",
            )
        try:
            return dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # 30 February; a 20-digit day
            raise forms.ValidationError(
                f"{name[0].upper()}{name[1:]} must be a real date, for example 27 3 2022",
                code="invalid",
            ) from None

    def compress(self, data_list: list[object]) -> None:  # pragma: no cover - clean() does it
        return None

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            return self.clean(data) != initial
        except forms.ValidationError:
            return True


class YesNoField(forms.TypedChoiceField):
    """Yes or no, as GOV.UK inline radios; `None` when not answered and not required."""

    widget = forms.RadioSelect

    def __init__(self, *, required: bool = True, **kwargs: object) -> None:
        super().__init__(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda v: v == "yes",
            empty_value=None,
            required=required,
            **kwargs,
        )

    def prepare_value(self, value: object) -> object:
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


class VersionedForm(forms.ModelForm):
    """A model form that refuses to overwrite a save made since the form was opened.

    The form carries the record's `version`; `save_checked()` writes only if the stored
    version still matches and bumps it, all in one UPDATE. On a clash it adds a form
    error and reloads the other person's values into the form, so nothing is lost and
    nothing is silently overwritten.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    what = "record"  # how messages name the thing being edited

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def save_checked(self, user: object) -> Model | None:
        """Save and return the record, or return None after reporting a clash.

        A database constraint that the form's own checks missed (two people adding the
        same visit at once, say) becomes a form error, with nothing saved.
        """
        try:
            with transaction.atomic():
                return self._save_checked(user)
        except IntegrityError:
            self.add_error(
                None,
                f"This {self.what} could not be saved because it clashes with one saved "
                "at the same moment. Check the list and try again.",
            )
            return None

    def _save_checked(self, user: object) -> Model | None:
        instance = self.instance
        model = type(instance)
        columns = {f.name for f in model._meta.fields}
        stamps: dict[str, object] = {"updated_at": timezone.now()}
        if "updated_by" in columns:
            stamps["updated_by"] = user
        if instance.pk is None:
            instance = self.save(commit=False)
            for name, value in stamps.items():
                setattr(instance, name, value)
            instance.save()
            self.save_m2m()
            return instance
        values = {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name in self.cleaned_data and name in columns
        }
        written = model.objects.filter(
            pk=instance.pk, version=self.cleaned_data.get("seen_version")
        ).update(**values, **stamps, version=F("version") + 1)
        if written:
            instance.refresh_from_db()
            # An UPDATE sends no signal: tell listeners (the dashboard's inspection
            # indicators, say) as a save would.
            post_save.send(sender=model, instance=instance, created=False, raw=False)
            return instance
        self.report_clash(model.objects.get(pk=instance.pk))
        return None

    def report_clash(self, fresh: Model) -> None:
        """Show the other person's saved values in the form, say who saved them and when,
        and list this person's own values beside them (`clash`) so they can re-apply
        what they meant to change."""
        errors = self.errors
        fresh_form = type(self)(instance=fresh, **self._extra_kwargs())
        self.clash = []
        for name, field in self.fields.items():
            if name == "seen_version" or name not in fresh_form.fields:
                continue
            theirs = fresh_form.initial.get(name, fresh_form.fields[name].initial)
            yours = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            theirs_text, yours_text = display(field, theirs), display(field, yours)
            if theirs_text != yours_text:
                self.clash.append((field.label or name, theirs_text, yours_text))
        self.data = self.data.copy()
        for name, field in fresh_form.fields.items():
            value = fresh_form.initial.get(name, field.initial)
            bound = fresh_form[name]
            widget = bound.field.widget
            if isinstance(widget, forms.MultiWidget):
                for suffix, part in zip(
                    widget.widgets_names, widget.decompress(value), strict=True
                ):
                    self.data[bound.html_name + suffix] = "" if part is None else str(part)
            else:
                prepared = bound.field.prepare_value(value)
                self.data[bound.html_name] = "" if prepared is None else str(prepared)
        self.data[self["seen_version"].html_name] = str(fresh.version)
        self._errors = errors
        self.add_error(None, forms.ValidationError(clash_message(fresh, self.what), code=STALE))

    def _extra_kwargs(self) -> dict[str, object]:
        """Keyword arguments a subclass needs to build a fresh copy of itself."""
        return {}


def status_field(
    choices: object, *, required: str = "Select a status", invalid: str | None = "Select a status"
) -> forms.ChoiceField:
    """The status radios of an action, recommendation or review (see `check_completion`)."""
    messages_ = {"required": required}
    if invalid:
        messages_["invalid_choice"] = invalid
    return forms.ChoiceField(
        label="Status", choices=choices, widget=forms.RadioSelect, error_messages=messages_
    )


def completed_on_field(
    *,
    name_in_message: str = "the date completed",
    help_text: str = "Only if the status is complete.",
) -> DateField:
    """The date an action, recommendation or review was completed (see `check_completion`)."""
    return DateField(
        label="Date completed",
        name_in_message=name_in_message,
        required=False,
        help_text=help_text,
    )


def check_completion(
    form: forms.Form,
    *,
    complete: str = "complete",
    after: dt.date | None = None,
    after_name: str = "",
) -> None:
    """A completion date is needed if, and only if, the status is complete; it can't be
    in the future, nor before `after` (named `after_name`, e.g. "date of the visit").
    For every form with a status and a `completed_on` date (actions, recommendations,
    reviews)."""
    data = form.cleaned_data
    status, done = data.get("status"), data.get("completed_on")
    if "completed_on" in form.errors or not status:
        return
    if status == complete and done is None:
        form.add_error("completed_on", "Enter the date it was completed")
    elif status != complete and done is not None:
        form.add_error(
            "completed_on", "Remove the completed date, or select complete if it has been completed"
        )
    elif done and done > timezone.localdate():
        form.add_error("completed_on", "Completed date must be today or in the past")
    elif done and after and done < after:
        form.add_error(
            "completed_on",
            f"Completed date must be the same as or after the {after_name} ({long_date(after)})",
        )


def display(field: forms.Field, value: object) -> str:
    """A value as a person reads it: choice labels, long dates, Yes/No, "(blank)"."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(field, YesNoField) or isinstance(value, bool):
        return "Yes" if value in (True, "yes") else "No"
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(value, Model):  # a form's initial value is the record's id
            value = field.queryset.filter(pk=value).first() or value
        return str(value)
    choices = dict(getattr(field, "choices", None) or ())
    if choices:
        return str(choices.get(value, choices.get(str(value), value)))
    return str(value)


def clash_message(fresh: Model, what: str) -> str:
    """ "Olive Oduya changed this visit at 14:32 on 23 November 2026 while you were editing." """
    by = getattr(fresh, "updated_by", None)
    who = str(by) if by else "Someone else"
    when = getattr(fresh, "updated_at", None)
    at = ""
    if when:
        local = timezone.localtime(when)
        at = f" at {local:%H:%M} on {local.day} {local:%B %Y}"
    return (
        f"{who} changed this {what}{at} while you were editing. Their version is now in "
        "the form; your changes were not saved and are listed below so you can make them "
        "again."
    )


def changes(form: forms.Form) -> dict[str, dict[str, str]]:
    """What a valid form changes, for the audit log: {field: {"old": ..., "new": ...}}.

    Values are as a person reads them (see `display`), so the audit can be shown as is.
    """
    result = {}
    for name in form.changed_data:
        if name == "seen_version":
            continue
        field = form.fields[name]
        result[name] = {
            "old": display(field, form.initial.get(name))[:200],
            "new": display(field, form.cleaned_data.get(name))[:200],
        }
    return result


def save_and_audit(request: object, form: VersionedForm, message: str) -> Model | None:
    """Save a valid form with its conflict check, audit the change and say it worked.

    Returns the saved record, or None when the form now carries an error to show.
    """
    creating = form.instance.pk is None
    changed = changes(form)
    saved = form.save_checked(request.user)
    if saved is None:
        return None
    audit.record(
        user=request.user,
        action=AuditLog.Action.CREATE if creating else AuditLog.Action.UPDATE,
        obj=saved,
        changed_fields=changed,
    )
    messages.success(request, message)
    return saved
