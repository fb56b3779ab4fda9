from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from corporate_parenting import two_factor


class NoStoreForSignedInUsers:
    """Pages for a signed-in user may show child-level data: never keep them in a cache,
    so the browser's Back button after sign-out on a shared council PC shows nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class TwoFactorRequired:
    """Until a signed-in user who needs two-factor authentication has passed it in this
    session, every page sends them to enter a code (or, with no authenticator app yet, to
    set one up). Their password alone opens nothing.

    Left open: pages anyone may see (sign-in, the accessibility statement, /healthz,
    static files), signing out, and the two-factor pages themselves. Must come after
    django-otp's OTPMiddleware, which says whether the session is verified.
    """

    OPEN_VIEW_NAMES = frozenset({"logout"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        if (
            not getattr(view_func, "login_required", True)
            or getattr(view_func, "two_factor_exempt", False)
            or request.resolver_match.view_name in self.OPEN_VIEW_NAMES
            or request.path.startswith(settings.STATIC_URL)
        ):
            return None
        step = two_factor.pending_step(request)
        if step is None:
            return None
        target = reverse(step)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
