from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from corporate_parenting import audit, two_factor
from corporate_parenting.access import get_for_council_or_404, role_required
from corporate_parenting.accounts import (
    never_signed_in,
    record_failed_sign_in,
    send_invitation,
    send_reset_link,
)
from corporate_parenting.forms import CouncilUserForm, NewCouncilUserForm, SignInForm
from corporate_parenting.models import AuditLog, Role, User
from corporate_parenting.navigation import home_url_for
from corporate_parenting.services import create_council_user
from returns.reminders import banner_context


class SignInView(auth_views.LoginView):
    """Username and password (django-axes counts the failures and locks them out), then
    middleware.TwoFactorRequired asks for the second factor where it is needed."""

    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"sso_enabled": settings.CP_OIDC_ENABLED}

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(user=form.get_user(), action=AuditLog.Action.LOGIN, obj=form.get_user())
        return response

    def form_invalid(self, form):
        record_failed_sign_in(self.request, str(form.data.get("username", "")), "failed sign-in")
        return super().form_invalid(form)


class ChangePasswordView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_changed")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            user=self.request.user,
            action=AuditLog.Action.UPDATE,
            obj=self.request.user,
            changed_fields={"password": "changed"},
        )
        messages.success(self.request, "Your password has been changed.")
        return response


def password_changed(request: HttpRequest) -> HttpResponse:
    return redirect(home_url_for(request.user))


@role_required(Role.COUNCIL_ADMIN)
def council_user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Email someone a link to set their password: their invitation again if they have
    never signed in, otherwise a reset link. Admins never choose or see passwords."""
    target = get_for_council_or_404(_council_users(request.user), request.user, pk=pk)
    if not target.is_active:
        raise PermissionDenied
    invitation = never_signed_in(target)
    if request.method == "POST":
        if invitation:
            send_invitation(request, target)
        else:
            send_reset_link(request, target, by=request.user)
        what = "invitation" if invitation else "password reset link"
        messages.success(request, f"We have emailed a new {what} to {target.email}.")
        return redirect("council_user_edit", pk=target.pk)
    return render(
        request,
        "corporate_parenting/council_user_password.html",
        {"target": target, "invitation": invitation},
    )


@role_required(Role.COUNCIL_ADMIN)
def council_user_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset someone's two-factor authentication (a lost or replaced phone): they set up
    an authenticator app again at their next sign-in."""
    target = get_for_council_or_404(_council_users(request.user), request.user, pk=pk)
    if two_factor.confirmed_device(target) is None:
        return redirect("council_user_edit", pk=target.pk)
    if request.method == "POST":
        two_factor.remove_devices(
            user=target, by=request.user, detail="two-factor authentication reset by admin"
        )
        messages.success(request, f"Two-factor authentication is reset for {target.username}.")
        return redirect("council_user_edit", pk=target.pk)
    return render(request, "corporate_parenting/council_user_two_factor.html", {"target": target})


def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url_for(request.user))


def _council_overview(user: User) -> dict[str, object]:
    la = user.la
    return {
        "la": la,
        "latest_population": la.populations.order_by("-year").first(),
        "neighbours": la.statistical_neighbours.filter(
            year=la.statistical_neighbours.order_by("-year").values("year")[:1]
        ).select_related("neighbour"),
        "groups": la.comparison_groups.prefetch_related("members"),
    }


@role_required(Role.OFFICER)
def officer_home(request: HttpRequest) -> HttpResponse:
    context = _council_overview(request.user) | banner_context(request.user)
    return render(request, "corporate_parenting/officer_home.html", context)


@role_required(Role.CLERK)
def clerk_home(request: HttpRequest) -> HttpResponse:
    return render(request, "corporate_parenting/clerk_home.html", _council_overview(request.user))


def _council_users(user: User):
    return User.objects.filter(la_id=user.la_id).exclude(role=Role.SYSTEM_ADMIN)


@role_required(Role.COUNCIL_ADMIN)
def council_users(request: HttpRequest) -> HttpResponse:
    users = _council_users(request.user).order_by("-is_active", "last_name", "first_name")
    return render(request, "corporate_parenting/council_users.html", {"users": users})


@role_required(Role.COUNCIL_ADMIN)
def council_user_create(request: HttpRequest) -> HttpResponse:
    form = NewCouncilUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_user = create_council_user(
            username=data["username"],
            la=request.user.la,
            role=data["role"],
            password=None,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            can_sign_off_returns=data["can_sign_off_returns"],
            can_approve_reports=data["can_approve_reports"],
        )
        audit.record(
            user=request.user,
            action=AuditLog.Action.CREATE,
            obj=new_user,
            changed_fields={f: str(data[f]) for f in form.changed_data if f != "fingerprint"},
        )
        send_invitation(request, new_user)
        messages.success(
            request, f"User {new_user.username} created. We have emailed them an invitation."
        )
        return redirect("council_users")
    return render(
        request,
        "corporate_parenting/council_user_form.html",
        {"form": form, "invite_days": settings.CP_INVITE_DAYS},
    )


@role_required(Role.COUNCIL_ADMIN)
def council_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_for_council_or_404(_council_users(request.user), request.user, pk=pk)
    form = CouncilUserForm(request.POST or None, instance=target)
    if request.method == "POST":
        if form.is_valid():
            if target == request.user and (
                form.cleaned_data["role"] != Role.COUNCIL_ADMIN
                or not form.cleaned_data["is_active"]
            ):
                form.add_error(
                    None, "You cannot remove your own admin role or deactivate yourself."
                )
            else:
                changed = {
                    f: str(form.cleaned_data[f]) for f in form.changed_data if f != "fingerprint"
                }
                form.save()
                if changed:
                    audit.record(
                        user=request.user,
                        action=AuditLog.Action.UPDATE,
                        obj=target,
                        changed_fields=changed,
                        detail=_activation_change(changed),
                    )
                messages.success(request, f"User {target.username} saved.")
                return redirect("council_users")
        elif "stale" in {e.code for e in form.non_field_errors().as_data()}:
            # Show the other person's values with the stale warning.
            fresh = User.objects.get(pk=target.pk)
            errors = form.errors
            form = CouncilUserForm(instance=fresh)
            form._errors = errors
    return render(
        request,
        "corporate_parenting/council_user_form.html",
        {
            "form": form,
            "target": target,
            "invited": never_signed_in(target),
            "has_two_factor": two_factor.confirmed_device(target) is not None,
        },
    )


def _activation_change(changed: dict[str, str]) -> str:
    if "is_active" not in changed:
        return ""
    return "reactivated" if changed["is_active"] == "True" else "deactivated"


@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "corporate_parenting/accessibility.html")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
