"""A report's content: the JSON a report is rendered from (preview, PDF, Word).

`build()` gathers everything a report shows into plain JSON-serialisable data, so a
published report can freeze it (`PublishedVersion.content`) and be re-rendered byte for
byte later. Narrative comes from the officers' Markdown, rendered by `markdown_html()`
with raw HTML disabled and then cleaned by nh3, so nothing typed in a report is active.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from committee.skeletons import DERBY

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br", "h3", "h4", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable("image")  # an image would fetch a URL when rendered


def markdown_html(text: str) -> str:
    """Officer's Markdown as safe HTML: raw HTML shown as text, only harmless tags kept."""
    if not text or not text.strip():
        return ""
    rendered = _md.render(text)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def text_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs."""
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in _chunks(text))


def _chunks(text: str) -> list[str]:
    """Markdown split at blank lines: each chunk becomes one numbered paragraph."""
    text = (text or "").replace("\r\n", "\n")
    return [c for c in re.split(r"\n\s*\n", text) if c.strip()]


def period_label(year: int, quarter: int) -> str:
    base = f"{year - 1}/{str(year)[-2:]}"
    return f"{base}, quarter {quarter}" if quarter else base


def long_date(d) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}" if d else ""


def _heading(section: dict, skeleton: dict, count: int = 1) -> str:
    text = section.get("plural") if count > 1 and section.get("plural") else section["heading"]
    return text.upper() if skeleton.get("heading_case") == "upper" else text


def _lines(text: str) -> list[str]:
    out = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if line:
            out.append(line)
    return out


def _table(table: dict) -> dict:
    """A figures table, normalised: numeric as one boolean a column."""
    columns = [str(c) for c in table.get("columns", [])]
    numeric = table.get("numeric") or []
    if (
        isinstance(numeric, (list, tuple))
        and len(numeric) == len(columns)
        and all(isinstance(n, bool) for n in numeric)
    ):
        flags = list(numeric)
    else:
        wanted = set(numeric) if isinstance(numeric, (list, tuple, set)) else set()
        flags = [i in wanted or c in wanted for i, c in enumerate(columns)]
    rows = [["" if v is None else str(v) for v in row] for row in table.get("rows", [])]
    return {
        "id": str(table.get("id", "")),
        "caption": str(table.get("caption", "")),
        "columns": columns,
        "numeric": flags,
        "numeric_cols": [i for i, flag in enumerate(flags) if flag],
        "rows": rows,
    }


def build(report, *, item=None, data: dict | None = None) -> dict[str, Any]:
    """Everything the report shows, as JSON-serialisable data.

    `data` is `committee.figures.data_for(report)`'s result; when None it is fetched.
    """
    from committee.models import AgendaItem

    if item is None:
        item = (
            AgendaItem.objects.filter(report=report)
            .select_related("meeting__committee")
            .order_by("meeting__date", "number")
            .first()
        )
    if data is None:
        try:
            from committee import figures

            data = figures.data_for(report)
        except ImportError:
            data = {}
    data = data or {}
    skeleton = (report.template.skeleton if report.template_id else None) or DERBY
    decimal = bool(skeleton.get("paragraph_numbers"))

    recommendations = _lines(report.recommendations)
    sections = []
    running = 0  # Nottinghamshire's one sequence of paragraph numbers

    def number(section_no: int, para_no: int) -> str:
        nonlocal running
        if decimal:
            return f"{section_no}.{para_no}"
        running += 1
        return f"{running}."

    for s_index, section in enumerate(skeleton.get("sections", []), start=1):
        key = section["key"]
        blocks: list[dict] = []
        count = 0

        def add(kind: str, *, _blocks=blocks, _s=s_index, **payload) -> None:
            nonlocal count
            count += 1
            _blocks.append({"kind": kind, "number": number(_s, count), **payload})

        intro = ""
        if key == "recommendations":
            intro = skeleton.get("recommendations_intro", "")
            if decimal:
                for rec in recommendations:
                    add("paragraph", html=markdown_html(rec))
            else:
                for n, rec in enumerate(recommendations, start=1):
                    blocks.append(
                        {"kind": "paragraph", "number": f"{n})", "html": markdown_html(rec)}
                    )
        elif key == "implications":
            if skeleton.get("implications_intro"):
                add("paragraph", html=text_html(skeleton["implications_intro"]))
            for heading in skeleton.get("implications", []):
                text = (report.implications or {}).get(heading, "")
                if not text:
                    continue
                blocks.append({"kind": "subheading", "number": "", "text": heading})
                for chunk in _chunks(text):
                    add("paragraph", html=markdown_html(chunk))
        else:
            for chunk in _chunks(getattr(report, key, "") or ""):
                if chunk.lstrip().startswith("#"):
                    blocks.append({"kind": "html", "number": "", "html": markdown_html(chunk)})
                else:
                    add("paragraph", html=markdown_html(chunk))
            if section.get("figures"):
                tables = {str(t.get("id", "")): t for t in data.get("tables", [])}
                # A chart names its data table by id (or carries it): that table is shown
                # with the chart, not a second time on its own.
                with_charts = {
                    c["table"] for c in data.get("charts", []) if isinstance(c.get("table"), str)
                }
                for para in data.get("paragraphs", []):
                    add("paragraph", html=markdown_html(str(para)))
                for table_id, table in tables.items():
                    if table_id not in with_charts:
                        add("table", table=_table(table))
                for chart in data.get("charts", []):
                    table = chart.get("table") or {}
                    if isinstance(table, str):
                        table = tables.get(table, {})
                    add(
                        "chart",
                        chart={
                            "id": str(chart.get("id", "")),
                            "title": str(chart.get("title", "")),
                            "svg": str(chart.get("svg", "")),
                            "table": _table(table),
                        },
                    )
        if not blocks and key not in ("recommendations",):
            add("paragraph", html="<p>None.</p>")
        sections.append(
            {
                "key": key,
                "heading": _heading(section, skeleton, len(recommendations))
                if key in ("recommendations", "reasons")
                else _heading(section, skeleton),
                "intro": intro,
                "blocks": blocks,
            }
        )

    signoff = [
        {"role": role, "name": str((report.signoff or {}).get(role, "") or "")}
        for role in skeleton.get("signoff_roles", [])
    ]
    implications = []
    if skeleton.get("implications_placement", "appendix") == "appendix":
        for i, heading in enumerate(skeleton.get("implications", []), start=1):
            text = (report.implications or {}).get(heading, "") or "None arising from this report."
            paras = [
                {"number": f"{i}.{j}" if decimal else "", "html": markdown_html(chunk)}
                for j, chunk in enumerate(_chunks(text), start=1)
            ]
            implications.append({"heading": heading, "paragraphs": paras})

    officer = report.report_of
    fmt = skeleton.get("report_of", "Report of the {officer}")
    report_of = fmt.format(officer=officer)
    if fmt.replace("{officer}", "").strip().isupper():
        report_of = report_of.upper()

    meeting = item.meeting if item is not None else None
    labels = skeleton.get("contacts_labels", DERBY["contacts_labels"])
    return {
        "version": 1,
        "report_id": report.pk,
        "council": report.la.name,
        "service": settings.SERVICE_NAME,
        "committee": meeting.committee.name if meeting else "",
        "meeting_date": long_date(meeting.date) if meeting else "",
        "meeting_date_iso": meeting.date.isoformat() if meeting else "",
        "item_number": item.number if item is not None else None,
        "exempt": bool(item.exempt) if item is not None else False,
        "exempt_reason": item.exempt_reason if item is not None else "",
        "report_type": report.get_report_type_display(),
        "report_of": report_of,
        "officer": officer,
        "title": report.title,
        "period": period_label(report.year, report.quarter),
        "template": report.template.name if report.template_id else "",
        "paragraph_numbers": decimal,
        "sections": sections,
        "recommendations": recommendations,
        "signoff_intro": skeleton.get("signoff_intro", ""),
        "signoff": signoff,
        "contacts": [
            {"label": labels["contact"], "html": markdown_html(report.contact) or "<p>None</p>"},
            {
                "label": labels["background_papers"],
                "html": markdown_html(report.background_papers) or "<p>None</p>",
            },
            {
                "label": labels["appendices"],
                "html": markdown_html(report.appendices) or "<p>None</p>",
            },
        ],
        "implications_title": skeleton.get("implications_title", ""),
        "implications": implications,
        "status": report.status,
    }


def render_html(content: dict, *, mode: str = "preview", level: int = 1) -> str:
    """The report as HTML: "preview" (a fragment for a page inside base.html, no inline
    styles) or "print" (a whole HTML document for WeasyPrint)."""
    if mode not in ("preview", "print"):
        raise ValueError(f"unknown mode {mode!r}")
    context = {"doc": mark_content_safe(content), "mode": mode}
    if mode == "preview":
        return render_to_string("committee/doc_body.html", context)
    return render_to_string("committee/doc_print.html", context)


def mark_content_safe(content: dict) -> dict:
    """Content with its HTML fields (already cleaned by nh3, or our own charts' SVG)
    marked safe for the templates. Nothing else in it is trusted."""

    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and key == "html":
            # Re-clean: frozen content may come from an older version of this code.
            return mark_safe(  # noqa: S308 - cleaned by nh3 just now
                nh3.clean(
                    value,
                    tags=ALLOWED_TAGS,
                    attributes=ALLOWED_ATTRIBUTES,
                    url_schemes=URL_SCHEMES,
                    link_rel="noopener noreferrer",
                )
            )
        if isinstance(value, str) and key == "svg":
            return mark_safe(_safe_svg(value))  # noqa: S308 - checked below
        return value

    return walk(content)


# The only elements our charts use (performance.charts, the returns funnel): anything
# else, and any attribute that can link, load, script or style, refuses the whole chart.
_SVG_TAGS = {
    "svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "ellipse", "text",
    "tspan", "title", "desc", "defs", "clippath", "lineargradient", "stop",
}  # fmt: skip
_SVG_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][\w:-]*)")
_SVG_BAD = re.compile(
    r"\son\w+\s*=|\s(?:xlink:)?href\s*=|\sstyle\s*=|\ssrc\s*=|&#|javascript:|data:"
    r"|<!|<\?(?!xml)",
    re.I,
)


def _safe_svg(svg: str) -> str:
    """A chart's SVG if it holds only drawing (an allowlist of elements, no links, styles,
    scripts, entities or events), otherwise nothing: it goes into pages unescaped."""
    svg = svg.strip()
    if not svg.startswith("<svg") or _SVG_BAD.search(svg):
        return ""
    if any(tag.lower() not in _SVG_TAGS for tag in _SVG_TAG.findall(svg)):
        return ""
    return svg
