from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from corporate_parenting.models import AuditLog
from placements.models import Child, Import
from tests.placements.factories import EPISODES, GOOD_EPISODES, GOOD_HEADER, HEADER

pytestmark = pytest.mark.django_db


def upload(client, *, episodes=GOOD_EPISODES, skip=False, year=2018):
    files = [
        SimpleUploadedFile("header.csv", "\n".join([HEADER, *GOOD_HEADER]).encode()),
        SimpleUploadedFile("episodes.csv", "\n".join([EPISODES, *episodes]).encode()),
    ]
    data = {"year": str(year), "files": files}
    if skip:
        data["skip_invalid"] = "on"
    return client.post(reverse("import_upload"), data)


def test_an_officer_uploads_a_return_and_sees_the_result(client, officer):
    client.force_login(officer)
    response = upload(client)
    run = Import.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_detail", args=[run.pk])
    assert (run.status, run.user, run.source) == ("imported", officer, "browser")
    page = client.get(response["Location"]).content.decode()
    assert "Every row was valid." in page
    assert Child.objects.filter(la=officer.la).count() == 2
    history = client.get(reverse("import_list")).content.decode()
    assert "2017/18" in history and "Imported" in history


def test_a_rejected_upload_lists_every_problem_and_offers_them_as_csv(client, officer):
    client.force_login(officer)
    upload(client, episodes=[*GOOD_EPISODES, "C9,01/01/2018,S,C2,N1,U4,PR1,,,,,,"])
    run = Import.objects.get()
    assert run.status == "rejected"
    page = client.get(reverse("import_detail", args=[run.pk])).content.decode()
    assert "nothing was imported" in page
    assert "CHILD C9 is not in the Header file." in page
    response = client.get(reverse("import_problems_csv", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["severity", "file", "row", "column", "value", "message"]
    assert [
        "error",
        "episodes.csv",
        "5",
        "CHILD",
        "C9",
        "CHILD C9 is not in the Header file.",
    ] in rows
    assert Child.objects.count() == 0


def test_the_upload_form_explains_missing_files(client, officer):
    client.force_login(officer)
    response = client.post(reverse("import_upload"), {"year": "2018"})
    assert "Choose the return&#x27;s CSV files" in response.content.decode()


@pytest.mark.parametrize("persona", ["councillor", "clerk", "council_admin"])
def test_only_officers_reach_child_level_pages(client, personas, officer, persona):
    client.force_login(officer)
    upload(client)
    run = Import.objects.get()
    child = Child.objects.first()
    client.force_login(personas[persona])
    for url in [
        reverse("children_list"),
        reverse("child_detail", args=[child.pk]),
        reverse("import_list"),
        reverse("import_upload"),
        reverse("import_detail", args=[run.pk]),
        reverse("import_problems_csv", args=[run.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_an_officer_of_another_council_gets_404(client, officer, other_officer):
    client.force_login(officer)
    upload(client)
    run = Import.objects.get()
    child = Child.objects.first()
    client.force_login(other_officer)
    assert client.get(reverse("child_detail", args=[child.pk])).status_code == 404
    assert client.get(reverse("import_detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("import_problems_csv", args=[run.pk])).status_code == 404
    assert "C1" not in client.get(reverse("children_list")).content.decode()


def test_viewing_a_child_is_audited(client, officer):
    client.force_login(officer)
    upload(client)
    child = Child.objects.get(child_id="C1")
    page = client.get(reverse("child_detail", args=[child.pk])).content.decode()
    assert "U4: " in page  # the placement type, with its label
    log = AuditLog.objects.get(action="view")
    assert (log.username, log.object_type, log.object_id) == (
        officer.username,
        "placements.Child",
        str(child.pk),
    )


def test_the_children_list_filters(client, officer):
    client.force_login(officer)
    upload(client)
    url = reverse("children_list")
    page = client.get(url, {"year": "2018"}).content.decode()
    assert "2 children" in page
    page = client.get(url, {"year": "2018", "place": "K2"}).content.decode()
    assert "1 child" in page and ">C2<" in page and ">C1<" not in page
    # At 31 March 2018, C1 was 7 and C2 was 6.
    assert "2 children" in client.get(url, {"year": "2018", "age": "5-9"}).content.decode()
    assert "0 children" in client.get(url, {"year": "2018", "age": "10-15"}).content.decode()
    partial = client.get(url, {"year": "2018", "sex": "2"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="results"')  # only the results, for htmx
    assert "1 child" in html and ">C2<" in html


def test_the_result_page_pages_through_every_error(client, officer):
    client.force_login(officer)
    bad = [f"C{n},01/01/2018,S,C2,N1,U4,PR1,,,,,," for n in range(10, 310)]  # not in Header
    upload(client, episodes=[*GOOD_EPISODES, *bad])
    run = Import.objects.get()
    assert run.error_count == 300
    first = client.get(reverse("import_detail", args=[run.pk])).content.decode()
    assert "Errors 1 to 250 of 300." in first and "CHILD C10 is not in the Header file." in first
    second = client.get(reverse("import_detail", args=[run.pk]), {"page": 2}).content.decode()
    assert (
        "Errors 251 to 300 of 300." in second and "CHILD C309 is not in the Header file." in second
    )
