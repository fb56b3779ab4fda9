"""Hostile uploads through the real pages, and formula injection in every export.

Uploads: a 903 file over the size limit, a ZIP archive, an Excel workbook and a binary
file each named .csv, and for the quarterly return's spreadsheet a ZIP that isn't a
workbook, a workbook that unpacks to more than 50 MB, a file over 5 MB and a formula in
a text cell. Each is refused with a message naming the file and what is wrong, and
nothing is saved.

Exports: text a spreadsheet would run as a formula (=HYPERLINK(...), +cmd, -1+1, @SUM,
and with a tab or carriage return before it) is typed into the forms, uploaded in a 903
file and tried as a username, then every export that carries it is opened: the import's
problems CSV, a report's CSV and Excel tables, the return's Excel template and the audit
log CSV. A cell starting with = + - @ tab or CR must be neutralised (an apostrophe first
in CSV; a text cell with the quote prefix in Excel, never a formula).
"""

from __future__ import annotations

import csv
import html
import io
import os
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from corporate_parenting.models import AuditLog
from placements.models import Child, Import
from returns import spreadsheet
from returns.models import ChildrenInCareCouncil, Consultation, QuarterlyReturn
from tests.placements.factories import EPISODES, GOOD_EPISODES, GOOD_HEADER, HEADER
from tests.security.hostile import (
    DANGEROUS,
    FORMULAS,
    seed_inspections,
    seed_member_visits,
    seed_report,
    seed_return,
    sign_in,
)

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def upload_903(client, *files: tuple[str, bytes]):
    return client.post(
        reverse("import_upload"),
        {"year": "2018", "files": [SimpleUploadedFile(name, data) for name, data in files]},
    )


def good_header() -> bytes:
    return "\n".join([HEADER, *GOOD_HEADER]).encode()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


# --- SSDA903 uploads ----------------------------------------------------------------------


def test_a_903_file_over_the_limit_is_refused_by_name_and_limit_and_nothing_is_kept(
    client, officer, settings
):
    settings.CP_IMPORT_MAX_FILE_MB = 1
    big = good_header() + b"\n".join([b"C9,1,01/05/2010,WBRI,,,"] * 70_000)
    assert len(big) > 1024 * 1024
    client.force_login(officer)
    response = upload_903(client, ("header.csv", big), ("episodes.csv", b"x"))
    assert response.status_code == 200
    assert (
        f"header.csv is {len(big) / 1024 / 1024:.1f} MB, over the 1 MB limit for one file."
        in page_text(response)
    )
    assert Import.objects.count() == 0
    uploads = settings.CP_UPLOAD_DIR
    assert not uploads.exists() or not any(uploads.iterdir())


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (zip_of({"header.csv": good_header()}), "a ZIP archive"),
        (workbook(), "an Excel workbook (.xlsx)"),
        (b"\x00\x01\x02binary\xff" * 50, "a binary file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    ],
    ids=["zip", "xlsx", "binary", "pdf"],
)
def test_a_file_that_is_not_csv_is_named_and_said_what_it_is(client, officer, data, kind):
    client.force_login(officer)
    response = upload_903(client, ("header.csv", data), ("episodes.csv", b"CHILD\n"))
    run = Import.objects.get()
    assert response.status_code == 302 and run.status == "rejected"
    page = page_text(client.get(reverse("import_detail", args=[run.pk])))
    assert "header.csv" in page
    assert f"This is not a CSV file: it looks like {kind}." in page
    assert Child.objects.count() == 0


def test_a_damaged_zip_named_csv_is_still_refused_plainly(client, officer):
    client.force_login(officer)
    upload_903(client, ("header.csv", b"PK\x03\x04" + os.urandom(200)))
    run = Import.objects.get()
    assert run.problems.filter(
        file="header.csv", message__contains="it looks like a damaged ZIP archive"
    ).exists()


def csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def assert_neutralised(cells: list[str], where: str) -> None:
    """Nothing a spreadsheet would run: risky text has an apostrophe in front."""
    live = [c for c in cells if c.startswith(DANGEROUS)]
    assert not live, f"{where}: cells a spreadsheet would run: {live}"


def test_formulas_in_a_903_file_come_back_neutralised_in_the_problems_csv(client, officer):
    episodes = [
        *GOOD_EPISODES,
        '@SUM(A1),=HYPERLINK("https://evil.example"),+cmd,-1+1,N1,U4,PR1,,,,,,',
        "\t=1+2,01/01/2018,S,C2,N1,U4,PR1,,,,,,",
    ]
    client.force_login(officer)
    upload_903(
        client,
        ("=HYPERLINK(1).csv", good_header() + b"\nC3,1,32/13/2010,WBRI,,,"),
        ("+cmd.csv", "\n".join([EPISODES, *episodes]).encode()),
    )
    run = Import.objects.get()
    assert run.status == "rejected"
    response = client.get(reverse("import_problems_csv", args=[run.pk]))
    cells = csv_cells(response.content)
    assert_neutralised(cells, "problems CSV")
    for shown in (
        "'=HYPERLINK(1).csv",
        "'+cmd.csv",
        "'@SUM(A1)",
        '\'=HYPERLINK("https://evil.example")',
        "'+CMD",  # codes are read in capitals
        "'-1+1",
        "'=1+2",
    ):
        assert shown in cells, f"{shown} is missing from the problems CSV"


# --- reports, the return's template, the audit log ----------------------------------------


def test_formulas_typed_into_forms_are_neutralised_in_a_reports_csv_and_excel_tables(
    client, officer
):
    found = seed_inspections(client, officer, FORMULAS[0], "A plain summary")
    seed_member_visits(client, officer, found["home"], list(FORMULAS[1:]))
    report = seed_report(client, officer, "Children's homes", "A plain narrative.")
    sign_in(client, officer)
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    cells = []
    n = 1
    while reverse("report_table_csv", args=[report.pk, n]) in detail:
        cells += csv_cells(client.get(reverse("report_table_csv", args=[report.pk, n])).content)
        n += 1
    assert n > 2, "the report has no tables to export"
    assert_neutralised(cells, "report CSV")
    assert "'" + FORMULAS[0] in cells and "'+cmd|' /C calc'!A0" in cells
    assert "'-1+1" in cells and "'=1+2" in cells  # "\t=1+2" as the form keeps it

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("report_tables_xlsx", args=[report.pk])).content)
    )
    risky = assert_excel_inert(book, "report tables")
    assert FORMULAS[0] in risky and "-1+1" in risky


def assert_excel_inert(book, where: str) -> list[str]:
    """No formula cells; text that starts like one is a string with the quote prefix.
    Returns that text, so a test can check its own values went in."""
    risky = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: {ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS):
                    at = f"{where}: {ws.title}!{cell.coordinate} {cell.value!r}"
                    assert cell.data_type == "s" and cell.quotePrefix, at
                    risky.append(cell.value)
    return risky


def test_formulas_typed_into_forms_are_text_in_the_returns_excel_template(client, officer):
    seed_inspections(client, officer, FORMULAS[0], "A plain summary")
    ret = seed_return(client, officer, FORMULAS[3], FORMULAS[1])
    sign_in(client, officer)
    response = client.get(reverse("return_template", args=[ret.pk]))
    risky = assert_excel_inert(openpyxl.load_workbook(io.BytesIO(response.content)), "template")
    assert FORMULAS[0] in risky  # the home's name on the Staffing sheet
    assert FORMULAS[3] in risky  # the consultation's topic


def test_formula_usernames_are_neutralised_in_the_audit_log_csv(client, system_admin):
    for username in FORMULAS:
        client.post(reverse("login"), {"username": username, "password": "wrong"})
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN).count() == len(FORMULAS)
    client.force_login(system_admin)
    response = client.get(reverse("audit_log_csv"))
    cells = csv_cells(b"".join(response.streaming_content))
    assert_neutralised(cells, "audit CSV")
    assert "'" + FORMULAS[0] in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells


# --- the quarterly return's spreadsheet upload --------------------------------------------


@pytest.fixture
def ret(officer):
    return QuarterlyReturn.objects.create(la=officer.la, year=2022, quarter=4, created_by=officer)


def upload_sheet(client, ret, name: str, data: bytes) -> str:
    response = client.post(
        reverse("return_upload", args=[ret.pk]), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200  # refused: the page again, with why
    return page_text(response)


def with_topic(ret, topic: str) -> bytes:
    """The return's template with `topic` typed as the first new consultation."""
    book = openpyxl.load_workbook(io.BytesIO(spreadsheet.build_template(ret)))
    ws = book[spreadsheet.SHEET_NAMES["cicc"]]
    header = next(c.row for c in ws["A"] if c.value == "Topic")
    ws.cell(row=header + 1, column=1, value=topic)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "return.xlsx",
            lambda ret: zip_of({"notes.txt": b"not a workbook"}),
            "return.xlsx is not an Excel workbook (.xlsx). Download the template, fill it in "
            "and upload it as an Excel workbook.",
        ),
        (
            "return.xlsx",
            # 60 MB of XML that packs into well under the 5 MB upload limit.
            lambda ret: zip_of({"xl/worksheets/sheet1.xml": b"<row/>" * 10_000_000}),
            "return.xlsx is too large once unpacked to be a template.",
        ),
        (
            "return.xlsx",
            lambda ret: os.urandom(5 * 1024 * 1024 + 1),
            "return.xlsx is 5.0 MB, over the 5 MB limit.",
        ),
        (
            "return.xlsx",
            lambda ret: with_topic(ret, '=HYPERLINK("https://evil.example")'),
            "(Topic): formulas aren't accepted; type the text.",
        ),
    ],
    ids=["zip", "bomb", "oversized", "formula"],
)
def test_a_hostile_spreadsheet_is_refused_and_nothing_saved(
    client, officer, ret, name, make, message
):
    data = make(ret)
    assert len(data) < 5 * 1024 * 1024 or "over the 5 MB" in message
    client.force_login(officer)
    page = upload_sheet(client, ret, name, data)
    assert message in page
    assert not ChildrenInCareCouncil.objects.filter(ret=ret).exists()
    assert not Consultation.objects.filter(ret=ret).exists()
