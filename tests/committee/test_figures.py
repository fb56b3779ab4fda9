"""The figures part of committee reports, and their tables as CSV and Excel."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from committee import exports
from committee.figures import data_for
from committee.models import Report, ReportTemplate, ReportType
from corporate_parenting.models import Role
from inspections.models import (
    ActionItem,
    AreaForImprovement,
    CouncilInspection,
    CouncilInspectionType,
    MemberVisit,
    Reg44Visit,
)
from performance import services
from performance.models import Benchmark, Chart, IndicatorValue, Target
from performance.presentation import NO_FIGURE
from returns import figures as returns_figures
from returns import workflow
from returns.models import (
    ChildrenInCareCouncil,
    CiccAction,
    Consultation,
    Fostering,
    Permanence,
    PlacementCost,
    PlacementsSection,
    QuarterlyReturn,
)
from tests.conftest import make_user
from tests.inspections.test_homes import inspect, make_home

pytestmark = pytest.mark.django_db


def report(la, report_type, year=2022, quarter=0) -> Report:
    template = ReportTemplate.objects.create(la=la, name=f"T {report_type}", skeleton={})
    return Report.objects.create(
        la=la,
        report_type=report_type,
        template=template,
        title="A report",
        report_of="Director",
        year=year,
        quarter=quarter,
    )


def value(la, code, v, year=2022, quarter=0, numerator=None, denominator=None, notes=None):
    ind = services.sync_catalogue()[code]
    return IndicatorValue.objects.create(
        la=la,
        indicator=ind,
        version=1,
        year=year,
        quarter=quarter,
        numerator=v if numerator is None else numerator,
        denominator=denominator,
        value=v,
        notes=notes or {},
        computed_at=timezone.now(),
    )


def table(data, table_id):
    return next(t for t in data["tables"] if t["id"] == table_id)


def cells(data) -> list[str]:
    return [c for t in data["tables"] for row in t["rows"] for c in row]


def check_shape(data) -> None:
    json.dumps(data)  # frozen into the published record
    ids = {t["id"] for t in data["tables"]}
    assert all(c["table"] in ids for c in data["charts"])
    for t in data["tables"]:
        assert len(t["numeric"]) == len(t["columns"])
        assert all(len(row) == len(t["columns"]) for row in t["rows"])
    assert data["paragraphs"]


@pytest.mark.parametrize("report_type", ReportType.values)
def test_no_data_gives_a_paragraph_not_an_error(derby, report_type):
    data = data_for(report(derby, report_type))
    check_shape(data)
    assert data["charts"] == []


def test_performance_update_gives_the_numbers_in_care_and_the_headline_table(derby):
    value(derby, "cla_at_31_march", 627)
    value(derby, "cla_at_31_march", 642, year=2021)
    value(derby, "placed_out_of_area", 30.5, numerator=100, denominator=327)
    value(derby, "ceased_adoption", 3)
    Target.objects.create(
        la=derby, indicator=services.sync_catalogue()["ceased_adoption"], year=2022, value=20
    )
    Benchmark.objects.create(
        indicator=services.sync_catalogue()["placed_out_of_area"],
        year=2021,
        area="england",
        value=41.0,
    )
    Chart.objects.create(
        la=derby,
        indicator=services.sync_catalogue()["cla_at_31_march"],
        year=2022,
        quarterly=False,
        svg="<svg>cla</svg>",
    )
    data = data_for(report(derby, ReportType.CIC_PERFORMANCE))
    check_shape(data)
    assert (
        "At the end of March 2022 there were 627 children in care, 15 fewer than a year earlier."
    ) in data["paragraphs"]
    rows = {r[1]: r for r in table(data, "headlines")["rows"]}
    assert rows["Children looked after"][2:4] == ["627", "642"]
    assert rows["Adoptions"][2] == "c"  # 3 is a small count
    assert rows["Adoptions"][4] == "20"
    assert rows["Placed outside the council's area"][5] == "41.0% (2020/21)"
    assert data["charts"][0]["svg"] == "<svg>cla</svg>"
    assert ["2021/22", "627"] in table(data, data["charts"][0]["table"])["rows"]
    assert not any(" 3 " in p or "3 adoptions" in p for p in data["paragraphs"])


def test_a_small_number_in_care_is_withheld_in_words(derby):
    value(derby, "cla_at_31_march", 3)
    data = data_for(report(derby, ReportType.CIC_PERFORMANCE))
    text = " ".join(data["paragraphs"])
    assert "fewer than 6, withheld to protect children's privacy" in text
    assert "3" not in text.replace("2022", "").replace("2021", "")
    assert "3" not in cells(data)


def test_annual_performance_against_england_and_neighbours(derby):
    value(derby, "cla_at_31_march", 627)
    value(derby, "oc2_health_assessment", 90.0, numerator=270, denominator=300)
    value(derby, "placed_20_miles_plus", 50.0, numerator=2, denominator=4)
    ind = services.sync_catalogue()["oc2_health_assessment"]
    Benchmark.objects.create(indicator=ind, year=2021, area="england", value=89.0)
    Benchmark.objects.create(
        indicator=ind, year=2022, area="neighbours", area_code=derby.la_code, value=92.5
    )
    data = data_for(report(derby, ReportType.ANNUAL_PERFORMANCE))
    check_shape(data)
    rows = {r[1]: r for r in table(data, "annual")["rows"]}
    assert rows["Annual health assessment"][2:] == ["90.0%", "89.0%", "2020/21", "92.5%", "2021/22"]
    assert rows["Placed more than 20 miles from home"][2] == "c"  # a rate on a small count
    assert any("latest benchmarks are for 2021/22" in p for p in data["paragraphs"])


@pytest.fixture
def manager(db):
    return make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)


def signed_off(la, quarter, officer, manager, **sections):
    """A return made and signed off as officers do, its figures then stored."""
    ret = QuarterlyReturn.objects.create(la=la, year=2022, quarter=quarter, created_by=officer)
    for slug, _, model in workflow.SECTIONS:
        model.objects.create(ret=ret, **sections.get(slug, {}))
    workflow.submit(ret, officer, ret.version)
    workflow.sign_off(ret, manager, ret.version)
    return ret


def store_returns(la):
    catalogue = services.sync_catalogue()
    loaded = returns_figures.preload(la, [2022])
    results = {
        q: returns_figures.figures(la, s, e, loaded=loaded)
        for q, s, e in services.periods(2022, None)
    }
    IndicatorValue.objects.filter(la=la, indicator__code__in=returns_figures.CODES).delete()
    IndicatorValue.objects.bulk_create(services.value_rows(la, 2022, None, results, catalogue))


def test_fostering_annual_report_funnel_targets_and_deregistrations(derby, officer, manager):
    signed_off(
        derby,
        1,
        officer,
        manager,
        fostering=dict(
            enquiries=100,
            information_packs=40,
            applications=10,
            approvals_mainstream=5,
            approvals_family_friends=3,
            dereg_retirement=2,
            households_approved=150,
            places_filled=3,
        ),
    )
    Target.objects.create(
        la=derby, indicator=services.sync_catalogue()["foster_approvals"], year=2022, value=30
    )
    store_returns(derby)
    data = data_for(report(derby, ReportType.FOSTERING_ANNUAL))
    check_shape(data)
    funnel = {r[0]: r for r in table(data, "funnel")["rows"]}
    assert funnel["Enquiries"][1] == "100"
    assert funnel["Approvals"][1:] == ["8", "30", "50.0%"]  # 5 mainstream of 10 applications
    assert data["charts"][0]["table"] == "funnel" and data["charts"][0]["svg"].startswith("<svg")
    capacity = dict(table(data, "capacity")["rows"])
    assert capacity["Approved households"] == "150"
    assert capacity["Places filled"] == "c"  # children
    assert dict(table(data, "deregistrations")["rows"])["Retirement"] == "2"
    assert any(
        "approved 8 foster carer households against a target of 30" in p for p in data["paragraphs"]
    )


def test_permanence_report(derby, officer, manager):
    signed_off(
        derby,
        1,
        officer,
        manager,
        permanence=dict(
            exits_sgo=10,
            exits_cao=8,
            exits_reunification=7,
            adoption_orders=3,
            placed_for_adoption=12,
            plan_of_adoption=40,
            team_capacity_pct=Decimal("85.0"),
        ),
    )
    Target.objects.create(
        la=derby, indicator=services.sync_catalogue()["adoption_orders"], year=2022, value=35
    )
    store_returns(derby)
    data = data_for(report(derby, ReportType.PERMANENCE))
    check_shape(data)
    rows = {r[0]: r for r in table(data, "permanence-targets")["rows"]}
    assert rows["Exits through an SGO, a CAO or reunification"][1:3] == ["25", NO_FIGURE]
    assert rows["Adoption orders"][1:] == ["c", "35", NO_FIGURE]
    assert dict(table(data, "routes")["rows"])["Special guardianship orders"] == "10"
    pipeline = dict(table(data, "pipeline")["rows"])
    assert pipeline["Children placed for adoption"] == "12"
    assert pipeline["Team capacity used"] == "85.0%"
    assert ["Q1", "c"] in table(data, "adoption-orders-by-quarter")["rows"]
    text = " ".join(data["paragraphs"])
    assert "A small number (fewer than 6" in text and "3 adoption" not in text


def test_childrens_homes_report(derby):
    home = make_home(derby, "SC900101", name="Oak Lodge")
    inspect(home, dt.date(2021, 6, 1))
    Reg44Visit.objects.create(
        setting=home,
        month=dt.date(2021, 4, 1),
        visit_date=dt.date(2021, 4, 10),
        announced=False,
        visitor="IP",
        children_spoken_to=2,
        report_received=dt.date(2021, 4, 20),
    )
    MemberVisit.objects.create(
        setting=home, date=dt.date(2021, 9, 3), councillors="Cllr A", findings="Warm and welcoming."
    )
    inspection = CouncilInspection.objects.create(
        la=derby,
        inspection_type=CouncilInspectionType.FOCUSED_VISIT,
        start_date=dt.date(2021, 5, 4),
        end_date=dt.date(2021, 5, 6),
    )
    area = AreaForImprovement.objects.create(inspection=inspection, number=1, text="Plans")
    ActionItem.objects.create(
        area=area, action="Audit plans", owner="Head", rag="amber", due_date=dt.date(2021, 12, 1)
    )
    data = data_for(report(derby, ReportType.CHILDRENS_HOMES))
    check_shape(data)
    homes = table(data, "homes")["rows"]
    assert homes[0][0] == "Oak Lodge" and homes[0][3:5] == ["01/06/2021", "Good"]
    assert table(data, "member-visits")["rows"] == [
        ["03/09/2021", "Oak Lodge", "Warm and welcoming."]
    ]
    reg = table(data, "reg44")["rows"]
    assert reg[-1][0] == "All homes" and reg[-1][1] == "1"
    assert dict(table(data, "action-plan")["rows"])["Overdue"] == "1"
    assert any("Focused visit" in p for p in data["paragraphs"])


def test_placements_report(derby, officer, manager):
    value(derby, "placed_20_miles_plus", 12.5, numerator=50, denominator=400)
    value(derby, "placed_out_of_area", 2.0, numerator=4, denominator=200)
    ret = signed_off(derby, 1, officer, manager)
    section = PlacementsSection.objects.get(ret=ret)
    PlacementCost.objects.create(
        section=section, placement_type="ifa", placements=110, average_weekly_cost=Decimal("950.00")
    )
    PlacementCost.objects.create(
        section=section,
        placement_type="childrens_home",
        placements=20,
        average_weekly_cost=Decimal("5200.00"),
    )
    PlacementCost.objects.create(
        section=section,
        placement_type="secure_welfare",
        placements=2,
        average_weekly_cost=Decimal("9000.00"),
    )
    store_returns(derby)
    data = data_for(report(derby, ReportType.PLACEMENTS))
    check_shape(data)
    distance = dict(table(data, "distance")["rows"])
    assert distance["Placed more than 20 miles from home"] == "12.5%"
    assert distance["Placed outside the council's area"] == "c"
    external = {r[0]: r for r in table(data, "external")["rows"]}
    assert external["Secure welfare"][1:] == ["c", "c"]
    assert external["External children's home"][1:] == ["c", "c"]  # secondary suppression
    assert external["Independent fostering agency (IFA)"][1:] == ["110", "£950.00"]
    assert "9,000" not in json.dumps(data)


def test_cicc_report(derby, officer, manager):
    ret = signed_off(derby, 1, officer, manager, cicc=dict(meetings=3, attendance=24))
    Consultation.objects.create(ret=ret, topic="Pocket money", young_people=12)
    Consultation.objects.create(ret=ret, topic="Contact", young_people=2)
    CiccAction.objects.create(
        la=derby,
        raised_in=ret,
        you_said="=HYPERLINK(1)",
        we_did="Fixed",
        owner="Head",
        due_date=dt.date(2021, 8, 1),
    )
    data = data_for(report(derby, ReportType.CICC))
    check_shape(data)
    assert dict(table(data, "cicc-meetings")["rows"])["Meetings held"] == "3"
    assert dict(table(data, "consultations")["rows"]) == {"Pocket money": "12", "Contact": "c"}
    assert table(data, "you-said-we-did")["rows"][0][:2] == ["=HYPERLINK(1)", "Fixed"]
    assert any("Pocket money; Contact" in p for p in data["paragraphs"])
    assert ChildrenInCareCouncil.objects.filter(ret=ret).exists()
    assert Fostering.objects.filter(ret=ret).exists() and Permanence.objects.filter(ret=ret)


TABLE = {
    "id": "t1",
    "caption": "Test",
    "columns": ["Label", "Value"],
    "rows": [
        ["=1+2", "12"],
        ["+44", "c"],
        ["-3", "1,234"],
        ["@x", "45.5%"],
        ["\tTab", NO_FIGURE],
        ["Plain", "-7"],
    ],
    "numeric": [False, True],
}


def test_neutralise():
    assert [exports.neutralise(v) for v in ("=1+2", "+44", "-3", "@x", "\rx", "ok", None)] == [
        "'=1+2",
        "'+44",
        "'-3",
        "'@x",
        "'\rx",
        "ok",
        "",
    ]


def test_csv_is_utf8_with_a_bom_and_neutralised():
    data = exports.table_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Label,Value"
    for bad in ("'=1+2", "'+44", "'-3", "'@x", "'-7"):
        assert bad in text
    assert "\n=1+2" not in text


def test_xlsx_has_a_bold_header_text_for_formulas_and_numbers_kept():
    book = load_workbook(io.BytesIO(exports.tables_xlsx([TABLE, {**TABLE, "id": "t1"}])))
    assert len(book.sheetnames) == 2
    sheet = book[book.sheetnames[0]]
    assert sheet["A1"].font.b and sheet["A1"].value == "Label"
    for ref, text in (("A2", "=1+2"), ("A3", "+44"), ("A4", "-3"), ("A5", "@x")):
        assert sheet[ref].data_type == "s" and sheet[ref].value == text
        assert sheet[ref].quotePrefix
    assert sheet["B2"].value == 12 and sheet["B2"].data_type == "n"
    assert sheet["B3"].value == "c" and sheet["B3"].data_type == "s"
    assert sheet["B4"].value == 1234
    assert sheet["B5"].value == 45.5
    assert sheet["B6"].value == NO_FIGURE
    assert sheet["B7"].value == -7  # a numeric column's negative figure stays a number


def test_a_quarterly_update_compares_with_the_quarter_before_and_charts_quarters(derby):
    value(derby, "cla_at_31_march", 630, quarter=2)
    value(derby, "cla_at_31_march", 620, quarter=1)
    ind = services.sync_catalogue()["cla_at_31_march"]
    Chart.objects.create(la=derby, indicator=ind, year=2022, quarterly=True, svg="<svg>q</svg>")
    data = data_for(report(derby, ReportType.CIC_PERFORMANCE, quarter=2))
    check_shape(data)
    assert (
        "At the end of September 2021 there were 630 children in care, 10 more than at the "
        "end of June 2021."
    ) in data["paragraphs"]
    trend = table(data, data["charts"][0]["table"])
    assert ["Q2 2021/22", "630"] in trend["rows"] and len(trend["rows"]) == 8


def test_real_figures_go_through_the_content_the_preview_and_the_pdf(derby):
    """data_for's output as the documents receive it: a chart names its table by id."""
    import io

    from pypdf import PdfReader

    from committee import content, pdf
    from committee.skeletons import ensure_templates

    value(derby, "cla_at_31_march", 627)
    value(derby, "cla_at_31_march", 642, year=2021)
    Chart.objects.create(
        la=derby,
        indicator=services.sync_catalogue()["cla_at_31_march"],
        year=2022,
        quarterly=False,
        svg='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><title>Children in care'
        "</title><rect x='0' y='0' width='4' height='4'/></svg>",
    )
    r = report(derby, ReportType.CIC_PERFORMANCE)
    r.template = ensure_templates()["831"]
    r.recommendations = "To note the report."
    built = content.build(r)
    charts = [b["chart"] for s in built["sections"] for b in s["blocks"] if b["kind"] == "chart"]
    assert charts and ["2021/22", "627"] in charts[0]["table"]["rows"]
    assert "627" in content.render_html(built, mode="preview")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.report_pdf(built))).pages)
    assert "627 children in care" in " ".join(text.split())
