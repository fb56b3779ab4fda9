"""Inlined trend charts under the site's real Content-Security-Policy, in real Chromium.

No live server or database: Playwright fulfils requests for http://cp.test/ itself, with
the policy Django would send (built from settings.SECURE_CSP, nonce and all).
"""

from __future__ import annotations

from html import escape

import pytest
from django.conf import settings
from django.utils.csp import build_policy, generate_nonce
from playwright.sync_api import Page, Route

from performance.charts import trend_svg
from tests.browser.conftest import assert_accessible

ORIGIN = "http://cp.test"
# As frontend/src/_app-components.scss styles the dashboard's charts (served from 'self').
CHART_CSS = ".app-chart { margin: 0 0 30px; } .app-chart svg { max-width: 100%; height: auto; }"
# Runs before any page script, outside the page's CSP, and records every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI || "inline"}`);
});
"""

CLA = [
    ("2013/14", 446),
    ("2014/15", 470),
    ("2015/16", None),
    ("2016/17", 530),
    ("2017/18", 561),
    ("2018/19", 590),
    ("2019/20", 611),
    ("2020/21", 642),
    ("2021/22", 627),
]


def charts() -> list[str]:
    return [
        trend_svg(
            title="Children looked after",
            points=CLA,
            unit="count",
            target=600,
            benchmark=("England 2021/22", 580),
        ),
        trend_svg(
            title="Care leavers in education, employment or training",
            points=[(f"Q{q} 2021/22", 50 + 4 * q) for q in range(1, 5)],
            unit="percent",
            target=60,
        ),
        trend_svg(title="Missing episodes", points=[("2021/22", None)], unit="count"),
    ]


def serve(page: Page, svgs: list[str]) -> str:
    """Route http://cp.test/ to a page inlining ``svgs``; return the policy it is sent with."""
    nonce = generate_nonce()
    policy = build_policy(settings.SECURE_CSP, nonce)
    figures = "\n".join(
        f'<figure class="app-chart">{svg}<figcaption>Chart {n}</figcaption></figure>'
        for n, svg in enumerate(svgs, start=1)
    )
    html = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Charts</title>
<link rel="stylesheet" href="/chart.css">
<script nonce="{escape(nonce)}">document.documentElement.dataset.scripted = "yes";</script>
</head>
<body>
<main>
<h1>Trend charts</h1>
{figures}
</main>
</body>
</html>"""

    def handle(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(
                status=200,
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Content-Security-Policy": policy,
                },
                body=html,
            )
        elif path == "/chart.css":
            route.fulfill(status=200, content_type="text/css", body=CHART_CSS)
        else:
            route.fulfill(status=204, body="")

    page.route(f"{ORIGIN}/**", handle)
    page.add_init_script(RECORD_VIOLATIONS)
    return policy


def violations(page: Page) -> list[str]:
    # Violation events are queued tasks: let any that are pending arrive first.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 250))")
    return page.evaluate("() => window.__cspViolations")


def test_the_policy_is_the_projects_strict_one(page: Page):
    policy = serve(page, [])
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "script-src 'self' 'nonce-" in policy


def test_inlined_charts_cause_no_csp_violations_or_console_errors(page: Page, console):
    serve(page, charts())
    response = page.goto(f"{ORIGIN}/")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.wait_for_load_state("load")
    # The nonce'd script ran, so the policy is live rather than ignored.
    assert page.evaluate("() => document.documentElement.dataset.scripted") == "yes"
    # Also listen from the page itself now it has loaded.
    page.evaluate(
        """() => { window.__late = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__late.push(e)); }"""
    )

    assert violations(page) == []
    assert page.evaluate("() => window.__late.length") == 0
    assert console.errors == []
    assert page.evaluate("() => document.querySelectorAll('svg [style], svg[style]').length") == 0
    assert page.evaluate("() => document.querySelectorAll('svg style, svg script').length") == 0
    assert page.locator("svg.app-chart__svg").count() == 3
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert len(ids) == len(set(ids)), "ids must be unique across charts"


def test_charts_draw_their_text_and_are_accessible(page: Page, console):
    serve(page, charts())
    page.goto(f"{ORIGIN}/")
    chart = page.get_by_role("img", name="Children looked after")
    assert chart.count() == 1
    assert "highest 642 in 2020/21" in chart.evaluate(
        "(svg) => svg.querySelector('desc').textContent"
    )
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('svg.app-chart__svg text')]
            .map((t) => [t.textContent, t.getComputedTextLength()])"""
    )
    shown = [text for text, _ in drawn]
    for label in ("Target", "England 2021/22", "2013/14", "Q4 2021/22", "70%"):
        assert label in shown
    assert "No data for this chart" in shown
    assert all(width > 0 for _, width in drawn)
    assert_accessible(page)
    assert console.errors == []


def test_charts_scale_down_on_narrow_screens(page: Page):
    page.set_viewport_size({"width": 360, "height": 800})
    serve(page, charts())
    page.goto(f"{ORIGIN}/")
    box = page.locator("svg.app-chart__svg").first.bounding_box()
    assert box["width"] < 360
    assert box["height"] == pytest.approx(box["width"] * 260 / 560, abs=1)


def test_the_check_would_catch_an_inline_style(page: Page, console):
    """A control: an SVG with a style attribute is blocked and reported."""
    unsafe = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" role="img" '
        'aria-label="Unsafe"><rect width="10" height="10" style="fill: red"/></svg>'
    )
    serve(page, [unsafe])
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert any(v.startswith("style-src") for v in violations(page))
    assert console.csp_errors
