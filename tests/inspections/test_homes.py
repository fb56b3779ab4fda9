"""A council's own homes: the ratings helpers, the homes pages and their forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from corporate_parenting.models import AuditLog
from inspections import frameworks, ratings
from inspections.closures import record_status
from inspections.forms_homes import quote
from inspections.models import (
    ClosureSource,
    Framework,
    InspectionType,
    Setting,
    SettingInspection,
    SettingJudgement,
    SettingStatus,
    SettingType,
)
from inspections.providers import load_demo_providers
from inspections.services import record_inspection
from placements.models import Child, Episode

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HELP = "How well children and young people are helped and protected"
OVERALL = "Overall experiences and progress of children and young people"


@pytest.fixture
def demo(derby):
    load_demo_providers(log=lambda _: None)
    return {s.urn: s for s in ratings.council_homes(derby)}


@pytest.fixture
def oak_lodge(derby) -> Setting:
    """A home as the demo list has it, without loading the whole list."""
    home = make_home(derby, "SC900001", name="Oak Lodge", registration_date=dt.date(2003, 5, 12))
    inspect(home, dt.date(2022, 1, 18))
    make_home(derby, "SC900002", name="Beech House")
    return home


def sccif(code=frameworks.SCCIF_CHILDRENS_HOMES) -> Framework:
    return Framework.objects.get(code=code)


def all_grades(grade: str, *, overall: str | None = None) -> dict[str, str]:
    return {
        "overall_experiences": overall or grade,
        "help_and_protection": grade,
        "leaders_and_managers": grade,
    }


def make_home(la, urn="SC100001", **extra) -> Setting:
    fields = {
        "name": "Test House",
        "setting_type": SettingType.CHILDRENS_HOME,
        "run_by_council": la,
        "la": la,
        "registered_places": 4,
        "registration_date": dt.date(2010, 1, 1),
    }
    status, since = extra.pop("status", None), extra.pop("status_since", None)
    fields.update(extra)
    home = Setting.objects.create(urn=urn, **fields)
    if status:  # as an officer records it: with its closure period
        record_status(home, status, since, source=ClosureSource.COUNCIL)
    return home


def inspect(home, date, grades=None, kind=InspectionType.FULL, framework=None, **fields):
    framework = framework or sccif(
        frameworks.SCCIF_SECURE_HOMES
        if home.setting_type == SettingType.SECURE_CHILDRENS_HOME
        else frameworks.SCCIF_CHILDRENS_HOMES
    )
    inspection, _ = record_inspection(
        home,
        date=date,
        framework=framework,
        grades=grades if grades is not None else all_grades("good"),
        inspection_type=kind,
        **fields,
    )
    return inspection


def ago(**kwargs) -> dt.date:
    return TODAY - dt.timedelta(**kwargs)


# --- ratings -----------------------------------------------------------------------------


def test_council_homes_are_the_homes_and_secure_homes_the_council_runs(demo, derby):
    make_home(derby, "SC100002", setting_type=SettingType.SECURE_CHILDRENS_HOME)
    make_home(derby, "SC100003", setting_type=SettingType.INDEPENDENT_FOSTERING_AGENCY)
    urns = set(ratings.council_homes(derby).values_list("urn", flat=True))
    assert urns == {"SC900001", "SC900002", "SC900003", "SC900004", "SC900005", "SC100002"}


def test_the_demo_homes_are_two_good_of_four_rated(demo, derby):
    # SC900001-2 Good, SC900003-4 Requires improvement, SC900005 temporarily closed.
    assert ratings.homes_good_or_better(derby, dt.date(2022, 3, 31)) == (2, 4)
    # Before its closure (1 February 2020) only SC900005 had been inspected (RI).
    assert ratings.homes_good_or_better(derby, dt.date(2020, 1, 31)) == (0, 1)


def test_latest_full_inspection_is_the_latest_graded_one_by_the_date(derby):
    home = make_home(derby)
    first = inspect(home, dt.date(2020, 5, 1), all_grades("requires_improvement"))
    second = inspect(home, dt.date(2021, 5, 1))
    inspect(home, dt.date(2021, 11, 1), {}, InspectionType.INTERIM, interim_outcome="improved")
    inspect(home, dt.date(2022, 2, 1), {"help_and_protection": "good"})  # no overall grade
    assert ratings.latest_full_inspection(home, dt.date(2023, 1, 1)) == second
    assert ratings.latest_full_inspection(home, dt.date(2021, 4, 30)) == first
    assert ratings.latest_full_inspection(home, dt.date(2020, 4, 30)) is None


def test_a_home_is_closed_from_its_status_date(derby):
    home = make_home(
        derby, status=SettingStatus.TEMPORARILY_CLOSED, status_since=dt.date(2022, 7, 1)
    )
    assert ratings.is_closed_on(home, dt.date(2022, 7, 1))
    assert not ratings.is_closed_on(home, dt.date(2022, 6, 30))
    assert not ratings.is_closed_on(make_home(derby, "SC100002"), TODAY)


def test_a_good_home_is_expected_within_twelve_months(derby):
    home = make_home(derby)
    inspect(home, ago(days=100))
    due = ratings.next_inspection_due(home, TODAY)
    assert due.interval_months == 12
    assert due.expected_by == ratings.add_months(ago(days=100), 12)
    assert (due.overdue, due.due_soon, due.closed, due.tag) == (False, False, False, "")
    assert due.rating.code == "good"


def test_a_home_requiring_improvement_is_expected_within_six_months(derby):
    home = make_home(derby)
    inspect(home, ago(days=100), all_grades("requires_improvement"))
    due = ratings.next_inspection_due(home, TODAY)
    assert due.interval_months == 6
    assert due.due_soon and due.tag == "Due within 3 months"


def test_a_secure_home_is_expected_every_six_months_even_when_good(derby):
    home = make_home(derby, setting_type=SettingType.SECURE_CHILDRENS_HOME)
    inspect(
        home, dt.date(2022, 1, 31), {**all_grades("good"), "education": "good", "health": "good"}
    )
    due = ratings.next_inspection_due(home, dt.date(2022, 3, 1))
    assert due.interval_months == 6
    assert due.expected_by == dt.date(2022, 7, 31)


def test_an_interim_inspection_restarts_the_clock_and_a_late_one_is_overdue(derby):
    home = make_home(derby)
    inspect(home, dt.date(2020, 3, 1), all_grades("requires_improvement"))
    inspect(home, dt.date(2020, 8, 31), {}, InspectionType.INTERIM, interim_outcome="sustained")
    due = ratings.next_inspection_due(home, dt.date(2021, 3, 1))
    assert due.last.inspection_type == InspectionType.INTERIM
    assert due.expected_by == dt.date(2021, 2, 28)
    assert due.overdue and due.tag == "Overdue"


def test_a_closed_home_is_not_expected_and_a_new_one_is_due_a_year_after_registering(derby):
    closed = make_home(derby, status=SettingStatus.CLOSED, status_since=dt.date(2020, 1, 1))
    inspect(closed, dt.date(2019, 1, 1))
    due = ratings.next_inspection_due(closed, TODAY)
    assert due.closed and not due.overdue and due.tag == "Not expected while closed"
    new = make_home(derby, "SC100002", registration_date=dt.date(2021, 5, 4))
    assert ratings.next_inspection_due(new, TODAY).expected_by == dt.date(2022, 5, 4)
    unknown = make_home(derby, "SC100003", registration_date=None)
    assert ratings.next_inspection_due(unknown, TODAY).expected_by is None


def test_the_helpers_read_a_list_of_homes_in_a_fixed_number_of_queries(
    demo, derby, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        homes = list(ratings.with_inspections(ratings.council_homes(derby)))
        for home in homes:
            ratings.next_inspection_due(home, TODAY)
            ratings.later_interim(home, ratings.latest_full_inspection(home, TODAY), TODAY)
        summary = ratings.summarise(homes, TODAY)
    assert str(summary) == (
        "4 open homes: 2 Good or better, 2 Requires improvement; 1 temporarily closed"
    )


def test_add_months_keeps_to_the_end_of_a_short_month():
    assert ratings.add_months(dt.date(2021, 8, 31), 6) == dt.date(2022, 2, 28)
    assert ratings.add_months(dt.date(2023, 11, 15), 3) == dt.date(2024, 2, 15)


# --- reading pages -----------------------------------------------------------------------

URL_NAMES_WITH_HOME = ["home_detail", "home_edit", "setting_inspection_create"]


def test_anonymous_users_are_sent_to_sign_in(client, demo):
    home = demo["SC900001"]
    inspection = home.inspections.first()
    urls = [
        reverse("homes_list"),
        reverse("home_create"),
        reverse("inspections_due"),
        *(reverse(name, args=[home.pk]) for name in URL_NAMES_WITH_HOME),
        reverse("setting_inspection_edit", args=[home.pk, inspection.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["officer", "councillor", "clerk"])
def test_council_readers_see_the_homes_list_detail_and_due_pages(client, demo, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("homes_list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "4 open homes: 2 Good or better, 2 Requires improvement; 1 temporarily closed" in text
    assert "Temporarily closed since 1 February 2020" in text
    assert "18 January 2022" in text and "Oak Lodge" in text
    assert "Sherwood View" not in text  # Nottinghamshire's
    assert ("Add a home" in text) == (persona == "officer")
    assert ("Record an inspection" in text) == (persona == "officer")
    assert (reverse("home_edit", args=[demo["SC900001"].pk]) in text) == (persona == "officer")

    response = client.get(reverse("home_detail", args=[demo["SC900002"].pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "23 November 2021" in text and "Requires improvement to be good" in text
    assert ("Record an inspection" in text) == (persona == "officer")

    response = client.get(reverse("inspections_due"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "twice a year" in text
    assert "Not expected while closed" in text and "Overdue" in text


def test_the_pages_read_many_homes_in_a_few_queries(
    client, councillor, demo, derby, django_assert_max_num_queries
):
    for n in range(10):
        home = make_home(derby, f"SC2000{n:02d}")
        inspect(home, dt.date(2021, 1, 1 + n))
        inspect(
            home, dt.date(2021, 7, 1 + n), {}, InspectionType.INTERIM, interim_outcome="improved"
        )
    client.force_login(councillor)
    for name in ("homes_list", "inspections_due"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_the_list_shows_a_later_interim_and_a_secure_homes_extra_judgements(client, officer, derby):
    secure = make_home(derby, setting_type=SettingType.SECURE_CHILDRENS_HOME, name="Secure Unit")
    inspect(
        secure,
        dt.date(2022, 1, 10),
        {**all_grades("good"), "education": "outstanding", "health": "good"},
        requirements=2,
        recommendations=3,
        report_url="https://reports.ofsted.gov.uk/provider/44/SC100001",
    )
    inspect(secure, dt.date(2022, 7, 10), {}, InspectionType.INTERIM, interim_outcome="declined")
    client.force_login(officer)
    text = client.get(reverse("homes_list")).content.decode()
    assert "Children&#x27;s education and learning: " in text
    assert "Declined in effectiveness" in text and "10 July 2022" in text
    assert "https://reports.ofsted.gov.uk/provider/44/SC100001" in text
    detail = client.get(reverse("home_detail", args=[secure.pk])).content.decode()
    assert detail.index(OVERALL) < detail.index(HELP) < detail.index("Children&#x27;s health")
    assert "every 6 months" in detail


def test_the_homes_pages_show_no_child_level_data(client, officer, councillor, demo, derby):
    child = Child.objects.create(
        la=derby,
        child_id="CHILDZ9876",
        sex="1",
        dob=dt.date(2008, 2, 3),
        ethnic="WBRI",
        first_year=2022,
        last_year=2022,
    )
    Episode.objects.create(
        la=derby,
        child=child,
        decom=dt.date(2021, 4, 1),
        rne="S",
        ls="C2",
        cin="N1",
        place="K2",
        urn="SC900001",
        source_year=2022,
    )
    home = demo["SC900001"]
    for user in (officer, councillor):
        client.force_login(user)
        for url in (
            reverse("homes_list"),
            reverse("home_detail", args=[home.pk]),
            reverse("inspections_due"),
        ):
            text = client.get(url).content.decode()
            assert "CHILDZ9876" not in text
            assert "2008" not in text  # no date of birth


@pytest.mark.parametrize("persona", ["councillor", "clerk"])
def test_councillors_and_clerks_cannot_add_or_change(client, demo, persona, request):
    client.force_login(request.getfixturevalue(persona))
    home = demo["SC900001"]
    inspection = home.inspections.first()
    urls = [
        reverse("home_create"),
        reverse("home_edit", args=[home.pk]),
        reverse("setting_inspection_create", args=[home.pk]),
        reverse("setting_inspection_edit", args=[home.pk, inspection.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Changed"}).status_code == 403, url
    assert Setting.objects.get(pk=home.pk).name == "Oak Lodge"


def test_another_councils_homes_are_not_found(client, demo, other_officer):
    client.force_login(other_officer)
    home = demo["SC900001"]  # Derby's
    inspection = home.inspections.first()
    for url in (
        reverse("home_detail", args=[home.pk]),
        reverse("home_edit", args=[home.pk]),
        reverse("setting_inspection_create", args=[home.pk]),
        reverse("setting_inspection_edit", args=[home.pk, inspection.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Taken"}).status_code == 404, url
    assert Setting.objects.get(pk=home.pk).name == "Oak Lodge"
    # Their own list holds their own homes only.
    text = client.get(reverse("homes_list")).content.decode()
    assert "Sherwood View" in text and "Oak Lodge" not in text


def test_an_officer_cant_change_a_setting_their_council_doesnt_run(client, officer, demo):
    private = Setting.objects.get(urn="SC900011")  # in Derby, run privately
    client.force_login(officer)
    assert client.get(reverse("home_edit", args=[private.pk])).status_code == 404
    assert client.get(reverse("home_detail", args=[private.pk])).status_code == 404


# --- adding and changing a home ----------------------------------------------------------


def home_post(**changes) -> dict[str, str]:
    data = {
        "urn": "SC123456",
        "name": "New House",
        "setting_type": SettingType.CHILDRENS_HOME,
        "registered_places": "4",
        "registration_date_day": "1",
        "registration_date_month": "4",
        "registration_date_year": "2010",
        "status": SettingStatus.OPEN,
        "status_since_day": "",
        "status_since_month": "",
        "status_since_year": "",
        "postcode": "DE1 2AB",
    }
    data.update(changes)
    return data


def test_an_officer_adds_a_home_for_their_council(client, officer, derby):
    client.force_login(officer)
    assert client.get(reverse("home_create")).status_code == 200
    response = client.post(reverse("home_create"), home_post(urn=" sc 123456 ", postcode="de214js"))
    home = Setting.objects.get(urn="SC123456")
    assert response.status_code == 302
    assert response["Location"] == reverse("home_detail", args=[home.pk])
    assert (home.run_by_council, home.la, home.postcode) == (derby, derby, "DE21 4JS")
    assert home.registered_places == 4 and home.status == SettingStatus.OPEN
    assert AuditLog.objects.filter(
        action=AuditLog.Action.CREATE, object_type="inspections.Setting", object_id=str(home.pk)
    ).exists()
    # A seven-digit URN is fine too.
    client.post(reverse("home_create"), home_post(urn="1234567", name="Seven"))
    assert Setting.objects.filter(urn="1234567", run_by_council=derby).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"urn": "SC12345"},
            f"{quote('SC12345')} is not an Ofsted URN: enter SC and 6 digits, like SC045099, "
            "or 7 digits",
        ),
        (
            {"urn": " ab123456 "},
            f"{quote('ab123456')} is not an Ofsted URN: enter SC and 6 digits, like SC045099, "
            "or 7 digits",
        ),
        ({"urn": "xxxxxxx"}, "XXXXXXX is the placeholder the SSDA903 return uses"),
        ({"urn": "SC900002"}, "Another setting already has the Ofsted URN SC900002"),
        ({"urn": ""}, "Enter the home&#x27;s Ofsted URN"),
        ({"name": "  "}, "Enter the name of the home"),
        ({"postcode": "DE1"}, "Enter a real postcode, like DE21 4JS"),
        ({"postcode": "12345 AB"}, "Enter a real postcode, like DE21 4JS"),
        ({"registered_places": "0"}, "Registered places must be a number from 1 to 99"),
        ({"registered_places": "100"}, "Registered places must be a number from 1 to 99"),
        ({"registered_places": "four"}, "Registered places must be a whole number, like 4"),
        ({"registered_places": ""}, "Enter the number of registered places"),
        (
            {"status": SettingStatus.TEMPORARILY_CLOSED},
            "Enter the date the home was temporarily closed",
        ),
        ({"status": SettingStatus.CLOSED}, "Enter the date the home closed"),
        (
            {
                "registration_date_day": "1",
                "registration_date_month": "6",
                "registration_date_year": "2010",
                "status": SettingStatus.CLOSED,
                "status_since_day": "1",
                "status_since_month": "6",
                "status_since_year": "2009",
            },
            "The date the home closed can&#x27;t be before the home was registered on 1 June 2010",
        ),
        (
            {
                "status": SettingStatus.CLOSED,
                "status_since_day": str((TODAY + dt.timedelta(days=2)).day),
                "status_since_month": str((TODAY + dt.timedelta(days=2)).month),
                "status_since_year": str((TODAY + dt.timedelta(days=2)).year),
            },
            "The date the home closed must be today or in the past",
        ),
        (
            {
                "status": SettingStatus.CLOSED,
                "status_since_day": "31",
                "status_since_month": "2",
                "status_since_year": "2022",
            },
            "The date of the home&#x27;s status must be a real date",
        ),
        ({"setting_type": "independent_fostering_agency"}, "Select the type of home from the list"),
    ],
)
def test_a_home_with_a_problem_is_not_saved(client, officer, oak_lodge, changes, message):
    client.force_login(officer)
    before = list(Setting.objects.order_by("pk").values())
    response = client.post(reverse("home_create"), home_post(**changes))
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "There is a problem" in text
    assert "Constraint" not in text and "already exists" not in text  # no Django wording
    assert list(Setting.objects.order_by("pk").values()) == before


def test_an_officer_changes_a_home_and_it_is_audited(client, officer, demo):
    home = demo["SC900001"]
    client.force_login(officer)
    page = client.get(reverse("home_edit", args=[home.pk])).content.decode()
    assert 'value="Oak Lodge"' in page and 'value="SC900001"' in page
    response = client.post(
        reverse("home_edit", args=[home.pk]),
        home_post(
            urn="SC900001",
            name="Oak Lodge House",
            registered_places="6",
            status=SettingStatus.TEMPORARILY_CLOSED,
            status_since_day="3",
            status_since_month="4",
            status_since_year="2024",
            seen_version=str(home.version),
        ),
    )
    assert response.status_code == 302
    home.refresh_from_db()
    assert (home.name, home.registered_places, home.status, home.status_since) == (
        "Oak Lodge House",
        6,
        SettingStatus.TEMPORARILY_CLOSED,
        dt.date(2024, 4, 3),
    )
    assert home.version == 2
    log = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_id=str(home.pk))
    assert log.changed_fields["name"] == {"old": "Oak Lodge", "new": "Oak Lodge House"}


def test_the_second_of_two_officers_editing_a_home_is_told_and_overwrites_nothing(
    client, officer, demo
):
    home = demo["SC900001"]
    client.force_login(officer)
    url = reverse("home_edit", args=[home.pk])
    first = client.post(url, home_post(urn="SC900001", name="First", seen_version="1"))
    assert first.status_code == 302
    second = client.post(url, home_post(urn="SC900001", name="Second", seen_version="1"))
    text = second.content.decode()
    assert second.status_code == 200
    assert "Someone else changed this home at " in text and "while you were editing" in text
    assert 'value="First"' in text  # their version, to check against
    assert ("Name of the home", "First", "Second") in second.context["form"].clash
    home.refresh_from_db()
    assert (home.name, home.version) == ("First", 2)


# --- recording an inspection -------------------------------------------------------------


def inspection_post(date=dt.date(2022, 6, 1), **changes) -> dict[str, str]:
    data = {
        "framework": frameworks.SCCIF_CHILDRENS_HOMES,
        "date_day": str(date.day),
        "date_month": str(date.month),
        "date_year": str(date.year),
        "inspection_type": InspectionType.FULL,
        "grade_overall_experiences": "good",
        "grade_help_and_protection": "good",
        "grade_leaders_and_managers": "requires_improvement",
        "interim_outcome": "",
        "requirements": "1",
        "recommendations": "2",
        "report_url": "https://reports.ofsted.gov.uk/provider/44/SC900001",
        "published_on_day": "",
        "published_on_month": "",
        "published_on_year": "",
        "seen": "",
    }
    data.update(changes)
    return data


def db_state():
    return (
        list(SettingInspection.objects.order_by("pk").values()),
        list(SettingJudgement.objects.order_by("pk").values()),
    )


def test_an_officer_records_a_full_inspection(client, officer, demo):
    home = demo["SC900001"]
    client.force_login(officer)
    page = client.get(reverse("setting_inspection_create", args=[home.pk])).content.decode()
    assert HELP in page and "Children&#x27;s health" not in page
    response = client.post(
        reverse("setting_inspection_create", args=[home.pk]),
        inspection_post(published_on_day="20", published_on_month="7", published_on_year="2022"),
    )
    assert response.status_code == 302
    inspection = SettingInspection.objects.get(setting=home, date=dt.date(2022, 6, 1))
    assert inspection.overall_grade.code == "good"
    assert {j.area.code: j.grade.code for j in inspection.judgements.all()} == {
        "overall_experiences": "good",
        "help_and_protection": "good",
        "leaders_and_managers": "requires_improvement",
    }
    assert (inspection.requirements, inspection.recommendations) == (1, 2)
    assert inspection.published_on == dt.date(2022, 7, 20)
    assert AuditLog.objects.filter(
        action=AuditLog.Action.CREATE, object_type="inspections.SettingInspection"
    ).exists()
    assert ratings.latest_full_inspection(home, TODAY) == inspection


def test_an_officer_records_an_interim_inspection(client, officer, demo):
    home = demo["SC900001"]
    client.force_login(officer)
    response = client.post(
        reverse("setting_inspection_create", args=[home.pk]),
        inspection_post(
            inspection_type=InspectionType.INTERIM,
            interim_outcome="improved",
            grade_overall_experiences="",
            grade_help_and_protection="",
            grade_leaders_and_managers="",
        ),
    )
    assert response.status_code == 302
    inspection = SettingInspection.objects.get(setting=home, inspection_type="interim")
    assert inspection.interim_outcome == "improved" and not inspection.judgements.exists()


def test_the_framework_follows_the_home_and_can_be_changed_without_javascript(
    client, officer, derby
):
    secure = make_home(derby, setting_type=SettingType.SECURE_CHILDRENS_HOME)
    client.force_login(officer)
    url = reverse("setting_inspection_create", args=[secure.pk])
    page = client.get(url).content.decode()
    assert "Judgements: SCCIF: secure children&#x27;s homes" in page
    assert 'name="grade_education"' in page and 'name="grade_health"' in page
    page = client.get(url, {"framework": frameworks.SCCIF_CHILDRENS_HOMES}).content.decode()
    assert "Judgements: SCCIF: children&#x27;s homes" in page
    assert 'name="grade_education"' not in page
    # Councils' frameworks are not offered, and asking for one gives the default.
    assert "ILACS" not in page
    page = client.get(url, {"framework": frameworks.ILACS_2023}).content.decode()
    assert 'name="grade_education"' in page


def test_a_secure_homes_full_inspection_needs_its_extra_judgements(client, officer, derby):
    secure = make_home(derby, setting_type=SettingType.SECURE_CHILDRENS_HOME)
    client.force_login(officer)
    url = reverse("setting_inspection_create", args=[secure.pk])
    data = inspection_post(framework=frameworks.SCCIF_SECURE_HOMES)
    response = client.post(url, data)
    assert "Enter a judgement for " + quote("Children&#x27;s education and learning") in (
        response.content.decode()
    )
    assert not SettingInspection.objects.exists()
    response = client.post(url, {**data, "grade_education": "good", "grade_health": "good"})
    assert response.status_code == 302
    assert SettingInspection.objects.get().judgements.count() == 5


FUTURE = TODAY + dt.timedelta(days=3)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"grade_help_and_protection": ""},
            f"Enter a judgement for {quote(HELP)}",
        ),
        (
            {
                "inspection_type": InspectionType.INTERIM,
                "grade_overall_experiences": "",
                "grade_help_and_protection": "",
                "grade_leaders_and_managers": "",
            },
            "Select whether the home improved, sustained or declined in effectiveness",
        ),
        (
            {"inspection_type": InspectionType.INTERIM, "interim_outcome": "sustained"},
            "An interim inspection gives no grades: choose "
            f"{quote('Not judged')} for {quote(OVERALL)}",
        ),
        (
            {"interim_outcome": "declined"},
            "Only an interim inspection has an outcome",
        ),
        (
            {
                "date_day": str(FUTURE.day),
                "date_month": str(FUTURE.month),
                "date_year": str(FUTURE.year),
            },
            "The date of the inspection must be today or in the past",
        ),
        (
            {"date_day": "1", "date_month": "1", "date_year": "2003"},
            "The date of the inspection can&#x27;t be before the home was registered on "
            "12 May 2003",
        ),
        (
            {"date_day": "", "date_month": "", "date_year": ""},
            "Enter the date of the inspection",
        ),
        (
            {"date_day": "30", "date_month": "2", "date_year": "2022"},
            "The date of the inspection must be a real date",
        ),
        (
            {"published_on_day": "31", "published_on_month": "5", "published_on_year": "2022"},
            "The date the report was published must be on or after the date of the inspection",
        ),
        (
            {"date_day": "18", "date_month": "1", "date_year": "2022"},
            "This home already has a full inspection on 18 January 2022",
        ),
        (
            {"grade_help_and_protection": "inadequate"},
            f"{quote(HELP)} is Inadequate, so {quote(OVERALL)} must be Inadequate too: "
            "it is a limiting judgement",
        ),
        ({"requirements": "-1"}, "Requirements must be a number from 0 to 999"),
        ({"report_url": "not a link"}, "Enter the link to the report as a web address"),
        (
            {"grade_overall_experiences": "adequate"},
            f"Select one of the listed judgements for {quote(OVERALL)}",
        ),
    ],
)
def test_an_inspection_with_a_problem_saves_nothing(client, officer, oak_lodge, changes, message):
    home = oak_lodge  # registered 12 May 2003, inspected 18 January 2022
    client.force_login(officer)
    before = db_state()
    response = client.post(
        reverse("setting_inspection_create", args=[home.pk]), inspection_post(**changes)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert message in text.replace("&#x27;", "'") or message in text
    assert db_state() == before


def test_a_failure_half_way_through_saving_leaves_nothing_behind(
    client, officer, demo, monkeypatch
):
    home = demo["SC900001"]
    client.force_login(officer)
    before = db_state()

    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(SettingJudgement.objects, "update_or_create", fail)
    response = client.post(reverse("setting_inspection_create", args=[home.pk]), inspection_post())
    assert response.status_code == 200
    assert "could not be saved" in response.content.decode()
    assert db_state() == before


def test_an_officer_changes_an_inspection(client, officer, demo):
    home = demo["SC900002"]
    inspection = home.inspections.get()
    url = reverse("setting_inspection_edit", args=[home.pk, inspection.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert 'value="23"' in page and '<option value="requires_improvement" selected>' in page
    response = client.post(
        url,
        inspection_post(
            date=dt.date(2021, 11, 24),
            grade_leaders_and_managers="good",
            seen=inspection.updated_at.isoformat(),
        ),
    )
    assert response.status_code == 302
    changed = home.inspections.get()
    assert changed.pk == inspection.pk and changed.date == dt.date(2021, 11, 24)
    assert {j.area.code: j.grade.code for j in changed.judgements.all()}[
        "leaders_and_managers"
    ] == "good"
    assert AuditLog.objects.filter(
        action=AuditLog.Action.UPDATE, object_id=str(inspection.pk)
    ).exists()


def test_an_inspection_changed_meanwhile_is_not_overwritten(client, officer, demo):
    home = demo["SC900002"]
    inspection = home.inspections.get()
    url = reverse("setting_inspection_edit", args=[home.pk, inspection.pk])
    seen = inspection.updated_at.isoformat()
    client.force_login(officer)
    first = client.post(
        url, inspection_post(date=dt.date(2021, 11, 23), requirements="5", seen=seen)
    )
    assert first.status_code == 302
    after_first = db_state()
    second = client.post(
        url, inspection_post(date=dt.date(2021, 11, 23), requirements="9", seen=seen)
    )
    text = second.content.decode()
    assert second.status_code == 200
    assert "Someone else changed this inspection while you were editing" in text
    assert 'value="5"' in text  # their version is shown
    assert db_state() == after_first
    assert home.inspections.get().requirements == 5
