"""A report as a Word document (python-docx), for officers who edit in Word.

The same content as the PDF: headings, numbered paragraphs, tables with a header row
that repeats on each page, each chart given as its data table with a note, the
sign-off table and the implications.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt


class _Blocks(HTMLParser):
    """Cleaned narrative HTML (p, ul, ol, li, strong, em, a, br, h3, h4, blockquote,
    code) as a list of (kind, [(text, bold, italic)]) blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[tuple[str, bool, bool]]]] = []
        self.bold = 0
        self.italic = 0
        self.lists: list[list] = []  # [kind, counter]
        self.current: list[tuple[str, bool, bool]] | None = None
        self.kind = "p"
        self.href = None

    def _start(self, kind):
        self._flush()
        self.current, self.kind = [], kind

    def _flush(self):
        if self.current and "".join(t for t, _, _ in self.current).strip():
            self.blocks.append((self.kind, self.current))
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "blockquote") and not (self.lists and self.current is not None):
            self._start("quote" if tag == "blockquote" else "p")
        elif tag in ("h3", "h4"):
            self._start(tag)
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._start("li")
            if self.lists:
                self.lists[-1][1] += 1
                kind, n = self.lists[-1]
                self.current.append(("• " if kind == "ul" else f"{n}. ", False, False))
        elif tag == "strong":
            self.bold += 1
        elif tag == "em":
            self.italic += 1
        elif tag == "br" and self.current is not None:
            self.current.append(("\n", False, False))
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag in ("p", "h3", "h4", "li", "blockquote") and not (tag == "p" and self.kind == "li"):
            self._flush()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "strong":
            self.bold = max(0, self.bold - 1)
        elif tag == "em":
            self.italic = max(0, self.italic - 1)
        elif tag == "a":
            if self.href and self.current is not None and not self.href.startswith("mailto:"):
                self.current.append((f" ({self.href})", False, False))
            self.href = None

    def handle_data(self, data):
        if self.current is None:
            if not data.strip():
                return
            self._start("p")
        self.current.append((re.sub(r"\s+", " ", data), bool(self.bold), bool(self.italic)))

    def close(self):
        super().close()
        self._flush()


def _html_blocks(html: str):
    parser = _Blocks()
    parser.feed(str(html or ""))
    parser.close()
    return parser.blocks


def _runs(paragraph, runs):
    for text, bold, italic in runs:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None


def _numbered(doc, number: str, html: str) -> None:
    blocks = _html_blocks(html) or [("p", [("", False, False)])]
    for i, (kind, runs) in enumerate(blocks):
        if kind in ("h3", "h4"):
            doc.add_heading("".join(t for t, _, _ in runs).strip(), level=3 if kind == "h3" else 4)
            continue
        p = doc.add_paragraph(style="List Paragraph" if kind == "li" else None)
        if i == 0 and number:
            p.add_run(f"{number}\t")
            p.paragraph_format.left_indent = Pt(36)
            p.paragraph_format.first_line_indent = Pt(-36)
        elif number or kind == "li":
            p.paragraph_format.left_indent = Pt(36 if number else 18)
        _runs(p, runs)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(doc, table: dict) -> None:
    columns = table.get("columns") or []
    if not columns:
        return
    if table.get("caption"):
        cap = doc.add_paragraph(style="Caption")
        cap.add_run(table["caption"])
    numeric = set(table.get("numeric_cols") or [])
    t = doc.add_table(rows=1, cols=len(columns))
    t.style = "Table Grid"
    header = t.rows[0]
    _repeat_header(header)
    for i, col in enumerate(columns):
        cell = header.cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(col))
        run.bold = True
        if i in numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.get("rows") or []:
        cells = t.add_row().cells
        for i, value in enumerate(list(row)[: len(columns)]):
            cells[i].text = str(value)
            if i in numeric:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def report_docx(content: dict) -> bytes:
    """The report as a .docx file's bytes."""
    doc = Document()
    props = doc.core_properties
    props.title = content.get("title", "")
    props.author = content.get("council", "")
    props.subject = content.get("report_type", "")
    props.language = "en-GB"
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)

    doc.add_paragraph().add_run(content.get("council", "")).bold = True
    if content.get("committee"):
        doc.add_paragraph(f"{content['committee']}, {content.get('meeting_date', '')}".strip(", "))
    if content.get("item_number"):
        p = doc.add_paragraph()
        p.add_run(f"Item {content['item_number']}").bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if content.get("exempt"):
        doc.add_paragraph().add_run(
            f"Not for publication: {content.get('exempt_reason', '')}"
        ).bold = True
    doc.add_paragraph().add_run(content.get("report_of", "")).bold = True
    doc.add_heading(content.get("title", ""), level=1)
    doc.add_paragraph(f"Period: {content.get('period', '')}")

    for section in content.get("sections", []):
        doc.add_heading(section["heading"], level=2)
        if section.get("intro"):
            doc.add_paragraph(section["intro"])
        for block in section.get("blocks", []):
            kind = block.get("kind")
            if kind == "subheading":
                doc.add_heading(block["text"], level=3)
            elif kind in ("paragraph", "html"):
                _numbered(doc, block.get("number", ""), block.get("html", ""))
            elif kind == "table":
                if block.get("number"):
                    doc.add_paragraph(block["number"])
                _table(doc, block["table"])
            elif kind == "chart":
                chart = block["chart"]
                p = doc.add_paragraph()
                if block.get("number"):
                    p.add_run(f"{block['number']}\t")
                p.add_run(chart.get("title", "")).bold = True
                doc.add_paragraph(
                    "Chart: the Word version gives this chart's figures as a table; "
                    "the PDF shows the chart."
                ).runs[0].italic = True
                _table(doc, chart.get("table") or {})

    if content.get("signoff"):
        if content.get("signoff_intro"):
            doc.add_paragraph(content["signoff_intro"])
        _table(
            doc,
            {
                "caption": "Officers approving this report",
                "columns": ["Officer", "Name and date"],
                "rows": [[r["role"], r.get("name") or "\u2013"] for r in content["signoff"]],
            },
        )
    for c in content.get("contacts", []):
        p = doc.add_paragraph()
        p.add_run(f"{c['label']}: ").bold = True
        for _kind, runs in _html_blocks(c.get("html", "")):
            _runs(p, runs)
            p.add_run(" ")

    if content.get("implications"):
        doc.add_page_break()
        doc.add_heading(content.get("implications_title") or "Implications", level=2)
        for imp in content["implications"]:
            doc.add_heading(imp["heading"], level=3)
            for para in imp.get("paragraphs", []):
                _numbered(doc, para.get("number", ""), para.get("html", ""))

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
