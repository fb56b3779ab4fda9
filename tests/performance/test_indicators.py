"""Each cohort rule on small hand-built returns, imported the normal way."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from performance import indicators
from performance.services import recompute, values_as_json
from tests.placements.factories import write_return

pytestmark = pytest.mark.django_db

END = dt.date(2022, 3, 31)
START = dt.date(2021, 4, 1)


def load(tmp_path: Path, header: list[str], episodes: list[str], extra=None) -> None:
    out = io.StringIO()
    folder = write_return(tmp_path, header=header, episodes=episodes, extra=extra)
    call_command("import_903", str(folder), "--la", "831", "--year", "2022", stdout=out, stderr=out)


def stock(derby) -> dict[str, indicators.Figure]:
    return indicators.stock(la=derby.pk, ons=derby.ons_code, d=END, year=2022, population=60_000)


def flow(derby) -> dict[str, indicators.Figure]:
    return indicators.flow(la=derby.pk, s=START, d=END, population=60_000)


def test_an_episode_ending_on_31_march_is_ceased_not_looked_after(tmp_path, derby):
    load(tmp_path, ["C1,1,01/05/2010,WBRI,,,"], ["C1,01/01/2021,S,C2,N1,U4,PR1,31/03/2022,E8,,,,"])
    assert stock(derby)["cla_at_31_march"].value == 0
    assert flow(derby)["ceased"].value == 1


def test_a_child_looked_after_only_for_short_breaks_is_left_out(tmp_path, derby):
    load(
        tmp_path,
        ["C1,1,01/05/2010,WBRI,,,", "C2,2,01/05/2011,WBRI,,,"],
        ["C1,01/06/2021,S,V3,N2,U4,PR1,,,,,,", "C2,01/06/2021,S,C2,N1,U4,PR1,,,,,,"],
    )
    assert stock(derby)["cla_at_31_march"].value == 1
    assert flow(derby)["starts"].value == 1


def test_legal_status_changes_alone_are_one_placement(tmp_path, derby):
    load(
        tmp_path,
        ["C1,1,01/05/2010,WBRI,,,"],
        [
            "C1,01/05/2021,S,L2,N1,U4,PR1,01/06/2021,X1,,,,",
            "C1,01/06/2021,L,C1,N1,U4,PR1,01/09/2021,X1,,,,",
            "C1,01/09/2021,L,C2,N1,U4,PR1,,,,,,",
        ],
    )
    figures = indicators.cohorts(la=derby.pk, s=START, d=END, year=2022)
    assert figures["stability_3plus_placements"].numerator == 0
    assert figures["stability_3plus_placements"].denominator == 1


def test_three_changes_of_carer_are_three_placements(tmp_path, derby):
    load(
        tmp_path,
        ["C1,1,01/05/2010,WBRI,,,"],
        [
            "C1,01/05/2021,S,C2,N1,U4,PR1,01/06/2021,X1,CARPL,,,",
            "C1,01/06/2021,P,C2,N1,U6,PR4,01/09/2021,X1,CREQB,,,",
            "C1,01/09/2021,P,C2,N1,K2,PR4,,,,,,SC123456",
        ],
    )
    figures = indicators.cohorts(la=derby.pk, s=START, d=END, year=2022)
    assert figures["stability_3plus_placements"].value == 100.0


def test_a_child_who_leaves_and_returns_in_the_year_counts_once_each_way(tmp_path, derby):
    load(
        tmp_path,
        ["C1,1,01/05/2010,WBRI,,,"],
        [
            "C1,01/05/2021,S,V2,N4,U6,PR1,01/07/2021,E4A,,,,",
            "C1,01/10/2021,S,C1,N1,U6,PR1,,,,,,",
        ],
    )
    f = flow(derby)
    assert (f["starts"].value, f["ceased"].value, f["ceased_reunification"].value) == (1, 1, 1)
    assert stock(derby)["cla_at_31_march"].value == 1


def test_a_17th_birthday_on_1_april_falls_in_the_year(tmp_path, derby):
    oc3 = (
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "L1,01/04/2004,YES,F2,B1\n"  # 17 on 1 April 2021: in the 17-18 band
        "L2,01/04/2001,YES,G5,S2\n"  # 21 on 1 April 2022: next year, so 20 now: 19-21
        "L3,15/06/2000,DIED,0,0\n"  # died: left out of the denominator
    )
    load(
        tmp_path,
        ["L1,1,01/04/2004,WBRI,,,", "L2,2,01/04/2001,WBRI,,,", "L3,1,15/06/2000,WBRI,,,"],
        ["L1,01/05/2019,S,C2,N1,U4,PR1,01/04/2021,E5,,,,"],
        extra={"oc3.csv": oc3},
    )
    figures = indicators.cohorts(la=derby.pk, s=START, d=END, year=2022)
    assert figures["care_leavers_eet_17_18"].denominator == 1
    assert figures["care_leavers_eet_17_18"].value == 100.0
    assert figures["care_leavers_eet_19_21"].denominator == 1
    assert figures["care_leavers_eet_19_21"].value == 0.0
    assert figures["care_leavers_suitable_accommodation_19_21"].value == 0.0


def test_a_child_adopted_by_their_foster_carer_stops_the_a10_clock_on_moving_in(tmp_path, derby):
    ad1 = "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
    ad1 += "C6,01/02/2017,01/02/2020,01/05/2020,1,2,MF,L0\n"
    load(
        tmp_path,
        ["C6,1,01/02/2017,WBRI,,,"],
        [
            "C6,01/01/2019,S,C2,N1,U4,PR1,01/03/2020,X1,,,,",
            "C6,01/03/2020,L,E1,N1,U4,PR1,01/06/2020,X1,,,,",
            "C6,01/06/2020,T,E1,N1,A5,PR1,01/12/2021,E11,,,,",
        ],
        extra={"ad1.csv": ad1},
    )
    figures = indicators.adoption_timeliness(la=derby.pk, d=END)
    assert figures["adoption_a1_days"].value == (dt.date(2020, 6, 1) - dt.date(2019, 1, 1)).days
    assert figures["adoption_a10_days"].value == 0  # with this carer since entering care
    assert figures["adoption_a2_days"].value == (dt.date(2020, 5, 1) - dt.date(2020, 3, 1)).days


def test_a_match_before_the_placement_order_counts_as_zero_days(tmp_path, derby):
    ad1 = "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
    ad1 += "C7,01/02/2017,01/02/2020,01/02/2020,0,2,MF,L0\n"
    load(
        tmp_path,
        ["C7,1,01/02/2017,WBRI,,,"],
        [
            "C7,01/01/2019,S,C2,N1,U4,PR1,01/03/2020,X1,,,,",
            "C7,01/03/2020,P,E1,N1,A6,PR1,01/12/2021,E12,,,,",
        ],
        extra={"ad1.csv": ad1},
    )
    figures = indicators.adoption_timeliness(la=derby.pk, d=END)
    assert figures["adoption_a2_days"].value == 0
    assert figures["adoption_a10_days"].value == figures["adoption_a1_days"].value == 425


def test_long_term_stability_needs_the_period_start(tmp_path, derby):
    load(
        tmp_path,
        ["C1,1,01/05/2010,WBRI,,,", "C2,1,01/05/2010,WBRI,,,"],
        [
            "C1,01/05/2018,S,C2,N1,U4,PR1,,,,,,",  # 3+ years in care, same placement: stable
            "C2,01/05/2021,P,C2,N1,U4,PR1,,,,,,",  # the history doesn't reach their start
        ],
    )
    figures = indicators.cohorts(la=derby.pk, s=START, d=END, year=2022)
    assert (
        figures["stability_long_term"].numerator,
        figures["stability_long_term"].denominator,
    ) == (
        1,
        1,
    )
    assert figures["stability_long_term"].notes["period_start_not_in_data"] == 1


def test_importing_recomputes_and_the_json_command_prints_the_figures(tmp_path, derby):
    load(tmp_path, ["C1,1,01/05/2010,WBRI,,,"], ["C1,01/06/2021,S,C2,N1,U4,PR1,,,,,,"])
    assert values_as_json(derby, 2022)["cla_at_31_march"] == {
        "numerator": 1.0,
        "denominator": None,
        "value": 1.0,
    }
    out = io.StringIO()
    call_command("indicators", "--la", "831", "--year", "2022", "--json", stdout=out)
    assert '"starts": {' in out.getvalue()
    # Quarter values exist for stock and flow indicators, not for annual cohorts.
    assert "cla_at_31_march" in values_as_json(derby, 2022, 3)
    assert "stability_3plus_placements" not in values_as_json(derby, 2022, 3)
    assert recompute(derby, [2022])["values"] > 0


def test_an_in_year_extract_gives_provisional_figures_until_the_final_return(tmp_path, derby):
    header = ["C1,1,01/05/2010,WBRI,,,"]
    episodes = ["C1,01/06/2021,S,C2,N1,U4,PR1,,,,,,"]
    folder = write_return(tmp_path / "extract", header=header, episodes=episodes)
    out = io.StringIO()
    call_command(
        "import_903",
        str(folder),
        "--la",
        "831",
        "--year",
        "2022",
        "--as-at",
        "31/12/2021",
        stdout=out,
        stderr=out,
    )
    from performance.models import IndicatorValue

    values = IndicatorValue.objects.filter(la=derby, year=2022)
    assert values.exists() and all(v.provisional for v in values)
    assert not values.filter(quarter=4).exists()  # the extract stops in December
    assert not values.filter(indicator__code="stability_3plus_placements").exists()
    load(tmp_path / "final", header, episodes)
    values = IndicatorValue.objects.filter(la=derby, year=2022)
    assert not any(v.provisional for v in values)
    assert values.filter(quarter=4).exists()


def test_an_as_at_date_outside_the_year_is_refused(tmp_path, derby):
    from django.core.management import CommandError

    folder = write_return(tmp_path)
    with pytest.raises(CommandError, match="--as-at 01/05/2022 is outside 2021/22"):
        call_command(
            "import_903", str(folder), "--la", "831", "--year", "2022", "--as-at", "01/05/2022"
        )
