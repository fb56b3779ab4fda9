"""Loading Ofsted's list of social care providers, the inspection models' constraints and
the demo list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from corporate_parenting.models import LocalAuthority
from inspections.closures import record_status
from inspections.models import (
    Framework,
    InspectionType,
    Scale,
    Setting,
    SettingInspection,
    SettingJudgement,
    SettingStatus,
    SettingType,
)
from inspections.providers import DEMO_FILE, load_demo_providers, load_provider_file
from inspections.services import CouncilMatcher, record_inspection

pytestmark = pytest.mark.django_db

# Ofsted's 2023 provider-level layout (see inspections/providers.py), trimmed of the
# columns the loader ignores.
HEADER = [
    "Web link",
    "URN",
    "Provision type",
    "Registration date",
    "Registration status",
    "Name",
    "Postcode",
    "Ofsted region",
    "Local authority",
    "Sector",
    "Places",
    "Organisation which owns the provider",
    "Latest full inspection event type",
    "Latest full inspection date",
    "Latest full inspection publication date",
    "Latest full inspection event number",
    "Overall experiences and progress of children and young people",
    "Outcomes in education and related learning activities",
    "Health services",
    "How well children and young people are helped and protected",
    "The effectiveness of leaders and managers",
]
TITLE = "Children's social care data in England 2023 - Provider level as at 31 March 2023"

HOME = {
    "Web link": "Ofsted Social Care Provider Webpage",
    "URN": "SC123456",
    "Provision type": "Children's home",
    "Registration date": "01/04/2010",
    "Registration status": "Active",
    "Name": "REDACTED",
    "Postcode": "REDACTED",
    "Ofsted region": "East Midlands",
    "Local authority": "Derby",
    "Sector": "Local Authority",
    "Places": "4",
    "Organisation which owns the provider": "Derby City Council",
    "Latest full inspection event type": "Full inspection",
    "Latest full inspection date": "18/01/2022",
    "Latest full inspection publication date": "22/02/2022",
    "Latest full inspection event number": "10224966",
    "Overall experiences and progress of children and young people": "Good",
    "Outcomes in education and related learning activities": "",
    "Health services": "",
    "How well children and young people are helped and protected": "Good",
    "The effectiveness of leaders and managers": "Requires improvement to be good",
}
AGENCY = {
    **HOME,
    "URN": "2616251",
    "Provision type": "Independent Fostering Agency",
    "Name": "Empty Lane Fostering",
    "Postcode": "ng2 3en",
    "Local authority": "Nottinghamshire",
    "Sector": "Private",
    "Places": "",
    "Organisation which owns the provider": "Empty Lane Fostering Limited",
    "Latest full inspection date": "07/02/2022",
    "Latest full inspection publication date": "30/03/2022",
    "Latest full inspection event number": "10193208",
    "Overall experiences and progress of children and young people": "Outstanding",
    "How well children and young people are helped and protected": "Outstanding",
    "The effectiveness of leaders and managers": "Good",
}


def as_csv(*rows: dict[str, str], header: list[str] = HEADER, title: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if title:  # Ofsted's three lines above the table
        writer.writerow([TITLE])
        writer.writerow(["This worksheet contains one table, this table begins in cell A4."])
        writer.writerow(["Some cells in this table are empty."])
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode("utf-8")


def load(data: bytes, name: str = "providers.csv", **kwargs):
    return load_provider_file(data, name, **kwargs)


def messages(result) -> list[str]:
    return [p.message for p in result.problems]


# --- loading ------------------------------------------------------------------------------


def test_a_csv_list_loads_settings_and_their_latest_inspections(derby):
    result = load(as_csv(HOME, AGENCY))

    assert result.problems == []
    assert result.saved and (result.created, result.inspections_created) == (2, 2)
    assert result.as_at == dt.date(2023, 3, 31)  # from Ofsted's title line

    home = Setting.objects.get(urn="SC123456")
    assert home.name == ""  # REDACTED is Ofsted withholding it, not a name
    assert home.setting_type == SettingType.CHILDRENS_HOME
    assert home.la == derby and home.run_by_council == derby and not home.external
    assert home.registered_places == 4
    assert home.status == SettingStatus.OPEN
    assert home.status_since == dt.date(2010, 4, 1)  # open since registration
    assert home.postcode == ""
    assert home.latest_full_inspection_date == dt.date(2022, 1, 18)
    assert home.latest_overall_judgement == "Good"
    assert home.list_as_at == dt.date(2023, 3, 31)

    inspection = home.inspections.get()
    assert inspection.framework.code == "sccif_childrens_homes"
    assert inspection.inspection_type == InspectionType.FULL
    assert inspection.published_on == dt.date(2022, 2, 22)
    assert inspection.ofsted_event_number == "10224966"
    assert inspection.source == SettingInspection.Source.OFSTED_LIST
    assert inspection.overall_grade.label == "Good"
    assert {j.area.code: j.grade.code for j in inspection.judgements.all()} == {
        "overall_experiences": "good",
        "help_and_protection": "good",
        "leaders_and_managers": "requires_improvement",
    }

    agency = Setting.objects.get(urn="2616251")
    assert agency.setting_type == SettingType.INDEPENDENT_FOSTERING_AGENCY
    assert agency.name == "Empty Lane Fostering"
    assert agency.postcode == "NG2 3EN"
    assert agency.la.la_code == "891"
    assert agency.run_by_council is None and agency.external
    assert agency.registered_places is None
    assert agency.provider_name == "Empty Lane Fostering Limited"
    assert agency.inspections.get().framework.code == "sccif_other"
    assert agency.inspections.get().overall_grade.code == "outstanding"


def test_an_xlsx_list_loads_the_same_way(derby):
    book = Workbook()
    sheet = book.active
    sheet.title = "Provider level"
    sheet.append([TITLE])
    sheet.append(["This worksheet contains one table, this table begins in cell A4."])
    sheet.append([])
    # Headings as the 2025 list writes some of them: line breaks and other capitals.
    header = [
        "\nLatest full inspection date" if h == "Latest full inspection date" else h for h in HEADER
    ]
    header[header.index("Ofsted region")] = "Ofsted Region"
    sheet.append(header)
    row = {
        **HOME,
        "URN": 2611190,  # a 7-digit URN, stored by Excel as a number
        "Registration date": dt.datetime(2021, 1, 8),
        "Places": 20,
        "Latest full inspection date": dt.datetime(2022, 11, 2),
        "Latest full inspection publication date": dt.datetime(2022, 12, 20),
    }
    sheet.append([row[h] for h in HEADER])
    link = sheet.cell(row=5, column=1)
    link.hyperlink = "https://reports.ofsted.gov.uk/provider/44/2611190"
    buffer = io.BytesIO()
    book.save(buffer)

    result = load(buffer.getvalue(), "providers.xlsx")

    assert result.problems == [] and result.saved
    setting = Setting.objects.get(urn="2611190")
    assert setting.registered_places == 20
    assert setting.registration_date == dt.date(2021, 1, 8)
    assert setting.run_by_council == derby
    assert setting.ofsted_url == "https://reports.ofsted.gov.uk/provider/44/2611190"
    inspection = setting.inspections.get()
    assert inspection.date == dt.date(2022, 11, 2)
    assert inspection.judgements.count() == 3


def test_reloading_updates_by_urn_and_keeps_earlier_inspections(derby):
    load(as_csv(HOME, AGENCY))
    again = load(as_csv(HOME, AGENCY))
    assert (again.created, again.updated) == (0, 0)
    assert (again.inspections_created, again.inspections_updated) == (0, 0)

    newer = {
        **HOME,
        "Places": "5",
        "Latest full inspection date": "14/02/2023",
        "Latest full inspection publication date": "23/03/2023",
        "Overall experiences and progress of children and young people": "Outstanding",
        "How well children and young people are helped and protected": "Outstanding",
        "The effectiveness of leaders and managers": "Good",
    }
    regraded_agency = {**AGENCY, "The effectiveness of leaders and managers": "Outstanding"}
    result = load(as_csv(newer, regraded_agency))

    assert (result.created, result.updated) == (0, 1)  # the agency's own row is unchanged
    assert (result.inspections_created, result.inspections_updated) == (1, 1)
    assert Setting.objects.count() == 2
    home = Setting.objects.get(urn="SC123456")
    assert home.registered_places == 5
    assert home.latest_overall_judgement == "Outstanding"
    assert [i.date for i in home.inspections.all()] == [dt.date(2023, 2, 14), dt.date(2022, 1, 18)]
    agency = SettingInspection.objects.get(setting__urn="2616251")
    assert agency.judgements.get(area__code="leaders_and_managers").grade.code == "outstanding"
    assert SettingJudgement.objects.count() == 9


def test_names_entered_here_survive_ofsteds_redaction(derby):
    load(as_csv(HOME))
    Setting.objects.filter(urn="SC123456").update(name="Oak Lodge", postcode="DE21 4JS")
    load(as_csv(HOME))
    home = Setting.objects.get(urn="SC123456")
    assert (home.name, home.postcode) == ("Oak Lodge", "DE21 4JS")


def test_registration_status_sets_the_settings_status(derby):
    load(as_csv(HOME))
    home = Setting.objects.get(urn="SC123456")
    record_status(home, SettingStatus.TEMPORARILY_CLOSED, dt.date(2022, 5, 1), source="council")

    # "Active" means the registration stands; it doesn't reopen a home closed here.
    result = load(as_csv(HOME))
    home.refresh_from_db()
    assert (home.status, home.status_since) == ("temporarily_closed", dt.date(2022, 5, 1))
    assert "Derby has recorded it as temporarily closed since 1 May 2022" in messages(result)[0]

    load(as_csv({**HOME, "Registration status": "Resigned"}), as_at=dt.date(2023, 6, 30))
    home.refresh_from_db()
    assert (home.status, home.status_since) == ("closed", dt.date(2023, 6, 30))


def test_an_unknown_council_is_a_warning_and_the_setting_has_no_area(db):
    result = load(as_csv({**HOME, "Local authority": "Derbyshire Dales"}))
    assert result.saved
    [warning] = result.warnings
    assert warning.message == (
        "Local authority 'Derbyshire Dales' is not a council we know: "
        "the setting is saved without a council area."
    )
    assert (warning.row, warning.column, warning.value) == (
        5,
        "Local authority",
        "Derbyshire Dales",
    )
    assert Setting.objects.get().la is None


def test_a_row_without_every_required_judgement_is_not_recorded_as_an_inspection(derby):
    row = {**HOME, "How well children and young people are helped and protected": ""}
    result = load(as_csv(row))
    assert result.saved and SettingInspection.objects.count() == 0
    assert messages(result) == [
        "The latest full inspection (18/01/2022) has no grade for How well children and "
        "young people are helped and protected: it is not recorded as an inspection."
    ]
    # The list's own picture is still kept on the setting.
    assert Setting.objects.get().latest_overall_judgement == "Good"


def test_a_secure_home_gets_the_secure_frameworks_extra_judgements(db):
    row = {
        **HOME,
        "Provision type": "Secure Children's Home",
        "Outcomes in education and related learning activities": "Outstanding",
        "Health services": "Good",
    }
    assert load(as_csv(row)).saved
    inspection = SettingInspection.objects.get()
    assert inspection.framework.code == "sccif_secure_homes"
    assert inspection.judgements.count() == 5


# --- bad input: a precise message, and nothing saved -------------------------------------

BAD_CASES = {
    "bad URN": (
        as_csv({**HOME, "URN": "SC12345"}),
        "providers.csv",
        "URN 'SC12345' is neither SC followed by 6 digits nor 7 digits.",
        (5, "URN", "SC12345"),
    ),
    "bad date": (
        as_csv({**HOME, "Latest full inspection date": "31/02/2022"}),
        "providers.csv",
        "Latest full inspection date '31/02/2022' is not a date in the form dd/mm/yyyy.",
        (5, "Latest full inspection date", "31/02/2022"),
    ),
    "places not a number": (
        as_csv({**HOME, "Places": "five"}),
        "providers.csv",
        "Places 'five' is not a whole number of places.",
        (5, "Places", "five"),
    ),
    "not an Ofsted grade": (
        as_csv({**HOME, "Health services": "Very good"}),
        "providers.csv",
        "'Very good' is not an Ofsted grade: use Outstanding, Good, "
        "Requires improvement to be good or Inadequate.",
        (5, "Health services", "Very good"),
    ),
    "unknown registration status": (
        as_csv({**HOME, "Registration status": "Pending"}),
        "providers.csv",
        "Registration status 'Pending' is not one we know: "
        "use Active, Suspended, Resigned or Cancelled.",
        (5, "Registration status", "Pending"),
    ),
    "URN twice": (
        as_csv(HOME, {**HOME, "Name": "Again"}),
        "providers.csv",
        "URN SC123456 is also on row 5: each provider must appear once.",
        (6, "URN", "SC123456"),
    ),
    "missing URN column": (
        as_csv(HOME, header=[h for h in HEADER if h != "URN"]),
        "providers.csv",
        "The header row (row 4) has no URN column. Ofsted's list heads it “URN”.",
        (4, "URN", ""),
    ),
    "no header row": (
        b"a,b,c\n1,2,3\n",
        "providers.csv",
        "No header row was found in the first 20 rows: Ofsted's list has one with "
        "URN, Provision type, Registration status and Local authority.",
        (None, "", ""),
    ),
    "header but no providers": (
        as_csv(),
        "providers.csv",
        "The file has a header row but no providers under it.",
        (4, "", ""),
    ),
    "empty file": (b"", "providers.csv", "The file is empty.", (None, "", "")),
    "a PDF": (b"%PDF-1.7\n...", "providers.pdf", "This is not a CSV or XLSX file.", (None, "", "")),
    "a zip that isn't a workbook": (
        None,  # built below
        "providers.xlsx",
        "This is not a CSV or XLSX file.",
        (None, "", ""),
    ),
    "text named .xlsx": (
        as_csv(HOME),
        "providers.xlsx",
        "The file is named .xlsx but is not an Excel workbook.",
        (None, "", ""),
    ),
    "an old .xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "providers.xls",
        "This is an old-style Excel (.xls) file. Save it as .xlsx or CSV and load that.",
        (None, "", ""),
    ),
}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_gives_a_precise_message_and_saves_nothing(derby, case):
    data, name, message, (row, column, value) = BAD_CASES[case]
    data = _zip() if data is None else data
    load(as_csv(AGENCY))  # something already there, which must not change
    before = list(Setting.objects.values()), list(SettingInspection.objects.values())

    # Where the fault is in a row, a good row in the same file changes the agency:
    # that change must not land either.
    if row is not None and row > 4:
        data += as_csv({**AGENCY, "Places": "3"}, title=False).split(b"\n", 1)[1]
    result = load(data, name)

    assert not result.saved
    [error] = result.errors
    assert error.message == message
    assert (error.file, error.row, error.column, error.value) == (name, row, column, value)
    after = list(Setting.objects.values()), list(SettingInspection.objects.values())
    assert after == before


def test_a_check_only_run_saves_nothing(db):
    result = load(as_csv(HOME), check_only=True)
    assert result.problems == [] and not result.saved
    assert not Setting.objects.exists()


# --- council names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "la_code"),
    [
        ("Derby", "831"),
        ("Derby City", "831"),
        ("DERBY CITY COUNCIL", "831"),
        ("Derbyshire County Council", "830"),
        ("Nottingham City Council", "892"),
        ("Nottinghamshire", "891"),
        ("Bristol, City of", "801"),
        ("City of Bristol", "801"),
        ("Bristol", "801"),
        ("Kingston upon Hull", "810"),
        ("Hull City Council", "810"),
        ("Herefordshire", "884"),
        ("Stoke On Trent City Council", "861"),
        ("Telford & Wrekin", "894"),
        ("St Helens", "342"),
        ("London Borough of Camden", "202"),
        ("Royal Borough of Kensington and Chelsea", "207"),
        ("Durham County Council", "840"),
        ("Rotherham Metropolitan Borough Council", "372"),
    ],
)
def test_council_names_are_matched_in_their_usual_forms(db, name, la_code):
    assert CouncilMatcher().match(name).la_code == la_code


def test_unknown_or_abolished_councils_match_nothing(db):
    matcher = CouncilMatcher()
    assert matcher.match("Northamptonshire") is None  # split in 2021
    assert matcher.match("Narnia") is None


# --- the database's own rules --------------------------------------------------------------


@pytest.mark.parametrize(
    "urn", ["SC12345", "SC12345X", "123456", "XXXXXXX", "sc123456", "AB123456", ""]
)
def test_the_database_refuses_a_malformed_urn(db, urn):
    with pytest.raises(IntegrityError), transaction.atomic():
        Setting.objects.create(urn=urn, setting_type=SettingType.CHILDRENS_HOME)


def test_the_database_refuses_an_undated_closure_and_a_bad_postcode(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Setting.objects.create(
            urn="SC123456", setting_type=SettingType.CHILDRENS_HOME, status="closed"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Setting.objects.create(urn="SC123456", setting_type="childrens_home", postcode="de21 4js")


def test_an_interim_outcome_is_required_for_interims_and_only_for_them(db):
    setting = Setting.objects.create(urn="SC123456", setting_type=SettingType.CHILDRENS_HOME)
    framework = Framework.objects.get(code="sccif_childrens_homes")
    day = dt.date(2022, 6, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SettingInspection.objects.create(
            setting=setting, date=day, inspection_type="interim", framework=framework
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SettingInspection.objects.create(
            setting=setting,
            date=day,
            inspection_type="full",
            framework=framework,
            interim_outcome="improved",
        )
    interim = SettingInspection.objects.create(
        setting=setting,
        date=day,
        inspection_type="interim",
        framework=framework,
        interim_outcome="sustained",
    )
    assert interim.overall_grade is None


def test_record_inspection_refuses_grades_outside_the_framework(db):
    setting = Setting.objects.create(urn="SC123456", setting_type=SettingType.CHILDRENS_HOME)
    framework = Framework.objects.get(code="sccif_childrens_homes")
    day = dt.date(2022, 6, 1)
    with pytest.raises(ValueError, match="'adequate' is not a grade"):
        record_inspection(
            setting, date=day, framework=framework, grades={"overall_experiences": "adequate"}
        )
    with pytest.raises(ValueError, match="has no judgement area 'health'"):
        record_inspection(setting, date=day, framework=framework, grades={"health": "good"})
    with pytest.raises(ValueError, match="interim inspection has an outcome"):
        record_inspection(
            setting,
            date=day,
            framework=framework,
            grades={"overall_experiences": "good"},
            inspection_type="interim",
            interim_outcome="improved",
        )
    inspection, created = record_inspection(
        setting, date=day, framework=framework, grades={"overall_experiences": "good"}
    )
    assert created and inspection.overall_grade.code == "good"


# --- seeded frameworks -----------------------------------------------------------------------


def test_the_frameworks_are_seeded():
    areas = {
        f.code: [(a.code, a.is_limiting, a.is_overall) for a in f.areas.all()]
        for f in Framework.objects.prefetch_related("areas")
    }
    assert areas["sccif_childrens_homes"] == [
        ("overall_experiences", False, True),
        ("help_and_protection", True, False),
        ("leaders_and_managers", False, False),
    ]
    assert [a for a, *_ in areas["sccif_secure_homes"]][3:] == ["education", "health"]
    assert "care_leavers" in [a for a, *_ in areas["ilacs_2023"]]
    assert "care_leavers" not in [a for a, *_ in areas["ilacs_2018"]]
    assert len(areas["slac_2011"]) == 22
    good = {
        s.code: [(g.label, g.good_or_better) for g in s.grades.all()]
        for s in Scale.objects.prefetch_related("grades")
    }
    assert good["ofsted_4"] == [
        ("Outstanding", True),
        ("Good", True),
        ("Requires improvement to be good", False),
        ("Inadequate", False),
    ]
    assert good["ofsted_4_2011"][2] == ("Adequate", False)
    assert Framework.objects.get(code="slac_2011").scale.code == "ofsted_4_2011"


# --- the demo list -----------------------------------------------------------------------------


def test_the_demo_list_gives_the_seeds_picture_and_loads_idempotently(derby):
    first = load_demo_providers(log=lambda _: None)
    assert first.problems == []  # every council in it is known
    assert (first.created, first.inspections_created) == (44, 42)

    again = load_demo_providers(log=lambda _: None)
    assert (again.created, again.updated) == (0, 0)
    assert (again.inspections_created, again.inspections_updated) == (0, 0)
    assert Setting.objects.count() == 44

    derby_homes = Setting.objects.filter(
        run_by_council=derby, setting_type=SettingType.CHILDRENS_HOME
    )
    assert sorted(derby_homes.values_list("urn", flat=True)) == [f"SC90000{n}" for n in range(1, 6)]
    closed = derby_homes.get(status=SettingStatus.TEMPORARILY_CLOSED)
    assert (closed.urn, closed.status_since) == ("SC900005", dt.date(2020, 2, 1))
    open_grades = sorted(
        home.latest_overall_judgement for home in derby_homes.filter(status=SettingStatus.OPEN)
    )
    ri = "Requires improvement to be good"
    assert open_grades == ["Good", "Good", ri, ri]  # seed 004: two Good, two RI
    recorded = [
        SettingInspection.objects.filter(setting=home).first().overall_grade.label
        for home in derby_homes.filter(status=SettingStatus.OPEN)
    ]
    assert sorted(recorded) == open_grades

    notts = LocalAuthority.objects.get(la_code="891")
    assert sorted(Setting.objects.filter(run_by_council=notts).values_list("urn", flat=True)) == [
        "SC900006",
        "SC900007",
        "SC900008",
        "SC900009",
        "SC900010",
    ]
    secure = Setting.objects.filter(setting_type=SettingType.SECURE_CHILDRENS_HOME)
    assert secure.count() == 5 and not secure.filter(run_by_council=None).exists()
    assert Setting.objects.get(urn="SC900040").run_by_council.name == "Bristol, City of"
    assert Setting.objects.filter(urn__regex=r"^[0-9]{7}$").count() == 4  # the IFAs


def test_the_command_loads_a_file_and_refuses_a_bad_one(db, tmp_path):
    out = io.StringIO()
    call_command("load_ofsted_providers", str(DEMO_FILE), stdout=out)
    assert "44 provider(s) read; 44 setting(s) added" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_csv({**HOME, "URN": "SC12345"}))
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing saved"):
        call_command("load_ofsted_providers", str(bad), stdout=out)
    assert "ERROR: bad.csv, row 5, URN: URN 'SC12345' is neither" in out.getvalue()


# Header rows exactly as Ofsted's provider-level lists have them (2025 and 2018), with
# made-up rows under them.
HEADER_2025 = (
    "Web link,URN,Linked Education URN,Provision type,Registration date,Registration status,"
    "Name,Address 1,Address 2,Town,County,Postcode,Ofsted Region,Government Office Region,"
    "Local authority,Parliamentary constituency,Sector,Places,Supported accommodation premises,"
    "Short-break-only children's home,Multi Building Children's Home,"
    'Organisation which owns the provider,"\nLatest Full inspection event type",'
    '"\nLatest full inspection date",Latest full inspection publication date,'
    '"\nLatest full inspection event number",'
    '"\nOverall experiences and progress of children and young people",'
    "Outcomes in education and related learning activities,Health services,"
    '"\nHow well children and young people are helped and protected",'
    "The effectiveness of leaders and managers,Supported Accommodation outcome,,,"
)
HEADER_2018 = (
    "Web link,URN,Linked education URN,Provision type,Registration status,Name,Address 1,"
    "Address 2,Town,County,Postcode,Ofsted Region,Government Office Region,Local authority,"
    "Parliamentary constituency,Sector,Places,Organisation,Event type,Inspection date,"
    "Publication date,Event number,Overall effectiveness,Outcomes for children and young "
    "people,Quality of care,Safeguarding children and young people,Leadership and management"
)


def test_ofsteds_2025_layout_is_read(derby):
    data = (
        "Children's social care data in England 2025 \u2013 Provider level as at 31 March 2025"
        ',,,\n"This worksheet contains one table, this table begins in cell A4.",,,\n'
        "Some cells in this table are empty.,,,\n"
        + HEADER_2025
        + "\nOfsted Social Care Provider Webpage,2999999,,Children's home,25/06/2020,Active,"
        "REDACTED,REDACTED,REDACTED,REDACTED,REDACTED,REDACTED,East Midlands,East Midlands,"
        "Derby,Derby North,Local Authority,2,,,,Derby City Council,Full inspection,05/11/2024,"
        "14/01/2025,10360658,Requires improvement to be good,,,Good,"
        "Requires improvement to be good,,,,\n"
    ).encode("cp1252")  # as Excel on Windows saves "CSV"

    result = load(data)

    assert result.problems == [] and result.as_at == dt.date(2025, 3, 31)
    setting = Setting.objects.get(urn="2999999")
    assert (setting.la, setting.run_by_council, setting.registered_places) == (derby, derby, 2)
    assert setting.inspections.get().overall_grade.code == "requires_improvement"


def test_ofsteds_2018_layout_is_read_without_its_older_judgements(derby):
    data = (
        "Provider information,,,,,,,,,,,,,,,,,,Latest Full Inspection,,,,,,,,\n"
        + HEADER_2018
        + "\nOfsted Social Care Provider Webpage,SC999999,,Children's home,Active,REDACTED,"
        "REDACTED,REDACTED,REDACTED,REDACTED,REDACTED,East Midlands,East Midlands,Derby,Derby "
        "South,Private,3,Made Up Care Ltd,Full inspection,18/05/2017,08/06/2017,10028797,Good,"
        ",,Good,Good\n"
    ).encode()

    result = load(data, as_at=dt.date(2018, 3, 31))

    assert result.problems == [] and result.saved
    setting = Setting.objects.get(urn="SC999999")
    assert setting.provider_name == "Made Up Care Ltd" and setting.run_by_council is None
    assert setting.latest_full_inspection_date == dt.date(2017, 5, 18)
    # "Overall effectiveness" belongs to the framework before the SCCIF: not mapped.
    assert not setting.inspections.exists()
