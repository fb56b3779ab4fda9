"""The quarterly return as an Excel template: download, fill in, upload, all or nothing."""

# ruff: noqa: RUF001  (the messages quote values in typographic single quotes)

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corporate_parenting.models import AuditLog, LocalAuthority, Role
from inspections.models import Setting, SettingType
from returns import spreadsheet
from returns.models import (
    ChildrenInCareCouncil,
    Consultation,
    Education,
    Fostering,
    HomeStaffing,
    Permanence,
    PlacementCost,
    PlacementsSection,
    QuarterlyReturn,
    ReturnStatus,
    StaffingSection,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ret(derby, officer):
    return QuarterlyReturn.objects.create(la=derby, year=2022, quarter=4, created_by=officer)


@pytest.fixture
def home(derby):
    return Setting.objects.create(
        urn="SC100001",
        name="Rosewood House",
        setting_type=SettingType.CHILDRENS_HOME,
        la=derby,
        run_by_council=derby,
    )


@pytest.fixture
def notts_home(db):
    notts = LocalAuthority.objects.get(la_code="891")
    return Setting.objects.create(
        urn="SC200002",
        name="Notts House",
        setting_type=SettingType.CHILDRENS_HOME,
        la=notts,
        run_by_council=notts,
    )


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def save_book(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, name: str, column: int = 3) -> int:
    for row in ws.iter_rows(min_row=1):
        if row[column - 1].value == name:
            return row[0].row
    raise AssertionError(f"no row for {name}")


def set_field(wb, sheet: str, name: str, value: object) -> str:
    """Type `value` against the field; the cell's coordinate."""
    ws = wb[sheet]
    cell = ws.cell(row=row_of(ws, name), column=2)
    cell.value = value
    return cell.coordinate


def filled(ret, **edits) -> openpyxl.Workbook:
    wb = open_book(spreadsheet.build_template(ret))
    for key, value in edits.items():
        sheet, name = key.split("__")
        set_field(wb, sheet, name, value)
    return wb


def snapshot(ret) -> dict:
    """Everything an upload could change, to compare before and after."""
    return {
        "fostering": list(Fostering.objects.filter(ret=ret).values()),
        "permanence": list(Permanence.objects.filter(ret=ret).values()),
        "education": list(Education.objects.filter(ret=ret).values()),
        "cicc": list(ChildrenInCareCouncil.objects.filter(ret=ret).values()),
        "staffing": list(StaffingSection.objects.filter(ret=ret).values()),
        "homes": list(HomeStaffing.objects.filter(section__ret=ret).values()),
        "placements": list(PlacementsSection.objects.filter(ret=ret).values()),
        "costs": list(PlacementCost.objects.filter(section__ret=ret).values()),
        "consultations": list(Consultation.objects.filter(ret=ret).values()),
        "audit": AuditLog.objects.exclude(action=AuditLog.Action.EXPORT).count(),
    }


def messages_of(problems) -> list[str]:
    return [str(p) for p in problems]


def upload_via(client, ret, data: bytes, name: str = "derby.xlsx"):
    return client.post(
        reverse("return_upload", args=[ret.pk]),
        {"file": SimpleUploadedFile(name, data, content_type=spreadsheet.XLSX_TYPE)},
    )


# --- the template ---------------------------------------------------------------------


def test_the_template_has_an_about_sheet_and_a_sheet_per_section(ret, home):
    Fostering.objects.create(ret=ret, enquiries=7, version=3)
    wb = open_book(spreadsheet.build_template(ret))
    assert wb.sheetnames == [
        "About",
        "Fostering",
        "Permanence",
        "Staffing",
        "Placements",
        "Education",
        "CiCC",
    ]
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows() if row[0].value}
    assert about["Council"] == "Derby"
    assert about["Period"] == "2021/22 Q4"
    assert about["Template version"] == spreadsheet.TEMPLATE_VERSION == "CP-QR-1"
    assert about["Section version: fostering"] == 3
    assert about["Section version: permanence"] == 0
    fostering = wb["Fostering"]
    row = row_of(fostering, "enquiries")
    assert fostering.cell(row=row, column=1).value == "Enquiries"
    assert fostering.cell(row=row, column=2).value == 7  # pre-filled
    assert fostering.column_dimensions["C"].hidden
    staffing = wb["Staffing"]
    assert staffing.cell(row=4, column=1).value == "SC100001"
    assert staffing.cell(row=4, column=2).value == "Rosewood House"
    assert staffing.cell(row=4, column=6).value == "Open"
    placements = wb["Placements"]
    assert [placements.cell(row=r, column=7).value for r in range(4, 10)] == [
        "ifa",
        "childrens_home",
        "supported",
        "secure_welfare",
        "parent_and_child",
        "supported_lodgings",
    ]
    assert fostering.data_validations.dataValidation  # counts are checked as typed


def test_the_template_downloads_with_the_councils_file_name_and_is_audited(client, officer, ret):
    client.force_login(officer)
    response = client.get(reverse("return_template", args=[ret.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheet.XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="derby-2021-22-q4-return.xlsx"'
    assert open_book(response.content)["About"]
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert entry.object_type == "returns.QuarterlyReturn"
    assert entry.object_id == str(ret.pk)
    assert entry.username == officer.username


# --- the round trip -------------------------------------------------------------------


def test_a_filled_in_template_uploads_every_section(client, officer, ret, home):
    client.force_login(officer)
    wb = open_book(client.get(reverse("return_template", args=[ret.pk])).content)
    set_field(wb, "Fostering", "enquiries", 12)
    set_field(wb, "Fostering", "approvals_mainstream", "3")  # typed as text
    set_field(wb, "Permanence", "team_capacity_pct", 85.5)
    set_field(wb, "Education", "attendance_pct", 93.2)
    set_field(wb, "CiCC", "meetings", 2)
    set_field(wb, "CiCC", "attendance", 15)
    cicc = wb["CiCC"]
    first = row_of(cicc, spreadsheet.CONSULTATION_MARKER) + 1
    cicc.cell(row=first, column=1, value="Pocket money")
    cicc.cell(row=first, column=2, value=8)
    staffing = wb["Staffing"]
    for col, value in ((3, 10), (4, 2), (5, 1.5), (6, "Temporarily closed")):
        staffing.cell(row=4, column=col, value=value)
    placements = wb["Placements"]
    ifa = row_of(placements, "ifa", column=7)
    for col, value in ((2, 3), (3, 950.5), (4, "D2N2 DPS"), (5, 1), (6, 0)):
        placements.cell(row=ifa, column=col, value=value)

    response = upload_via(client, ret, save_book(wb))

    assert response.status_code == 302
    assert response["Location"] == reverse("return_detail", args=[ret.pk])
    fostering = Fostering.objects.get(ret=ret)
    assert (fostering.enquiries, fostering.approvals_mainstream, fostering.withdrawals) == (
        12,
        3,
        None,
    )
    assert fostering.version == 1 and fostering.updated_by == officer
    assert Permanence.objects.get(ret=ret).team_capacity_pct == Decimal("85.5")
    assert Education.objects.get(ret=ret).attendance_pct == Decimal("93.2")
    cicc_section = ChildrenInCareCouncil.objects.get(ret=ret)
    assert (cicc_section.meetings, cicc_section.attendance) == (2, 15)
    assert list(Consultation.objects.filter(ret=ret).values_list("topic", "young_people")) == [
        ("Pocket money", 8)
    ]
    row = HomeStaffing.objects.get(section__ret=ret, setting=home)
    assert (row.establishment_fte, row.vacancies_fte, row.agency_fte, row.home_status) == (
        Decimal("10.0"),
        Decimal("2.0"),
        Decimal("1.5"),
        "temporarily_closed",
    )
    cost = PlacementCost.objects.get(section__ret=ret, placement_type="ifa")
    assert (cost.placements, cost.average_weekly_cost, cost.framework) == (
        3,
        Decimal("950.50"),
        "D2N2 DPS",
    )
    # Only types with something entered get a row.
    assert PlacementCost.objects.filter(section__ret=ret).count() == 1
    # The upload itself, and each section and row created, are audited.
    upload_entry = AuditLog.objects.get(object_type="returns.QuarterlyReturn", action="update")
    assert "spreadsheet upload derby.xlsx" in upload_entry.detail
    created = AuditLog.objects.get(object_type="returns.Fostering", action="create")
    assert created.changed_fields["enquiries"] == {"old": "(blank)", "new": "12"}


def test_a_second_upload_changes_only_what_changed_and_audits_old_and_new(officer, ret, home):
    spreadsheet.upload(
        ret,
        save_book(filled(ret, Fostering__enquiries=12, Education__attendance_pct=90)),
        "q4.xlsx",
        officer,
    )
    before = AuditLog.objects.count()

    result, problems = spreadsheet.upload(
        ret, save_book(filled(ret, Fostering__enquiries=14)), "q4.xlsx", officer
    )

    assert problems == []
    assert result.changes == 1
    assert result.sections_changed == ["Fostering recruitment"]
    assert Fostering.objects.get(ret=ret).version == 2
    assert Education.objects.get(ret=ret).version == 1  # untouched
    new = AuditLog.objects.order_by("pk")[before:]
    change = next(e for e in new if e.object_type == "returns.Fostering")
    assert change.action == "update"
    assert change.changed_fields == {"enquiries": {"old": "12", "new": "14"}}
    assert change.object_id == str(Fostering.objects.get(ret=ret).pk)


def test_clearing_a_consultation_removes_it_but_one_added_since_download_is_kept(officer, ret):
    old = Consultation.objects.create(ret=ret, topic="Bus passes", young_people=4)
    wb = filled(ret)
    cicc = wb["CiCC"]
    row = row_of(cicc, old.pk)
    cicc.cell(row=row, column=1).value = None
    cicc.cell(row=row, column=2).value = None
    added = Consultation.objects.create(ret=ret, topic="Added on screen", young_people=2)

    _result, problems = spreadsheet.upload(ret, save_book(wb), "q4.xlsx", officer)

    assert problems == []
    assert list(Consultation.objects.filter(ret=ret)) == [added]
    # Recorded where the return's audit page finds it, though the row is gone.
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("return_audit", args=[ret.pk])).content.decode()
    assert "Consultation removed: Bus passes" in page and "(removed)" in page


def test_audited_values_read_as_people_read_them(officer, ret, home):
    wb = filled(ret, Fostering__enquiries=12)
    staffing = wb["Staffing"]
    for col, value in ((3, 10), (4, 2), (5, 1.5), (6, "Temporarily closed")):
        staffing.cell(row=4, column=col, value=value)
    placements = wb["Placements"]
    ifa = row_of(placements, "ifa", column=7)
    for col, value in ((2, 3), (3, 950.5), (4, "D2N2 DPS")):
        placements.cell(row=ifa, column=col, value=value)
    cicc = wb["CiCC"]
    first = row_of(cicc, spreadsheet.CONSULTATION_MARKER) + 1
    cicc.cell(row=first, column=1, value="Pocket money")
    cicc.cell(row=first, column=2, value=8)
    assert spreadsheet.upload(ret, save_book(wb), "q4.xlsx", officer)[1] == []

    def audited(model, action="create"):
        return AuditLog.objects.filter(object_type=model, action=action).latest("pk").changed_fields

    assert audited("returns.Fostering")["enquiries"] == {"old": "(blank)", "new": "12"}
    assert audited("returns.HomeStaffing") == {
        "establishment_fte": {"old": "(blank)", "new": "10.0"},
        "vacancies_fte": {"old": "(blank)", "new": "2.0"},
        "agency_fte": {"old": "(blank)", "new": "1.5"},
        "home_status": {"old": "Open", "new": "Temporarily closed"},
    }
    assert audited("returns.PlacementCost") == {
        "placements": {"old": "(blank)", "new": "3"},
        "average_weekly_cost": {"old": "(blank)", "new": "950.50"},
        "framework": {"old": "(blank)", "new": "D2N2 DPS"},
    }
    assert audited("returns.Consultation") == {
        "topic": {"old": "(blank)", "new": "Pocket money"},
        "young_people": {"old": "(blank)", "new": "8"},
    }

    wb = filled(ret)
    staffing = wb["Staffing"]
    staffing.cell(row=4, column=5).value = None
    staffing.cell(row=4, column=6).value = "Open"
    placements = wb["Placements"]
    placements.cell(row=row_of(placements, "ifa", column=7), column=4).value = None
    cicc = wb["CiCC"]
    row = row_of(cicc, Consultation.objects.get(ret=ret).pk)
    cicc.cell(row=row, column=1).value = None
    cicc.cell(row=row, column=2).value = None
    assert spreadsheet.upload(ret, save_book(wb), "q4.xlsx", officer)[1] == []

    assert audited("returns.HomeStaffing", "update") == {
        "agency_fte": {"old": "1.5", "new": "(blank)"},
        "home_status": {"old": "Temporarily closed", "new": "Open"},
    }
    assert audited("returns.PlacementCost", "update") == {
        "framework": {"old": "D2N2 DPS", "new": "(blank)"}
    }
    assert audited("returns.ChildrenInCareCouncil", "update") == {
        "Consultation removed: Pocket money": {
            "old": "Pocket money (8 young people)",
            "new": "(removed)",
        }
    }


# --- text, never formulas ---------------------------------------------------------------

TRICKY_TEXTS = ['=HYPERLINK("http://x","y")', "=1+2", "+44", "-", "@x"]


def with_saved_results(data: bytes, results: dict[str, object]) -> bytes:
    """The workbook as Excel would save it: each formula with its result beside it
    (openpyxl saves formulas with none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    found = dict.fromkeys(results, 0)
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = body.decode()
                for formula, result in results.items():
                    kind = ' t="str"' if isinstance(result, str) else ""
                    saved = f"<v>{xml_escape(str(result))}</v>"
                    text, n = re.subn(
                        # openpyxl writes an empty value as <v/>, <v></v> or not at all,
                        # depending on whether lxml is installed.
                        r"(<c [^>]*?)>(<f>"
                        + re.escape(xml_escape(formula[1:]))
                        + r"</f>)(?:<v\s*/>|<v></v>)?(?=</c>)",
                        lambda m, kind=kind, saved=saved: f"{m[1]}{kind}>{m[2]}{saved}",
                        text,
                    )
                    found[formula] += n
                body = text.encode()
            target.writestr(item, body)
    assert all(found.values()), found
    return out.getvalue()


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_text_is_written_as_text_and_comes_back_exactly(officer, ret, derby, text):
    Setting.objects.create(
        urn="SC100009",
        name=text,
        setting_type=SettingType.CHILDRENS_HOME,
        la=derby,
        run_by_council=derby,
    )
    consultation = Consultation.objects.create(ret=ret, topic=text, young_people=3)
    section = PlacementsSection.objects.create(ret=ret)
    PlacementCost.objects.create(section=section, placement_type="ifa", framework=text)
    data = spreadsheet.build_template(ret)

    wb = open_book(data)
    cicc, placements, staffing = wb["CiCC"], wb["Placements"], wb["Staffing"]
    cells = [
        cicc.cell(row=row_of(cicc, consultation.pk), column=1),
        placements.cell(row=row_of(placements, "ifa", column=7), column=4),
        staffing.cell(row=4, column=2),
    ]
    for cell in cells:
        assert (cell.value, cell.data_type) == (text, "s"), cell.coordinate
        assert cell.quotePrefix  # Excel keeps it text when the cell is edited
    assert cells[0].number_format == "@"  # what officers type is text too

    _result, problems = spreadsheet.upload(ret, data, "q4.xlsx", officer)

    assert problems == []
    assert Consultation.objects.get(pk=consultation.pk).topic == text
    assert PlacementCost.objects.get(section=section, placement_type="ifa").framework == text
    assert not AuditLog.objects.filter(object_type="returns.Consultation").exists()
    assert not AuditLog.objects.filter(object_type="returns.PlacementCost").exists()


@pytest.mark.parametrize("saved", [False, True])
def test_a_formula_in_a_text_cell_is_refused_not_read_as_blank(officer, ret, home, saved):
    Fostering.objects.create(ret=ret, enquiries=5)
    Consultation.objects.create(ret=ret, topic="Bus passes", young_people=4)
    wb = filled(ret)
    cicc = wb["CiCC"]
    topic_row = row_of(cicc, Consultation.objects.get(ret=ret).pk)
    cicc.cell(row=topic_row, column=1).value = '=HYPERLINK("http://x","y")'
    new_row = topic_row + 1
    cicc.cell(row=new_row, column=1).value = "=1+2"
    placements = wb["Placements"]
    ifa = row_of(placements, "ifa", column=7)
    placements.cell(row=ifa, column=4).value = '="D2N2"'
    wb["Staffing"].cell(row=4, column=6).value = '="Open"'
    data = save_book(wb)
    if saved:  # as Excel saves it: each formula with its result
        data = with_saved_results(
            data,
            {'=HYPERLINK("http://x","y")': "y", "=1+2": 3, '="D2N2"': "D2N2", '="Open"': "Open"},
        )
    before = snapshot(ret)

    result, problems = spreadsheet.upload(ret, data, "q4.xlsx", officer)

    assert result is None
    assert messages_of(problems) == [
        "Sheet ‘Staffing’, cell F4 (Status at the quarter's end): formulas aren't accepted; "
        "choose Open, Temporarily closed or Closed.",
        f"Sheet ‘Placements’, cell D{ifa} (Independent fostering agency (IFA): Framework "
        "used): formulas aren't accepted; type the text.",
        f"Sheet ‘CiCC’, cell A{topic_row} (Topic): formulas aren't accepted; type the text.",
        f"Sheet ‘CiCC’, cell A{new_row} (Topic): formulas aren't accepted; type the text.",
    ]
    assert problems[2].value == '=HYPERLINK("http://x","y")'
    assert snapshot(ret) == before


def test_a_figure_worked_out_by_a_formula_is_read_only_if_its_result_was_saved(officer, ret):
    Fostering.objects.create(ret=ret, enquiries=5)
    data = save_book(filled(ret, Fostering__enquiries="=2+3", Fostering__applications="=1+1"))

    _, problems = spreadsheet.read_upload(ret, data, "q4.xlsx")
    # Not read as blank, which would clear the figure.
    assert messages_of(problems) == [
        "Sheet ‘Fostering’, cell B4 (Enquiries): ‘=2+3’ is a formula with no result saved in "
        "the file: enter a whole number, 0 or more.",
        "Sheet ‘Fostering’, cell B7 (Applications): ‘=1+1’ is a formula with no result saved "
        "in the file: enter a whole number, 0 or more.",
    ]

    values, problems = spreadsheet.read_upload(
        ret, with_saved_results(data, {"=2+3": 5, "=1+1": 2}), "q4.xlsx"
    )
    assert problems == []
    assert (
        values.sections["fostering"]["enquiries"],
        values.sections["fostering"]["applications"],
    ) == (5, 2)


# --- changes made since the template was downloaded ------------------------------------------


@pytest.fixture
def olive(db):
    user = make_user("olive.oduya", role=Role.OFFICER)
    user.last_name = "Oduya"
    user.save()
    return user


AT = dt.datetime(2026, 11, 23, 14, 32)


def test_an_upload_that_would_overwrite_a_newer_change_is_refused(officer, olive, ret):
    Fostering.objects.create(ret=ret, enquiries=5)
    data = save_book(filled(ret, Fostering__enquiries=6, Education__attendance_pct=90))
    Fostering.objects.filter(ret=ret).update(
        enquiries=9, version=2, updated_by=olive, updated_at=timezone.make_aware(AT)
    )
    before = snapshot(ret)

    result, problems = spreadsheet.upload(ret, data, "q4.xlsx", officer)

    assert result is None
    assert messages_of(problems) == [
        "Fostering recruitment was changed by Olive Oduya at 14:32 on 23 November 2026 after "
        "this template was downloaded. Download a new template and enter your changes again."
    ]
    assert snapshot(ret) == before  # nothing saved, Education included
    assert Fostering.objects.get(ret=ret).enquiries == 9


def test_a_section_created_since_download_counts_as_changed(client, officer, olive, ret, home):
    data = save_book(filled(ret, Fostering__enquiries=6))
    Education.objects.create(
        ret=ret, attendance_pct=Decimal("91.5"), updated_by=olive
    )  # saved on screen after the download
    staffing = StaffingSection.objects.create(ret=ret, updated_by=None)
    HomeStaffing.objects.create(section=staffing, setting=home, establishment_fte=10)
    Education.objects.filter(ret=ret).update(updated_at=timezone.make_aware(AT))
    StaffingSection.objects.filter(ret=ret).update(updated_at=timezone.make_aware(AT))
    before = snapshot(ret)
    client.force_login(officer)

    response = upload_via(client, ret, data, "q4.xlsx")

    assert response.status_code == 200
    html = response.content.decode()
    assert "q4.xlsx was not uploaded: 2 problems found" in html
    assert (
        "Residential staffing was changed by someone else at 14:32 on 23 November 2026 after "
        "this template was downloaded." in html
    )
    assert (
        "Education (the Virtual School) was changed by Olive Oduya at 14:32 on 23 November 2026 "
        "after this template was downloaded. Download a new template and enter your changes "
        "again." in html
    )
    assert snapshot(ret) == before
    assert Education.objects.get(ret=ret).attendance_pct == Decimal("91.5")


def test_a_section_changed_since_download_that_the_upload_leaves_alone_is_no_bar(
    officer, olive, ret
):
    Education.objects.create(ret=ret, attendance_pct=Decimal("90.0"))
    data = save_book(filled(ret, Fostering__enquiries=6))
    # Saved again on screen with the same figures: a new version, nothing to overwrite.
    Education.objects.filter(ret=ret).update(version=2, updated_by=olive)

    result, problems = spreadsheet.upload(ret, data, "q4.xlsx", officer)

    assert problems == []
    assert Fostering.objects.get(ret=ret).enquiries == 6
    assert "Education (the Virtual School)" not in result.sections_changed
    assert Education.objects.get(ret=ret).version == 2


def test_a_file_without_the_section_versions_is_refused(ret):
    wb = filled(ret, Fostering__enquiries=6)
    about = wb["About"]
    about.delete_rows(row_of(about, "Section version: education", column=1))
    _, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘About’: This file doesn't record what each section held when it was "
        "downloaded, so it can't be checked against changes made since. Don't change the "
        "About sheet: download a new template (version CP-QR-1)."
    ]


# --- problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "expected", "message"),
    [
        (None, spreadsheet.WHOLE, None, None),
        ("  ", spreadsheet.WHOLE, None, None),
        (7, spreadsheet.WHOLE, 7, None),
        (7.0, spreadsheet.WHOLE, 7, None),
        ("1,204", spreadsheet.WHOLE, 1204, None),
        (-3, spreadsheet.WHOLE, None, "‘-3’ is not allowed: enter a whole number, 0 or more."),
        (
            "lots",
            spreadsheet.WHOLE,
            None,
            "‘lots’ is not a number: enter a whole number, 0 or more.",
        ),
        (True, spreadsheet.WHOLE, None, "‘TRUE’ is not a number: enter a whole number, 0 or more."),
        (
            2.5,
            spreadsheet.WHOLE,
            None,
            "‘2.5’ is not a whole number: enter a whole number, 0 or more.",
        ),
        (85.5, spreadsheet.PERCENT, Decimal("85.5"), None),
        ("85.5%", spreadsheet.PERCENT, Decimal("85.5"), None),
        (33.300000000000004, spreadsheet.PERCENT, Decimal("33.3"), None),
        (
            120,
            spreadsheet.PERCENT,
            None,
            "‘120’ is more than 100: enter a percentage from 0 to 100, with at most 1 decimal "
            "place.",
        ),
        (
            "12.34",
            spreadsheet.PERCENT,
            None,
            "‘12.34’ has too many decimal places: enter a percentage from 0 to 100, with at "
            "most 1 decimal place.",
        ),
        ("£950.50", spreadsheet.MONEY, Decimal("950.50"), None),
        (
            dt.datetime(2022, 3, 4),
            spreadsheet.FTE,
            None,
            "‘04/03/2022’ is a date, not a number: enter full-time equivalent (FTE) staff, 0 or "
            "more, with at most 1 decimal place.",
        ),
    ],
)
def test_numbers_are_checked(raw, kind, expected, message):
    assert spreadsheet.parse_number(raw, kind) == (expected, message)


def test_a_percentage_typed_into_a_percent_formatted_cell_is_read_as_a_percentage():
    assert spreadsheet.parse_number(0.855, spreadsheet.PERCENT, "0.0%") == (Decimal("85.5"), None)


def test_bad_cells_are_named_by_sheet_and_cell(officer, ret):
    wb = filled(
        ret,
        Fostering__enquiries=-3,
        Fostering__applications="lots",
        Fostering__withdrawals=2.5,
        Permanence__team_capacity_pct=120,
        Education__pep_completion_pct=-1,
        Education__attendance_pct=93.25,
        CiCC__meetings="two",
    )
    _values, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘Fostering’, cell B4 (Enquiries): ‘-3’ is not allowed: enter a whole number, "
        "0 or more.",
        "Sheet ‘Fostering’, cell B7 (Applications): ‘lots’ is not a number: enter a whole "
        "number, 0 or more.",
        "Sheet ‘Fostering’, cell B11 (Withdrawals): ‘2.5’ is not a whole number: enter a "
        "whole number, 0 or more.",
        "Sheet ‘Permanence’, cell B17 (Team capacity used (%)): ‘120’ is more than 100: "
        "enter a percentage from 0 to 100, with at most 1 decimal place.",
        "Sheet ‘Education’, cell B4 (Personal Education Plans (PEPs) completed (%)): ‘-1’ "
        "is not allowed: enter a percentage from 0 to 100, with at most 1 decimal place.",
        "Sheet ‘Education’, cell B5 (School attendance (%)): ‘93.25’ has too many decimal "
        "places: enter a percentage from 0 to 100, with at most 1 decimal place.",
        "Sheet ‘CiCC’, cell B4 (Meetings held): ‘two’ is not a number: enter a whole "
        "number, 0 or more.",
    ]
    assert (problems[0].sheet, problems[0].cell, problems[0].field, problems[0].value) == (
        "Fostering",
        "B4",
        "Enquiries",
        "-3",
    )


def test_every_problem_is_listed_and_nothing_is_saved(officer, ret, home, notts_home):
    Fostering.objects.create(ret=ret, enquiries=5)
    Consultation.objects.create(ret=ret, topic="Bus passes", young_people=4)
    before = snapshot(ret)
    wb = filled(
        ret,
        Fostering__enquiries=50,  # fine on its own, but must not be saved
        Fostering__withdrawals=-1,
        Permanence__team_capacity_pct=101,
    )
    staffing = wb["Staffing"]
    staffing.cell(row=4, column=3, value=4)
    staffing.cell(row=4, column=4, value=5)
    staffing.cell(row=5, column=1, value="SC200002")
    staffing.cell(row=6, column=1, value="SC999999")
    staffing.cell(row=6, column=3, value=1)
    placements = wb["Placements"]
    placements.cell(row=10, column=1, value="Boarding school")
    placements.cell(row=10, column=2, value=1)

    result, problems = spreadsheet.upload(ret, save_book(wb), "q4.xlsx", officer)

    assert result is None
    assert messages_of(problems) == [
        "Sheet ‘Fostering’, cell B11 (Withdrawals): ‘-1’ is not allowed: enter a whole "
        "number, 0 or more.",
        "Sheet ‘Permanence’, cell B17 (Team capacity used (%)): ‘101’ is more than 100: "
        "enter a percentage from 0 to 100, with at most 1 decimal place.",
        "Sheet ‘Staffing’, cell D4 (Vacancies (FTE)): Rosewood House (SC100001) (row 4) has "
        "5.0 FTE vacancies but an establishment of 4.0 FTE: vacancies can't be more than the "
        "establishment.",
        "Sheet ‘Staffing’, cell A5 (Ofsted URN): ‘SC200002’ is not one of Derby's children's "
        "homes: only homes the council runs can be entered.",
        "Sheet ‘Staffing’, cell A6 (Ofsted URN): ‘SC999999’ is not the Ofsted URN of any "
        "children's home we hold: use the URNs in the template.",
        "Sheet ‘Placements’, cell A10 (Placement type): ‘Boarding school’ is not a placement "
        "type: use the template's rows (Independent fostering agency (IFA); External "
        "children's home; Semi-independent or supported accommodation; Secure welfare; "
        "Parent and child; Supported lodgings).",
    ]
    assert snapshot(ret) == before


def test_an_unknown_placement_type_code_is_refused(ret):
    wb = filled(ret)
    wb["Placements"].cell(row=4, column=7, value="boarding")
    _, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘Placements’, cell G4 (Type code (don't change)): ‘boarding’ is not a placement "
        "type code. Don't change the hidden column G: download a new template "
        "(version CP-QR-1)."
    ]


def test_a_different_template_version_is_refused(ret):
    wb = filled(ret, Fostering__enquiries=-3)
    about = wb["About"]
    about.cell(row=row_of(about, "Template version", column=1), column=2, value="CP-QR-0")
    _, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    # Nothing else is checked: the layout may differ.
    assert messages_of(problems) == [
        "Sheet ‘About’, cell B9 (Template version): This file is template version CP-QR-0; "
        "download a new template (version CP-QR-1)."
    ]


def test_a_missing_template_version_is_refused(ret):
    wb = filled(ret)
    about = wb["About"]
    about.cell(row=row_of(about, "Template version", column=1), column=2).value = None
    _, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘About’: This file has no template version; download a new template "
        "(version CP-QR-1)."
    ]


def test_another_quarters_or_councils_template_is_refused(officer, derby, ret):
    q3 = QuarterlyReturn.objects.create(la=derby, year=2022, quarter=3, created_by=officer)
    _, problems = spreadsheet.read_upload(q3, spreadsheet.build_template(ret), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘About’, cell B6 (Period): This template is for 2021/22 Q4, but this is the "
        "2021/22 Q3 return. Upload it on the 2021/22 Q4 return's page, or download the "
        "template for 2021/22 Q3."
    ]
    notts = QuarterlyReturn.objects.create(
        la=LocalAuthority.objects.get(la_code="891"), year=2022, quarter=4
    )
    _, problems = spreadsheet.read_upload(notts, spreadsheet.build_template(ret), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘About’, cell B4 (Council): This template is for Derby, not Nottinghamshire. "
        "Download Nottinghamshire's template for 2021/22 Q4."
    ]


def test_missing_sheets_are_named(ret):
    wb = filled(ret)
    del wb["Staffing"]
    del wb["CiCC"]
    _, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    assert messages_of(problems) == [
        "The ‘Staffing’ and ‘CiCC’ sheets are missing. Don't rename or delete the template's "
        "sheets: download a new template (version CP-QR-1) if you need to."
    ]


def test_a_deleted_row_is_named(ret):
    wb = filled(ret)
    ws = wb["Education"]
    ws.delete_rows(row_of(ws, "permanent_exclusions"))
    _, problems = spreadsheet.read_upload(ret, save_book(wb), "q4.xlsx")
    assert messages_of(problems) == [
        "Sheet ‘Education’: There is no row for Permanent exclusions (‘permanent_exclusions’ "
        "in hidden column C). Don't delete rows: download a new template (version CP-QR-1)."
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "return.csv",
            b"enquiries,applications\n3,4\n",
            "return.csv is not an Excel workbook (.xlsx). Open it in Excel and save it as "
            "“Excel Workbook (.xlsx)”, then upload that.",
        ),
        (
            "return.xlsx",
            b"PK\x03\x04 not really a workbook",
            "return.xlsx is not an Excel workbook (.xlsx). Download the template, fill it in "
            "and upload it as an Excel workbook.",
        ),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(ret, name, data, message):
    _, problems = spreadsheet.read_upload(ret, data, name)
    assert messages_of(problems) == [message]


def test_a_signed_off_return_is_refused_and_nothing_saved(officer, ret):
    manager = make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)
    QuarterlyReturn.objects.filter(pk=ret.pk).update(
        status=ReturnStatus.SIGNED_OFF,
        submitted_by=officer,
        submitted_at=timezone.now(),
        signed_off_by=manager,
        signed_off_at=timezone.now(),
    )
    ret.refresh_from_db()
    data = save_book(filled(ret, Fostering__enquiries=3))
    before = snapshot(ret)

    result, problems = spreadsheet.upload(ret, data, "q4.xlsx", officer)

    assert result is None
    assert len(problems) == 1
    assert str(problems[0]).startswith("The 2021/22 Q4 return was signed off by Derby Persona on ")
    assert str(problems[0]).endswith("is locked. Reopen it, giving a reason, to change it.")
    assert snapshot(ret) == before


# --- the upload page ------------------------------------------------------------------


def test_the_upload_page_shows_every_problem_in_a_summary_and_a_table(client, officer, ret):
    client.force_login(officer)
    assert client.get(reverse("return_upload", args=[ret.pk])).status_code == 200
    data = save_book(filled(ret, Fostering__enquiries=-3, Education__attendance_pct="high"))

    response = upload_via(client, ret, data, "derby-q4.xlsx")

    assert response.status_code == 200
    html = response.content.decode()
    assert "derby-q4.xlsx was not uploaded: 2 problems found" in html
    assert "Nothing has been saved" in html
    assert "Sheet ‘Fostering’, cell B4 (Enquiries): ‘-3’ is not allowed" in html
    assert '<td class="govuk-table__cell">B4</td>' in html
    assert '<td class="govuk-table__cell">Education</td>' in html
    assert not Fostering.objects.filter(ret=ret).exists()


def test_the_upload_page_says_what_changed(client, officer, ret):
    client.force_login(officer)
    response = upload_via(client, ret, save_book(filled(ret, Fostering__enquiries=4)), "a.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert (
        "a.xlsx uploaded: 1 figure changed. Sections saved: Fostering recruitment, Permanence, "
        "Residential staffing, Placement sufficiency and cost, Education (the Virtual School), "
        "Children in Care Council." in page
    )


def test_a_file_over_5_mb_is_refused(client, officer, ret):
    client.force_login(officer)
    response = upload_via(client, ret, b"x" * (5 * 1024 * 1024 + 1), "huge.xlsx")
    assert response.status_code == 200
    assert "huge.xlsx is 5.0 MB, over the 5 MB limit" in response.content.decode()


def test_the_upload_page_of_a_locked_return_says_so(client, officer, ret):
    manager = make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)
    QuarterlyReturn.objects.filter(pk=ret.pk).update(
        status=ReturnStatus.SIGNED_OFF, submitted_by=officer, signed_off_by=manager
    )
    client.force_login(officer)
    html = client.get(reverse("return_upload", args=[ret.pk])).content.decode()
    assert "is locked. Reopen it, giving a reason, to change it." in html
    assert 'type="file"' not in html


@pytest.mark.parametrize("view", ["return_template", "return_upload"])
def test_only_the_councils_officers_can_use_the_spreadsheet(client, personas, ret, view):
    url = reverse(view, args=[ret.pk])
    for who, status in [
        ("councillor", 403),
        ("clerk", 403),
        ("council_admin", 403),
        ("system_admin", 403),
        ("other_officer", 404),
        ("officer", 200),
    ]:
        client.force_login(personas[who])
        assert client.get(url).status_code == status, who
    client.force_login(personas["other_officer"])
    assert upload_via(client, ret, b"x").status_code == 404
    client.force_login(personas["clerk"])
    assert upload_via(client, ret, b"x").status_code == 403
