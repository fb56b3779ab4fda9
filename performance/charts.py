"""Server-rendered SVG trend charts, safe to inline under the site's strict CSP.

Charts are specified with Altair and rendered to SVG by vl-convert (Vega-Lite running in
an embedded JavaScript engine: no browser, no network). The SVG is then rewritten with
ElementTree so that it can be inlined into HTML pages and WeasyPrint PDFs served with
``style-src 'self'`` (no ``'unsafe-inline'``):

* ``style="..."`` attributes become SVG presentation attributes (``fill="..."``), which
  CSP does not govern; ``<style>``, ``<script>``, ``<foreignObject>``, animation
  elements, ``on*`` handlers and non-fragment ``href``s are removed;
* ids are prefixed with the chart id, so several charts can share a page;
* the root gets ``role="img"`` and ``aria-labelledby`` naming a ``<title>`` and a
  ``<desc>`` (a plain-English summary of the trend), plus a ``viewBox`` so it scales.

Rendering one chart takes about 100-120 ms (Altair ~20-35 ms, vl-convert ~70-100 ms,
rewriting ~3 ms); the first in a process also imports Altair (~1.4 s, so it is imported
lazily) and starts vl-convert's JavaScript engine (~0.8 s). Results are cached in-process
(512 charts), so a chart is drawn once per process per distinct input.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import vl_convert

from performance import presentation

__all__ = [
    "BENCHMARK_COLOUR",
    "FONT_FAMILY",
    "SERIES_COLOUR",
    "TARGET_COLOUR",
    "TEXT_COLOUR",
    "assert_csp_safe",
    "inline_safe_svg",
    "summary",
    "trend_svg",
]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# The site's font stack (GOV.UK Frontend outside gov.uk). Liberation Sans is metrically
# identical to Arial, so vl-convert's text measurement matches what browsers draw.
FONT_FAMILY = 'Arial, "Liberation Sans", Helvetica, sans-serif'
FONT_SIZE = 12

# Contrast against white (WCAG 1.4.11 needs 3:1 for graphics, 1.4.3 4.5:1 for text).
SERIES_COLOUR = "#00625e"  # council brand, 7.2:1
TARGET_COLOUR = "#505a5f"  # 7.0:1, dashed
BENCHMARK_COLOUR = "#6f777b"  # 4.6:1, dotted
TEXT_COLOUR = "#0b0c0c"  # 19.5:1
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#cecece"  # decorative only: values are read from the labelled axis

UNITS = ("count", "rate", "percent", "days", "score")
_Y_TITLES = {"count": "Number", "rate": "Rate", "percent": None, "days": "Days", "score": "Score"}
NO_DATA_TEXT = "No data for this chart"

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

# SVG presentation attributes: what a style="" declaration may become. Anything else
# (transform, cursor, mix-blend-mode, ...) is dropped.
_PRESENTATION_ATTRIBUTES = frozenset(
    [
        "alignment-baseline",
        "baseline-shift",
        "clip",
        "clip-path",
        "clip-rule",
        "color",
        "color-interpolation",
        "color-interpolation-filters",
        "color-rendering",
        "direction",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "filter",
        "flood-color",
        "flood-opacity",
        "font-family",
        "font-size",
        "font-size-adjust",
        "font-stretch",
        "font-style",
        "font-variant",
        "font-weight",
        "image-rendering",
        "letter-spacing",
        "lighting-color",
        "marker-end",
        "marker-mid",
        "marker-start",
        "mask",
        "opacity",
        "overflow",
        "paint-order",
        "pointer-events",
        "shape-rendering",
        "stop-color",
        "stop-opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "text-rendering",
        "unicode-bidi",
        "vector-effect",
        "visibility",
        "word-spacing",
        "writing-mode",
    ]
)
# Elements that run code, carry CSS, pull in other documents or change attributes later.
_FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "style",
        "foreignObject",
        "iframe",
        "object",
        "embed",
        "animate",
        "animateMotion",
        "animateTransform",
        "set",
        "discard",
        "handler",
        "listener",
    }
)
_HREF_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
_DECLARATION_RE = re.compile(
    r"""\s*([-a-zA-Z]+)\s*:\s*((?:"[^"]*"|'[^']*'|[^;"'])*)\s*(?:;|$)""",
)
_URL_RE = re.compile(r"url\(\s*['\"]?([^)'\"]*)['\"]?\s*\)", re.IGNORECASE)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def trend_svg(
    *,
    title: str,
    points: list[tuple[str, float | None]],
    unit: str,
    target: float | None = None,
    benchmark: tuple[str, float] | None = None,
    width: int = 560,
    height: int = 260,
    chart_id: str | None = None,
    withheld: tuple[str, ...] = (),
) -> str:
    """An inline-safe SVG line chart of ``points`` (period label, value or None for a gap).

    ``target`` draws a dashed line labelled "Target"; ``benchmark`` (label, value) a dotted
    one labelled with its label, e.g. ("England 2021/22", 580.0). The SVG is exactly
    ``width`` by ``height`` CSS pixels and scales with its viewBox. ``chart_id`` prefixes
    every id in the SVG; by default it is derived from the inputs, so pass one if the same
    chart can appear twice on a page.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if width < 120 or height < 80:
        raise ValueError("a chart needs at least 120 x 80 pixels")
    clean = tuple((str(label), _finite(value)) for label, value in points)
    labels = [label for label, _ in clean]
    if len(set(labels)) != len(labels):
        raise ValueError("period labels must be unique")
    target = _finite(target)
    if benchmark is not None:
        bench_value = _finite(benchmark[1])
        benchmark = None if bench_value is None else (str(benchmark[0]), bench_value)
    if chart_id is None:
        key = json.dumps([title, clean, unit, target, benchmark, width, height])
        chart_id = "chart-" + hashlib.sha256(key.encode()).hexdigest()[:10]
    elif not _ID_RE.match(chart_id):
        raise ValueError("chart_id must start with a letter and use only letters, digits, - or _")
    withheld = tuple(label for label in labels if label in set(withheld))
    return _render(title, clean, unit, target, benchmark, width, height, chart_id, withheld)


def assert_csp_safe(svg: str) -> None:
    """Raise ValueError unless ``svg`` is well-formed and needs nothing a strict CSP forbids.

    Rejects style attributes and elements, scripts and other active or embedding
    elements, ``on*`` event handler attributes, and any reference (href or ``url()``) that
    is not a fragment within the same document.
    """
    try:
        root = ET.fromstring(svg)  # noqa: S314 - our own output, see module docstring
    except ET.ParseError as exc:
        raise ValueError(f"SVG is not well-formed XML: {exc}") from exc
    if "<!DOCTYPE" in svg or "<!ENTITY" in svg:
        raise ValueError("SVG must not carry a DOCTYPE or entity declarations")
    if "<?xml-stylesheet" in svg:
        raise ValueError("SVG must not reference a stylesheet")
    for element in root.iter():
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS:
            raise ValueError(f"SVG contains a <{name}> element")
        if element.tag.startswith("{") and not element.tag.startswith(f"{{{SVG_NS}}}"):
            raise ValueError(f"SVG contains a foreign element {element.tag}")
        for attribute, value in element.attrib.items():
            local = _local(attribute)
            if local == "style":
                raise ValueError(f"<{name}> has a style attribute")
            if local.lower().startswith("on"):
                raise ValueError(f"<{name}> has an event handler attribute {local}")
            if attribute in _HREF_ATTRIBUTES and not value.strip().startswith("#"):
                raise ValueError(f"<{name}> refers to an external resource {value!r}")
            if "javascript:" in value.lower():
                raise ValueError(f"<{name}> has a javascript: URL")
            for url in _URL_RE.findall(value):
                if not url.strip().startswith("#"):
                    raise ValueError(f"<{name}> refers to an external resource {url!r}")


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _render(
    title: str,
    points: tuple[tuple[str, float | None], ...],
    unit: str,
    target: float | None,
    benchmark: tuple[str, float] | None,
    width: int,
    height: int,
    chart_id: str,
    withheld: tuple[str, ...] = (),
) -> str:
    description = summary(points, unit=unit, target=target, benchmark=benchmark, withheld=withheld)
    if all(value is None for _, value in points):
        root = _no_data_root(width, height)
        svg = _finish(root, title=title, description=description, chart_id=chart_id)
        assert_csp_safe(svg)
        return svg
    spec = _spec(points, unit, target, benchmark, width, height)
    # allowed_base_urls=[]: the spec carries its data inline; nothing may be fetched.
    raw = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return inline_safe_svg(raw, title=title, description=description, chart_id=chart_id)


def _spec(
    points: tuple[tuple[str, float | None], ...],
    unit: str,
    target: float | None,
    benchmark: tuple[str, float] | None,
    width: int,
    height: int,
) -> dict:
    import altair as alt  # here, not at the top: importing Altair takes over a second

    labels = [label for label, _ in points]
    values = [value for _, value in points if value is not None]
    references: list[tuple[str, float, str, list[float]]] = []
    if target is not None:
        references.append(("Target", target, TARGET_COLOUR, [6, 4]))
    if benchmark is not None:
        references.append((benchmark[0], benchmark[1], BENCHMARK_COLOUR, [2, 3]))

    ticks = _y_ticks([*values, *(r[1] for r in references)], unit)
    low, high = ticks[0], ticks[-1]
    # Room on the right for the reference lines' labels; the rest is an estimate of the
    # plot area (vl-convert fits axes and labels into width x height exactly).
    label_room = max((_text_width(r[0]) + 6 for r in references), default=0)
    plot_width = max(width - 70 - label_room, 40)
    plot_height = max(height - 60, 20)
    widest = max(_text_width(label) for label in labels)
    fits_flat = widest + 6 <= plot_width / max(len(labels), 1)

    x = alt.X(
        "period:O",
        sort=None,
        scale=alt.Scale(domain=labels),
        axis=alt.Axis(title=None, labelAngle=0 if fits_flat else -45),
    )
    y_axis = alt.Axis(title=_Y_TITLES[unit], values=ticks)
    if unit == "percent":
        y_axis.labelExpr = "format(datum.value, ',~f') + '%'"
    else:
        y_axis.format = ",~f"
    y_scale = alt.Scale(domain=[low, high], nice=False)

    # Charts are built from Altair's classes directly: the chained API (.encode(),
    # .configure_*()) deep-copies and validates at each step, which costs ~90 ms a chart.
    layers = []
    # Reference lines go underneath the series. When two are close, nudge their labels
    # apart: the higher one up, the lower one down.
    close = len(references) == 2 and (
        abs(references[0][1] - references[1][1]) * plot_height / (high - low) < FONT_SIZE + 2
    )
    for index, (label, value, colour, dash) in enumerate(references):
        nudge = 0
        if close:
            other = references[1 - index][1]
            is_higher = value > other or (value == other and index == 0)
            nudge = -(FONT_SIZE // 2 + 1) if is_higher else FONT_SIZE // 2 + 1
        data = alt.Data(values=[{"value": value, "label": label}])
        ref_y = alt.Y("value:Q", scale=y_scale, axis=y_axis)  # layers share one axis
        layers.append(
            alt.Chart(
                data=data,
                mark=alt.MarkDef(type="rule", color=colour, strokeDash=dash, strokeWidth=2),
                encoding=alt.FacetedEncoding(y=ref_y),
            )
        )
        layers.append(
            alt.Chart(
                data=data,
                mark=alt.MarkDef(
                    type="text",
                    align="left",
                    baseline="middle",
                    dx=4,
                    dy=nudge,
                    color=TEXT_COLOUR,
                    fontSize=FONT_SIZE,
                ),
                encoding=alt.FacetedEncoding(
                    y=ref_y, x=alt.XValue("width"), text=alt.Text("label:N")
                ),
            )
        )

    series = alt.Data(values=[{"period": label, "value": value} for label, value in points])
    layers.append(
        alt.Chart(
            data=series,
            mark=alt.MarkDef(
                type="line",
                color=SERIES_COLOUR,
                strokeWidth=2.5,
                point=alt.OverlayMarkDef(
                    filled=True, color=SERIES_COLOUR, size=45, stroke="white", strokeWidth=1
                ),
            ),
            encoding=alt.FacetedEncoding(x=x, y=alt.Y("value:Q", scale=y_scale, axis=y_axis)),
        )
    )

    axis = alt.AxisConfig(
        labelFont=FONT_FAMILY,
        titleFont=FONT_FAMILY,
        labelFontSize=FONT_SIZE,
        titleFontSize=FONT_SIZE,
        titleFontWeight="normal",
        labelColor=TEXT_COLOUR,
        titleColor=TEXT_COLOUR,
        domainColor=AXIS_COLOUR,
        tickColor=AXIS_COLOUR,
        gridColor=GRID_COLOUR,
    )
    chart = alt.LayerChart(
        layer=layers,
        width=width,
        height=height,
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        padding=8,
        background="white",
        config=alt.Config(
            font=FONT_FAMILY,
            aria=False,  # role="img" on the root; the <desc> carries the content
            view=alt.ViewConfig(stroke=None),
            axis=axis,
            axisX=alt.AxisConfig(grid=False),
            text=alt.MarkConfig(font=FONT_FAMILY),
        ),
    )
    return chart.to_dict(validate=False)


def _y_ticks(values: list[float], unit: str) -> list[float]:
    """Round tick values for a zero-based y axis (steps of 1, 2 or 5 times a power of ten,
    about five of them, as d3 chooses); the domain runs from the first to the last."""
    high = max(0.0, *values)
    low = min(0.0, *values)
    if high == low:
        return [low, low + 1.0]
    step = _tick_step(high - low)
    if unit in ("count", "days"):
        step = max(step, 1.0)
    first = math.floor(low / step)
    last = math.ceil(high / step)
    if unit == "percent" and high <= 100 < last * step:
        last = math.floor(100 / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _tick_step(span: float, count: int = 5) -> float:
    """d3.tickIncrement: 1, 2 or 5 times a power of ten, closest to span / count."""
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    error = raw / magnitude
    if error >= math.sqrt(50):
        return 10 * magnitude
    if error >= math.sqrt(10):
        return 5 * magnitude
    if error >= math.sqrt(2):
        return 2 * magnitude
    return magnitude


_NARROW = frozenset(" ./,:;!|'()-fijlrt")


def _text_width(text: str, size: int = FONT_SIZE) -> float:
    """Roughly how wide Arial draws ``text``: 0.28 em for narrow glyphs, 0.56 for digits and
    most lower case, 0.7 for capitals. Used only to decide whether to angle the labels."""
    ems = sum(0.28 if ch in _NARROW else 0.7 if ch.isupper() or ch in "mw" else 0.56 for ch in text)
    return ems * size


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------
# The text alternative
# ---------------------------------------------------------------------------


def format_value(value: float, unit: str) -> str:
    """As performance.presentation formats figures, with "days" spelt out."""
    return presentation.format_value(value, unit, days_word=True)


def summary(
    points: tuple[tuple[str, float | None], ...] | list[tuple[str, float | None]],
    *,
    unit: str,
    target: float | None = None,
    benchmark: tuple[str, float] | None = None,
    withheld: tuple[str, ...] = (),
) -> str:
    """A plain-English text alternative: first and last figures, extremes, gaps, lines.

    Periods in ``withheld`` are gaps because a small number was withheld, and say so.

    e.g. "From 446 in 2013/14 to 627 in 2021/22; highest 642 in 2020/21."
    """
    present = [(label, value) for label, value in points if value is not None]
    missing = [label for label, value in points if value is None and label not in withheld]
    hidden = [label for label, value in points if value is None and label in withheld]
    if not present:
        return f"{NO_DATA_TEXT}."

    def at(label: str, value: float) -> str:
        return f"{format_value(value, unit)} in {label}"

    if len(present) == 1:
        text = at(*present[0])
        if missing:
            text += "; no figures for other periods"
    else:
        text = f"From {at(*present[0])} to {at(*present[-1])}"
        values = [value for _, value in present]
        high = values.index(max(values))
        low = values.index(min(values))
        last = len(values) - 1
        if high not in (0, last) and values[high] not in (values[0], values[-1]):
            text += f"; highest {at(*present[high])}"
        if low not in (0, last) and values[low] not in (values[0], values[-1]):
            text += f"; lowest {at(*present[low])}"
        if missing:
            noun = "figure" if len(missing) == 1 else "figures"
            text += f"; no {noun} for {_and(missing)}"
    if hidden:
        text += f"; withheld to protect children's privacy for {_and(hidden)}"
    text += "."
    if target is not None:
        text += f" Target: {format_value(target, unit)}."
    if benchmark is not None:
        text += f" {benchmark[0]}: {format_value(benchmark[1], unit)}."
    return text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------
# Making the SVG safe to inline
# ---------------------------------------------------------------------------


def _no_data_root(width: int, height: int) -> ET.Element:
    root = ET.Element("svg", {"width": str(width), "height": str(height)})
    ET.SubElement(
        root,
        "rect",
        {
            "x": "0.5",
            "y": "0.5",
            "width": str(width - 1),
            "height": str(height - 1),
            "fill": "white",
            "stroke": GRID_COLOUR,
        },
    )
    text = ET.SubElement(
        root,
        "text",
        {
            "x": str(width / 2),
            "y": str(height / 2),
            "text-anchor": "middle",
            "dominant-baseline": "middle",
            "font-family": FONT_FAMILY,
            "font-size": f"{FONT_SIZE + 2}px",
            "fill": TEXT_COLOUR,
        },
    )
    text.text = NO_DATA_TEXT
    return root


def inline_safe_svg(svg: str, *, title: str, description: str, chart_id: str) -> str:
    """Rewrite an SVG document (e.g. vl-convert's) into CSP-safe, accessible inline markup.

    Style attributes become presentation attributes; active, embedding and styling
    elements, event handlers, classes, inner ARIA and external references go; ids are
    prefixed with ``chart_id``; the root gets role="img", a <title> and a <desc>.
    """
    if not _ID_RE.match(chart_id):
        raise ValueError("chart_id must start with a letter and use only letters, digits, - or _")
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert's output, or our own
    if _local(root.tag) != "svg":
        raise ValueError("not an SVG document")
    result = _finish(root, title=title, description=description, chart_id=chart_id)
    assert_csp_safe(result)
    return result


def _finish(root: ET.Element, *, title: str, description: str, chart_id: str) -> str:
    _sanitise(root, chart_id)

    width = root.get("width")
    height = root.get("height")
    view_box = root.get("viewBox")
    if not (width and height) and view_box:
        width, height = view_box.split()[2:]
    attributes = {
        "xmlns": SVG_NS,
        "width": width,
        "height": height,
        "viewBox": view_box or f"0 0 {_number(width)} {_number(height)}",
        "preserveAspectRatio": "xMidYMid meet",
        "role": "img",
        "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
        "class": "app-chart__svg",  # inside the dashboard's <figure class="app-chart">
        "id": chart_id,
    }
    root.attrib.clear()
    root.attrib.update({k: v for k, v in attributes.items() if v is not None})

    title_element = ET.Element("title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")


def _sanitise(root: ET.Element, chart_id: str) -> None:
    # Our <title> and <desc> replace any the SVG had.
    for child in list(root):
        if isinstance(child.tag, str) and _local(child.tag) in ("title", "desc"):
            root.remove(child)
    # Drop everything outside SVG, and SVG elements that are active or embed.
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str):  # comments, processing instructions
                parent.remove(child)
                continue
            foreign = child.tag.startswith("{") and not child.tag.startswith(f"{{{SVG_NS}}}")
            if foreign or _local(child.tag) in _FORBIDDEN_ELEMENTS:
                parent.remove(child)

    ids: dict[str, str] = {}
    for element in root.iter():
        element.tag = _local(element.tag)
        attributes = dict(element.attrib)
        element.attrib.clear()
        style = attributes.pop("style", "")
        for name, value in attributes.items():
            if name in _HREF_ATTRIBUTES:
                if value.strip().startswith("#"):
                    element.set("href", value.strip())
                continue
            if name == f"{{{XML_NS}}}space":
                element.set(name, value)
                continue
            if name.startswith("{") or name.lower().startswith("on"):
                continue
            if name == "class" or name.startswith("aria-") or name == "role":
                continue  # role="img" on the root makes the inside presentational
            if not _safe_urls(value):
                continue
            if name == "id":
                ids[value] = f"{chart_id}-{value}"
            element.set(name, value)
        # Inline style wins over presentation attributes in the cascade, so it overrides.
        for name, value in _declarations(style):
            element.set(name, value)

    if ids:  # prefix ids and everything that points at them
        for element in root.iter():
            for name, value in element.attrib.items():
                if name == "id":
                    element.set(name, ids.get(value, value))
                elif name == "href" and value[1:] in ids:
                    element.set(name, "#" + ids[value[1:]])
                elif "url(" in value:
                    element.set(
                        name,
                        _URL_RE.sub(lambda m: f"url(#{ids.get(m[1][1:], m[1][1:])})", value),
                    )


def _declarations(style: str) -> list[tuple[str, str]]:
    """CSS declarations from a style attribute that are SVG presentation attributes."""
    kept = []
    for name, value in _DECLARATION_RE.findall(style):
        name = name.lower()
        value = re.sub(r"\s*!important\s*$", "", value.strip(), flags=re.IGNORECASE)
        if name in _PRESENTATION_ATTRIBUTES and value and _safe_urls(value):
            kept.append((name, value))
    return kept


def _safe_urls(value: str) -> bool:
    if "javascript:" in value.lower():
        return False
    return all(url.strip().startswith("#") for url in _URL_RE.findall(value))


def _number(length: str | None) -> str:
    """The number in an SVG length ("560", "560px"); percentages etc. have none."""
    match = re.match(r"^\s*([0-9.]+)(px)?\s*$", length or "")
    if not match:
        raise ValueError(f"the SVG needs a viewBox or pixel width and height, not {length!r}")
    return match[1]


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
