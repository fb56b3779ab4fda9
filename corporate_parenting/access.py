"""Access checks, made in views (never only in templates, which htmx partials bypass)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from corporate_parenting.models import Role, User

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """Allow only signed-in council users with one of `roles`; anyone else gets 403."""

    allowed = {r.value for r in roles}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or user.role not in allowed:
                raise PermissionDenied
            if user.role != Role.SYSTEM_ADMIN and user.la_id is None:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_for_council_or_404[M: Model](queryset: QuerySet[M], user: User, /, **lookup: object) -> M:
    """Return the object only if it belongs to the user's council.

    Another council's object is reported as missing (404), not forbidden, so ids
    can't be probed for existence.
    """
    if user.la_id is None:
        raise Http404
    try:
        return queryset.get(la_id=user.la_id, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
