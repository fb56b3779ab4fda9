from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corporate_parenting.models import LocalAuthority
from performance.services import recompute, years_with_data


class Command(BaseCommand):
    help = "Recompute stored indicator values, for one council or all, one year or all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", help="DfE LA code; default: every council with data")
        parser.add_argument("--year", type=int, help="Collection year, e.g. 2022; default: all")
        parser.add_argument(
            "--inspections-only",
            action="store_true",
            help="Only the homes and inspections indicators, for every year: quick enough "
            "to run daily, so a Regulation 44 report still awaited turns late on time.",
        )

    def handle(self, *args: object, **options: object) -> None:
        councils = LocalAuthority.objects.all()
        if options["la"]:
            councils = councils.filter(la_code=options["la"])
            if not councils:
                raise CommandError(f"No council has LA code {options['la']!r}.")
        total = 0
        if options["inspections_only"]:
            from performance import oversight

            for la in councils:
                if years_with_data(la):
                    total += oversight.refresh(la)
                    oversight.redraw_charts.enqueue(la.pk)
            self.stdout.write(self.style.SUCCESS(f"{total} inspection indicator values stored."))
            return
        for la in councils:
            years = years_with_data(la)
            if options["year"]:
                years = [y for y in years if y == options["year"]]
            if not years:
                continue
            result = recompute(la, years)
            total += result["values"]
            self.stdout.write(
                f"{la.name}: {result['values']} values for {len(years)} year(s) "
                f"in {result['seconds']:.2f} s; {result['charts']} charts in "
                f"{result['chart_seconds']:.2f} s"
            )
        self.stdout.write(self.style.SUCCESS(f"{total} indicator values stored."))
