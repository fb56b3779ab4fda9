from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings

from placements.codelists import FIRST_YEAR, LAST_YEAR
from placements.importer import max_file_bytes
from placements.models import collection_year_label, collection_year_of


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def year_choices() -> list[tuple[int, str]]:
    latest = collection_year_of(dt.date.today())
    # Only years whose code lists are held can be checked.
    return [
        (y, collection_year_label(y)) for y in range(min(latest, LAST_YEAR), FIRST_YEAR - 1, -1)
    ]


class UploadReturnForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Collection year",
        coerce=int,
        choices=year_choices,
        help_text="The year the return covers, from 1 April to 31 March.",
        error_messages={"required": "Select the collection year"},
    )
    files = MultipleFileField(
        label="SSDA903 files",
        help_text="Choose every CSV file of the return at once: Header, Episodes, OC2 and so on. "
        "Tables are recognised by their columns, not their file names.",
        error_messages={"required": "Choose the return's CSV files"},
    )
    skip_invalid = forms.BooleanField(
        label="Import the valid rows and skip invalid ones",
        required=False,
        help_text="Without this, any error rejects the whole return and nothing changes.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.CP_IMPORT_MAX_FILE_MB
        for upload in files:
            if upload.size > max_file_bytes():
                raise forms.ValidationError(
                    f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB, over the {limit:g} MB "
                    "limit for one file. Check it is the right file."
                )
        if len(files) > 20:
            raise forms.ValidationError("Choose at most 20 files: one for each table.")
        return files
