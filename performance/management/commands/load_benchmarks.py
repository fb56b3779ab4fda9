from __future__ import annotations

import argparse
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from performance.benchmarks import load_benchmarks


def _filter(raw: str) -> tuple[str, str]:
    column, sep, value = raw.partition("=")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not COLUMN=VALUE, e.g. placement_stability='Total children'"
        )
    return column.strip(), value.strip()


class Command(BaseCommand):
    help = (
        "Load published benchmarks (England, DfE region, statistical neighbours) from a CSV in "
        "our layout (indicator,year,area,area_code,value,source) or DfE's open-data layout. "
        "Any error loads nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--indicator", help="DfE files: the indicator code the --measure column holds"
        )
        parser.add_argument("--measure", help="DfE files: the measure column, e.g. percentage")
        parser.add_argument(
            "--filter",
            action="append",
            type=_filter,
            default=[],
            metavar="COLUMN=VALUE",
            help="DfE files: keep only rows with this value (repeatable)",
        )

    def handle(self, *args: object, **options: object) -> None:
        if (options["indicator"] is None) != (options["measure"] is None):
            raise CommandError("--indicator and --measure go together: give both or neither.")
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        saved, problems = load_benchmarks(
            path,
            name=path.name,
            indicator=options["indicator"],  # type: ignore[arg-type]
            measure=options["measure"],  # type: ignore[arg-type]
            filters=dict(options["filter"]),  # type: ignore[arg-type]
        )
        for problem in problems:
            self.stderr.write(problem.as_text())
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        if errors:
            raise CommandError(
                f"{path.name}: {errors} error(s), {warnings} warning(s). "
                "Nothing was loaded: the database is unchanged."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {saved} benchmark(s) created or updated, {warnings} warning(s)."
            )
        )
        if saved and settings.CP_RENDER_CHARTS:
            # Charts draw the England line: redraw every council's.
            from corporate_parenting.models import LocalAuthority
            from performance.services import render_charts, years_with_data

            for la in LocalAuthority.objects.filter(imports__isnull=False).distinct():
                render_charts(la, years_with_data(la), exactly=True)
            self.stdout.write("Charts redrawn with the new benchmarks.")
