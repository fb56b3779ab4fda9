"""Closure periods: a home's history of closures, kept when its status changes."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from corporate_parenting.models import AuditLog, LocalAuthority
from inspections import closures, ratings, reg44
from inspections.closures import StatusChangeError, record_status
from inspections.models import (
    ClosureSource,
    Reg44Visit,
    Setting,
    SettingClosure,
    SettingStatus,
    SettingType,
)
from inspections.providers import load_demo_providers, load_provider_file
from tests.inspections.test_providers import HOME, as_csv

pytestmark = pytest.mark.django_db

D = dt.date
TEMPORARILY_CLOSED, CLOSED, OPEN = (
    SettingStatus.TEMPORARILY_CLOSED,
    SettingStatus.CLOSED,
    SettingStatus.OPEN,
)
COUNCIL = ClosureSource.COUNCIL
TODAY = D(2022, 3, 20)
YEAR = (D(2021, 4, 1), D(2022, 3, 31))  # the grid's year, 2021/22
REGISTERED = D(2010, 1, 1)


def make_home(la, urn: str, name: str, **extra: object) -> Setting:
    fields = {
        "setting_type": SettingType.CHILDRENS_HOME,
        "run_by_council": la,
        "la": la,
        "sector": "Local Authority",
        "registration_date": D(2010, 1, 1),
        "registered_places": 4,
        **extra,
    }
    return Setting.objects.create(urn=urn, name=name, **fields)


def visit(home: Setting, day: dt.date, reported: dt.date | None = None) -> Reg44Visit:
    return Reg44Visit.objects.create(
        setting=home,
        month=day.replace(day=1),
        visit_date=day,
        announced=False,
        visitor="Pat Visitor",
        children_spoken_to=2,
        report_received=reported,
        children_safeguarded=True if reported else None,
        wellbeing_promoted=True if reported else None,
    )


@pytest.fixture
def oak(derby) -> Setting:
    """Open all year, visited every month with its report on time."""
    home = make_home(derby, "SC900001", "Oak Lodge")
    for month in [*range(4, 13), 1, 2]:
        year = 2021 if month >= 4 else 2022
        visit(home, D(year, month, 3), D(year, month, 10))
    return home


@pytest.fixture
def willow(derby) -> Setting:
    home = make_home(derby, "SC900002", "Willow Lodge")
    record_status(home, TEMPORARILY_CLOSED, D(2020, 2, 1), source=COUNCIL)
    return home


def year_grid(la) -> reg44.Grid:
    return reg44.grid(la, *YEAR, TODAY)


def statuses(grid: reg44.Grid, name: str) -> dict[str, str]:
    [row] = [r for r in grid.rows if r.setting.name == name]
    return {f"{c.month:%Y-%m}": c.status for c in row.cells}


def periods(home: Setting) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(c.status, c.start, c.end) for c in home.closures.order_by("start")]


def has(response, text: str) -> bool:
    return escape(text) in response.content.decode()


# --- history kept --------------------------------------------------------------------------


def test_closing_for_good_after_a_temporary_closure_keeps_the_history(derby, oak, willow):
    before = year_grid(derby)
    assert (before.on_time, before.due) == (11, 11)
    version = Setting.objects.get(pk=willow.pk).version

    assert record_status(willow, CLOSED, D(2022, 1, 1), source=COUNCIL)

    willow.refresh_from_db()
    assert (willow.status, willow.status_since, willow.version) == (
        CLOSED,
        D(2022, 1, 1),
        version + 1,
    )
    # One period still, from the day it first closed, now with the new status.
    assert periods(willow) == [(CLOSED, D(2020, 2, 1), None)]
    assert ratings.is_closed_on(willow, D(2021, 6, 1))
    assert not ratings.is_closed_on(willow, D(2020, 1, 31))
    after = year_grid(derby)
    # Long closed before the year: still left out of the grid, and nothing became due.
    assert [r.setting.name for r in after.rows] == ["Oak Lodge"]
    assert (after.on_time, after.due) == (11, 11)
    # Over a period it was open in, every month of its closure stays exempt.
    visit(willow, D(2019, 12, 3), D(2019, 12, 10))
    grid = reg44.grid(derby, D(2019, 12, 1), D(2022, 2, 28), TODAY)
    cells = statuses(grid, "Willow Lodge")
    assert cells["2019-12"] == "on_time"
    assert {cells[m] for m in cells if m >= "2020-02"} == {"exempt"}
    assert {cells[m] for m in cells if "2021-04" <= m <= "2021-12"} == {"exempt"}


def test_the_officer_closes_a_temporarily_closed_home_for_good_in_the_form(
    client, officer, oak, willow
):
    client.force_login(officer)
    response = client.post(
        reverse("home_edit", args=[willow.pk]),
        home_post(willow, status=CLOSED, since=D(2022, 1, 1)),
    )
    assert response.status_code == 302
    willow.refresh_from_db()
    assert (willow.status, willow.status_since) == (CLOSED, D(2022, 1, 1))
    assert periods(willow) == [(CLOSED, D(2020, 2, 1), None)]
    assert willow.version == 3  # one bump for the form's save (record_status made it 2)
    page = client.get(reverse("home_detail", args=[willow.pk]))
    assert has(page, "Closed since 1 January 2022 (not open since 1 February 2020)")
    # The April-December 2021 months stay exempt; the on-time figure is unchanged.
    derby = willow.run_by_council
    cells = statuses(reg44.grid(derby, D(2020, 1, 1), D(2022, 2, 28), TODAY), "Willow Lodge")
    assert {cells[m] for m in cells if "2021-04" <= m <= "2021-12"} == {"exempt"}
    grid = year_grid(derby)
    assert (grid.on_time, grid.due) == (11, 11)


def test_reopening_ends_the_period_and_its_months_stay_exempt(derby, oak, willow):
    assert record_status(willow, OPEN, D(2021, 6, 15), source=COUNCIL)
    willow.refresh_from_db()
    assert (willow.status, willow.status_since) == (OPEN, D(2021, 6, 15))
    assert periods(willow) == [(TEMPORARILY_CLOSED, D(2020, 2, 1), D(2021, 6, 14))]
    assert ratings.is_closed_on(willow, D(2021, 6, 14))
    assert not ratings.is_closed_on(willow, D(2021, 6, 15))
    cells = statuses(year_grid(derby), "Willow Lodge")
    # Closed on some day of April, May and June: exempt. Open all July: due.
    assert [cells[m] for m in ("2021-04", "2021-05", "2021-06")] == ["exempt"] * 3
    assert cells["2021-07"] == "missing"
    # Reopened within the year, so the home is in the grid again.
    assert [r.setting.name for r in year_grid(derby).rows] == ["Oak Lodge", "Willow Lodge"]
    # Closing again starts a new period; the old one stays as it was.
    record_status(willow, CLOSED, D(2022, 1, 10), source=COUNCIL)
    assert periods(willow) == [
        (TEMPORARILY_CLOSED, D(2020, 2, 1), D(2021, 6, 14)),
        (CLOSED, D(2022, 1, 10), None),
    ]
    summary = ratings.summarise(
        list(ratings.with_inspections(ratings.council_homes(derby))), D(2021, 5, 1)
    )
    assert (summary.open, summary.temporarily_closed, summary.closed) == (1, 1, 0)


def test_a_visit_in_an_ended_closure_is_refused_naming_the_period(client, officer, willow):
    record_status(willow, OPEN, D(2021, 6, 15), source=COUNCIL)
    client.force_login(officer)
    data = {
        "setting": willow.pk,
        "visit_date_day": "3",
        "visit_date_month": "5",
        "visit_date_year": "2021",
        "announced": "no",
        "visitor": "Sam Independent",
        "children_spoken_to": "4",
    }
    response = client.post(reverse("reg44_visit_create"), data)
    assert has(
        response,
        "Willow Lodge was temporarily closed from 1 February 2020 to 14 June 2021, so it "
        "can't have had a visit on 3 May 2021",
    )
    assert (
        client.post(reverse("reg44_visit_create"), {**data, "visit_date_month": "7"}).status_code
        == 302
    )


def test_a_reopening_date_on_or_before_the_closure_is_refused_and_nothing_changes(
    client, officer, willow
):
    stored = Setting.objects.filter(pk=willow.pk).values().get()
    for day in (D(2020, 1, 15), D(2020, 2, 1)):
        with pytest.raises(StatusChangeError) as refused:
            record_status(willow, OPEN, day, source=COUNCIL)
        assert str(refused.value) == (
            "Willow Lodge was temporarily closed from 1 February 2020, so the date it "
            "reopened must be after 1 February 2020"
        )
    assert Setting.objects.filter(pk=willow.pk).values().get() == stored
    assert periods(willow) == [(TEMPORARILY_CLOSED, D(2020, 2, 1), None)]

    # The form says the same, and saves nothing.
    client.force_login(officer)
    response = client.post(
        reverse("home_edit", args=[willow.pk]), home_post(willow, status=OPEN, since=D(2020, 1, 15))
    )
    assert response.status_code == 200
    assert has(response, "so the date it reopened must be after 1 February 2020")
    assert Setting.objects.filter(pk=willow.pk).values().get() == stored
    assert not AuditLog.objects.filter(object_type="inspections.Setting").exists()


def test_a_new_closure_cant_overlap_an_earlier_one(willow):
    record_status(willow, OPEN, D(2021, 6, 15), source=COUNCIL)
    with pytest.raises(StatusChangeError, match="the date it closed again must be after 14 June"):
        record_status(willow, CLOSED, D(2021, 5, 1), source=COUNCIL)
    assert len(periods(willow)) == 1


def test_correcting_the_closure_date_moves_the_period(willow):
    record_status(willow, TEMPORARILY_CLOSED, D(2020, 3, 1), source=COUNCIL)
    assert periods(willow) == [(TEMPORARILY_CLOSED, D(2020, 3, 1), None)]
    assert not record_status(willow, TEMPORARILY_CLOSED, D(2020, 3, 1), source=COUNCIL)


def test_the_database_keeps_periods_in_order_apart_and_one_open(willow):
    def refused(**fields):
        with pytest.raises(IntegrityError), transaction.atomic():
            SettingClosure.objects.create(setting=willow, source=COUNCIL, **fields)

    refused(status=CLOSED, start=D(2023, 1, 1))  # a second open period
    refused(status=CLOSED, start=D(2019, 1, 1), end=D(2018, 1, 1))  # ends before it starts
    refused(status=CLOSED, start=D(2019, 1, 1), end=D(2020, 2, 1))  # overlaps by a day
    refused(status="open", start=D(2019, 1, 1), end=D(2019, 2, 1))
    SettingClosure.objects.create(
        setting=willow, status=CLOSED, start=D(2019, 1, 1), end=D(2020, 1, 31), source=COUNCIL
    )


# --- the provider list ---------------------------------------------------------------------


def load(row: dict[str, str], as_at: dt.date):
    return load_provider_file(as_csv(row), "providers.csv", as_at=as_at)


def test_the_list_never_reopens_a_home_the_council_closed(derby):
    load(HOME, D(2022, 3, 31))  # Derby's own home, Active
    home = Setting.objects.get(urn="SC123456")
    record_status(home, CLOSED, D(2022, 5, 1), source=COUNCIL)
    version = Setting.objects.get(pk=home.pk).version

    result = load(HOME, D(2023, 3, 31))
    home.refresh_from_db()
    assert (home.status, home.status_since, home.version) == (CLOSED, D(2022, 5, 1), version)
    [warning] = result.warnings
    assert warning.message == (
        "URN SC123456 is active in Ofsted's list, but Derby has recorded it as closed since "
        "1 May 2022: it is left closed. If the home has reopened, record that on the "
        "home's page."
    )
    assert (warning.row, warning.column) == (5, "Registration status")
    assert periods(home) == [(CLOSED, D(2022, 5, 1), None)]


def test_the_list_reopens_a_closure_it_recorded_itself_keeping_the_period(derby):
    load({**HOME, "Registration status": "Suspended"}, D(2022, 3, 31))
    home = Setting.objects.get(urn="SC123456")
    assert periods(home) == [(TEMPORARILY_CLOSED, D(2022, 3, 31), None)]
    assert home.closures.get().source == ClosureSource.OFSTED_LIST

    load({**HOME, "Registration status": "Active"}, D(2023, 3, 31))
    home.refresh_from_db()
    assert (home.status, home.status_since, home.version) == (OPEN, D(2023, 3, 31), 2)
    assert periods(home) == [(TEMPORARILY_CLOSED, D(2022, 3, 31), D(2023, 3, 30))]

    # An older list loaded late can't reopen before the closure began: a warning.
    load({**HOME, "Registration status": "Resigned"}, D(2024, 3, 31))
    result = load({**HOME, "Registration status": "Active"}, D(2023, 9, 30))
    home.refresh_from_db()
    assert (home.status, home.status_since) == (CLOSED, D(2024, 3, 31))
    assert "its status is left as it was" in result.warnings[0].message


def test_the_list_bumps_the_version_so_an_open_form_cant_overwrite_it(client, officer, derby):
    load(HOME, D(2022, 3, 31))
    home = Setting.objects.get(urn="SC123456")
    seen = home.version
    client.force_login(officer)

    result = load({**HOME, "Places": "6", "Registration status": "Suspended"}, D(2023, 3, 31))
    assert result.updated == 1
    home.refresh_from_db()
    assert home.version == seen + 1
    assert (home.registered_places, home.status) == (6, TEMPORARILY_CLOSED)

    # The officer's form, opened before the load, is told rather than overwriting.
    response = client.post(
        reverse("home_edit", args=[home.pk]), home_post(home, places="4", version=seen)
    )
    assert response.status_code == 200
    assert "while you were editing" in response.content.decode()
    home.refresh_from_db()
    assert (home.registered_places, home.status) == (6, TEMPORARILY_CLOSED)


def test_the_demo_list_records_its_closed_home_as_the_councils_and_bumps_versions(derby):
    load_demo_providers(log=lambda _: None)
    willow = Setting.objects.get(urn="SC900005")
    assert periods(willow) == [(TEMPORARILY_CLOSED, D(2020, 2, 1), None)]
    assert willow.closures.get().source == ClosureSource.COUNCIL
    oak = Setting.objects.get(urn="SC900001")
    Setting.objects.filter(pk=oak.pk).update(run_by_council=None)

    again = load_demo_providers(log=lambda _: None)
    # The list says Willow Lodge is Active: the council's closure stands, with a warning.
    assert [w.column for w in again.warnings] == ["Registration status"]
    willow.refresh_from_db()
    assert (willow.status, willow.status_since) == (TEMPORARILY_CLOSED, D(2020, 2, 1))
    assert Setting.objects.get(pk=oak.pk).version == oak.version + 1


# --- the home form ------------------------------------------------------------------------


def home_post(
    home: Setting | None = None,
    *,
    urn: str | None = None,
    status: str | None = None,
    since: dt.date | None = None,
    registered: dt.date | None = REGISTERED,
    places: str = "4",
    version: int | None = None,
    **extra: str,
) -> dict[str, str]:
    status = status or (home.status if home else OPEN)
    since = since or (home.status_since if home else None)
    data = {
        "urn": urn or (home.urn if home else "SC654321"),
        "name": (home.name if home else "") or "New House",
        "setting_type": SettingType.CHILDRENS_HOME,
        "registered_places": places,
        "status": status,
        "postcode": "",
        **date_fields("registration_date", registered),
        **date_fields("status_since", since),
        **extra,
    }
    if home is not None:
        data["seen_version"] = str(home.version if version is None else version)
    return data


def date_fields(name: str, day: dt.date | None) -> dict[str, str]:
    parts = (day.day, day.month, day.year) if day else ("", "", "")
    return {
        f"{name}_{part}": str(v) for part, v in zip(("day", "month", "year"), parts, strict=True)
    }


def test_adding_a_home_needs_its_registration_date(client, officer, derby):
    client.force_login(officer)
    response = client.post(reverse("home_create"), home_post(registered=None))
    assert response.status_code == 200
    assert has(response, "Enter the date the home was registered")
    assert not Setting.objects.exists()
    # Changing a home (one from Ofsted's list without the date, say) doesn't need it.
    home = make_home(derby, "SC100001", "Old House", registration_date=None)
    response = client.post(
        reverse("home_edit", args=[home.pk]), home_post(home, registered=None, places="5")
    )
    assert response.status_code == 302
    assert Setting.objects.get(pk=home.pk).registered_places == 5


def test_a_home_added_as_closed_gets_its_period(client, officer, derby):
    client.force_login(officer)
    response = client.post(
        reverse("home_create"), home_post(status=TEMPORARILY_CLOSED, since=D(2021, 9, 1))
    )
    assert response.status_code == 302
    home = Setting.objects.get(urn="SC654321")
    assert (home.status, home.status_since, home.run_by_council) == (
        TEMPORARILY_CLOSED,
        D(2021, 9, 1),
        derby,
    )
    assert periods(home) == [(TEMPORARILY_CLOSED, D(2021, 9, 1), None)]
    assert home.closures.get().source == COUNCIL


def listed(urn: str = "SC654321", **extra: object) -> Setting:
    """A setting as Ofsted's list has it: no council recorded as running it."""
    fields = {
        "setting_type": SettingType.CHILDRENS_HOME,
        "provision_type": "Children's home",
        "sector": "Local Authority",
        "provider_name": "Derby City Council Children's Services",
        "registration_date": D(2015, 6, 1),
        "status_since": D(2015, 6, 1),
        **extra,
    }
    return Setting.objects.create(urn=urn, **fields)


def test_an_officer_claims_a_home_already_in_ofsteds_list(client, officer, derby):
    setting = listed(la=derby)
    client.force_login(officer)

    first = client.post(reverse("home_create"), home_post(urn="sc 654321", name="Rowan House"))
    assert first.status_code == 200
    text = first.content.decode()
    assert "This home is already in Ofsted's list; saving will record it as run by Derby" in text
    assert "registered on 1 June 2015" in text  # as the list has it
    assert "There is a problem" not in text
    assert 'name="claim" value="SC654321"' in text
    assert Setting.objects.get(pk=setting.pk).run_by_council is None  # nothing saved yet

    second = client.post(
        reverse("home_create"), home_post(urn="SC654321", name="Rowan House", claim="SC654321")
    )
    assert second.status_code == 302
    assert second["Location"] == reverse("home_detail", args=[setting.pk])
    home = Setting.objects.get(pk=setting.pk)
    assert Setting.objects.count() == 1
    assert (home.name, home.run_by_council, home.la, home.version) == (
        "Rowan House",
        derby,
        derby,
        2,
    )
    # What the list says and the form doesn't ask stays.
    assert home.provider_name == "Derby City Council Children's Services"
    assert AuditLog.objects.filter(
        action=AuditLog.Action.UPDATE, object_type="inspections.Setting", object_id=str(home.pk)
    ).exists()


@pytest.mark.parametrize("case", ["another_area", "private", "run_by_another_council", "own_home"])
def test_any_other_existing_urn_is_already_used(client, officer, derby, case):
    notts = LocalAuthority.objects.get(la_code="891")
    extra = {
        "another_area": {"la": notts},
        "private": {"sector": "Private"},
        "run_by_another_council": {"la": derby, "run_by_council": notts},
        "own_home": {"run_by_council": derby},
    }[case]
    listed(**{"la": derby, **extra})
    client.force_login(officer)
    response = client.post(reverse("home_create"), home_post(claim="SC654321"))
    assert response.status_code == 200
    assert has(response, "Another setting already has the Ofsted URN SC654321. Check the URN")
    assert "already in Ofsted" not in response.content.decode()
    assert Setting.objects.get().name == ""


# --- existing closures ---------------------------------------------------------------------


def test_backfill_gives_each_closed_setting_a_period_from_its_status_date(derby):
    # Written as they were before closure periods: the status alone.
    closed = make_home(derby, "SC100001", "Ash", status=CLOSED, status_since=D(2019, 7, 1))
    paused = make_home(
        derby, "SC100002", "Elm", status=TEMPORARILY_CLOSED, status_since=D(2021, 2, 1)
    )
    make_home(derby, "SC100003", "Fir", status_since=D(2010, 1, 1))
    assert not ratings.is_closed_on(closed, D(2020, 1, 1))  # no period: nothing to read

    assert closures.backfill() == 2
    assert periods(closed) == [(CLOSED, D(2019, 7, 1), None)]
    assert periods(paused) == [(TEMPORARILY_CLOSED, D(2021, 2, 1), None)]
    assert {c.source for c in SettingClosure.objects.all()} == {ClosureSource.EARLIER}
    assert closures.backfill() == 0  # again: nothing more
    assert ratings.is_closed_on(Setting.objects.get(pk=closed.pk), D(2020, 1, 1))
    # Its history now refuses a reopening before the closure, as any other would.
    assert closures.check_status(paused, OPEN, D(2021, 1, 1)) == (
        "Elm was temporarily closed from 1 February 2021, so the date it reopened must be "
        "after 1 February 2021"
    )


def test_the_grid_reads_closures_in_a_fixed_number_of_queries(
    derby, oak, willow, django_assert_max_num_queries
):
    for n in range(6):
        home = make_home(derby, f"SC90010{n}", f"Home {n}")
        record_status(home, CLOSED, D(2021, 10, 1), source=COUNCIL)
        record_status(home, OPEN, D(2021, 12, 1), source=COUNCIL)
    with django_assert_max_num_queries(3):
        grid = year_grid(derby)
    assert len(grid.rows) == 7
    assert statuses(grid, "Home 0")["2021-11"] == "exempt"
