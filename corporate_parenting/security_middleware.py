"""Safety nets for headers, errors and logs.

- `PermissionsPolicyMiddleware`: the browser features no page of the service uses
  (camera, microphone, location...) are switched off for every page.
- `IntegrityErrorMiddleware`: a database constraint violation that a view didn't turn
  into a form error becomes a clear "could not be saved" page (409), not a 500.
- `server_error`: the 500 page, rendered without the request or the database, which
  may be what failed.
- `RedactDatabaseValues`: a logging filter that drops the lines of a database error
  that quote the refused row (a child's identifier, a date of birth).

Nothing here imports models: the logging filter is loaded while Django configures
logging, before the apps are ready.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Features Chromium, Firefox and Safari all recognise (an unknown name is a console error).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header, which Django's SecurityMiddleware doesn't."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class IntegrityErrorMiddleware:
    """Turn an unhandled IntegrityError into a 409 page that says what to do.

    Views catch the clashes they expect and show them as form errors; this is the net
    for the ones they don't. The log names the constraint and the page's path (which
    carries only record ids), never the values the database quotes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, IntegrityError):
            return None
        logger.warning(
            "Database constraint %s refused a change: %s %s",
            constraint_name(exception) or "(unnamed)",
            request.method,
            request.path,
        )
        return render(request, "409.html", status=409)


def constraint_name(error: IntegrityError) -> str:
    """The name of the constraint a database error is about, from psycopg's diagnostics."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. It is rendered without the request, so no context processor (and
    no database query) runs: the failure may be the database itself."""
    return HttpResponseServerError(
        render_to_string("500.html", {"service_name": settings.SERVICE_NAME})
    )


# PostgreSQL's DETAIL and CONTEXT lines quote the refused key or the whole failing row;
# LINE lines (and the caret under them) quote the statement, values and all.
QUOTING_LINES = re.compile(r"^(\s*)(DETAIL|CONTEXT|LINE \d+):.*(\n\s*\^\s*$)?", re.MULTILINE)
REDACTED = r"\1\2: (removed from the log: it can quote personal data)"


def redact(text: str) -> str:
    return QUOTING_LINES.sub(REDACTED, text)


class RedactDatabaseValues(logging.Filter):
    """Keep the values a database error quotes out of the log; the error, its
    constraint and its traceback stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        message = record.getMessage()
        if QUOTING_LINES.search(message):
            record.msg, record.args = redact(message), None
        return True
