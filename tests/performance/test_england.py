"""The England and regional views: pooled figures, suppression, access and query bounds."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from corporate_parenting.models import LocalAuthority, Region
from performance.models import Indicator, IndicatorValue
from performance.presentation import NO_FIGURE
from performance.services import sync_catalogue

YEAR = 2022


def put(la_code: str, code: str, numerator, denominator=None, value=None) -> None:
    IndicatorValue.objects.create(
        la=LocalAuthority.objects.get(la_code=la_code),
        indicator=Indicator.objects.get(code=code),
        version=1,
        year=YEAR,
        quarter=0,
        numerator=numerator,
        denominator=denominator,
        value=numerator if value is None else value,
        computed_at=timezone.now(),
    )


def cell(html: str, title: str, column: int) -> str:
    """The text of a row's n-th figure (0 is the first figure column)."""
    row = html.split(f">{escape(title)}</a></th>")[1].split("</tr>")[0]
    return row.split("</td>")[column].rsplit(">", 1)[1].strip()


@pytest.fixture
def figures(derby):
    sync_catalogue()
    # Derby (East Midlands): 100 of 400 placed out of area; Nottinghamshire (East
    # Midlands): 300 of 600; Leeds (Yorkshire): 50 of 1000.
    put("831", "placed_out_of_area", 100, 400, 25.0)
    put("891", "placed_out_of_area", 300, 600, 50.0)
    put("383", "placed_out_of_area", 50, 1000, 5.0)
    put("831", "cla_at_31_march", 610)
    put("891", "cla_at_31_march", 1050)
    put("383", "cla_at_31_march", 1400)
    put("831", "uasc_at_31_march", 3)  # small: withheld
    put("891", "uasc_at_31_march", 40)
    put("383", "uasc_at_31_march", 9)


def test_england_pools_numerators_and_denominators_rather_than_averaging(
    client, system_admin, figures
):
    client.force_login(system_admin)
    html = client.get(reverse("england")).content.decode()
    columns = [r.value for r in Region]
    east_midlands = 1 + columns.index(Region.EAST_MIDLANDS)
    yorkshire = 1 + columns.index(Region.YORKSHIRE)
    title = Indicator.objects.get(code="placed_out_of_area").title
    # (100 + 300 + 50) / (400 + 600 + 1000): 22.5%, not the mean of 25, 50 and 5.
    assert cell(html, title, 0) == "22.5%"
    assert cell(html, title, east_midlands) == "40.0%"  # 400 / 1000
    assert cell(html, title, yorkshire) == "5.0%"
    assert cell(html, title, 1 + columns.index(Region.LONDON)) == NO_FIGURE
    cla = Indicator.objects.get(code="cla_at_31_march").title
    assert cell(html, cla, 0) == "3,060"
    assert cell(html, cla, east_midlands) == "1,660"


def test_a_region_withholds_a_second_council_so_a_withheld_count_cant_be_worked_out(
    client, system_admin, figures
):
    client.force_login(system_admin)
    html = client.get(reverse("england_region", args=["east-midlands"])).content.decode()
    members = list(LocalAuthority.objects.filter(region=Region.EAST_MIDLANDS).order_by("name"))
    title = Indicator.objects.get(code="uasc_at_31_march").title
    derby = members.index(LocalAuthority.objects.get(la_code="831"))
    notts = members.index(LocalAuthority.objects.get(la_code="891"))
    assert ">c</abbr>" in html.split(f">{escape(title)}</a></th>")[1].split("</td>")[derby]
    # Nottinghamshire's 40 is the only other count: shown, 40 and the region's
    # pooled 43 would give Derby's 3 away, so it is withheld too.
    assert ">c</abbr>" in html.split(f">{escape(title)}</a></th>")[1].split("</td>")[notts]
    assert "Nottinghamshire" in html and "Leeds" not in html


def test_only_system_admins_see_england_and_unknown_regions_are_not_found(
    client, personas, figures
):
    for name, user in personas.items():
        client.force_login(user)
        expected = 200 if name == "system_admin" else 403
        assert client.get(reverse("england")).status_code == expected, name
        assert client.get(reverse("england_region", args=["london"])).status_code == expected
    client.force_login(personas["system_admin"])
    assert client.get(reverse("england_region", args=["atlantis"])).status_code == 404


def test_a_year_without_figures_says_so(client, system_admin, figures):
    client.force_login(system_admin)
    html = client.get(reverse("england"), {"year": "1999"}).content.decode()
    assert "No council has any figures yet for that year" in html


def test_england_and_region_queries_do_not_grow_with_councils(
    client, system_admin, figures, django_assert_max_num_queries
):
    client.force_login(system_admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("england")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("england_region", args=["east-midlands"])).status_code == 200
    for la in LocalAuthority.objects.exclude(la_code__in=["831", "891", "383"])[:60]:
        put(la.la_code, "cla_at_31_march", 500)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("england")).status_code == 200
