from __future__ import annotations

from django.core.management.base import BaseCommand

from corporate_parenting.demo import demo_logins_text, load_demo_context


class Command(BaseCommand):
    help = "Load the synthetic demo data and demo users. Safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        for note in load_demo_context():
            self.stdout.write(f"note: {note}")
        from inspections.demo import load_demo_oversight
        from inspections.providers import load_demo_providers
        from performance.benchmarks import load_demo_benchmarks_and_targets
        from placements.demo import load_demo_returns
        from returns.demo import load_demo_quarterly_returns

        # Benchmarks, targets and inspections first: the charts drawn at import show them.
        load_demo_benchmarks_and_targets()
        load_demo_providers(log=self.stdout.write)
        load_demo_oversight(log=self.stdout.write)
        load_demo_quarterly_returns(log=self.stdout.write)
        load_demo_returns(log=self.stdout.write)
        from committee.demo import load_demo_meeting

        load_demo_meeting(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(demo_logins_text())
