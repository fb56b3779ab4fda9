from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from placements.importer import files_from_paths
from placements.models import Child, Episode, Import, ImportProblem, PeriodOfCare, Placement
from placements.ssda903 import CodeLists, ImportError903, SourceFile, check_return
from tests.placements.factories import EPISODES, GOOD_EPISODES, HEADER, write_return

pytestmark = pytest.mark.django_db


def import_903(*paths: Path | str, year: int = 2018, la: str = "831", skip: bool = False) -> str:
    """Run the command; return what it printed (stdout and stderr)."""
    out, err = io.StringIO(), io.StringIO()
    args = [str(p) for p in paths] + ["--la", la, "--year", str(year)]
    if skip:
        args.append("--skip-invalid")
    try:
        call_command("import_903", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return f"FAILED\n{err.getvalue()}{out.getvalue()}{exc}"
    return f"OK\n{err.getvalue()}{out.getvalue()}"


def snapshot() -> tuple[int, ...]:
    return (
        Child.objects.count(),
        Episode.objects.count(),
        PeriodOfCare.objects.count(),
        Placement.objects.count(),
    )


def test_it_imports_a_clean_return_and_derives_periods_and_placements(tmp_path, derby):
    output = import_903(write_return(tmp_path))
    assert output.startswith("OK"), output
    assert Child.objects.filter(la=derby).count() == 2
    c1 = Child.objects.get(child_id="C1")
    assert list(c1.episodes.values_list("place", flat=True)) == ["U4", "U6"]
    period = c1.periods.get()
    assert (period.start.isoformat(), period.end, period.start_known) == ("2016-06-01", None, True)
    assert list(c1.placements.values_list("place", flat=True)) == ["U4", "U6"]
    run = Import.objects.get()
    assert (run.status, run.error_count, run.source) == ("imported", 0, "command")


def test_it_does_not_store_upn_mc_dob_or_full_postcodes(tmp_path, derby):
    import_903(write_return(tmp_path))
    child_fields = {f.name for f in Child._meta.get_fields()}
    assert not child_fields & {"upn", "mc_dob"}
    episode = Episode.objects.filter(child__child_id="C1").first()
    assert episode.home_district == "DE22"
    assert "1AB" not in str(Episode.objects.values_list().first())


# --- bad input: each gets a precise message and changes nothing in strict mode ---------


def _bad_return(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / case
    if case == "impossible date":
        return write_return(folder, header=["C1,1,31/02/2010,WBRI,,,", "C2,2,14/02/2012,WBRI,,,"])
    if case == "wrong date format":
        return write_return(folder, header=["C1,1,2010-02-01,WBRI,,,", "C2,2,14/02/2012,WBRI,,,"])
    if case == "unknown code":
        eps = [GOOD_EPISODES[0], GOOD_EPISODES[1].replace(",U6,", ",Q9,"), GOOD_EPISODES[2]]
        return write_return(folder, episodes=eps)
    if case == "code from another year":
        return write_return(folder, header=["C1,M,01/05/2010,WBRI,,,", "C2,2,14/02/2012,WBRI,,,"])
    if case == "child not in header":
        return write_return(folder, episodes=[*GOOD_EPISODES, "C9,01/01/2018,S,C2,N1,U4,PR1,,,,,,"])
    if case == "duplicate child":
        return write_return(
            folder,
            header=[
                "C1,1,01/05/2010,WBRI,,,",
                "C1,2,01/05/2011,WBRI,,,",
                "C2,2,14/02/2012,WBRI,,,",
            ],
        )
    if case == "overlapping episodes":
        eps = [
            GOOD_EPISODES[0],
            GOOD_EPISODES[1],
            "C1,01/01/2017,P,C2,N1,U6,PR4,,,,,,",
            GOOD_EPISODES[2],
        ]
        return write_return(folder, episodes=eps)
    if case == "DEC before DECOM":
        eps = ["C1,15/02/2019,S,C2,N1,U4,PR1,12/01/2018,E41,,,,", GOOD_EPISODES[2]]
        return write_return(folder, episodes=eps, header=None)
    if case == "empty file":
        folder = write_return(folder)
        (folder / "episodes.csv").write_text("")
        return folder
    if case == "header only":
        folder = write_return(folder)
        (folder / "episodes.csv").write_text(EPISODES + "\n")
        return folder
    if case == "not CSV":
        folder = write_return(folder)
        (folder / "episodes.csv").write_bytes(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
        )
        return folder
    if case == "Latin-1":
        folder = write_return(folder)
        (folder / "header.csv").write_bytes(
            (HEADER + "\nC1,1,01/05/2010,WBRI,,,\nC2,2,14/02/2012,WBRI,,,Zoë\n").encode("latin-1")
        )
        return folder
    if case == "missing column":
        folder = write_return(folder)
        (folder / "header.csv").write_text("CHILD,SEX,DOB,UPN,MOTHER,MC_DOB\nC1,1,01/05/2010,,,\n")
        return folder
    if case == "two files for one table":
        folder = write_return(folder)
        (folder / "SSDA903_2018_header.csv").write_text(HEADER + "\nC1,1,01/05/2010,WBRI,,,\n")
        return folder
    raise AssertionError(case)


BAD_INPUT = {
    "impossible date": "header.csv, row 2, DOB: DOB '31/02/2010' is not a real date.",
    "wrong date format": (
        "header.csv, row 2, DOB: DOB '2010-02-01' is not a date in the format dd/mm/yyyy."
    ),
    "unknown code": "episodes.csv, row 3, PLACE: PLACE 'Q9' is not a valid PLACE code in 2017/18.",
    "code from another year": "header.csv, row 2, SEX: SEX 'M' is not a valid SEX code in 2017/18: "
    "it is used from 2024/25 onwards.",
    "child not in header": "episodes.csv, row 5, CHILD: CHILD C9 is not in the Header file.",
    "duplicate child": "header.csv, row 2, CHILD: CHILD C1 appears 2 times in the Header table "
    "(rows 2, 3); it must appear once.",
    "overlapping episodes": "episodes.csv, row 4, DECOM: CHILD C1's episode starting 01/01/2017 "
    "overlaps the episode in row 2, which runs from 01/06/2016 to 10/10/2017.",
    "DEC before DECOM": "episodes.csv, row 2, DEC: DEC 12/01/2018 is before DECOM 15/02/2019.",
    "empty file": "episodes.csv: The file is empty.",
    "header only": "episodes.csv: The Episodes table has a header row but no data rows.",
    "not CSV": "episodes.csv: This is not a CSV file: it looks like a PDF document.",
    "Latin-1": "header.csv, row 3: The file is not UTF-8 text: row 3 contains the byte 0xEB",
    "missing column": "header.csv, row 1, ETHNIC: This looks like the Header table, but the column "
    "ETHNIC is missing.",
    "two files for one table": (
        "Two files hold the Header table: SSDA903_2018_header.csv and header.csv."
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_it_explains_bad_input_and_changes_nothing(tmp_path, derby, case):
    assert import_903(write_return(tmp_path / "before")).startswith("OK")
    before = snapshot()
    output = import_903(_bad_return(tmp_path, case))
    assert output.startswith("FAILED"), output
    assert BAD_INPUT[case] in output, output
    assert "Traceback" not in output
    assert snapshot() == before
    assert Import.objects.order_by("-pk").first().status == "rejected"


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(tmp_path, derby, settings):
    settings.CP_IMPORT_MAX_FILE_MB = 0.001  # about 1 KB
    folder = write_return(
        tmp_path, extra={"reviews.csv": "CHILD,DOB,REVIEW,REVIEW_CODE\n" + "x" * 5000}
    )
    output = import_903(folder)
    assert "reviews.csv: The file is 0.0 MB, over the 0.001 MB limit for one file" in output


def test_it_ignores_tables_not_collected_in_the_year_with_a_warning(tmp_path, derby):
    dolo = "CHILD,DOB,DOLO_START,DOLO_END\nC1,01/05/2010,01/01/2018,\n"
    output = import_903(write_return(tmp_path, extra={"DoLo.csv": dolo}))
    assert output.startswith("OK"), output
    assert "The DoLo table was not collected in 2017/18 (it starts in 2026/27)" in output


def test_it_tolerates_bom_crlf_lower_case_codes_extra_columns_and_blank_lines(tmp_path, derby):
    folder = write_return(tmp_path)
    text = HEADER + ",NOTE\r\nC1,1,01/05/2010,wbri,,,,hello\r\nC2,2,14/02/2012,WBRI,,,,\r\n\r\n\r\n"
    (folder / "header.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    output = import_903(folder)
    assert output.startswith("OK"), output
    assert "Extra column NOTE ignored." in output
    assert Child.objects.get(child_id="C1").ethnic == "WBRI"


def test_reimporting_a_year_replaces_its_contribution(tmp_path, derby):
    import_903(write_return(tmp_path / "a"))
    first = snapshot()
    import_903(write_return(tmp_path / "b"))
    assert snapshot() == first
    assert Import.objects.count() == 2


def test_a_later_year_updates_the_history_and_keeps_children_not_in_it(tmp_path, derby):
    import_903(write_return(tmp_path / "2018"))
    # In 2018/19 only C1 is in the return: their open episode has ended.
    later = ["C1,10/10/2017,P,C2,N1,U6,PR4,01/02/2019,E41,,,,"]
    output = import_903(
        write_return(tmp_path / "2019", header=["C1,1,01/05/2010,WBRI,,,"], episodes=later),
        year=2019,
    )
    assert output.startswith("OK"), output
    c1 = Child.objects.get(child_id="C1")
    assert list(c1.episodes.values_list("decom", "rec")) == [
        (c1.episodes.first().decom, "X1"),
        (c1.episodes.last().decom, "E41"),
    ]
    assert c1.periods.get().reason_ended == "E41"
    assert Child.objects.get(child_id="C2").episodes.count() == 1  # kept


def test_skip_invalid_imports_the_valid_rows_and_records_both(tmp_path, derby):
    eps = [*GOOD_EPISODES, "C9,01/01/2018,S,C2,N1,U4,PR1,,,,,,"]
    output = import_903(write_return(tmp_path, episodes=eps), skip=True)
    assert "1 row(s) skipped" in output
    assert Episode.objects.count() == 3
    run = Import.objects.get()
    assert (run.status, run.skipped_rows, run.error_count) == ("imported_with_skips", 1, 1)
    assert ImportProblem.objects.get(import_run=run).row == 5


# --- the parser never raises anything but its own error ---------------------------------

CODES = CodeLists(
    2018, [(2018, "SEX", "1", "Male", None, None), (2018, "SEX", "2", "Female", None, None)]
)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_parser(data):
    try:
        result = check_return(
            [SourceFile("random.csv", data)], year=2018, codes=CODES, skip_invalid=False
        )
    except ImportError903:
        return
    assert result.errors  # random bytes are never a valid return


ROW = st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), min_size=0, max_size=16)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=8), st.sampled_from([HEADER, EPISODES]))
def test_mutated_rows_never_crash_the_parser(rows, first_line):
    body = "\n".join([first_line, *(",".join(cell.replace("\n", " ") for cell in r) for r in rows)])
    files = [SourceFile("x.csv", body.encode("utf-8", "surrogatepass"))]
    with contextlib.suppress(ImportError903):
        check_return(files, year=2018, codes=CODES, skip_invalid=True)


def test_files_are_found_by_columns_not_names(tmp_path):
    folder = write_return(tmp_path)
    (folder / "header.csv").rename(folder / "SSDA903_2020_something.csv")
    files, problems = files_from_paths([folder])
    assert problems == []
    result = check_return(files, year=2018, codes=CODES, skip_invalid=True)
    assert result.tables["header"].file == "SSDA903_2020_something.csv"


def test_h5_needs_a_urn_once_supported_accommodation_was_regulated(tmp_path, derby):
    header = ["C1,1,01/05/2007,WBRI,,,"]
    episodes = ["C1,01/11/2023,S,V2,N1,H5,PR4,,,,,,XXXXXXX"]
    output = import_903(write_return(tmp_path / "a", header=header, episodes=episodes), year=2024)
    assert (
        "episodes.csv, row 2, URN: PLACE H5 (semi-independent living) needs an Ofsted URN" in output
    )
    episodes = ["C1,01/11/2023,S,V2,N1,H5,PR4,,,,,,SC123456"]
    output = import_903(write_return(tmp_path / "b", header=header, episodes=episodes), year=2024)
    assert output.startswith("OK"), output
    # Before then, an H5 episode open at the year's end needs no URN.
    episodes = ["C1,01/11/2021,S,V2,N1,H5,PR4,,,,,,XXXXXXX"]
    output = import_903(write_return(tmp_path / "c", header=header, episodes=episodes), year=2022)
    assert output.startswith("OK"), output


def test_p2_is_refused_for_episodes_after_28_october_2023(tmp_path, derby):
    header = ["C1,1,01/05/2006,WBRI,,,"]
    episodes = ["C1,01/12/2023,S,V2,N1,P2,PR0,,,,,,"]
    output = import_903(write_return(tmp_path, header=header, episodes=episodes), year=2024)
    assert "PLACE 'P2'" in output and "cannot be used for dates after 27/10/2023" in output


def test_a_header_without_the_optional_columns_is_still_the_header(tmp_path, derby):
    folder = write_return(tmp_path)
    (folder / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,MOTHER\nC1,1,01/05/2010,WBRI,\nC2,2,14/02/2012,WBRI,\n"
    )
    output = import_903(folder)
    assert output.startswith("OK"), output


def test_reimporting_an_earlier_year_keeps_what_later_returns_said(tmp_path, derby):
    header = ["C1,1,01/05/2015,WBRI,,,"]
    import_903(
        write_return(
            tmp_path / "2021", header=header, episodes=["C1,01/06/2020,S,C2,N1,U4,PR1,,,,,,"]
        ),
        year=2021,
    )
    later = [
        "C1,01/06/2020,S,C2,N1,U4,PR1,01/01/2022,E11,,,,",
        "C1,01/02/2022,S,V2,N4,U6,PR1,,,,,,",
    ]
    import_903(write_return(tmp_path / "2022", header=header, episodes=later), year=2022)
    output = import_903(
        write_return(
            tmp_path / "2021b", header=header, episodes=["C1,01/06/2020,S,C2,N1,U4,PR1,,,,,,"]
        ),
        year=2021,
    )
    assert output.startswith("OK"), output
    episodes = list(Episode.objects.order_by("decom").values_list("rec", "dec"))
    assert [rec for rec, _ in episodes] == ["E11", ""]  # the adoption and the later episode stay


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        (
            "oc2.csv",
            "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
            "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"
            "C1,01/05/2010,²,,0,0,0,0,0,0,0,0\n",
            "SDQ_SCORE '²' must be a whole number from 0 to 40.",
        ),
        (
            "previous_permanence.csv",
            "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nC1,01/05/2010,Z1,Derbyshire,\n",
            "LA_PERM 'Derbyshire' is longer than 3 characters.",
        ),
        (
            "missing.csv",
            "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/05/2010,M,01/01/2018,\x00\n",
            "This is not a CSV file: it looks like a binary file.",
        ),
        (
            "missing.csv",
            "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/05/2010,M\x07,01/01/2018,\n",
            "MISSING contains a control character.",
        ),
    ],
)
def test_bad_cells_in_other_tables_get_messages_not_crashes(tmp_path, derby, table, row, message):
    output = import_903(write_return(tmp_path, extra={table: row}), skip=True)
    assert message in output, output
    assert "Traceback" not in output
    assert Import.objects.get().status == "imported_with_skips"


def test_an_unexpected_failure_is_recorded_and_changes_nothing(tmp_path, derby, monkeypatch):
    import placements.importer

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(placements.importer, "save_return", broken)
    output = import_903(write_return(tmp_path))
    assert "The import stopped because of an unexpected problem, so nothing was saved." in output
    run = Import.objects.get()
    assert (run.status, run.finished_at is not None) == ("failed", True)
    assert snapshot() == (0, 0, 0, 0)


def test_skip_invalid_skips_a_childs_whole_history_if_any_episode_is_invalid(tmp_path, derby):
    episodes = [
        "C1,01/06/2016,S,C2,N1,U4,PR1,10/10/2017,X1,,,,",
        "C1,10/10/2017,P,C2,N1,Q9,PR4,,,,,,",  # invalid placement type
        GOOD_EPISODES[2],
    ]
    output = import_903(write_return(tmp_path, episodes=episodes), skip=True)
    assert "Skipped because another of CHILD C1's episodes is invalid" in output
    assert list(Episode.objects.values_list("child__child_id", flat=True)) == ["C2"]


def test_an_all_invalid_table_keeps_the_years_stored_rows(tmp_path, derby):
    good = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC1,01/05/2010,YES,F1,B1\n"
    import_903(write_return(tmp_path / "a", extra={"oc3.csv": good}))
    bad = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC1,01/05/2010,MAYBE,F1,B1\n"
    output = import_903(write_return(tmp_path / "b", extra={"oc3.csv": bad}), skip=True)
    assert "Every row of the OC3 table was invalid, so the OC3 rows already stored" in output
    from placements.models import OC3

    assert OC3.objects.count() == 1


def test_an_old_episode_is_checked_against_the_codes_of_the_year_it_ended(tmp_path, derby):
    # E43 (SGO, legacy) was retired after 2017/18; an episode that ended in 2016 may use it.
    header = ["C1,1,01/05/2010,WBRI,,,"]
    episodes = [
        "C1,01/06/2015,S,C2,N1,U4,PR1,01/06/2016,E43,,,,",
        "C1,01/06/2021,S,C2,N1,U4,PR1,,,,,,",
    ]
    output = import_903(write_return(tmp_path / "a", header=header, episodes=episodes), year=2022)
    assert output.startswith("OK"), output
    episodes = ["C1,01/06/2021,S,C2,N1,U4,PR1,01/01/2022,E43,,,,"]
    output = import_903(write_return(tmp_path / "b", header=header, episodes=episodes), year=2022)
    assert "REC 'E43' is not a valid REC code in 2021/22" in output


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_is_still_saving(tmp_path, derby):
    from django.db import DEFAULT_DB_ALIAS, connections

    from placements.importer import files_from_paths, run_import

    files, _ = files_from_paths([write_return(tmp_path)])
    run = Import.objects.create(la=derby, year=2018, mode="strict", source="command")
    seen: list[tuple[int, int]] = []

    def look(percent: int, stage: str) -> None:
        # What the progress page would read, from outside the import's transaction.
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT progress FROM placements_import WHERE id = %s", [run.pk])
                seen.append((percent, cursor.fetchone()[0]))
        finally:
            other.close()

    run_import(run, files, progress=look)
    assert (55, 55) in seen and (75, 75) in seen
