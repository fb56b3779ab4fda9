from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse, reverse_lazy


class SystemAdminSite(admin.AdminSite):
    """The Django admin, for system admins only: it spans every council."""

    site_header = "Corporate Parenting: system administration"
    site_title = "System administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and getattr(user, "role", None) == "system_admin"
            and user.is_staff
        )

    def get_urls(self):
        urls = super().get_urls()
        # LoginRequiredMiddleware sends anonymous visitors to a view's login_url;
        # point the admin's at the product's one sign-in page.
        for pattern in urls:
            callback = getattr(pattern, "callback", None)
            if callback is not None and hasattr(callback, "login_url"):
                callback.login_url = reverse_lazy("login")
        return urls

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def checked(request: HttpRequest, *args, **kwargs):
            # A signed-in council user is refused, not bounced to a sign-in loop.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(checked, inner)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # One sign-in page for the whole product. A signed-in council user who
        # reaches the admin is refused outright rather than bounced to a login loop.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("login"))
