from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corporate_parenting.lib.cli import dmy_date
from inspections.providers import load_demo_providers, load_provider_file


class Command(BaseCommand):
    help = (
        "Load Ofsted's list of children's social care providers (CSV or XLSX, in the "
        "layout of Ofsted's provider-level data). Every row is checked first; a file with "
        "any error saves nothing. Loading a list again updates settings by URN."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", metavar="FILE")
        parser.add_argument(
            "--as-at",
            type=dmy_date,
            help="The list's date (dd/mm/yyyy), if its title line doesn't give one",
        )
        parser.add_argument(
            "--check", action="store_true", help="Check the file and report; save nothing"
        )
        parser.add_argument(
            "--demo", action="store_true", help="Load the made-up demo list instead of FILE"
        )
        parser.add_argument("--quiet-problems", action="store_true", help="Print only totals")

    def handle(self, *args: object, **options: object) -> None:
        if options["demo"]:
            if options["file"]:
                raise CommandError("Give FILE or --demo, not both.")
            try:
                load_demo_providers(log=self.stdout.write)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
            return
        if not options["file"]:
            raise CommandError("Give the FILE to load (or --demo).")
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        result = load_provider_file(
            path.read_bytes(),
            path.name,
            as_at=options["as_at"],  # type: ignore[arg-type]
            check_only=bool(options["check"]),
        )
        if not options["quiet_problems"]:
            for problem in result.problems:
                self.stdout.write(problem.as_text())
        if result.errors:
            raise CommandError(result.summary())
        if options["check"]:
            self.stdout.write(
                f"{path.name}: {result.rows} provider(s) checked, no errors, "
                f"{len(result.warnings)} warning(s). Nothing saved (--check)."
            )
            return
        self.stdout.write(self.style.SUCCESS(result.summary()))
