"""Helpers for the matrix test: concrete paths, outcomes, posted forms, the database's state."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import connection
from django.http import HttpResponse
from django.urls import reverse

from tests.security.matrix import SIGN_IN
from tests.support.urls import Route

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def concrete(route: Route, values: dict[str, object]) -> str:
    """The route's path with these parameter values (its sample path if it has none)."""
    if not values:
        return route.path
    return "/" + PARAMETER.sub(lambda m: str(values[m.group(1)]), route.pattern)


def admin_model(route: Route) -> str | None:
    """The admin's model ("app_label.model") an admin object URL names, if any."""
    found = re.match(r"admin/(\w+)/(\w+)/<", route.pattern)
    return f"{found[1]}.{found[2]}" if found else None


def describe(response: HttpResponse) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def matches(response: HttpResponse, expected: int | str) -> bool:
    """Whether the response is what the matrix expects; a redirect the matrix expects
    (a page sending a user on) must not be a sign-in redirect in disguise."""
    login = reverse("login")
    redirect = response.status_code in (301, 302)
    to_sign_in = redirect and response["Location"].startswith(login)
    if expected == SIGN_IN:
        return response.status_code == 302 and to_sign_in
    return response.status_code == expected and not to_sign_in


# --- what a form would post ---------------------------------------------------------------


class _FormFields(HTMLParser):
    """The fields of a page's POST forms, as a browser would submit them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") != "file":
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in self.data:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def form_data(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html)
    return parser.data


# --- the database's state -----------------------------------------------------------------

WATCHED_APPS = {
    "corporate_parenting",
    "placements",
    "inspections",
    "returns",
    "committee",
    "performance",
}


UNWATCHED = {"placements.codelistentry"}  # the DfE's code lists: 3,000 rows no page writes


def table_digests() -> dict[str, str]:
    """A digest of every row of the project's own tables, by table."""
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in WATCHED_APPS
        and m._meta.label_lower not in UNWATCHED
        and m._meta.managed
        and not m._meta.proxy
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg(md5(r::text), '' ORDER BY md5(r::text)), ''))"
        f" FROM {quote(t)} r"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())
