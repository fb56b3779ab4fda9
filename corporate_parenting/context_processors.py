from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from corporate_parenting.models import Role


def _navigation(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    if not user.is_authenticated:
        return []
    items: list[tuple[str, str]] = [("Home", reverse("home"))]
    if user.role == Role.COUNCIL_ADMIN:
        items.append(("Users", reverse("council_users")))
    if user.role == Role.SYSTEM_ADMIN:
        items.append(("Administration", reverse("admin:index")))
    return items


def service(request: HttpRequest) -> dict[str, object]:
    nav = _navigation(request)
    path = request.path
    # The longest matching prefix is the current section.
    current = max((href for _, href in nav if path.startswith(href)), key=len, default=None)
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation": [(label, href, href == current) for label, href in nav],
    }
