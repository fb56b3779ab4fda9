"""Committee documents: one report's PDF, and a meeting pack of about 100 pages, on
their own benchmark database (Derby's templates, one committee, a meeting of reports
with long tables).

Usage: make bench-pdf   (scripts/uv-run.sh python bench/pdf.py)
Targets: a report in under 2 s; a ~100-page pack in under 20 s (2 cores).
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time

from _db import machine, use_bench_database

ROUNDS = 5
REPORTS = 12
ROWS = 160  # rows in each report's long table

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="b-title" '
    'viewBox="0 0 560 260" width="560" height="260"><title id="b-title">Children in care '
    'per 10,000</title><polyline points="0,200 140,180 280,170 420,150 560,140" fill="none" '
    'stroke="#00625e" stroke-width="2"/></svg>'
)


def data(rows: int) -> dict:
    return {
        "paragraphs": ["At 31 March, 446 children were in care: 77 per 10,000 children."] * 3,
        "tables": [
            {
                "id": "long",
                "caption": "Placements by home",
                "columns": ["Home", "Children", "Weeks", "Cost (£)"],
                "rows": [
                    [f"Home {i}", str(i % 7), str(i % 52), f"{i * 1234:,}"] for i in range(rows)
                ],
                "numeric": [False, True, True, True],
            }
        ],
        "charts": [
            {
                "id": "c1",
                "title": "Children in care per 10,000",
                "svg": SVG,
                "table": {
                    "id": "c1d",
                    "caption": "Chart data",
                    "columns": ["Year", "Rate"],
                    "rows": [["2019/20", "82"], ["2023/24", "77"]],
                    "numeric": [False, True],
                },
            }
        ],
    }


def main() -> None:
    use_bench_database("cp_bench_pdf")
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)
    from committee import content, pdf
    from committee.models import AgendaItem, Committee, Meeting, Report
    from committee.skeletons import ensure_templates
    from corporate_parenting.models import LocalAuthority

    template = ensure_templates()["831"]
    la = LocalAuthority.objects.get(la_code="831")
    committee, _ = Committee.objects.get_or_create(la=la, name="Bench Corporate Parenting Board")
    Meeting.objects.filter(committee=committee).delete()
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2030, 1, 1))
    reports = []
    for n in range(REPORTS):
        report = Report.objects.create(
            la=la,
            template=template,
            report_type="cic_performance",
            title=f"Bench report {n + 1}",
            report_of="Strategic Director of Peoples Services",
            year=2024,
            summary="\n\n".join(["A paragraph of narrative about the figures."] * 4),
            recommendations="To note the report.",
            reasons="Members oversee performance.",
            supporting_information="The figures follow.",
        )
        AgendaItem.objects.create(meeting=meeting, number=n + 1, title=report.title, report=report)
        reports.append(report)

    # Figures are the other engineer's module; the bench fixes them so it times layout.
    long = data(ROWS)
    original = content.build
    pdf.build = lambda report, *, item=None, data=None: original(report, item=item, data=long)

    short = original(reports[0], data=data(10))
    pdf.report_pdf(short)  # warm up: fonts, stylesheet
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        out = pdf.report_pdf(short)
        times.append(time.perf_counter() - start)
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(out)).pages)
    print(machine())
    print(
        f"report PDF ({pages} pages): median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (target < 2 s)"
    )

    times = []
    for _ in range(2):
        start = time.perf_counter()
        _pack, pack_pages = pdf.pack_pdf(meeting, "public")
        times.append(time.perf_counter() - start)
    print(
        f"meeting pack ({REPORTS} reports, {pack_pages} pages): best {min(times):.2f} s, "
        f"worst {max(times):.2f} s (target < 20 s)"
    )
    Meeting.objects.filter(committee=committee).delete()
    Report.objects.filter(title__startswith="Bench report").delete()


if __name__ == "__main__":
    main()
