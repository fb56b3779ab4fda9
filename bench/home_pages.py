"""Server time of each role's home page, the dashboard and the comparison view, against
the demo database (Derby has nine years of data).

Usage: make bench   (after `make run` has loaded the demo data once)
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corporate_parenting.settings")

import django

django.setup()

from _db import passed_two_factor  # noqa: E402
from django.test import Client  # noqa: E402

from corporate_parenting.models import User  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
PAGES = [
    ("sign-in page (anonymous)", None, "/sign-in/"),
    ("dashboard, councillor, 2021/22", "derby.councillor", "/dashboard/?year=2022"),
    ("dashboard, councillor, Q3", "derby.councillor", "/dashboard/?year=2022&quarter=3"),
    ("dashboard, officer (unsuppressed)", "derby.officer", "/dashboard/?year=2022"),
    ("dashboard breakdown (htmx)", "derby.councillor", "/dashboard/?year=2022&breakdown=age"),
    ("comparison view, D2N2", "derby.councillor", "COMPARE"),
    ("officer home", "derby.officer", "/officer/"),
    ("clerk home", "derby.clerk", "/clerk/"),
    ("council admin: users", "derby.admin", "/council-admin/users/"),
    ("inspections overview", "derby.councillor", "/inspections/"),
    ("homes: Ofsted outcomes", "derby.councillor", "/inspections/homes/"),
    ("homes: next inspection", "derby.councillor", "/inspections/due/"),
    ("Reg 44 grid, 2021/22", "derby.councillor", "/inspections/reg44/?year=2022"),
    ("Reg 44 visit form", "derby.officer", "/inspections/reg44/visits/new/"),
    ("council inspections", "derby.councillor", "/inspections/council/"),
    ("ILACS 2022 action plan", "derby.councillor", "ILACS"),
    ("quarterly returns list", "derby.officer", "/returns/"),
    ("return 2021/22 Q4", "derby.officer", "RETURN"),
    ("return section: staffing", "derby.officer", "RETURN:staffing/"),
    ("reconciliation with the 903", "derby.officer", "/returns/reconciliation/?year=2022"),
    ("you said, we did (councillor)", "derby.councillor", "/returns/cicc-actions/"),
]


def measure(client: Client, path: str) -> list[float]:
    client.get(path)  # warm up
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def main() -> None:
    print(
        f"# home pages, {ROUNDS} requests each; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, username, path in PAGES:
        client = Client(SERVER_NAME="127.0.0.1")
        if path == "COMPARE":
            from corporate_parenting.models import ComparisonGroup

            path = f"/compare/{ComparisonGroup.objects.get(name='D2N2').pk}/?year=2022"
        if path == "ILACS":
            from inspections.models import CouncilInspection

            ilacs = CouncilInspection.objects.get(la__la_code="831", start_date="2022-03-21")
            path = f"/inspections/council/{ilacs.pk}/"
        if path.startswith("RETURN"):
            from returns.models import QuarterlyReturn

            q4 = QuarterlyReturn.objects.get(la__la_code="831", year=2022, quarter=4)
            path = f"/returns/{q4.pk}/" + path.partition(":")[2]
        if username:
            user = User.objects.get(username=username)
            client.force_login(user)
            passed_two_factor(client, user)
        timings = sorted(measure(client, path))
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{label:<34} {statistics.median(timings):>8.1f} {p95:>8.1f} {timings[-1]:>8.1f}")


if __name__ == "__main__":
    main()
