"""What reaches a report page unescaped: chart SVG is an allowlist of drawing only."""

from __future__ import annotations

import pytest

from committee.content import _safe_svg

CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 10 10">'
    "<title>Children in care</title><g><rect x='0' y='0' width='5' height='5' fill='#1d70b8'/>"
    "<text x='1' y='9'>627</text><line x1='0' x2='9' y1='1' y2='1'/></g></svg>"
)


def test_a_chart_that_only_draws_is_kept():
    assert _safe_svg(CHART) == CHART


@pytest.mark.parametrize(
    "svg",
    [
        '<svg><a href="&#106;avascript:alert(1)"><text>x</text></a></svg>',
        '<svg><animate attributeName="href" to="jav&#x61;script:alert(1)"/></svg>',
        '<svg><use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>',
        '<svg><text style="fill:red">1</text></svg>',
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="alert(1)"></svg>',
        "<svg><foreignObject><p>x</p></foreignObject></svg>",
        '<svg><image xlink:href="x.png"/></svg>',
        "<div>not a chart</div>",
    ],
)
def test_anything_that_links_scripts_or_styles_drops_the_chart(svg):
    assert _safe_svg(svg) == ""


@pytest.mark.django_db
def test_whoever_approved_a_report_cant_also_publish_it(derby):
    from committee import workflow
    from committee.models import PublishedVersion, ReportStatus
    from corporate_parenting.models import Role
    from tests.committee.test_meetings import make_report
    from tests.conftest import make_user

    clerk = make_user("derby.clerk2", role=Role.CLERK, can_approve_reports=True)
    report = make_report(derby)
    workflow.approve(report, clerk, report.version)
    with pytest.raises(workflow.WorkflowError, match="You approved this report"):
        workflow.publish(report, clerk, report.version, pdf=lambda content: b"%PDF-1.7")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert not PublishedVersion.objects.exists()


@pytest.mark.django_db
def test_a_chart_naming_its_table_by_id_is_built_with_it_once(derby):
    from committee import content
    from tests.committee.test_meetings import make_report

    table = {
        "id": "cla-trend",
        "caption": "Children in care",
        "columns": ["Year", "Children"],
        "rows": [["2020/21", "642"], ["2021/22", "627"]],
        "numeric": [False, True],
    }
    other = {**table, "id": "other", "caption": "Another table"}
    data = {
        "paragraphs": [],
        "tables": [table, other],
        "charts": [{"id": "c1", "title": "Children in care", "svg": CHART, "table": "cla-trend"}],
    }
    built = content.build(make_report(derby), data=data)
    blocks = [b for section in built["sections"] for b in section["blocks"]]
    charts = [b["chart"] for b in blocks if b.get("kind") == "chart"]
    tables = [b["table"]["id"] for b in blocks if b.get("kind") == "table"]
    assert charts[0]["table"]["rows"] == [["2020/21", "642"], ["2021/22", "627"]]
    assert tables == ["other"]  # the chart's own table isn't repeated on its own
    html = content.render_html(built, mode="preview")
    assert html.count("Children in care") >= 1 and "627" in html
