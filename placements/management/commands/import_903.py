from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corporate_parenting.lib.cli import dmy_date
from corporate_parenting.models import LocalAuthority
from placements.codelists import FIRST_YEAR, LAST_YEAR
from placements.importer import files_from_paths, run_import
from placements.models import Import, collection_year_bounds, collection_year_label


class Command(BaseCommand):
    help = (
        "Import one council's SSDA903 return for one collection year. "
        "--year 2022 means 2021/22, ending 31 March 2022. PATH is a folder or CSV files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 831 for Derby")
        parser.add_argument("--year", required=True, type=int, help="e.g. 2022 for 2021/22")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and skip invalid ones (default: any error rejects all)",
        )
        parser.add_argument("--quiet-problems", action="store_true", help="Print only the totals")
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="Don't recompute indicators now (for bulk loads: run recompute_indicators after)",
        )
        parser.add_argument(
            "--as-at",
            type=dmy_date,
            help="In-year extract: the date it runs to (dd/mm/yyyy); figures are provisional",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            la = LocalAuthority.objects.get(la_code=options["la"])
        except LocalAuthority.DoesNotExist:
            raise CommandError(
                f"No council has LA code {options['la']!r}. Codes are three digits, "
                "e.g. 831 for Derby."
            ) from None
        year = int(options["year"])  # type: ignore[arg-type]
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(
                f"--year {year} can't be imported: code lists are held for "
                f"{collection_year_label(FIRST_YEAR)} to {collection_year_label(LAST_YEAR)} "
                "(--year 2013 to --year 2027)."
            )
        start, end = collection_year_bounds(year)
        if options["as_at"] and not start <= options["as_at"] <= end:
            raise CommandError(
                f"--as-at {options['as_at']:%d/%m/%Y} is outside {collection_year_label(year)} "
                f"({start:%d/%m/%Y} to {end:%d/%m/%Y})."
            )
        started = time.perf_counter()
        files, early = files_from_paths(options["paths"])  # type: ignore[arg-type]
        run = Import.objects.create(
            la=la,
            year=year,
            mode=Import.Mode.SKIP_INVALID if options["skip_invalid"] else Import.Mode.STRICT,
            source="command",
            as_at=options["as_at"],
        )
        run = run_import(run, files, early_problems=early, recompute=not options["no_recompute"])
        if not options["quiet_problems"]:
            for problem in run.problems.order_by("id"):
                self.stderr.write(
                    f"{problem.severity.upper()}: {problem.file}"
                    + (f", row {problem.row}" if problem.row else "")
                    + (f", {problem.column}" if problem.column else "")
                    + f": {problem.message}"
                    + (f" [value: {problem.value!r}]" if problem.value else "")
                )
        summary = (
            f"{la.name} ({la.la_code}) {collection_year_label(year)}: {run.get_status_display()}. "
            f"{run.error_count} error(s), {run.warning_count} warning(s)"
            + (f", {run.skipped_rows} row(s) skipped" if run.skipped_rows else "")
            + f". {time.perf_counter() - started:.1f} s."
        )
        if run.counts:
            summary += "\nSaved: " + ", ".join(f"{k} {v:,}" for k, v in run.counts.items())
        if run.status in {Import.Status.REJECTED, Import.Status.FAILED}:
            raise CommandError(summary + "\nNothing was imported: the database is unchanged.")
        self.stdout.write(self.style.SUCCESS(summary))
        if run.error_count:
            raise CommandError(f"{run.error_count} row error(s): the invalid rows were skipped.")
