"""Dashboard latency with the national synthetic dataset loaded: one council, a region
and the England-wide admin view; then a meeting pack for the largest council, its
reports built from the national figures.

Usage: make bench-national-pages   (after `make bench-national` has loaded the dataset
into its own database, cp_bench_national). Server time through the full middleware
stack, as bench/home_pages.py measures it.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from _db import machine, passed_two_factor, use_bench_database

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))


def measure(client, path: str) -> list[float]:
    client.get(path)  # warm up
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return sorted(timings)


def meeting_pack(la, year: int) -> None:
    """One report of each type for the council and year, built from the stored national
    figures and published as a clerk would (content, then its PDF), then the meeting's
    public pack. Left in place until the next run, so the pack can be opened."""
    import logging

    from committee import pdf, workflow
    from committee.models import (
        AgendaItem,
        Committee,
        Meeting,
        PublishedVersion,
        Report,
        ReportTemplate,
        ReportType,
    )
    from committee.skeletons import DERBY
    from corporate_parenting.models import Role

    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)
    template, _ = ReportTemplate.objects.get_or_create(
        la=la, name="Benchmark report", defaults={"skeleton": DERBY}
    )
    committee, _ = Committee.objects.get_or_create(
        la=la, name="Benchmark Corporate Parenting Panel"
    )
    Meeting.objects.filter(committee=committee).delete()
    old = Report.objects.filter(la=la, title__startswith="Benchmark: ")
    PublishedVersion.objects.filter(report__in=old).delete()
    old.delete()
    approver = bench_user("bench.approver", Role.OFFICER, la, can_approve_reports=True)
    clerk = bench_user("bench.clerk", Role.CLERK, la)
    meeting = Meeting.objects.create(committee=committee, date=dt.date.today())
    built, drawn = [], []

    def timed(work, into):
        def run(arg):
            start = time.perf_counter()
            result = work(arg)
            into.append(time.perf_counter() - start)
            return result

        return run

    for number, (kind, label) in enumerate(ReportType.choices, start=1):
        report = Report.objects.create(
            la=la, template=template, report_type=kind, title=f"Benchmark: {label}",
            report_of="Director of Children's Services", year=year,
            recommendations="To note the report.",
        )  # fmt: skip
        AgendaItem.objects.create(meeting=meeting, number=number, title=label, report=report)
        workflow.approve(report, approver, report.version)
        workflow.publish(
            report, clerk, report.version,
            build=timed(workflow._default_build, built), pdf=timed(workflow._default_pdf, drawn),
        )  # fmt: skip
    start = time.perf_counter()
    _pack, pages = pdf.pack_pdf(meeting, "public")
    seconds = time.perf_counter() - start
    print(
        f"\nmeeting pack, {la.name} {year - 1}/{str(year)[2:]}: {len(built)} reports, one of "
        f"each type, built from the national figures in {sum(built):.2f} s (slowest "
        f"{max(built):.2f} s); their PDFs {sum(drawn):.1f} s; the public pack, {pages} "
        f"pages, {seconds:.1f} s"
    )


def bench_user(username: str, role, la, **extra):
    from corporate_parenting.models import Role, User

    found, _ = User.objects.update_or_create(
        username=username,
        defaults={"role": role, "la": la, "is_staff": role == Role.SYSTEM_ADMIN, **extra},
    )
    return found


def main() -> None:
    use_bench_database("cp_bench_national")
    from django.db.models import Count
    from django.test import Client
    from django.utils.text import slugify

    from corporate_parenting.models import ComparisonGroup, LocalAuthority, Role
    from performance.models import IndicatorValue

    years = IndicatorValue.objects.filter(quarter=0).values_list("year", flat=True).distinct()
    if not years:
        raise SystemExit("No national figures: run `make bench-national` first.")
    year = max(years)
    counts = (
        IndicatorValue.objects.filter(year=year, quarter=0)
        .values("la")
        .annotate(n=Count("id"))
        .count()
    )
    # The largest council by children looked after: the heaviest single dashboard.
    largest = (
        IndicatorValue.objects.filter(year=year, quarter=0, indicator__code="cla_at_31_march")
        .order_by("-value")
        .select_related("la")
        .first()
        .la
    )
    region = largest.region
    group, _ = ComparisonGroup.objects.get_or_create(
        name=f"{region} (benchmark)", defaults={"description": f"Every council in {region}"}
    )
    group.members.set(LocalAuthority.objects.filter(region=region))

    councillor = bench_user("bench.councillor", Role.COUNCILLOR, largest)
    officer = bench_user("bench.officer", Role.OFFICER, largest)
    admin = bench_user("bench.sysadmin", Role.SYSTEM_ADMIN, None)
    pages = [
        (f"council dashboard, councillor ({largest.name})", councillor, f"/dashboard/?year={year}"),
        ("council dashboard, officer (unsuppressed)", officer, f"/dashboard/?year={year}"),
        ("council dashboard, quarter 3", councillor, f"/dashboard/?year={year}&quarter=3"),
        ("dashboard breakdown (htmx)", councillor, f"/dashboard/?year={year}&breakdown=age"),
        (
            f"region: comparison, {group.members.count()} councils",
            councillor,
            f"/compare/{group.pk}/?year={year}",
        ),
        ("region: admin view of its councils", admin, f"/england/{slugify(region)}/?year={year}"),
        ("England-wide admin view, 9 regions", admin, f"/england/?year={year}"),
    ]
    print(
        f"# national dashboards, {dt.date.today()}, {machine()}; {counts} councils with "
        f"{year - 1}/{str(year)[2:]} figures, "
        f"{IndicatorValue.objects.count():,} stored values; {ROUNDS} requests each"
    )
    print(f"{'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, who, path in pages:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(who)
        passed_two_factor(client, who)
        t = measure(client, path)
        p95 = t[int(len(t) * 0.95) - 1]
        print(f"{label:<52} {statistics.median(t):>8.1f} {p95:>8.1f} {t[-1]:>8.1f}")
    meeting_pack(largest, year)


if __name__ == "__main__":
    main()
