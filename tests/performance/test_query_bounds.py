"""Every dashboard and report page reads in a bounded number of queries.

One council's whole demo (a year of 903 data, homes and inspections, four quarterly
returns and a committee meeting with its reports) is loaded, each page is read and its
queries counted; then more homes, meetings and reports are added and the count must not
grow. A page added to the dashboard or committee URLs without a bound fails the test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee.models import AgendaItem, Meeting, Report
from committee.urls import urlpatterns as committee_urls
from corporate_parenting.models import ComparisonGroup, Role
from inspections import ratings
from inspections.models import CouncilInspection, Setting
from performance.urls import urlpatterns as performance_urls
from returns.models import QuarterlyReturn
from tests.conftest import make_user
from tests.performance.test_dashboard import import_children

# (url name, persona, a function of the demo giving the URL's args and query) -> bound.
# The bounds include the session and user lookups every signed-in request makes.
PAGES = {
    "dashboard": ("councillor", lambda d: ([], "?year=2022"), 20),
    "dashboard quarter": ("councillor", lambda d: ([], "?year=2022&quarter=3"), 20),
    "dashboard breakdown": ("councillor", lambda d: ([], "?year=2022&breakdown=age"), 22),
    "compare": ("councillor", lambda d: ([d["group"].pk], "?year=2022"), 15),
    "england": ("system_admin", lambda d: ([], "?year=2022"), 12),
    "england_region": ("system_admin", lambda d: (["east-midlands"], "?year=2022"), 12),
    "glossary": ("councillor", lambda d: ([], ""), 22),
    "inspections_home": ("councillor", lambda d: ([], ""), 20),
    "homes_list": ("councillor", lambda d: ([], ""), 15),
    "home_detail": ("councillor", lambda d: ([d["home"].pk], ""), 16),
    "inspections_due": ("councillor", lambda d: ([], ""), 15),
    "reg44_grid": ("councillor", lambda d: ([], "?year=2022"), 14),
    "council_inspection_list": ("councillor", lambda d: ([], ""), 15),
    "council_inspection_detail": ("councillor", lambda d: ([d["ilacs"].pk], ""), 16),
    "cicc_action_list": ("councillor", lambda d: ([], ""), 12),
    "return_detail": ("officer", lambda d: ([d["return"].pk], ""), 30),
    "returns_reconciliation": ("officer", lambda d: ([], "?year=2022"), 14),
    "meeting_list": ("clerk", lambda d: ([], ""), 12),
    "meeting_detail": ("clerk", lambda d: ([d["meeting"].pk], ""), 17),
    "report_list": ("clerk", lambda d: ([], ""), 12),
    "report_detail": ("clerk", lambda d: ([d["report"].pk], ""), 27),
    "clerk_home": ("clerk", lambda d: ([], ""), 15),
}

# Committee and dashboard URLs that aren't reading pages: forms (which write, bounded by
# their own tests) and file downloads (one document each).
NOT_PAGES = {
    "commentary_edit",
    "targets_edit",
    "meeting_create",
    "agenda_item_create",
    "appendix_create",
    "agenda_item_edit",
    "resolution_create",
    "meeting_action_create",
    "meeting_action_edit",
    "pack_create",
    "pack_detail",
    "pack_download",
    "report_create",
    "report_edit",
    "report_pdf",
    "report_docx",
    "report_table_csv",
    "report_tables_xlsx",
}


@pytest.fixture
def demo(tmp_path, derby, django_capture_on_commit_callbacks):
    from committee.demo import load_demo_meeting
    from inspections.demo import load_demo_oversight
    from inspections.providers import load_demo_providers
    from returns.demo import load_demo_quarterly_returns

    make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)
    import_children(tmp_path, "831", 40)
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_providers(log=lambda _: None)
        load_demo_oversight(log=lambda _: None)
        load_demo_quarterly_returns(log=lambda _: None)
        meeting = load_demo_meeting(log=lambda _: None)
    group = ComparisonGroup.objects.create(name="Bound group")
    group.members.set([derby.pk, 2, 3])
    return {
        "group": group,
        "home": ratings.council_homes(derby)[0],
        "ilacs": CouncilInspection.objects.filter(la=derby).first(),
        "return": QuarterlyReturn.objects.filter(la=derby).order_by("-quarter").first(),
        "meeting": meeting,
        "report": Report.objects.filter(la=derby).first(),
    }


def grow(derby, demo) -> None:
    """Five more homes, meetings and reports, each like one already there."""
    meeting = demo["meeting"]
    for n in range(5):
        home = Setting.objects.get(pk=demo["home"].pk)
        home.pk = None
        home.urn = f"SC99{n:04d}"
        home.name = f"{home.name} {n}"
        home.save()
        new = Meeting.objects.create(
            committee=meeting.committee, date=meeting.date + dt.timedelta(days=30 * (n + 1))
        )
        report = Report.objects.get(pk=demo["report"].pk)
        report.pk = None
        report.title = f"{report.title} {n}"
        report.save()
        AgendaItem.objects.create(meeting=new, number=1, title="A report", report=report)
        AgendaItem.objects.create(meeting=meeting, number=20 + n, title="More", report=report)


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def test_every_dashboard_and_report_page_has_a_bound():
    names = {p.name for p in [*performance_urls, *committee_urls]}
    bounded = {key.split(" ")[0] for key in PAGES}
    missing = names - bounded - NOT_PAGES
    assert not missing, f"Give these pages a query bound in PAGES: {sorted(missing)}"


def test_pages_stay_within_their_bounds_as_the_data_grows(client, personas, derby, demo):
    def url(key: str) -> str:
        args, query = PAGES[key][1](demo)
        return reverse(key.split(" ")[0], args=args) + query

    before = {}
    for key, (persona, _, bound) in PAGES.items():
        client.force_login(personas[persona])
        before[key] = count(client, url(key))
        assert before[key] <= bound, f"{key}: {before[key]} queries, bound {bound}"
    grow(derby, demo)
    for key, (persona, _, _bound) in PAGES.items():
        client.force_login(personas[persona])
        after = count(client, url(key))
        assert after <= before[key], f"{key}: {before[key]} then {after} queries"
