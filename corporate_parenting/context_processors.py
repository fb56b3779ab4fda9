from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from corporate_parenting.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, object]:
    nav = navigation_for(request.user)
    # The longest matching prefix is the current section.
    current = max((href for _, href in nav if request.path.startswith(href)), key=len, default=None)
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation": [(label, href, href == current) for label, href in nav],
    }
