from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corporate_parenting.models import LocalAuthority
from performance.services import values_as_json


class Command(BaseCommand):
    help = "Print a council's stored indicator values for a year (or a quarter)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--quarter", type=int, default=0, choices=[0, 1, 2, 3, 4])
        parser.add_argument("--json", action="store_true", help="JSON for other programs")

    def handle(self, *args: object, **options: object) -> None:
        try:
            la = LocalAuthority.objects.get(la_code=options["la"])
        except LocalAuthority.DoesNotExist:
            raise CommandError(f"No council has LA code {options['la']!r}.") from None
        values = values_as_json(la, int(options["year"]), int(options["quarter"]))
        if not values:
            raise CommandError(
                f"No indicator values for {la.name} in {options['year']}: import the return, "
                "or run recompute_indicators."
            )
        if options["json"]:
            self.stdout.write(json.dumps(values, indent=2))
            return
        for code, v in values.items():
            self.stdout.write(
                f"{code:<45} {v['value']!s:>8}   ({v['numerator']!s} / {v['denominator']!s})"
            )
