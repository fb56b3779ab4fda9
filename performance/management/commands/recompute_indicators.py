from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from corporate_parenting.lib.parallel import in_processes
from corporate_parenting.models import LocalAuthority
from performance.services import recompute, sync_catalogue, years_with_data


def recompute_council(work: tuple[int, list[int]]) -> tuple[str, int, dict]:
    """One council's years, in whichever process runs it."""
    la_id, years = work
    la = LocalAuthority.objects.get(pk=la_id)
    return la.name, len(years), recompute(la, years)


class Command(BaseCommand):
    help = "Recompute stored indicator values, for one council or all, one year or all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", help="DfE LA code; default: every council with data")
        parser.add_argument("--year", type=int, help="Collection year, e.g. 2022; default: all")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Processes to share the councils between (each council is one "
            "transaction, in one process); default 1. Use the number of cores for a "
            "partnership or national database.",
        )
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
        if options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more.")
        total = 0
        if options["inspections_only"]:
            from performance import oversight

            for la in councils:
                if years_with_data(la):
                    total += oversight.refresh(la)
                    oversight.redraw_charts.enqueue(la.pk)
            self.stdout.write(self.style.SUCCESS(f"{total} inspection indicator values stored."))
            return
        work = []
        # The largest first, so no process is left with a big council at the end.
        for la in councils.annotate(n=Count("children")).order_by("-n", "name"):
            years = years_with_data(la)
            if options["year"]:
                years = [y for y in years if y == options["year"]]
            if years:
                work.append((la.pk, years))
        # Every recompute makes sure the catalogue is stored; once here first, the
        # processes find it there rather than all inserting it.
        sync_catalogue()
        for name, years, result in in_processes(recompute_council, work, options["jobs"]):
            total += result["values"]
            self.stdout.write(
                f"{name}: {result['values']} values for {years} year(s) "
                f"in {result['seconds']:.2f} s; {result['charts']} charts in "
                f"{result['chart_seconds']:.2f} s"
            )
        self.stdout.write(self.style.SUCCESS(f"{total} indicator values stored."))
