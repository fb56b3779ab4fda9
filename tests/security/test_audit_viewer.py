"""The audit log viewer: who sees which entries, filters, pages, and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from unittest import mock

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from corporate_parenting import audit
from corporate_parenting.models import AuditLog, LocalAuthority

pytestmark = pytest.mark.django_db

NOTTS = "891"


def entry(*, at: dt.datetime | None = None, la_code: str = "831", **values: object) -> AuditLog:
    """An entry as the app writes them; `at` (local time) fixes its time."""
    fields = {
        "username": "derby.officer",
        "action": AuditLog.Action.VIEW,
        "object_type": "placements.Child",
        "object_id": "1",
    } | values
    la = LocalAuthority.objects.get(la_code=la_code)
    when = timezone.make_aware(at) if at else timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=when):
        return AuditLog.objects.create(la=la, **fields)


def ids(response) -> list[str]:
    return [r["entry"].object_id for r in response.context["rows"]]


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- who sees what ------------------------------------------------------------------------


def test_a_council_admin_sees_only_their_own_councils_entries(client, council_admin):
    entry(object_id="derby-1")
    entry(object_id="notts-1", la_code=NOTTS, username="notts.officer")
    client.force_login(council_admin)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert ids(response) == ["derby-1"]
    assert "notts-1" not in response.content.decode()
    # No council filter for them: a council's admin has only their own council.
    assert "council" not in response.context["form"].fields
    only_notts = client.get(
        reverse("audit_log"), {"council": LocalAuthority.objects.get(la_code=NOTTS).pk}
    )
    assert ids(only_notts) == ["derby-1"]


def test_a_system_admin_sees_every_council_and_filters_by_council(client, system_admin):
    entry(object_id="derby-1")
    entry(object_id="notts-1", la_code=NOTTS, username="notts.officer")
    client.force_login(system_admin)
    everything = client.get(reverse("audit_log"))
    assert ids(everything) == ["notts-1", "derby-1"]
    page = everything.content.decode()
    assert '<th scope="col" class="govuk-table__header">Council</th>' in page
    assert "Nottinghamshire" in page
    notts = LocalAuthority.objects.get(la_code=NOTTS)
    assert ids(client.get(reverse("audit_log"), {"council": notts.pk})) == ["notts-1"]


@pytest.mark.parametrize("persona", ["officer", "councillor", "clerk"])
def test_other_roles_may_not_read_the_log(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log_csv")).status_code == 403


def test_the_council_admins_menu_links_to_the_log(client, council_admin):
    client.force_login(council_admin)
    page = client.get(reverse("council_users")).content.decode()
    link = rf'<a class="govuk-service-navigation__link" href="{reverse("audit_log")}"'
    assert re.search(link + r"[^>]*>\s*Audit log\s*</a>", page)


# --- filters ------------------------------------------------------------------------------


def test_filters_by_date_user_action_and_type(client, council_admin):
    entry(object_id="old", at=dt.datetime(2024, 3, 31, 23, 59))
    entry(object_id="first-day", at=dt.datetime(2024, 4, 1, 0, 0))
    entry(object_id="last-day", at=dt.datetime(2024, 4, 30, 23, 59))
    entry(object_id="new", at=dt.datetime(2024, 5, 1, 0, 0))
    entry(object_id="other-user", username="derby.manager", at=dt.datetime(2024, 4, 2))
    entry(object_id="update", action=AuditLog.Action.UPDATE, at=dt.datetime(2024, 4, 3))
    entry(object_id="a-home", object_type="inspections.Setting", at=dt.datetime(2024, 4, 4))
    client.force_login(council_admin)
    april = {
        "date_from_day": "1",
        "date_from_month": "4",
        "date_from_year": "2024",
        "date_to_day": "30",
        "date_to_month": "4",
        "date_to_year": "2024",
    }
    assert ids(client.get(reverse("audit_log"), april)) == [
        "last-day",
        "a-home",
        "update",
        "other-user",
        "first-day",
    ]
    assert ids(client.get(reverse("audit_log"), {"username": "derby.manager"})) == ["other-user"]
    assert ids(client.get(reverse("audit_log"), {"action": "update"})) == ["update"]
    assert ids(client.get(reverse("audit_log"), {"object_type": "inspections.Setting"})) == [
        "a-home"
    ]
    both = april | {
        "action": "view",
        "object_type": "placements.Child",
        "username": "derby.officer",
    }
    assert ids(client.get(reverse("audit_log"), both)) == ["last-day", "first-day"]


def test_a_date_range_the_wrong_way_round_is_explained(client, council_admin):
    entry()
    client.force_login(council_admin)
    response = client.get(
        reverse("audit_log"),
        {
            "date_from_day": "30",
            "date_from_month": "4",
            "date_from_year": "2024",
            "date_to_day": "1",
            "date_to_month": "4",
            "date_to_year": "2024",
        },
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The date to must be the same as or after the date from" in page
    assert "<title>Error: Audit log" in page
    assert "govuk-table" not in page


def test_changed_fields_are_shown_as_old_and_new(client, council_admin):
    entry(
        action=AuditLog.Action.UPDATE,
        object_type="inspections.Setting",
        changed_fields={"places": {"old": "4", "new": "5"}, "status": "closed"},
        detail="Home updated",
    )
    client.force_login(council_admin)
    page = client.get(reverse("audit_log")).content.decode()
    assert "places: 4 → 5" in page
    assert "status: closed" in page
    assert "Home updated" in page
    assert f"{escape(audit.object_type_names()['inspections.Setting'])} 1" in page


# --- pages --------------------------------------------------------------------------------


def test_pages_of_fifty_newest_first_found_by_position(client, council_admin):
    start = dt.datetime(2024, 1, 1, 9, 0)
    for n in range(120):
        entry(object_id=str(n), at=start + dt.timedelta(minutes=n))
    client.force_login(council_admin)
    first = client.get(reverse("audit_log"))
    assert ids(first) == [str(n) for n in range(119, 69, -1)]
    assert first.context["newer"] is None
    second = client.get(reverse("audit_log"), {"before": first.context["older"]})
    assert ids(second) == [str(n) for n in range(69, 19, -1)]
    third = client.get(reverse("audit_log"), {"before": second.context["older"]})
    assert ids(third) == [str(n) for n in range(19, -1, -1)]
    assert third.context["older"] is None
    back = client.get(reverse("audit_log"), {"after": third.context["newer"]})
    assert ids(back) == ids(second)
    page = second.content.decode()
    assert "Newer entries" in page and "Older entries" in page


def test_entries_at_the_same_moment_are_neither_lost_nor_repeated_across_pages(
    client, council_admin
):
    same = dt.datetime(2024, 1, 1, 9, 0)
    for n in range(60):
        entry(object_id=str(n), at=same)
    client.force_login(council_admin)
    first = client.get(reverse("audit_log"))
    second = client.get(reverse("audit_log"), {"before": first.context["older"]})
    assert sorted(ids(first) + ids(second), key=int) == [str(n) for n in range(60)]


def test_a_page_costs_the_same_few_queries_and_never_counts_the_log(client, council_admin):
    for n in range(60):
        entry(object_id=str(n))
    client.force_login(council_admin)
    middle = AuditLog.objects.order_by("pk")[30].pk
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("audit_log"), {"before": middle})
    log_queries = [q["sql"] for q in queries if "corporate_parenting_auditlog" in q["sql"]]
    assert not [sql for sql in log_queries if "COUNT(" in sql.upper()]
    assert not [sql for sql in log_queries if "OFFSET" in sql.upper()]
    assert len(log_queries) == 2  # the position, then the page


# --- the CSV export -----------------------------------------------------------------------


def test_the_export_streams_the_filtered_entries_safely_and_is_audited(client, council_admin):
    entry(
        object_id="7",
        changed_fields={"places": {"old": "4", "new": "5"}},
        action=AuditLog.Action.UPDATE,
        object_type="inspections.Setting",
    )
    # A failed sign-in keeps the username typed: anyone can type a formula there.
    entry(
        username='=HYPERLINK("http://evil.example")',
        action=AuditLog.Action.LOGIN,
        object_type="auth.User",
        object_id="",
        detail="failed sign-in from 10.0.0.1",
    )
    entry(object_id="notts", la_code=NOTTS)
    client.force_login(council_admin)
    response = client.get(reverse("audit_log_csv"), {"action": "update"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-831-')
    rows = csv_rows(response)
    assert rows[0] == [
        "time",
        "username",
        "user id",
        "council",
        "action",
        "type of record",
        "record id",
        "changed fields",
        "detail",
    ]
    assert [r[1:7] + r[8:] for r in rows[1:]] == [
        ["derby.officer", "", "831", "update", "inspections.Setting", "7", ""]
    ]
    assert json.loads(rows[1][7]) == {"places": {"old": "4", "new": "5"}}
    everything = csv_rows(client.get(reverse("audit_log_csv")))
    usernames = [r[1] for r in everything[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in usernames
    assert "notts" not in [r[6] for r in everything[1:]]
    exports = AuditLog.objects.filter(action=AuditLog.Action.EXPORT, username="derby.admin")
    assert [(e.object_type, e.la.la_code, e.detail) for e in exports.order_by("pk")] == [
        ("corporate_parenting.AuditLog", "831", "audit log CSV; filters: action=update"),
        ("corporate_parenting.AuditLog", "831", "audit log CSV; filters: none"),
    ]


def test_the_page_links_to_the_export_of_its_filters(client, council_admin):
    entry()
    client.force_login(council_admin)
    page = client.get(reverse("audit_log"), {"action": "view", "before": "1"}).content.decode()
    assert f'href="{reverse("audit_log_csv")}?action=view"' in page


def test_an_export_with_bad_filters_exports_nothing(client, council_admin):
    entry()
    client.force_login(council_admin)
    response = client.get(
        reverse("audit_log_csv"),
        {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2024"},
    )
    assert response.status_code == 400
    assert "must be a real date" in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()
