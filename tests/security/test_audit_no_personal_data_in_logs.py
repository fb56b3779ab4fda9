"""No personal data reaches the application's logs.

The audit log (in the database, for admins) records who did what; the application's
logs (stderr, collected by whoever runs the service) must not carry children's
identifiers, dates of birth or postcodes, nor what someone typed to sign in. These
tests run the paths most likely to leak them, logging everything down to DEBUG.
"""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placements.models import Import
from tests.placements.factories import EPISODES, HEADER

pytestmark = pytest.mark.django_db

# Distinctive values, so a match can only be a leak.
CHILD_ID = "QX7301"
DOB = "17/09/2011"
BAD_DOB = "31/02/2012"
POSTCODE = "DE21 7QX"
PASSWORD = "Wrong-Secret-Pass-42"


def logged_text(caplog) -> str:
    """Everything the records would write: messages, arguments and tracebacks."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_an_import_with_errors_logs_no_childs_details(client, officer, caplog):
    header = [f"{CHILD_ID},1,{DOB},WBRI,,,", f"QX7302,2,{BAD_DOB},WBRI,,,"]
    episodes = [
        f"{CHILD_ID},01/06/2017,S,C2,N1,U4,PR1,,,,{POSTCODE},{POSTCODE},XXXXXXX",
        f"QX7303,01/06/2017,S,C2,N1,U4,PR1,,,,{POSTCODE},NOT A POSTCODE,XXXXXXX",
    ]
    files = [
        SimpleUploadedFile("header.csv", "\n".join([HEADER, *header]).encode()),
        SimpleUploadedFile("episodes.csv", "\n".join([EPISODES, *episodes]).encode()),
    ]
    client.force_login(officer)
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("import_upload"), {"year": "2018", "files": files})
        run = Import.objects.get()
        client.get(reverse("import_detail", args=[run.pk]))
        client.get(reverse("import_problems_csv", args=[run.pk]))
    # The import did find the problems (so the values went through the code that logs).
    assert run.status == "rejected"
    assert run.problems.filter(value__in=[BAD_DOB, "QX7303"]).count() == 2
    assert caplog.records  # logging was on
    text = logged_text(caplog)
    for value in (CHILD_ID, "QX7302", "QX7303", DOB, BAD_DOB, POSTCODE, "NOT A POSTCODE"):
        assert value not in text, f"{value} was logged"


def test_failed_sign_ins_and_a_lockout_log_neither_username_nor_password(
    client, officer, caplog, settings
):
    settings.AXES_ENABLED = True  # tests/conftest.py turns the lockout off
    with caplog.at_level(logging.DEBUG):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            response = client.post(
                reverse("login"), {"username": officer.username, "password": PASSWORD}
            )
    assert response.status_code in (403, 429)  # locked out by the last attempt
    assert caplog.records
    text = logged_text(caplog)
    assert PASSWORD not in text
    assert officer.username not in text
