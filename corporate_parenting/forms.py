from __future__ import annotations

import hashlib

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from corporate_parenting.models import COUNCIL_ROLES, User


class SignInForm(AuthenticationForm):
    error_messages = {
        # Deliberately silent about which of the two was wrong.
        "invalid_login": "Enter a correct username and password.",
        "inactive": "Enter a correct username and password.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


def user_fingerprint(user: User) -> str:
    """A digest of the editable fields, used to detect an edit made by someone else."""
    state = "|".join(
        str(v)
        for v in (
            user.first_name,
            user.last_name,
            user.email,
            user.job_title,
            user.role,
            user.can_sign_off_returns,
            user.can_approve_reports,
            user.is_active,
        )
    )
    return hashlib.sha256(state.encode()).hexdigest()[:32]


ROLE_CHOICES = [(r.value, r.label) for r in COUNCIL_ROLES]


class CouncilUserForm(forms.ModelForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, error_messages={"required": "Select a role"})
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "email",
            "job_title",
            "role",
            "can_sign_off_returns",
            "can_approve_reports",
            "is_active",
        ]
        labels = {
            "is_active": "Account is active",
            "can_sign_off_returns": "Can sign off quarterly returns",
            "can_approve_reports": "Can approve committee reports",
            "email": "Email address",
        }
        help_texts = {"is_active": "A deactivated user is signed out at their next request."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = "Enter an email address"
        self.fields["first_name"].required = True
        self.fields["first_name"].error_messages["required"] = "Enter a first name"
        self.fields["last_name"].required = True
        self.fields["last_name"].error_messages["required"] = "Enter a last name"
        if self.instance.pk:
            self.initial["fingerprint"] = user_fingerprint(self.instance)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if self.instance.pk:
            current = User.objects.get(pk=self.instance.pk)
            if cleaned.get("fingerprint") != user_fingerprint(current):
                raise forms.ValidationError(
                    "Someone else changed this user while you were editing. "
                    "Their changes are shown below: check them and save again.",
                    code="stale",
                )
        return cleaned


class NewCouncilUserForm(CouncilUserForm):
    username = forms.RegexField(
        regex=r"^[a-z0-9._-]{3,40}$",
        error_messages={
            "required": "Enter a username",
            "invalid": "Username must be 3 to 40 lower-case letters, digits, dots, "
            "hyphens or underscores",
        },
    )
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 12 characters. Share it with the user securely; "
        "they should change it when they first sign in.",
        error_messages={"required": "Enter a first password"},
    )

    class Meta(CouncilUserForm.Meta):
        fields = ["username", *CouncilUserForm.Meta.fields]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("is_active")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("That username is already taken")
        return username

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password
