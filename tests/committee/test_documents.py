"""A report's content, its HTML, PDF and Word versions, and the meeting pack."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from committee import content as content_mod
from committee.docx import report_docx
from committee.models import (
    AgendaItem,
    Appendix,
    Committee,
    Meeting,
    MeetingAction,
    MeetingPack,
    Report,
)
from committee.pdf import pack_pdf, report_pdf
from committee.skeletons import ensure_templates
from committee.tasks import make_pack
from corporate_parenting.models import LocalAuthority

pytestmark = pytest.mark.django_db

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="c1-title c1-desc" '
    'viewBox="0 0 200 80" width="200" height="80"><title id="c1-title">Children in care '
    'per 10,000, 2019/20 to 2023/24</title><desc id="c1-desc">Falling from 82 to 77.</desc>'
    '<polyline points="0,10 50,20 100,30 150,35 200,40" fill="none" stroke="#00625e"/></svg>'
)

DATA = {
    "paragraphs": ["At 31 March 2024, 446 children were in care: 77 per 10,000 children."],
    "tables": [
        {
            "id": "cic",
            "caption": "Children in care at 31 March",
            "columns": ["Year", "Children", "Rate per 10,000"],
            "rows": [["2022/23", "465", "80"], ["2023/24", "446", "77"]],
            "numeric": [False, True, True],
        }
    ],
    "charts": [
        {
            "id": "c1",
            "title": "Children in care per 10,000",
            "svg": SVG,
            "table": {
                "id": "c1-data",
                "caption": "Children in care per 10,000 (chart data)",
                "columns": ["Year", "Rate"],
                "rows": [["2019/20", "82"], ["2023/24", "77"]],
                "numeric": [False, True],
            },
        }
    ],
}


@pytest.fixture
def derby():
    templates = ensure_templates()
    la = LocalAuthority.objects.get(la_code="831")
    committee = Committee.objects.create(la=la, name="Corporate Parenting Sub-Board")
    return la, committee, templates["831"]


def make_report(la, template, title="Children in Care: Performance Update", **kw):
    fields = {
        "report_type": "cic_performance",
        "report_of": "Strategic Director of Children and Young People's Services",
        "year": 2024,
        "quarter": 0,
        "summary": "At the end of March there were **446** children in care.\n\nA second point.",
        "recommendations": "To note the report.\nTo receive the presentation at the meeting.",
        "reasons": "Members need performance information to challenge services.",
        "supporting_information": "The figures follow.",
        "other_options": "None.",
        "contact": "Sarah Walker, 01332 643466",
        "implications": {"Legal": "Information on legal status is in the presentation."},
        "signoff": {"Legal officer": "Andrew Bunyan"},
    }
    fields.update(kw)
    return Report.objects.create(la=la, template=template, title=title, **fields)


def publish(report, *, data=None, **overrides):
    """A published version of the report as it is now (content only; the PDF is a stub)."""
    import hashlib

    from committee.models import PublishedVersion

    content = content_mod.build(report, data=data)
    content.update(overrides)
    pdf = b"%PDF-1.7 stub"
    number = report.published.count() + 1
    report.status = "published"
    report.save(update_fields=["status"])
    return PublishedVersion.objects.create(
        report=report,
        number=number,
        content=content,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def struct_elements(reader: PdfReader) -> list:
    out = []

    def walk(node, depth=0):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for k in node:
                walk(k, depth)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            out.append(node)
        kids = node.get("/K")
        if kids is not None:
            walk(kids, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def test_ensure_templates_is_idempotent(derby):
    from committee.models import ReportTemplate

    ensure_templates()
    ensure_templates()
    assert ReportTemplate.objects.filter(la__la_code__in=["831", "891"]).count() == 2


def test_markdown_injection_is_inert():
    html = content_mod.markdown_html(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[x](javascript:alert(3)) [ok](https://example.org) **bold**"
    )
    assert "<script" not in html and "<img" not in html
    assert "onerror=" not in html.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    assert 'href="javascript' not in html.lower()
    assert 'href="https://example.org"' in html and "<strong>bold</strong>" in html


def test_content_and_preview(derby):
    la, committee, template = derby
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    report = make_report(la, template, summary="Hello <script>alert(1)</script>")
    AgendaItem.objects.create(meeting=meeting, number=6, title="Performance", report=report)
    content = content_mod.build(report, data=DATA)
    import json

    json.dumps(content)
    assert content["item_number"] == 6
    assert content["report_of"].startswith("Report of the Strategic Director")
    headings = [s["heading"] for s in content["sections"]]
    assert headings[:2] == ["SUMMARY", "RECOMMENDATIONS"]
    assert content["sections"][0]["blocks"][0]["number"] == "1.1"
    html = content_mod.render_html(content, mode="preview")
    assert "<script>" not in html and "style=" not in html
    assert 'scope="col"' in html and "Children in care per 10,000" in html


def test_nottinghamshire_numbering():
    templates = ensure_templates()
    la = LocalAuthority.objects.get(la_code="891")
    report = make_report(la, templates["891"])
    content = content_mod.build(report, data=DATA)
    assert content["sections"][0]["heading"] == "Purpose of the Report"
    numbers = [b["number"] for s in content["sections"][:2] for b in s["blocks"]]
    assert numbers[:3] == ["1.", "2.", "3."]
    assert content["report_of"].startswith("REPORT OF THE STRATEGIC")


def test_report_pdf_text_structure_and_metadata(derby):
    la, committee, template = derby
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    report = make_report(la, template)
    AgendaItem.objects.create(meeting=meeting, number=6, title="Performance", report=report)
    pdf = report_pdf(content_mod.build(report, data=DATA))
    text = pdf_text(pdf)
    for words in ["SUMMARY", "RECOMMENDATION", "SUPPORTING INFORMATION", "Page 1 of", "446"]:
        assert words in text
    assert "Derby" in text and "Corporate Parenting Sub-Board" in text
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en-GB"
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    elements = struct_elements(reader)
    kinds = [str(e["/S"]) for e in elements]
    figures = [e for e in elements if str(e["/S"]) == "/Figure"]
    assert figures and any("Children in care per 10,000" in str(f.get("/Alt", "")) for f in figures)
    assert "/TH" in kinds and "/Table" in kinds
    assert reader.metadata.title == report.title
    assert reader.metadata.author == la.name


def test_docx(derby):
    from docx import Document

    la, _committee, template = derby
    report = make_report(la, template)
    data = report_docx(content_mod.build(report, data=DATA))
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "SUMMARY" in text and "RECOMMENDATIONS" in text and "1.1" in text
    assert len(doc.tables) >= 3
    header = doc.tables[0].rows[0]._tr
    assert header.xpath("./w:trPr/w:tblHeader")


def _appendix_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html lang='en-GB'><title>A</title><p>{text}</p></html>").write_pdf()


def test_packs(derby):
    la, committee, template = derby
    earlier = Meeting.objects.create(committee=committee, date=dt.date(2024, 10, 1))
    old_item = AgendaItem.objects.create(meeting=earlier, number=1, title="Old")
    MeetingAction.objects.create(
        item=old_item,
        text="Report back on sufficiency",
        owner="Head of Service",
        due_date=dt.date(2025, 1, 1),
    )
    MeetingAction.objects.create(
        item=old_item,
        text="Already finished",
        owner="X",
        due_date=dt.date(2025, 1, 1),
        done_on=dt.date(2024, 12, 1),
    )
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    public = make_report(la, template, title="Fostering Annual Report")
    exempt = make_report(la, template, title="Home Closure Proposal")
    item = AgendaItem.objects.create(meeting=meeting, number=4, title="Fostering", report=public)
    AgendaItem.objects.create(
        meeting=meeting,
        number=5,
        title="Closure",
        report=exempt,
        exempt=True,
        exempt_reason="Paragraph 3: financial or business affairs",
    )
    Appendix.objects.create(item=item, title="Ofsted letter", pdf=_appendix_pdf("OFSTEDLETTERTEXT"))
    publish(public)
    publish(exempt)

    steps = []
    pdf, pages = pack_pdf(meeting, "public", progress=lambda pct, step: steps.append(pct))
    reader = PdfReader(io.BytesIO(pdf))
    assert pages == len(reader.pages) and steps[-1] == 100
    text = pdf_text(pdf)
    flat = " ".join(text.split())  # table cells wrap: compare words, not line breaks
    assert "Contents" in text and "Open actions from earlier meetings" in text
    assert "Report back on sufficiency" in flat and "Already finished" not in flat
    assert "OFSTEDLETTERTEXT" in text
    assert "Fostering Annual Report" in text
    assert "Home Closure Proposal" not in text.split("Open actions")[1]
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "Fostering Annual Report" in titles
    flat = str(reader.outline)
    assert "Appendix: Ofsted letter" in flat
    assert "/StructTreeRoot" in reader.trailer["/Root"]

    pdf, _pages = pack_pdf(meeting, "confidential")
    text = pdf_text(pdf)
    assert "Home Closure Proposal" in text and "OFSTEDLETTERTEXT" not in text
    titles = [o.title for o in PdfReader(io.BytesIO(pdf)).outline if not isinstance(o, list)]
    assert "Home Closure Proposal" in titles


def test_make_pack_task(derby, monkeypatch):
    la, committee, template = derby
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    AgendaItem.objects.create(meeting=meeting, number=1, title="Apologies")
    pack = MeetingPack.objects.create(meeting=meeting, kind="public")
    make_pack.enqueue(pack.pk)
    pack.refresh_from_db()
    assert pack.status == "failed"
    assert pack.error == "This meeting has no reports to export."

    import committee.content as c

    monkeypatch.setattr(
        c,
        "build",
        lambda report, *, item=None, data=None: _orig_build(report, item=item, data=DATA),
    )
    AgendaItem.objects.create(
        meeting=meeting, number=2, title="Update", report=make_report(la, template)
    )
    pack = MeetingPack.objects.create(meeting=meeting, kind="public")
    make_pack.enqueue(pack.pk)
    pack.refresh_from_db()
    assert pack.status == "failed"
    assert "Item 2's report, “Children in Care: Performance Update”, isn't published yet" in (
        pack.error
    )

    publish(Report.objects.get(), data=DATA)
    pack = MeetingPack.objects.create(meeting=meeting, kind="public")
    make_pack.enqueue(pack.pk)
    pack.refresh_from_db()
    assert pack.status == "ready", pack.error
    assert pack.pages and bytes(pack.pdf).startswith(b"%PDF")
    assert pack.progress == 100


def test_a_pack_refuses_an_unpublished_report_and_names_the_item(derby):
    from committee.pdf import PackError

    la, committee, template = derby
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 1, 20))
    published = make_report(la, template, title="Fostering Annual Report")
    draft = make_report(la, template, title="Sufficiency Strategy")
    AgendaItem.objects.create(meeting=meeting, number=3, title="Fostering", report=published)
    AgendaItem.objects.create(meeting=meeting, number=4, title="Sufficiency", report=draft)
    publish(published)
    with pytest.raises(PackError) as refused:
        pack_pdf(meeting, "public")
    assert str(refused.value) == (
        "Item 4's report, “Sufficiency Strategy”, isn't published yet: publish it or take "
        "it off the agenda before making the pack."
    )


def test_a_pack_uses_the_published_text_with_this_meetings_masthead(derby):
    la, committee, template = derby
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2025, 3, 17))
    report = make_report(la, template, title="Fostering Annual Report")
    AgendaItem.objects.create(meeting=meeting, number=7, title="Fostering", report=report)
    noreport = AgendaItem.objects.create(meeting=meeting, number=8, title="Ofsted visit")
    Appendix.objects.create(item=noreport, title="Ofsted letter", pdf=_appendix_pdf("LETTERTEXT"))
    publish(
        report,
        summary_marker="x",
        committee="Old Committee Name",
        meeting_date="Monday 1 January 2024",
        item_number=99,
        title="Fostering Annual Report AS PUBLISHED",
    )
    report.title = "Live draft title"
    report.status = "draft"  # reopened since: the pack still uses the published text
    report.save()
    pdf, _pages = pack_pdf(meeting, "public")
    flat = " ".join(pdf_text(pdf).split())
    assert "Fostering Annual Report AS PUBLISHED" in flat and "Live draft title" not in flat
    assert "Monday 17 March 2025" in flat and "Item 7" in flat
    assert "Old Committee Name" not in flat and "Item 99" not in flat
    assert "1 January 2024" not in flat
    # The appendix to the item with no report is in the pack, under the item's title.
    assert "LETTERTEXT" in flat and "Ofsted visit" in flat
    assert "Appendix: Ofsted letter" in str(PdfReader(io.BytesIO(pdf)).outline)


_orig_build = content_mod.build
