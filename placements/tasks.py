from __future__ import annotations

import shutil

from django.tasks import task

from placements.importer import run_import, upload_folder
from placements.models import Import
from placements.ssda903 import SourceFile


@task()
def import_uploaded_return(import_id: int) -> str:
    """Run an import whose files the officer uploaded, then delete the files."""
    run = Import.objects.select_related("la").get(pk=import_id)
    folder = upload_folder(import_id)
    try:
        names = [str(f["name"]) for f in run.files]
        files = [
            SourceFile(
                names[int(path.stem)] if int(path.stem) < len(names) else path.name,
                path.read_bytes(),
            )
            for path in sorted(folder.iterdir())
        ]
        run = run_import(run, files)
    finally:
        # Child-level files don't linger on disk once read.
        shutil.rmtree(folder, ignore_errors=True)
    return run.status
