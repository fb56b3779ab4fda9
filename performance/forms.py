from __future__ import annotations

from django import forms


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label="Commentary",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        required=False,
        help_text="Why this figure moved, in plain English. Leave it empty to remove it. "
        "Councillors see it under the figure, and it goes into reports.",
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
