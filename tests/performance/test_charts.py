"""Server-rendered trend charts: valid, CSP-safe, accessible SVG. No database needed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from performance import charts
from performance.charts import assert_csp_safe, inline_safe_svg, summary, trend_svg

NS = {"svg": "http://www.w3.org/2000/svg"}

CLA = [
    ("2013/14", 446),
    ("2014/15", 470),
    ("2015/16", 512),
    ("2016/17", 530),
    ("2017/18", 561),
    ("2018/19", 590),
    ("2019/20", 611),
    ("2020/21", 642),
    ("2021/22", 627),
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind(".//svg:text", NS)]


def markers(root: ET.Element) -> list[ET.Element]:
    """The series' point markers: brand-filled symbols outlined in white."""
    return [
        p
        for p in root.iterfind(".//svg:path", NS)
        if p.get("fill") == charts.SERIES_COLOUR and p.get("stroke") == "white"
    ]


def reference_lines(root: ET.Element, colour: str) -> list[ET.Element]:
    return [
        line
        for line in root.iterfind(".//svg:line", NS)
        if line.get("stroke") == colour and line.get("stroke-dasharray")
    ]


@pytest.fixture(scope="module")
def cla_svg() -> str:
    return trend_svg(title="Children looked after", points=CLA, unit="count")


def test_output_is_valid_xml_and_embeddable_inline(cla_svg):
    root = parse(cla_svg)
    assert cla_svg.startswith("<svg ")
    assert "<?xml" not in cla_svg
    assert "ns0:" not in cla_svg
    assert "xmlns:xlink" not in cla_svg
    assert root.get("width") == "560"
    assert root.get("height") == "260"
    assert root.get("viewBox") == "0 0 560 260"
    assert root.get("preserveAspectRatio") == "xMidYMid meet"


def test_output_is_csp_safe(cla_svg):
    assert_csp_safe(cla_svg)
    root = parse(cla_svg)
    for element in root.iter():
        assert "style" not in element.attrib
        assert not [a for a in element.attrib if a.lower().startswith("on")]
        assert not element.tag.endswith(("}style", "}script", "}foreignObject", "}image"))
    assert "<style" not in cla_svg


def test_root_is_an_image_named_by_its_title_and_desc(cla_svg):
    root = parse(cla_svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root[0], root[1]
    assert title.tag.endswith("}title") and title.get("id") == title_id
    assert desc.tag.endswith("}desc") and desc.get("id") == desc_id
    assert title.text == "Children looked after"
    assert desc.text == "From 446 in 2013/14 to 627 in 2021/22; highest 642 in 2020/21."
    # One <title> and <desc> only, and no ARIA inside: role="img" covers the lot.
    assert len(root.findall(".//svg:title", NS)) == 1
    for element in root.iter():
        if element is not root:
            assert "role" not in element.attrib
            assert not [a for a in element.attrib if a.startswith("aria-")]


def test_period_labels_and_axis_values_are_real_text_in_the_site_font(cla_svg):
    root = parse(cla_svg)
    shown = texts(root)
    for label, _ in CLA:
        assert label in shown
    assert {"0", "100", "600", "700"} <= set(shown)  # y axis, zero-based, round top
    assert "Number" in shown
    for text in root.iterfind(".//svg:text", NS):
        assert text.get("font-family").startswith("Arial")
        assert text.get("font-size") == "12px"
    # vl-convert keeps SVG text as <text> (selectable, searchable), not outlined paths.
    assert not root.findall(".//svg:text/svg:path", NS)
    assert len(markers(root)) == len(CLA)


def test_ids_are_unique_per_chart_and_can_be_chosen():
    a = parse(trend_svg(title="A", points=CLA, unit="count"))
    b = parse(trend_svg(title="B", points=CLA, unit="count"))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")
    chosen = parse(trend_svg(title="A", points=CLA, unit="count", chart_id="cla-trend"))
    assert chosen.get("id") == "cla-trend"
    assert chosen.get("aria-labelledby") == "cla-trend-title cla-trend-desc"
    with pytest.raises(ValueError, match="chart_id"):
        trend_svg(title="A", points=CLA, unit="count", chart_id='x" onload="alert(1)')


def test_gaps_are_left_out_and_described():
    points = [("2018/19", 40.5), ("2019/20", None), ("2020/21", 52.0), ("2021/22", 61.25)]
    svg = trend_svg(title="Care leavers in education", points=points, unit="percent")
    assert_csp_safe(svg)
    root = parse(svg)
    assert len(markers(root)) == 3
    assert "2019/20" in texts(root)  # the period keeps its place on the axis
    assert root[1].text == ("From 40.5% in 2018/19 to 61.2% in 2021/22; no figure for 2019/20.")
    shown = texts(root)
    # The domain is not forced to 0-100%.
    assert shown[-8:] == ["0%", "10%", "20%", "30%", "40%", "50%", "60%", "70%"]


def test_percentages_never_run_past_100():
    svg = trend_svg(title="Stable", points=[("2020/21", 93.0), ("2021/22", 97.5)], unit="percent")
    shown = texts(parse(svg))
    assert "100%" in shown
    assert "120%" not in shown


def test_a_single_point():
    svg = trend_svg(title="SDQ", points=[("2021/22", 14.2)], unit="score")
    assert_csp_safe(svg)
    root = parse(svg)
    assert len(markers(root)) == 1
    assert "2021/22" in texts(root)
    assert root[1].text == "14.2 in 2021/22."


def test_all_missing_gives_a_no_data_chart():
    for points in ([("2020/21", None), ("2021/22", None)], []):
        svg = trend_svg(title="Missing", points=points, unit="count", target=10)
        assert_csp_safe(svg)
        root = parse(svg)
        assert root.get("role") == "img"
        assert texts(root) == ["No data for this chart"]
        assert root[0].text == "Missing"
        assert root[1].text.startswith("No data for this chart.")
        assert root.get("viewBox") == "0 0 560 260"


def test_not_a_number_is_a_gap():
    svg = trend_svg(title="Rate", points=[("2020/21", float("nan")), ("2021/22", 61)], unit="rate")
    assert parse(svg)[1].text == "61 in 2021/22; no figures for other periods."


def test_target_and_benchmark_lines_appear_when_given():
    svg = trend_svg(
        title="Children looked after",
        points=CLA,
        unit="count",
        target=600,
        benchmark=("England 2021/22", 580),
    )
    assert_csp_safe(svg)
    root = parse(svg)
    shown = texts(root)
    assert "Target" in shown
    assert "England 2021/22" in shown
    # Every layer shares the one y axis, ticks and all.
    assert [t for t in shown if t.isdigit()] == [str(n) for n in range(0, 701, 100)]
    (target,) = reference_lines(root, charts.TARGET_COLOUR)
    (benchmark,) = reference_lines(root, charts.BENCHMARK_COLOUR)
    assert target.get("stroke-dasharray") == "6,4"  # dashed
    assert benchmark.get("stroke-dasharray") == "2,3"  # dotted
    assert root[1].text == (
        "From 446 in 2013/14 to 627 in 2021/22; highest 642 in 2020/21. "
        "Target: 600. England 2021/22: 580."
    )


def test_no_reference_lines_unless_given(cla_svg):
    root = parse(cla_svg)
    assert "Target" not in texts(root)
    assert not reference_lines(root, charts.TARGET_COLOUR)
    assert not reference_lines(root, charts.BENCHMARK_COLOUR)


def test_close_reference_labels_are_pushed_apart():
    svg = trend_svg(
        title="Children looked after",
        points=CLA,
        unit="count",
        target=600,
        benchmark=("England 2021/22", 598),
    )
    root = parse(svg)
    positions = {}
    for text in root.iterfind(".//svg:text", NS):
        if text.text in ("Target", "England 2021/22"):
            y = float(text.get("transform").split(",")[1].rstrip(")"))
            positions[text.text] = y
    assert positions["England 2021/22"] - positions["Target"] >= charts.FONT_SIZE


@pytest.mark.parametrize(
    ("unit", "points", "expected"),
    [
        ("days", [("2020/21", 320), ("2021/22", 290)], "From 320 days in 2020/21"),
        ("rate", [("2020/21", 67.4), ("2021/22", 70.1)], "From 67 in 2020/21 to 70 in 2021/22."),
        ("score", [("2020/21", 13.96), ("2021/22", 14.2)], "From 14.0 in 2020/21"),
    ],
)
def test_every_unit_renders(unit, points, expected):
    svg = trend_svg(title="x", points=points, unit=unit)
    assert_csp_safe(svg)
    assert parse(svg)[1].text.startswith(expected)


def test_counts_have_whole_number_ticks():
    svg = trend_svg(title="Adoptions", points=[("2020/21", 2), ("2021/22", 3)], unit="count")
    numbers = [t for t in texts(parse(svg)) if t.replace(",", "").isdigit()]
    assert numbers == ["0", "1", "2", "3"]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unit"):
        trend_svg(title="x", points=CLA, unit="pounds")
    with pytest.raises(ValueError, match="unique"):
        trend_svg(title="x", points=[("2021/22", 1), ("2021/22", 2)], unit="count")


def test_summary_mentions_lowest_and_several_gaps():
    points = [("A", 5), ("B", None), ("C", 2), ("D", None), ("E", 9), ("F", 7)]
    assert summary(points, unit="count") == (
        "From 5 in A to 7 in F; highest 9 in E; lowest 2 in C; no figures for B and D."
    )


def test_style_attributes_become_presentation_attributes():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="200" height="100">'
        "<style>text { fill: red }</style>"
        '<script>alert(1)</script><defs><clipPath id="clip1"><rect width="5" height="5"/>'
        "</clipPath></defs>"
        '<g clip-path="url(#clip1)" class="mark" role="graphics-object" onclick="alert(1)">'
        '<text style="font-family: Arial, &quot;Liberation Sans&quot;; font-size: 11px;'
        ' fill: #000; cursor: pointer; mix-blend-mode: multiply" fill="red">1</text>'
        '<image xlink:href="https://example.com/x.png"/>'
        '<use xlink:href="#clip1"/><rect style="fill: url(https://evil.test/#x)"/>'
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
        "</g></svg>"
    )
    svg = inline_safe_svg(raw, title="T", description="D.", chart_id="c1")
    assert_csp_safe(svg)
    root = parse(svg)
    text = root.find(".//svg:text", NS)
    assert text.attrib == {
        "font-family": 'Arial, "Liberation Sans"',
        "font-size": "11px",
        "fill": "#000",  # the style won, as it does in CSS
    }
    assert root.find(".//svg:style", NS) is None
    assert root.find(".//svg:script", NS) is None
    assert root.find(".//svg:foreignObject", NS) is None
    assert root.find(".//svg:image", NS).get("href") is None
    assert root.find(".//svg:clipPath", NS).get("id") == "c1-clip1"
    group = root.find(".//svg:g", NS)
    assert group.attrib == {"clip-path": "url(#c1-clip1)"}
    assert root.find(".//svg:use", NS).get("href") == "#c1-clip1"
    assert root.find(".//svg:g/svg:rect", NS).get("fill") is None
    assert root.get("viewBox") == "0 0 200 100"


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg" style="fill: red"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>*{}</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="https://example.com/">x</a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        '<image x:href="https://example.com/x.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://e.test/#a)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">x</a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        "<svg><unclosed></svg>",
    ],
)
def test_assert_csp_safe_refuses_unsafe_svg(svg):
    with pytest.raises(ValueError):
        assert_csp_safe(svg)


def contrast(colour: str, background: str = "#ffffff") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_colours_meet_wcag_contrast_on_white():
    for graphic in (charts.SERIES_COLOUR, charts.TARGET_COLOUR, charts.BENCHMARK_COLOUR):
        assert contrast(graphic) >= 3  # WCAG 1.4.11 non-text contrast
    assert contrast(charts.TEXT_COLOUR) >= 4.5  # WCAG 1.4.3
    assert contrast(charts.AXIS_COLOUR) >= 3


def test_withheld_periods_are_described_as_withheld_not_missing():
    text = charts.summary(
        [("2019/20", 10.0), ("2020/21", None), ("2021/22", 12.0), ("2022/23", None)],
        unit="count",
        withheld=("2020/21",),
    )
    assert "no figure for 2022/23" in text
    assert "withheld to protect children's privacy for 2020/21" in text
