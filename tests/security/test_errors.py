"""Errors people see: GOV.UK pages for 403, 404 and 500, and clashes that are explained.

A database constraint violation is shown as a message (a form error where a view
expects it; the 409 page where none does), a stale edit as the other person's change,
never as a 500. Logs of these errors carry no personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse

from committee.forms import AgendaItemForm
from committee.models import AgendaItem, Committee, Meeting, MeetingAction
from corporate_parenting import urls as root_urls
from corporate_parenting.models import Role, User
from corporate_parenting.security_middleware import RedactDatabaseValues, server_error
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# A value only a database error's DETAIL line would quote: it must never reach a log.
SENTINEL = "zz.sentinel-C9Q7"


# --- a URL conf with views that fail, for this module's tests -----------------------------


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected failure")


def duplicate_user(request: HttpRequest) -> HttpResponse:
    """A save no form checked first: the username is taken, as if at the same moment."""
    with transaction.atomic():
        User.objects.create(username=SENTINEL, role=Role.OFFICER, la=request.user.la)
    return HttpResponse("saved")


urlpatterns = [
    *root_urls.urlpatterns,
    path("test-boom/", boom),
    path("test-duplicate/", duplicate_user),
]
handler500 = root_urls.handler500


def _templates(response) -> list[str]:
    return [t.name for t in response.templates]


# --- 404, 403, 500 ------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_missing_page_is_the_govuk_page_not_found(client, officer, settings, signed_in):
    settings.DEBUG = False
    if signed_in:
        client.force_login(officer)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "404.html" in _templates(response)
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page
    assert "<title>Page not found " in page and f"{settings.SERVICE_NAME}</title>" in page
    assert "govuk-footer" in page  # the whole GOV.UK layout, not Django's bare page


def test_another_councils_record_is_page_not_found(client, council_admin, other_officer, settings):
    settings.DEBUG = False
    client.force_login(council_admin)
    response = client.get(reverse("council_user_edit", args=[other_officer.pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_forbidden_page_is_the_govuk_no_access_page(client, officer, settings):
    settings.DEBUG = False
    client.force_login(officer)
    response = client.get(reverse("council_users"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "403.html" in _templates(response)
    assert '<h1 class="govuk-heading-l">You do not have access to this page</h1>' in page
    assert f'href="{reverse("home")}"' in page


@pytest.mark.urls(__name__)
def test_an_unexpected_error_is_the_govuk_500_page(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "500.html" in _templates(response)
    assert "Sorry, there is a problem with the service" in page
    # Drawn without the request, the service's name still heads the page.
    assert f"{settings.SERVICE_NAME}</a>" in page
    assert "an unexpected failure" not in page


def test_the_500_page_needs_neither_the_request_nor_the_database(
    django_assert_num_queries, settings
):
    settings.SERVICE_NAME = "Derby Corporate Parenting"
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "<title>Sorry, there is a problem with the service " in page
    assert "Derby Corporate Parenting</title>" in page
    assert "Signed in as" not in page and "Sign out" not in page


# --- constraint violations and stale edits ------------------------------------------------


@pytest.mark.urls(__name__)
def test_an_unexpected_constraint_violation_is_a_409_page_not_a_500(client, officer, caplog):
    make_user(SENTINEL, role=Role.OFFICER)
    client.force_login(officer)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/test-duplicate/")
    page = response.content.decode()
    assert response.status_code == 409
    assert "409.html" in _templates(response)
    assert "Your change could not be saved" in page
    assert SENTINEL not in page
    warning = [r for r in caplog.records if r.name.endswith("security_middleware")]
    assert [r.getMessage() for r in warning] == [
        "Database constraint corporate_parenting_user_username_key refused a change: "
        "POST /test-duplicate/"
    ]
    assert not [r for r in caplog.records if SENTINEL in r.getMessage()]


def test_a_clash_a_form_did_not_see_coming_is_a_form_error(client, clerk, monkeypatch):
    """Another clerk saves item 5 between this form's check and its save."""
    committee = Committee.objects.create(la=clerk.la, name="Corporate Parenting Committee")
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2022, 7, 26))
    checked = AgendaItemForm.clean

    def clean_then_someone_else_saves(form: AgendaItemForm) -> dict[str, object]:
        data = checked(form)
        AgendaItem.objects.create(meeting=meeting, number=5, title="Their item")
        return data

    monkeypatch.setattr(AgendaItemForm, "clean", clean_then_someone_else_saves)
    client.force_login(clerk)
    response = client.post(
        reverse("agenda_item_create", args=[meeting.pk]), {"number": "5", "title": "Ours"}
    )
    assert response.status_code == 200
    assert "That item number was taken at the same moment; choose another" in (
        response.content.decode()
    )
    assert list(meeting.items.values_list("title", flat=True)) == ["Their item"]


def test_a_stale_edit_shows_the_other_persons_change(client, clerk):
    committee = Committee.objects.create(la=clerk.la, name="Corporate Parenting Committee")
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2022, 7, 26))
    item = AgendaItem.objects.create(meeting=meeting, number=5, title="CiCC")
    action = MeetingAction.objects.create(
        item=item, text="Report back", owner="Participation Officer", due_date=dt.date(2022, 9, 30)
    )
    opened_at = action.version
    MeetingAction.objects.filter(pk=action.pk).update(owner="Head of Service", version=2)
    client.force_login(clerk)
    response = client.post(
        reverse("meeting_action_edit", args=[meeting.pk, action.pk]),
        {
            "seen_version": opened_at,
            "item": item.pk,
            "text": "Report back",
            "owner": "Someone new",
            "due_date_day": "30",
            "due_date_month": "9",
            "due_date_year": "2022",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed this action" in page and "while you were editing" in page
    assert 'value="Head of Service"' in page  # their version is in the form now
    action.refresh_from_db()
    assert action.owner == "Head of Service"


# --- no personal data in the logs of errors -----------------------------------------------


def _console_handler() -> logging.Handler:
    """The handler settings.LOGGING gives the root logger, with its filter."""
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, RedactDatabaseValues) for f in handler.filters):
            return handler
    raise AssertionError("no root handler has the RedactDatabaseValues filter")


def test_a_logged_database_error_loses_the_values_it_quotes(officer):
    try:
        with transaction.atomic():
            User.objects.create(username=officer.username, role=Role.OFFICER, la=officer.la)
    except IntegrityError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x/",),
        exc_info,
    )
    handler = _console_handler()
    assert handler.filter(record)
    text = handler.format(record)
    assert officer.username not in text
    # What went wrong, and where, stays.
    assert "Internal Server Error: /x/" in text
    assert 'violates unique constraint "corporate_parenting_user_username_key"' in text
    assert "DETAIL: (removed from the log: it can quote personal data)" in text
    assert "Traceback" in text and "test_errors.py" in text


def test_a_logged_message_quoting_a_failing_row_is_redacted():
    record = logging.LogRecord(
        "x",
        logging.WARNING,
        __file__,
        1,
        "Import failed: %s",
        ('violates check constraint "dob"\nDETAIL:  Failing row contains (C1, 2010-05-01)',),
        None,
    )
    assert RedactDatabaseValues().filter(record)
    assert record.getMessage() == (
        'Import failed: violates check constraint "dob"\n'
        "DETAIL: (removed from the log: it can quote personal data)"
    )
