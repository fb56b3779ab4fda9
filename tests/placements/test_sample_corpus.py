"""The third-party synthetic SSDA903 files: messy on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from placements.models import Child, Episode, Import, ImportProblem
from tests.placements.test_import_903 import import_903, snapshot

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "ssda903-samples"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not SAMPLES.is_dir(), reason="the shared sample corpus is not beside the project"
    ),
]


def problems(run: Import) -> set[str]:
    return {
        f"{p.file}|{p.row}|{p.column}|{p.message}"
        for p in ImportProblem.objects.filter(import_run=run)
    }


def test_strict_mode_rejects_the_corpus_listing_every_invalid_row(derby):
    output = import_903(SAMPLES, year=2018)
    assert output.startswith("FAILED"), output[:500]
    run = Import.objects.get()
    assert run.status == "rejected"
    assert snapshot() == (0, 0, 0, 0)
    found = problems(run)
    assert any(
        f.startswith("oc3.csv|2|ACCOM|ACCOM '01' is not a valid ACCOM code in 2017/18.")
        for f in found
    )
    # Every problem names its file; row-level ones their row and column.
    assert all(p.file for p in run.problems.all())
    assert run.problems.filter(row__isnull=False, column="").count() == 0


def test_skip_invalid_imports_the_valid_remainder(derby):
    output = import_903(SAMPLES, year=2018, skip=True)
    run = Import.objects.get()
    assert run.status == "imported_with_skips", output[:2000]
    assert run.skipped_rows > 0
    assert Child.objects.filter(la=derby).exists()
    assert Episode.objects.filter(la=derby).count() == run.counts["episodes"]
    assert 0 < run.counts["episodes"] < 5050


def test_the_duplicate_child_in_the_placed_for_adoption_variant_is_reported(tmp_path, derby):
    folder = tmp_path / "return"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("liia", "variants", "*.md"))
    (folder / "placed_for_adoption.csv").unlink()
    shutil.copy(SAMPLES / "variants" / "placed_for_adoption_errors.csv", folder)
    import_903(folder, year=2018)
    run = Import.objects.get()
    duplicates = run.problems.filter(
        file="placed_for_adoption_errors.csv",
        message__startswith="CHILD 988635 appears 2 times in the PlacedAdoption table",
    )
    assert duplicates.count() == 2


def test_the_liia_pair_is_rejected_strictly_and_its_extra_column_ignored(derby):
    output = import_903(SAMPLES / "liia", year=2020)
    assert output.startswith("FAILED")
    run = Import.objects.get()
    messages = set(run.problems.values_list("message", flat=True))
    assert (
        "CHILD 689661 appears 3 times in the Header table (rows 2, 3, 4); it must appear once."
        in messages
    )
    assert "Extra column TEST_COLUMN ignored." in messages
    assert any("ETHNIC 'UNKN' is not a valid ETHNIC code" in m for m in messages)
    assert "LS is blank, but it is required." in messages


def test_the_liia_pair_imports_its_valid_remainder(derby):
    output = import_903(SAMPLES / "liia", year=2020, skip=True)
    assert "skipped" in output
    run = Import.objects.get()
    assert run.status == "imported_with_skips"
    # 689661 is ambiguous (three Header rows), so none of their episodes are kept.
    assert not Episode.objects.filter(child__child_id="689661").exists()
