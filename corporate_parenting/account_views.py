"""Pages for one's own account: two-factor authentication, and setting a password from an
invitation or reset email. The council admin's side (inviting, resending, resetting
someone's two-factor) is in views.py with the other user-management pages."""

from __future__ import annotations

from collections.abc import Callable

from axes.utils import reset as reset_sign_in_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from corporate_parenting import audit, two_factor
from corporate_parenting.accounts import invitation_tokens
from corporate_parenting.forms import NewPasswordForm, PasswordResetRequestForm, TwoFactorCodeForm
from corporate_parenting.models import AuditLog
from corporate_parenting.navigation import home_url_for

WRONG_CODE = (
    "The code is not right. Enter the code your app shows now; if it still fails, "
    "check your phone's clock is set automatically"
)


def two_factor_exempt[V: Callable](view: V) -> V:
    """Mark a page that a signed-in user may reach before passing two-factor
    authentication (middleware.TwoFactorRequired reads the mark)."""
    view.two_factor_exempt = True
    return view


def _next_url(request: HttpRequest) -> str:
    """Where to go once the step is done: the page first asked for, if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return home_url_for(request.user)


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _next_url(request)})}"


def _step_context(request: HttpRequest, form: TwoFactorCodeForm) -> dict[str, object]:
    context: dict[str, object] = {"form": form, "next": _next_url(request)}
    if two_factor.pending_step(request):
        # Every menu link would only lead back here.
        context["navigation"] = []
    return context


@never_cache
@two_factor_exempt
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.confirmed_device(user) and not two_factor.is_verified(request):
        # Someone with only the password must not be able to add their own app.
        return redirect(_with_next("two_factor_verify", request))
    device = two_factor.device_being_set_up(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = two_factor.verification_refusal(device)
        if refusal:
            form.add_error("code", refusal)
        elif two_factor.confirm_new_device(request, device, form.cleaned_data["code"]):
            messages.success(request, "Two-factor authentication is set up.")
            return redirect(_next_url(request))
        else:
            form.add_error("code", WRONG_CODE)
    context = _step_context(request, form) | {
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_for_typing(device),
        "required": two_factor.role_requires_it(user),
        "replacing": two_factor.confirmed_device(user) is not None,
    }
    return render(request, "registration/two_factor_setup.html", context)


@never_cache
@two_factor_exempt
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is None:
        return redirect(_with_next("two_factor_setup", request))
    if two_factor.is_verified(request):
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = two_factor.verification_refusal(device)
        if refusal:
            form.add_error("code", refusal)
        elif two_factor.accept_code(request, device, form.cleaned_data["code"]):
            audit.record(
                user=user, action=AuditLog.Action.LOGIN, obj=user, detail="two-factor code accepted"
            )
            return redirect(_next_url(request))
        else:
            audit.record(
                user=user, action=AuditLog.Action.LOGIN, obj=user, detail="wrong two-factor code"
            )
            form.add_error("code", WRONG_CODE)
    return render(request, "registration/two_factor_verify.html", _step_context(request, form))


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "corporate_parenting/account.html",
        {
            "device": two_factor.confirmed_device(user),
            "required": two_factor.role_requires_it(user),
            "council_account": two_factor.signed_in_with_council_account(request),
        },
    )


def two_factor_turn_off(request: HttpRequest) -> HttpResponse:
    """Councillors and clerks who turned it on may turn it off (the middleware has made
    sure this session passed it); officers and admins may not."""
    user = request.user
    if two_factor.role_requires_it(user):
        raise PermissionDenied
    if two_factor.confirmed_device(user) is None:
        return redirect("account")
    if request.method == "POST":
        two_factor.remove_devices(user=user, by=user, detail="turned off by the user")
        two_factor.note_turned_on(request, False)
        messages.success(request, "Two-factor authentication is turned off.")
        return redirect("account")
    return render(request, "corporate_parenting/two_factor_turn_off.html")


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Forgotten password: the form emails the link (PasswordResetRequestForm.save)."""

    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page a reset link opens (Django stores the token in the session and takes it
    out of the address before the page shows, so it can't leak in a Referer)."""

    template_name = "registration/set_password.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"invitation": False}
    what = "password reset by email"

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        audit.record(
            user=user,
            action=AuditLog.Action.UPDATE,
            obj=user,
            changed_fields={"password": self.what},
        )
        # Someone locked out by mistyping can sign in with their new password at once.
        reset_sign_in_failures(username=user.get_username())
        return response


class InvitationView(SetPasswordView):
    """An invitation link: the same page with a welcome, its own token and lifetime."""

    token_generator = invitation_tokens
    success_url = reverse_lazy("invitation_complete")
    extra_context = {"invitation": True}
    what = "set from invitation"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return super().get_context_data(**kwargs) | {"invite_days": settings.CP_INVITE_DAYS}


class PasswordSetView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_set.html"


@login_not_required
@require_GET
def sso_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/sso_refused.html")
