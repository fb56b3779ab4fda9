"""HTML and script typed into any text box stay text: in the pages, the PDFs, the Word
file and the spreadsheets.

tests/security/hostile.py types `<script>`, `<img onerror>`, `"><svg onload>`,
`javascript:` links and Markdown with inline HTML into every free-text field the forms
reach (home names, visits, recommendations, reviews, inspections and action plans, the
quarterly return's consultations and actions, report titles and narrative, committee
names, venues, agenda items, resolutions, actions, dashboard commentary, people's names
and job titles), then each document is read back the way its reader would.
"""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from committee import workflow
from committee.models import MeetingPack
from corporate_parenting.models import Role
from tests.conftest import make_user
from tests.security.hostile import ACTIVE, ESCAPED, PAYLOAD, pages, seed_everything

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Seeded once for the module (it takes a few seconds), rolled back at its end."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CP_RENDER_CHARTS=False,
        AXES_ENABLED=False,
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        users = {
            "officer": make_user("derby.officer", role=Role.OFFICER),
            "councillor": make_user("derby.councillor", role=Role.COUNCILLOR),
            "clerk": make_user("derby.clerk", role=Role.CLERK),
            "council_admin": make_user("derby.admin", role=Role.COUNCIL_ADMIN),
        }
        seeded = seed_everything(Client(), users["officer"], users["clerk"], users["council_admin"])
        yield seeded, users
        transaction.set_rollback(True)


@pytest.fixture
def seeded(world):
    return world[0]


@pytest.fixture
def users(world):
    return world[1]


def assert_inert(text: str, where: str) -> None:
    lowered = text.lower()
    for active in ACTIVE:
        assert active.lower() not in lowered, f"{where}: {active!r} is live markup"


def test_every_page_shows_the_markup_as_text(client, seeded, users):
    checked = 0
    for role, urls in pages(seeded).items():
        client.force_login(users[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{role} {url}: {response.status_code}"
            text = response.content.decode()
            assert_inert(text, url)
            # Shown, not dropped: the check above would pass on a page without it.
            assert ESCAPED in text, f"{url} doesn't show the typed text"
            checked += 1
    assert checked >= 25


# --- PDFs ---------------------------------------------------------------------------------

SCRIPT_KEYS = {"/JS", "/JavaScript", "/Launch", "/AA", "/OpenAction", "/SubmitForm", "/ImportData"}
ALLOWED_SCHEMES = ("https://", "http://", "mailto:")


def pdf_objects(reader: PdfReader):
    """Every dictionary reachable from the trailer, each once."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            yield obj
            stack.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def assert_pdf_is_inert(data: bytes, where: str) -> str:
    """No script, launch or javascript: link anywhere in the PDF; returns its text."""
    reader = PdfReader(io.BytesIO(data))
    uris = []
    for obj in pdf_objects(reader):
        assert not SCRIPT_KEYS & set(obj.keys()), f"{where}: {SCRIPT_KEYS & set(obj.keys())}"
        assert obj.get("/S") not in {"/JavaScript", "/Launch"}, f"{where}: {obj}"
        if "/URI" in obj:
            uris.append(str(obj["/URI"]))
    for uri in uris:
        assert uri.startswith(ALLOWED_SCHEMES), f"{where}: a link to {uri!r}"
    # The real link the Markdown made is kept: the scan does see links.
    assert "https://example.org/ok" in uris, f"{where}: links {uris}"
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


def publish(client, report, clerk, monkeypatch) -> None:
    """Approved by an officer who may, then published by the clerk. The PDF stored on
    publishing is the same print layout the pack lays out again, so it is skipped here:
    WeasyPrint takes seconds."""
    monkeypatch.setattr(workflow, "_default_pdf", lambda content: b"%PDF-1.7 not laid out")
    approver = make_user("derby.approver", role=Role.OFFICER, can_approve_reports=True)
    for user, action in ((approver, "approve"), (clerk, "publish")):
        client.force_login(user)
        report.refresh_from_db()
        response = client.post(
            reverse("report_detail", args=[report.pk]),
            {"action": action, "version": report.version},
        )
        assert response.status_code == 302, action


def test_the_meeting_pack_prints_the_markup_as_text(client, seeded, users, monkeypatch):
    """The pack lays out the agenda (committee, venue, items) and each report as printed."""
    publish(client, seeded.report, users["clerk"], monkeypatch)
    response = client.post(reverse("pack_create", args=[seeded.meeting.pk]), {"kind": "public"})
    assert response.status_code == 302
    pack = MeetingPack.objects.get(meeting=seeded.meeting)
    assert pack.status == "ready", pack.error
    download = client.get(reverse("pack_download", args=[seeded.meeting.pk, pack.pk]))
    text = assert_pdf_is_inert(download.content, "pack")
    assert text.count("<script>alert(1)</script>") >= 5  # title, agenda item, narrative...
    assert "<b onmouseover=alert(1)>inline HTML</b>" in text
    assert "[a script link](javascript:alert(1))" in text


# --- Word and the spreadsheets ------------------------------------------------------------


def test_the_word_file_holds_the_markup_as_text_and_no_script_link(client, seeded, users):
    client.force_login(users["officer"])
    response = client.get(reverse("report_docx", args=[seeded.report.pk]))
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert PAYLOAD in text
    assert "<b onmouseover=alert(1)>inline HTML</b>" in text
    targets = [rel.target_ref for rel in document.part.rels.values() if rel.is_external]
    assert not [t for t in targets if not t.startswith(ALLOWED_SCHEMES)], targets


def test_the_report_tables_keep_the_markup_as_literal_text(client, seeded, users):
    client.force_login(users["officer"])
    csv_text = client.get(reverse("report_table_csv", args=[seeded.report.pk, 1]))
    cells = [
        c for row in csv.reader(io.StringIO(csv_text.content.decode("utf-8-sig"))) for c in row
    ]
    assert PAYLOAD in cells  # the home's name, as typed
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("report_tables_xlsx", args=[seeded.report.pk])).content)
    )
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert PAYLOAD in values


def test_a_username_tried_at_sign_in_is_text_in_the_audit_log(client, system_admin):
    client.post(reverse("login"), {"username": PAYLOAD, "password": "wrong"})
    client.force_login(system_admin)
    text = client.get(reverse("audit_log")).content.decode()
    assert_inert(text, "audit log")
    assert ESCAPED in text
