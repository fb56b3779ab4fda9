"""`manage.py subject_access`: everything held about one child, and nothing about others."""

from __future__ import annotations

import json
import stat

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from corporate_parenting.models import AuditLog, Role
from placements.models import Child
from tests.conftest import make_user
from tests.placements.factories import GOOD_HEADER, write_return
from tests.placements.test_import_903 import import_903

pytestmark = pytest.mark.django_db

EXTRA = {
    "uasc.csv": "CHILD,SEX,DOB,DUC\nC1,1,01/05/2010,\n",
    "missing.csv": "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/05/2010,M,01/01/2018,02/01/2018\n",
}


def test_the_file_holds_the_childs_records_problems_and_views(tmp_path, client, derby, officer):
    assert import_903(write_return(tmp_path / "ok", extra=EXTRA)).startswith("OK")
    # Another council's child with the same identifier, and a rejected upload naming C1.
    assert import_903(write_return(tmp_path / "ok", extra=EXTRA), la="891").startswith("OK")
    twice = write_return(tmp_path / "twice", header=[GOOD_HEADER[0], *GOOD_HEADER])
    assert import_903(twice).startswith("FAILED")
    c1 = Child.objects.get(la=derby, child_id="C1")
    client.force_login(officer)
    client.get(reverse("children_list"))
    client.get(reverse("child_detail", args=[c1.pk]))
    client.get(reverse("child_detail", args=[Child.objects.get(la=derby, child_id="C2").pk]))

    out = tmp_path / "sar.json"
    call_command("subject_access", "831", "C1", "--by", officer.username, "--output", str(out))

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    held = json.loads(out.read_text())
    assert held["request"]["child_id"] == "C1" and held["request"]["written_by"] == officer.username
    assert (
        held["Child (Header)"] | {"sex": "1", "dob": "2010-05-01", "ethnic": "WBRI"}
        == held["Child (Header)"]
    )
    assert [e["decom"] for e in held["Episode"]] == ["2016-06-01", "2017-10-10"]
    assert [p["start"] for p in held["Placement"]] == ["2016-06-01", "2017-10-10"]
    assert len(held["Period of care"]) == 1
    assert [u["dob"] for u in held["UASC"]] == ["2010-05-01"]
    assert [m["mis_start"] for m in held["Missing"]] == ["2018-01-01"]
    assert held["Review"] == [] and held["OC2 outcome"] == []
    problems = held["Import problems naming the child"]
    assert problems and all("CHILD C1 " in p["message"] for p in problems)
    views = held["Who viewed or exported the child's records"]
    assert [(v["username"], v["action"]) for v in views] == [
        (officer.username, "view"),  # the children list, which showed C1
        (officer.username, "view"),  # C1's own page (C2's is not about C1)
    ]
    assert "Nottinghamshire" not in out.read_text()

    exported = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert (exported.object_type, exported.object_id) == ("placements.Child", str(c1.pk))
    assert exported.username == officer.username and str(out) in exported.detail


def test_it_refuses_an_unknown_child_or_someone_who_may_not_see_children(
    tmp_path, derby, officer, councillor
):
    import_903(write_return(tmp_path))
    with pytest.raises(CommandError, match="holds no child with CHILD 'C9'"):
        call_command("subject_access", "831", "C9", "--by", officer.username)
    notts = make_user("notts.officer", role=Role.OFFICER, la_code="891")
    for user in (councillor, notts):
        with pytest.raises(CommandError, match="can't answer this request"):
            call_command("subject_access", "831", "C1", "--by", user.username)
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()
    assert not list(tmp_path.glob("*.json"))
