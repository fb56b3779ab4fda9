"""The inspection indicators, on the demo's homes, visits and action plans."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from inspections.demo import load_demo_oversight
from inspections.models import ActionItem, ActionStatus, Reg44Visit, Setting
from inspections.providers import load_demo_providers
from performance import oversight
from performance.models import IndicatorValue
from tests.placements.factories import write_return

pytestmark = pytest.mark.django_db(transaction=False)

YEAR_START, YEAR_END = dt.date(2021, 4, 1), dt.date(2022, 3, 31)


@pytest.fixture
def demo(derby, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_providers(log=lambda _: None)
        load_demo_oversight(log=lambda _: None)
    return derby


def test_the_demo_year_gives_the_seed_picture(demo):
    figures = oversight.figures(demo, YEAR_START, YEAR_END)
    homes = figures["homes_good_or_better_pct"]
    # Five homes: two Good, two Requires improvement, one temporarily closed.
    assert (homes.numerator, homes.denominator, homes.value) == (2, 4, 50.0)
    reg44 = figures["reg44_on_time_pct"]
    # Four open homes x 12 months; two months missed and four reports late.
    assert (reg44.numerator, reg44.denominator, reg44.value) == (42, 48, 87.5)
    assert figures["inspection_actions_overdue"].value == 0
    # Before the first recorded action plan there is no value, not a reassuring 0.
    earlier = oversight.figures(demo, dt.date(2020, 4, 1), dt.date(2021, 3, 31))
    assert earlier["inspection_actions_overdue"].value is None
    assert earlier["reg44_on_time_pct"].value is None


def test_action_items_count_as_overdue_until_completed(demo):
    on = dt.date(2023, 9, 30)
    # Two items due 31 March 2023 still in progress; the one due 30 September is not late yet.
    assert oversight.figures(demo, on, on)["inspection_actions_overdue"].value == 2
    late = ActionItem.objects.get(action__startswith="Audit life-story")
    assert late.completed_on == dt.date(2023, 4, 20)
    assert (
        oversight.figures(demo, dt.date(2023, 4, 10), dt.date(2023, 4, 10))[
            "inspection_actions_overdue"
        ].value
        == 3
    )


def test_children_in_good_settings_join_the_903_to_ratings_by_urn(tmp_path: Path, demo):
    header = [f"C{i},1,01/05/2010,WBRI,,," for i in range(1, 5)]
    episodes = [
        "C1,01/06/2021,S,C2,N1,K2,PR1,,,,DE22 1AB,DE21 4JS,SC900001",  # Oak Lodge: Good
        "C2,01/06/2021,S,C2,N1,K2,PR1,,,,DE22 1AB,DE23 6JW,SC900003",  # Rowan Court: RI
        "C3,01/06/2021,S,C2,N1,K2,PR4,,,,DE22 1AB,DE21 6WF,SC900011",  # Ashgrove: Good
        "C4,01/06/2021,S,C2,N1,U4,PR1,,,,DE22 1AB,DE22 1AB,XXXXXXX",  # no URN: left out
    ]
    folder = write_return(tmp_path / "r", header=header, episodes=episodes)
    out = io.StringIO()
    call_command("import_903", str(folder), "--la", "831", "--year", "2022", stdout=out)
    figure = oversight.figures(demo, YEAR_START, YEAR_END)[
        "children_in_good_or_better_settings_pct"
    ]
    assert (figure.numerator, figure.denominator, figure.value) == (2, 3, 66.7)
    # Computed with the 903 indicators at import, for the year and each quarter.
    stored = IndicatorValue.objects.filter(
        la=demo, year=2022, indicator__code="children_in_good_or_better_settings_pct"
    )
    assert stored.get(quarter=0).value == 66.7


def test_saving_a_visit_refreshes_the_stored_figure(
    tmp_path: Path, demo, django_capture_on_commit_callbacks
):
    folder = write_return(tmp_path / "r")
    call_command("import_903", str(folder), "--la", "831", "--year", "2022", stdout=io.StringIO())
    stored = IndicatorValue.objects.get(
        la=demo, year=2022, quarter=0, indicator__code="reg44_on_time_pct"
    )
    assert stored.value == 87.5
    home = Setting.objects.get(urn="SC900003")
    with django_capture_on_commit_callbacks(execute=True):
        Reg44Visit.objects.create(
            setting=home,
            month=dt.date(2021, 8, 1),
            visit_date=dt.date(2021, 8, 20),
            announced=False,
            visitor="Morgan Ashby",
            children_spoken_to=2,
            report_received=dt.date(2021, 8, 30),
        )
    stored = IndicatorValue.objects.get(
        la=demo, year=2022, quarter=0, indicator__code="reg44_on_time_pct"
    )
    assert (stored.numerator, stored.denominator) == (43, 48)


def test_a_rolled_back_change_queues_no_refresh(demo, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                ActionItem.objects.filter(status=ActionStatus.IN_PROGRESS).first().save()
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []


def test_an_officer_editing_a_visit_refreshes_the_stored_figure(
    tmp_path: Path, demo, officer, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    folder = write_return(tmp_path / "r")
    call_command("import_903", str(folder), "--la", "831", "--year", "2022", stdout=io.StringIO())
    visit = Reg44Visit.objects.get(setting__urn="SC900001", month=dt.date(2021, 5, 1))
    client.force_login(officer)
    url = reverse("reg44_visit_edit", args=[visit.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        widget = field.widget
        if hasattr(widget, "widgets_names"):
            for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
                data[bound.html_name + suffix] = "" if part is None else str(part)
        else:
            prepared = field.prepare_value(value)
            data[bound.html_name] = "" if prepared is None else str(prepared)
    late = visit.visit_date + dt.timedelta(days=60)
    data.update(
        report_received_day=str(late.day),
        report_received_month=str(late.month),
        report_received_year=str(late.year),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = IndicatorValue.objects.get(
        la=demo, year=2022, quarter=0, indicator__code="reg44_on_time_pct"
    )
    assert (stored.numerator, stored.denominator) == (41, 48)


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_take_turns_rather_than_collide():
    """Two officers saving within a second, or a save during an import's recompute."""
    import threading

    from django.db import connection

    from corporate_parenting.models import LocalAuthority
    from placements.models import Import
    from tests.conftest import ensure_reference_data

    ensure_reference_data()
    la = LocalAuthority.objects.get(la_code="831")
    load_demo_providers(log=lambda _: None)
    load_demo_oversight(log=lambda _: None)
    for year in (2021, 2022):
        Import.objects.create(la=la, year=year, mode="strict", status="imported")
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            oversight.refresh(la)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert IndicatorValue.objects.filter(la=la, indicator__code__in=oversight.CODES).count() == (
        2 * 5 * len(oversight.CODES)
    )


def test_rating_a_setting_refreshes_every_council_with_children_placed_there(
    tmp_path: Path, demo, django_capture_on_commit_callbacks
):
    """A private home in Derby rated Inadequate changes Nottinghamshire's figure too."""
    from corporate_parenting.models import LocalAuthority
    from inspections.frameworks import SCCIF_CHILDRENS_HOMES
    from inspections.models import Framework
    from inspections.services import record_inspection

    notts = LocalAuthority.objects.get(la_code="891")
    folder = write_return(
        tmp_path / "notts",
        header=["N1,1,01/05/2010,WBRI,,,"],
        episodes=["N1,01/06/2021,S,C2,N1,K2,PR4,,,,NG1 1AA,DE21 6WF,SC900011"],
    )
    call_command("import_903", str(folder), "--la", "891", "--year", "2022", stdout=io.StringIO())

    def notts_value():
        return IndicatorValue.objects.get(
            la=notts,
            year=2022,
            quarter=0,
            indicator__code="children_in_good_or_better_settings_pct",
        ).value

    assert notts_value() == 100.0  # Ashgrove House is Good in the demo list
    with django_capture_on_commit_callbacks(execute=True):
        record_inspection(
            Setting.objects.get(urn="SC900011"),
            date=dt.date(2022, 2, 1),
            framework=Framework.objects.get(code=SCCIF_CHILDRENS_HOMES),
            grades={
                "overall_experiences": "inadequate",
                "help_and_protection": "inadequate",
                "leaders_and_managers": "inadequate",
            },
        )
    assert notts_value() == 0.0


def test_the_daily_command_refreshes_only_the_inspection_indicators(tmp_path: Path, demo):
    folder = write_return(tmp_path / "r")
    call_command("import_903", str(folder), "--la", "831", "--year", "2022", stdout=io.StringIO())
    other = IndicatorValue.objects.get(la=demo, year=2022, quarter=0, indicator__code="starts")
    IndicatorValue.objects.filter(la=demo, indicator__code__in=oversight.CODES).delete()
    out = io.StringIO()
    call_command("recompute_indicators", "--la", "831", "--inspections-only", stdout=out)
    assert "20 inspection indicator values stored" in out.getvalue()
    assert IndicatorValue.objects.filter(pk=other.pk).exists()  # the rest left alone
