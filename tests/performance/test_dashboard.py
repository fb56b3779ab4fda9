from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from corporate_parenting.models import AuditLog, ComparisonGroup, LocalAuthority
from performance.models import Commentary, Target
from performance.presentation import rag, suppress_table
from tests.placements.factories import write_return

pytestmark = pytest.mark.django_db


def import_children(tmp_path, la: str, n: int, year: int = 2022, place: str = "U4") -> None:
    """n children looked after at the end of the year: the first 30 since June 2020."""
    header = [f"K{la}{i},{1 + i % 2},01/05/2010,WBRI,,," for i in range(n)]
    episodes = [
        f"K{la}{i},01/06/{2020 if i < 30 else year - 1},S,C2,N1,{place},PR1,,,,,," for i in range(n)
    ]
    folder = write_return(tmp_path / f"{la}-{year}", header=header, episodes=episodes)
    out = io.StringIO()
    call_command("import_903", str(folder), "--la", la, "--year", str(year), stdout=out, stderr=out)


@pytest.fixture
def derby_data(tmp_path, derby):
    import_children(tmp_path, "831", 40)


def test_councillors_see_small_numbers_withheld_and_officers_see_them(
    client, tmp_path, derby, councillor, officer
):
    import_children(tmp_path, "831", 3)  # three children: too few to publish
    client.force_login(councillor)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="cla_at_31_march"' in page
    tile = page.split('id="cla_at_31_march"')[1].split("</div>")[0]
    assert ">c</abbr>" in tile and "withheld to protect children" in tile
    client.force_login(officer)
    tile = client.get(reverse("dashboard")).content.decode().split('id="cla_at_31_march"')[1]
    assert '<p class="app-card__value">3</p>' in tile


def test_the_dashboard_shows_change_target_status_and_commentary(
    client, tmp_path, derby, councillor
):
    import_children(tmp_path, "831", 30, year=2021)
    import_children(tmp_path, "831", 40, year=2022)
    Target.objects.create(
        la=derby, indicator_id=_indicator("stability_3plus_placements"), year=2022, value=10
    )
    Commentary.objects.create(
        la=derby, indicator_id=_indicator("starts"), year=2022, text="More entrants in winter."
    )
    client.force_login(councillor)
    page = client.get(reverse("dashboard"), {"year": 2022}).content.decode()
    tile = page.split('id="cla_at_31_march"')[1].split("What this means")[0]
    assert "Up 10 from 2020/21" in tile
    tile = page.split('id="starts"')[1].split("What this means")[0]
    assert "Down 20 from 2020/21" in tile  # 30 started in 2020/21, 10 in 2021/22
    assert "More entrants in winter." in tile
    tile = page.split('id="stability_3plus_placements"')[1].split("What this means")[0]
    assert "On or better than target</strong> Target 10.0%" in tile  # 0% against 10%


def _indicator(code: str) -> int:
    from performance.models import Indicator

    return Indicator.objects.get(code=code).pk


def test_a_period_without_data_gets_a_clear_page(client, derby_data, councillor):
    client.force_login(councillor)
    response = client.get(reverse("dashboard"), {"year": 2015})
    assert response.status_code == 404
    html = response.content.decode()
    assert "There are no figures for the period you asked for (2014/15)" in html
    response = client.get(reverse("dashboard"), {"year": "nonsense", "quarter": "9"})
    assert response.status_code == 404


def test_the_dashboard_has_a_bounded_number_of_queries(
    client, derby_data, councillor, django_assert_max_num_queries
):
    client.force_login(councillor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard"), {"quarter": 4}).status_code == 200


def test_breakdowns_come_back_as_an_htmx_partial_and_are_suppressed(client, derby_data, councillor):
    client.force_login(councillor)
    response = client.get(
        reverse("dashboard"), {"breakdown": "sex"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="breakdown"')
    assert "by sex" in html and ">20<" in html
    # Without JavaScript the same link renders the whole page with the table in it.
    full = client.get(reverse("dashboard"), {"breakdown": "sex"}).content.decode()
    assert "<h1" in full and 'id="breakdown"' in full


def test_officers_write_commentary_and_concurrent_edits_are_refused(client, derby_data, officer):
    client.force_login(officer)
    url = reverse("commentary_edit", args=["starts"]) + "?year=2022&quarter=0"
    response = client.post(url, {"text": "First note.", "seen": "", "year": 2022, "quarter": 0})
    assert response.status_code == 302
    saved = Commentary.objects.get()
    assert AuditLog.objects.filter(action="update", object_type="performance.Commentary").exists()
    # A second officer opened the form before the first saved: their save is refused.
    response = client.post(url, {"text": "Other note.", "seen": "", "year": 2022, "quarter": 0})
    assert "Someone else changed this commentary" in response.content.decode()
    assert Commentary.objects.get().text == "First note."
    response = client.post(
        url, {"text": "Updated.", "seen": saved.updated_at.isoformat(), "year": 2022, "quarter": 0}
    )
    assert response.status_code == 302 and Commentary.objects.get().text == "Updated."


@pytest.mark.parametrize("persona", ["councillor", "clerk"])
def test_only_officers_write_commentary(client, derby_data, personas, persona):
    client.force_login(personas[persona])
    url = reverse("commentary_edit", args=["starts"]) + "?year=2022"
    assert client.get(url).status_code == 403


def test_the_comparison_view_shows_only_a_group_of_ones_own_council(
    client, tmp_path, derby, councillor
):
    import_children(tmp_path, "831", 40)
    import_children(tmp_path, "891", 4)
    group = ComparisonGroup.objects.create(name="D2N2")
    group.members.set(LocalAuthority.objects.filter(la_code__in=["831", "830", "892", "891"]))
    other = ComparisonGroup.objects.create(name="Elsewhere")
    other.members.set(LocalAuthority.objects.filter(la_code__in=["202", "203"]))
    client.force_login(councillor)
    page = client.get(reverse("compare", args=[group.pk])).content.decode()
    assert "Nottinghamshire" in page and "Derby" in page
    row = page.split("Children looked after</a>")[1].split("</tr>")[0]
    assert ">40<" in row and ">c</abbr>" in row  # Nottinghamshire's 4 is withheld
    assert client.get(reverse("compare", args=[other.pk])).status_code == 404


def test_glossary_explains_every_indicator(client, derby_data, councillor):
    client.force_login(councillor)
    page = client.get(reverse("glossary")).content.decode()
    for code in ("cla_at_31_march", "permanence_rate", "adoption_a10_days"):
        assert f'id="{code}"' in page
    assert "No England figure is published." in page


def test_rag_follows_polarity_and_tolerance():
    assert rag(value=60, target=57, polarity="higher", tolerance=5).status == "green"
    assert rag(value=55, target=57, polarity="higher", tolerance=5).status == "amber"
    assert rag(value=50, target=57, polarity="higher", tolerance=5).status == "red"
    assert rag(value=9, target=10, polarity="lower", tolerance=1).status == "green"
    assert rag(value=11, target=10, polarity="lower", tolerance=1).status == "amber"
    assert rag(value=12, target=10, polarity="lower", tolerance=1).status == "red"
    assert rag(value=600, target=500, polarity="neutral", tolerance=1).status == ""


def test_secondary_suppression_hides_a_second_cell(settings):
    settings.CP_SUPPRESSION_THRESHOLD = 5
    assert suppress_table({"a": 40, "b": 3, "c": 9, "d": 0}) == {
        "a": "40",
        "b": "c",
        "c": "c",
        "d": "0",
    }
    assert suppress_table({"a": 40, "b": 3, "c": 2}) == {"a": "40", "b": "c", "c": "c"}
    assert suppress_table({"a": 40, "b": 30}) == {"a": "40", "b": "30"}


def test_each_section_has_a_stored_chart_with_its_figures_in_a_table(
    client, tmp_path, derby, councillor, settings
):
    settings.CP_RENDER_CHARTS = True
    import_children(tmp_path, "831", 40)
    client.force_login(councillor)
    page = client.get(reverse("dashboard")).content.decode()
    section = page.split('id="numbers-in-care"')[1].split("</section>")[0]
    assert "<svg" in section and 'role="img"' in section
    assert "Children looked after: the chart's figures" in section
    assert ">40<" in section.split("the chart's figures")[1]


def test_officers_set_targets_with_clear_errors_and_no_lost_updates(client, derby_data, officer):
    client.force_login(officer)
    url = reverse("targets_edit")
    page = client.get(url, {"year": 2022}).content.decode()
    assert 'name="permanence_rate"' in page and 'name="cla_at_31_march"' not in page
    response = client.post(
        url, {"year": 2022, "seen": "", "permanence_rate": "55", "oc2_dental_check": "lots"}
    )
    html = response.content.decode()
    assert "Enter the target for dental check as a number, like 57.5" in html
    assert not Target.objects.exists()
    response = client.post(url, {"year": 2022, "seen": "", "permanence_rate": "55"})
    assert response.status_code == 302
    saved = Target.objects.get()
    assert (saved.value, saved.updated_by) == (55, officer)
    # A form opened before that save can't overwrite it.
    response = client.post(url, {"year": 2022, "seen": "", "permanence_rate": "40"})
    assert "Someone else changed these targets" in response.content.decode()
    assert Target.objects.get().value == 55


@pytest.mark.parametrize("persona", ["councillor", "clerk"])
def test_councillors_and_clerks_cannot_change_targets(client, derby_data, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("targets_edit")).status_code == 403


def test_each_benchmark_shows_its_own_year_and_counts_show_none(client, derby_data, councillor):
    from performance.models import Benchmark

    rate = _indicator("cla_rate_per_10k")
    Benchmark.objects.create(indicator_id=rate, year=2022, area="england", value=70)
    Benchmark.objects.create(
        indicator_id=rate, year=2020, area="region", area_code="East Midlands", value=61
    )
    Benchmark.objects.create(
        indicator_id=_indicator("cla_at_31_march"), year=2022, area="england", value=82170
    )
    client.force_login(councillor)
    page = client.get(reverse("dashboard")).content.decode()
    tile = page.split('id="cla_rate_per_10k"')[1].split("What this means")[0]
    assert "England 2021/22: 70" in tile
    assert "East Midlands 2019/20: 61" in tile
    tile = page.split('id="cla_at_31_march"')[1].split("What this means")[0]
    assert "82,170" not in tile and "Counts aren't compared" in tile


def _value(la, code, year, quarter, numerator, denominator=None, value=None):
    from django.utils import timezone

    from performance.models import IndicatorValue

    IndicatorValue.objects.update_or_create(
        la=la,
        indicator_id=_indicator(code),
        year=year,
        quarter=quarter,
        defaults={
            "version": 1,
            "numerator": numerator,
            "denominator": denominator,
            "value": numerator if value is None else value,
            "computed_at": timezone.now(),
        },
    )


def test_figures_that_would_give_away_a_withheld_one_are_withheld_too(
    client, derby_data, councillor, officer
):
    la = councillor.la
    # Permanence rate over a shown total would reveal a withheld part (CAO = 4).
    for code, n in [
        ("ceased_adoption", 29),
        ("ceased_sgo", 30),
        ("ceased_cao", 4),
        ("ceased_reunification", 48),
        ("ceased", 215),
    ]:
        _value(la, code, 2022, 0, n)
    _value(la, "permanence_rate", 2022, 0, 111, 215, 51.6)
    # Quarters add up to the year: one withheld quarter takes the next smallest with it.
    for quarter, n in [(1, 10), (2, 11), (3, 1), (4, 6)]:
        _value(la, "ceased_adoption", 2022, quarter, n)
    client.force_login(councillor)
    page = client.get(reverse("dashboard"), {"year": 2022}).content.decode()
    tile = page.split('id="permanence_rate"')[1].split("What this means")[0]
    assert "51.6" not in tile and "_c" not in tile and "withheld" in tile
    q4 = client.get(reverse("dashboard"), {"year": 2022, "quarter": 4}).content.decode()
    assert "withheld" in q4.split('id="ceased_adoption"')[1].split("What this means")[0]
    q1 = client.get(reverse("dashboard"), {"year": 2022, "quarter": 1}).content.decode()
    assert '<p class="app-card__value">10</p>' in q1.split('id="ceased_adoption"')[1]
    # Officers see the tiles unsuppressed.
    client.force_login(officer)
    page = client.get(reverse("dashboard"), {"year": 2022}).content.decode()
    assert "51.6%" in page.split('id="permanence_rate"')[1].split("What this means")[0]


def test_targets_refuse_odd_years_and_values(client, derby_data, officer):
    client.force_login(officer)
    url = reverse("targets_edit")
    assert client.post(url, {"year": 40000, "seen": ""}).status_code == 404
    assert client.get(url, {"year": -3}).status_code == 404
    response = client.post(url, {"year": 2022, "seen": "", "permanence_rate": "inf"})
    assert "as a number, like 57.5" in response.content.decode()
    assert not Target.objects.exists()
