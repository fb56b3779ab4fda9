from __future__ import annotations

import hashlib

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest

from corporate_parenting.accounts import send_reset_link
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

    def clean_email(self) -> str:
        """Email addresses are unique (ignoring case): invitations, resets and single
        sign-on all find the person by it."""
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another user already has this email address")
        return email

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
    """Inviting someone: the account starts with no password; the invitation email lets
    them choose one, so nobody else ever knows it."""

    username = forms.RegexField(
        regex=r"^[a-z0-9._-]{3,40}$",
        error_messages={
            "required": "Enter a username",
            "invalid": "Username must be 3 to 40 lower-case letters, digits, dots, "
            "hyphens or underscores",
        },
    )

    class Meta(CouncilUserForm.Meta):
        fields = ["username", *CouncilUserForm.Meta.fields]
        help_texts = {"email": "We will email an invitation to this address."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("is_active")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("That username is already taken")
        return username


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows now, for example 123456",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code must be 6 digits, for example 123456")
        return code


class NewPasswordForm(SetPasswordForm):
    """Choosing a password from an invitation or reset link, with GOV.UK messages."""

    error_messages = {"password_mismatch": "Enter the same password in both boxes"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = "New password"
        first.help_text = "At least 12 characters. Some unrelated words together are memorable."
        first.error_messages["required"] = "Enter a new password"
        second.label = "Confirm new password"
        second.help_text = ""
        second.error_messages["required"] = "Enter the password again"


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for an email address; the page that follows is the same whether or not an
    account has it, so the form can't be used to find out who has an account."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def get_users(self, email: str):
        """Active accounts with this address, including ones still waiting to set their
        first password: a lost or expired invitation is recovered the same way."""
        return User.objects.filter(email__iexact=email, is_active=True)

    def save(self, request: HttpRequest, **_django_options: object) -> None:
        """Email each matching account its reset link (accounts.send_reset_link)."""
        for user in self.get_users(self.cleaned_data["email"]):
            send_reset_link(request, user, by=user)
