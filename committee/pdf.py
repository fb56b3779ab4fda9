"""Reports and meeting packs as tagged, accessible PDFs (PDF/UA-1) with WeasyPrint.

A report is laid out from `templates/committee/doc_print.html` with
`static/committee/print.css`: A4, a running header (committee and meeting date) and a
"Page X of Y" footer in @page margin boxes, tables with repeating header rows and
`<th scope>`, each chart an SVG with role="img" and a <title> (its /Alt text in the
PDF's structure tree) followed by its data table.

A meeting pack is one HTML document (front page and agenda, open actions, contents,
the reports) laid out once, so page numbers in the contents and footers run through
the whole pack. Each appended PDF (an `Appendix`) gets one empty placeholder page a
page of its own, so the numbering counts it; the appendix's pages are then drawn onto
those placeholders with pypdf, which keeps the pack's structure tree and bookmarks.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from committee.content import mark_content_safe, render_html

PDF_VARIANT = "pdf/ua-1"
CSS_PATH = Path(settings.BASE_DIR) / "static" / "committee" / "print.css"


class PackError(Exception):
    """A pack that can't be made, with a message fit to show an officer."""


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(CSS_PATH))


@lru_cache(maxsize=1)
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _document(html_text: str):
    from weasyprint import HTML

    return HTML(string=html_text, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet()],
        font_config=_font_config(),
        pdf_variant=PDF_VARIANT,
    )


def _write(document) -> bytes:
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def report_pdf(content: dict) -> bytes:
    """One report's PDF from its content (`committee.content.build`)."""
    return _write(_document(render_html(content, mode="print")))


def _latest_published(report):
    """The report's latest `PublishedVersion` (without its stored PDF), or None."""
    return report.published.defer("pdf").order_by("-number").first()


def _content_for(item) -> dict:
    """The frozen content of the item's report's latest published version, with the
    masthead (committee, date, item number, exemption) taken from this meeting's item.

    A pack holds only published reports: an item whose report was never published
    refuses the pack (`PackError`)."""
    from committee.content import long_date

    report = item.report
    version = _latest_published(report)
    if version is None:
        raise PackError(
            f"Item {item.number}'s report, “{report.title}”, isn't published yet: "
            "publish it or take it off the agenda before making the pack."
        )
    content = dict(version.content)
    meeting = item.meeting
    content.update(
        {
            "committee": meeting.committee.name,
            "meeting_date": long_date(meeting.date),
            "meeting_date_iso": meeting.date.isoformat(),
            "item_number": item.number,
            "exempt": bool(item.exempt),
            "exempt_reason": item.exempt_reason,
        }
    )
    return content


def _appendix_only(item) -> dict:
    """A heading page for an item with appendices but no report."""
    from committee.content import long_date

    meeting = item.meeting
    return {
        "council": meeting.committee.la.name,
        "committee": meeting.committee.name,
        "meeting_date": long_date(meeting.date),
        "item_number": item.number,
        "exempt": bool(item.exempt),
        "exempt_reason": item.exempt_reason,
        "title": item.title,
        "report_of": "",
        "period": "",
        "sections": [],
        "contacts": [],
    }


def unpublished_refusal(meeting, kind: str) -> str:
    """The refusal for the first item in a pack of this kind whose report was never
    published, or "" when every report in it has been."""
    for item in pack_items(meeting, kind):
        if item.report_id and not item.report.published.exists():
            try:
                _content_for(item)
            except PackError as error:
                return str(error)
    return ""


def pack_items(meeting, kind: str) -> list:
    """The agenda items that go in a pack of this kind: those with a report, and those
    without one that have appendices."""
    from django.db.models import Q

    items = (
        meeting.items.filter(Q(report__isnull=False) | Q(appendices__isnull=False))
        .distinct()
        .select_related("report__la", "report__template", "meeting__committee__la")
    )
    if kind == "public":
        items = items.filter(exempt=False)
    elif kind == "confidential":
        items = items.filter(exempt=True)
    else:
        raise ValueError(f"unknown pack kind {kind!r}")
    return list(items.order_by("number"))


def pack_pdf(
    meeting,
    kind: str,
    *,
    progress: Callable[[int, str], None] = lambda pct, step: None,
) -> tuple[bytes, int]:
    """A meeting's pack as one PDF, and its page count.

    Front page and agenda, open actions from earlier meetings of the committee,
    contents, then each item's report ("public": non-exempt items; "confidential":
    exempt ones) followed by its appended PDFs.
    """
    from pypdf import PdfReader, PdfWriter

    from committee.models import MeetingAction, PackKind

    items = pack_items(meeting, kind)
    if not any(i.report_id for i in items):
        raise PackError("This meeting has no reports to export.")
    progress(5, "Gathering the reports")
    contents = {i.pk: _content_for(i) for i in items if i.report_id}  # refuse before work

    entries = []
    appendix_pdfs: dict[str, list] = {}
    for n, item in enumerate(items, start=1):
        doc = mark_content_safe(contents[item.pk] if item.report_id else _appendix_only(item))
        appendices = []
        for appx in item.appendices.all():
            anchor = f"appendix-{appx.pk}"
            try:
                reader = PdfReader(io.BytesIO(bytes(appx.pdf)))
                pages = list(reader.pages)
            except Exception as exc:
                raise PackError(
                    f"The appendix “{appx.title}” to item {item.number} is not a PDF "
                    "that can be read. Upload it again as a PDF."
                ) from exc
            if not pages:
                continue
            appendix_pdfs[anchor] = pages
            appendices.append({"anchor": anchor, "title": appx.title, "pages": range(len(pages))})
        entries.append({"number": item.number, "doc": doc, "appendices": appendices})
        progress(5 + int(35 * n / len(items)), f"Prepared item {item.number}")

    in_pack = {i.pk for i in items}
    agenda = [
        {
            "number": i.number,
            "title": i.title,
            "exempt": i.exempt,
            "exempt_reason": i.exempt_reason,
            "report_title": (contents[i.pk].get("title") or i.report.title)
            if i.pk in contents
            else i.report.title
            if i.report_id
            else ("Appendices" if i.pk in in_pack else ""),
            "in_pack": i.pk in in_pack,
        }
        for i in meeting.items.select_related("report").order_by("number")
    ]
    actions = (
        MeetingAction.objects.filter(
            done_on__isnull=True,
            item__meeting__committee=meeting.committee,
            item__meeting__date__lt=meeting.date,
        )
        .select_related("item__meeting")
        .order_by("due_date", "pk")
    )
    if kind == "public":
        actions = actions.filter(item__exempt=False)
    date = f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}"
    kind_label = PackKind(kind).label
    html_text = render_to_string(
        "committee/doc_pack.html",
        {
            "title": f"{meeting.committee.name}, {date}: {kind_label}",
            "council": meeting.committee.la.name,
            "service": settings.SERVICE_NAME,
            "committee": meeting.committee.name,
            "date": date,
            "meeting": meeting,
            "kind_label": kind_label,
            "confidential": kind == "confidential",
            "agenda": agenda,
            "actions": list(actions),
            "entries": entries,
        },
    )
    progress(45, "Laying out the pages")
    document = _document(html_text)
    progress(80, "Writing the PDF")
    pdf = _write(document)
    if not appendix_pdfs:
        progress(100, "Done")
        return pdf, len(document.pages)

    progress(90, "Adding the appendices")
    # Which placeholder page shows which appendix page.
    targets: dict[int, object] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            base, _, suffix = anchor.partition("-p")
            if anchor.startswith("appendix-") and base in appendix_pdfs:
                number = int(suffix) - 1 if suffix.isdigit() else 0
                targets[index] = appendix_pdfs[base][number]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for index, source in targets.items():
        placeholder = writer.pages[index]
        placeholder.mediabox = source.mediabox
        placeholder.cropbox = source.mediabox
        placeholder.merge_page(source)
    out = io.BytesIO()
    writer.write(out)
    progress(100, "Done")
    return out.getvalue(), len(writer.pages)
