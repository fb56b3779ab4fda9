"""Quarterly returns: building a return's Excel template, and reading, checking and
saving a completed one, on its own benchmark database (demo councils, homes, users and
Derby's four 2021/22 returns).

Usage: make bench-returns
"""

from __future__ import annotations

import io
import statistics
import time

from _db import machine, use_bench_database

ROUNDS = 20


def main() -> None:
    use_bench_database("cp_bench_returns")
    from openpyxl import load_workbook

    from corporate_parenting.demo import load_demo_context
    from corporate_parenting.models import LocalAuthority, User
    from inspections.providers import load_demo_providers
    from returns import spreadsheet, workflow
    from returns.demo import load_demo_quarterly_returns
    from returns.models import QuarterlyReturn

    load_demo_context()
    load_demo_providers(log=lambda _: None)
    load_demo_quarterly_returns(log=lambda _: None)
    derby = LocalAuthority.objects.get(la_code="831")
    officer = User.objects.get(username="derby.officer")
    QuarterlyReturn.objects.filter(la=derby, year=2023, quarter=1).delete()
    ret = workflow.create_return(derby, 2023, 1, officer, copy_forward=True)

    builds, uploads = [], []
    for round_ in range(ROUNDS):
        started = time.perf_counter()
        data = spreadsheet.build_template(ret, officer)
        builds.append(time.perf_counter() - started)
        # An officer's edit: this round's enquiries, so every upload saves a change.
        book = load_workbook(io.BytesIO(data))
        sheet = book["Fostering"]
        for row in sheet.iter_rows(min_row=1):
            if len(row) > 2 and row[2].value == "enquiries":
                row[1].value = 40 + round_
        out = io.BytesIO()
        book.save(out)
        started = time.perf_counter()
        _result, problems = spreadsheet.upload(ret, out.getvalue(), "bench.xlsx", officer)
        uploads.append(time.perf_counter() - started)
        assert not problems, [str(p) for p in problems[:3]]
        ret.refresh_from_db()
    print(f"# quarterly returns, {ROUNDS} rounds; {machine()}")
    measured = (("build the Excel template", builds), ("upload: read, check, save", uploads))
    for label, timings in measured:
        timings.sort()
        print(
            f"{label:<28} p50 {statistics.median(timings) * 1000:7.1f} ms   "
            f"max {timings[-1] * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
