"""Synthetic demo returns for Derby and Nottinghamshire, imported the normal way."""

from __future__ import annotations

import tempfile
from pathlib import Path

from corporate_parenting.models import LocalAuthority
from placements.demo_returns import generate
from placements.importer import files_from_paths, fingerprint, run_import
from placements.models import Import

DEMO_COUNCILS = ("831", "891")


def load_demo_returns(log=print) -> None:
    """Generate and import each demo year, skipping years already imported unchanged."""
    with tempfile.TemporaryDirectory(prefix="cp-demo-903-") as tmp:
        for la_code in DEMO_COUNCILS:
            la = LocalAuthority.objects.get(la_code=la_code)
            for year, folder in sorted(generate(Path(tmp), la_code=la_code).items()):
                files, problems = files_from_paths([folder])
                prints = fingerprint(files)
                latest = Import.objects.filter(la=la, year=year, source="demo").first()
                if (
                    latest
                    and latest.status == Import.Status.IMPORTED
                    and prints == sorted(str(f.get("sha256")) for f in latest.files)
                ):
                    continue  # already imported, unchanged
                run = Import.objects.create(
                    la=la, year=year, mode=Import.Mode.STRICT, source="demo"
                )
                run = run_import(run, files, early_problems=problems)
                if run.status != Import.Status.IMPORTED:
                    raise RuntimeError(
                        f"The demo return for {la.name} {run.year_label} did not import: "
                        + "; ".join(p.message for p in run.problems.all()[:5])
                    )
                log(f"Imported the demo SSDA903 return for {la.name}, {run.year_label}.")
