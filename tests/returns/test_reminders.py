"""Reminders of quarterly returns due within 7 days or overdue: the list, the email, the banner."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from corporate_parenting.models import Role
from returns.models import QuarterlyReturn, ReturnStatus
from returns.reminders import banner_context, returns_needing_attention
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# 2022/23 Q1 has just begun. The last four quarters that have ended are 2021/22 Q1 to Q4,
# due 30 July 2021, 30 October 2021, 30 January 2022 and 30 April 2022.
TODAY = dt.date(2022, 4, 25)


@pytest.fixture
def manager(db):
    return make_user("derby.manager", role=Role.OFFICER, can_sign_off_returns=True)


def make_return(la, quarter, status, officer, manager, year=2022) -> QuarterlyReturn:
    fields = {}
    if status in (ReturnStatus.SUBMITTED, ReturnStatus.SIGNED_OFF):
        fields.update(submitted_by=officer, submitted_at=timezone.now())
    if status == ReturnStatus.SIGNED_OFF:
        fields.update(signed_off_by=manager, signed_off_at=timezone.now())
    return QuarterlyReturn.objects.create(
        la=la, year=year, quarter=quarter, status=status, **fields
    )


@pytest.fixture
def returns(derby, officer, manager):
    """Q1 not started, Q2 submitted, Q3 signed off, Q4 a draft."""
    make_return(derby, 2, ReturnStatus.SUBMITTED, officer, manager)
    make_return(derby, 3, ReturnStatus.SIGNED_OFF, officer, manager)
    make_return(derby, 4, ReturnStatus.DRAFT, officer, manager)


def summary(reminders) -> list[tuple]:
    return [(r.period_label, r.state_label, r.due, r.overdue) for r in reminders]


def test_returns_not_signed_off_and_due_within_7_days_or_overdue_need_attention(derby, returns):
    assert summary(returns_needing_attention(derby, TODAY)) == [
        ("2021/22 Q1", "Not started", dt.date(2021, 7, 30), True),
        ("2021/22 Q2", "Submitted, awaiting sign-off", dt.date(2021, 10, 30), True),
        ("2021/22 Q4", "Draft", dt.date(2022, 4, 30), False),
    ]


@pytest.mark.parametrize(
    ("today", "q4"),
    [
        (dt.date(2022, 3, 31), None),  # the quarter hasn't ended
        (dt.date(2022, 4, 1), None),  # ended, but due in 29 days
        (dt.date(2022, 4, 22), None),  # due in 8 days
        (dt.date(2022, 4, 23), "due in 7 days, on 30 April 2022"),
        (dt.date(2022, 4, 29), "due tomorrow, 30 April 2022"),
        (dt.date(2022, 4, 30), "due today, 30 April 2022"),
        (dt.date(2022, 5, 1), "overdue by 1 day: it was due on 30 April 2022"),
    ],
)
def test_a_return_needs_attention_from_7_days_before_it_is_due(derby, today, q4):
    found = {r.period_label: r.when for r in returns_needing_attention(derby, today)}
    assert found.get("2021/22 Q4") == q4


def test_only_the_last_four_quarters_are_checked(derby):
    # In 2023/24 Q1, 2021/22's quarters are more than four quarters ago.
    periods = [r.period_label for r in returns_needing_attention(derby, dt.date(2023, 5, 15))]
    assert periods == ["2022/23 Q1", "2022/23 Q2", "2022/23 Q3", "2022/23 Q4"]


def test_officers_are_emailed_the_returns_they_act_on(
    derby, returns, officer, manager, councillor, clerk, council_admin, other_officer, mailoutbox
):
    make_user("derby.left", role=Role.OFFICER, is_active=False)
    no_email = make_user("derby.noemail", role=Role.OFFICER)
    no_email.email = ""
    no_email.save()
    out = io.StringIO()

    call_command("send_return_reminders", "--la", "831", "--today", "25/04/2022", stdout=out)

    assert out.getvalue() == "Derby: 3 returns need attention (2 overdue); emailed 2 officers.\n"
    sent = {m.to[0]: m for m in mailoutbox}
    assert set(sent) == {"derby.officer@example.org", "derby.manager@example.org"}
    filler = sent["derby.officer@example.org"]
    assert filler.subject == "Derby: 2 quarterly returns need attention (1 overdue)"
    assert "2 of Derby's quarterly returns need attention" in filler.body
    assert (
        "- 2021/22 Q1 (not started): OVERDUE by 269 days: it was due on 30 July 2021."
        in filler.body
    )
    assert "- 2021/22 Q4 (draft): due in 5 days, on 30 April 2022." in filler.body
    assert "2021/22 Q2" not in filler.body  # submitted: for someone who can sign it off
    signer = sent["derby.manager@example.org"]
    assert signer.subject == "Derby: 3 quarterly returns need attention (2 overdue)"
    assert (
        "- 2021/22 Q2 (submitted, awaiting sign-off): OVERDUE by 177 days: it was due on "
        "30 October 2021." in signer.body
    )
    assert "To fill in or sign off a return" in signer.body


def test_the_officer_who_submitted_a_return_isnt_reminded_to_sign_it_off(
    derby, officer, manager, mailoutbox
):
    make_return(derby, 2, ReturnStatus.SUBMITTED, manager, manager)  # the manager submitted it
    deputy = make_user("derby.deputy", role=Role.OFFICER, can_sign_off_returns=True)

    def periods(user):
        return [r.period_label for r in banner_context(user, TODAY)["return_reminders"]]

    assert periods(manager) == ["2021/22 Q1", "2021/22 Q3", "2021/22 Q4"]
    assert periods(deputy) == ["2021/22 Q1", "2021/22 Q2", "2021/22 Q3", "2021/22 Q4"]

    call_command(
        "send_return_reminders", "--la", "831", "--today", "25/04/2022", stdout=io.StringIO()
    )

    sent = {m.to[0]: m.body for m in mailoutbox}
    assert "2021/22 Q2" not in sent["derby.manager@example.org"]
    assert "2021/22 Q2" not in sent["derby.officer@example.org"]
    assert "- 2021/22 Q2 (submitted, awaiting sign-off)" in sent["derby.deputy@example.org"]


def test_nothing_is_sent_when_every_return_is_signed_off(derby, officer, manager, mailoutbox):
    for quarter in (1, 2, 3, 4):
        make_return(derby, quarter, ReturnStatus.SIGNED_OFF, officer, manager)
    out = io.StringIO()
    call_command("send_return_reminders", "--la", "831", "--today", "25/04/2022", stdout=out)
    assert mailoutbox == []
    assert out.getvalue() == "Derby: no returns need attention; nothing sent.\n"


def test_every_council_with_officers_is_reminded(
    derby, returns, officer, other_officer, mailoutbox
):
    out = io.StringIO()
    call_command("send_return_reminders", "--today", "25/04/2022", stdout=out)
    assert out.getvalue().splitlines() == [
        "Derby: 3 returns need attention (2 overdue); emailed 2 officers.",
        "Nottinghamshire: 4 returns need attention (3 overdue); emailed 1 officer.",
    ]
    notts = next(m for m in mailoutbox if m.to == ["notts.officer@example.org"])
    assert "4 of Nottinghamshire's quarterly returns need attention" in notts.body


def test_a_council_with_nobody_to_email_is_reported(derby, officer, manager, mailoutbox):
    for quarter in (1, 3, 4):
        make_return(derby, quarter, ReturnStatus.SIGNED_OFF, officer, manager)
    make_return(derby, 2, ReturnStatus.SUBMITTED, officer, manager)
    manager.is_active = False  # the only officer who could sign it off
    manager.save()
    out = io.StringIO()
    call_command("send_return_reminders", "--la", "831", "--today", "25/04/2022", stdout=out)
    assert out.getvalue() == (
        "Derby: 1 return needs attention (1 overdue), but no active officer with an email "
        "address.\n"
    )
    assert mailoutbox == []


def test_an_unknown_council_is_refused():
    with pytest.raises(CommandError, match="No council has LA code '999'"):
        call_command("send_return_reminders", "--la", "999")


# --- the officer home banner ----------------------------------------------------------


def test_the_banner_lists_an_officers_returns_with_links(derby, returns, officer, manager):
    context = banner_context(manager, TODAY)
    assert [r.period_label for r in context["return_reminders"]] == [
        "2021/22 Q1",
        "2021/22 Q2",
        "2021/22 Q4",
    ]
    html = render_to_string("returns/_reminders_banner.html", context)
    assert "3 quarterly returns need attention: 2 are overdue" in html
    assert f'href="{reverse("return_list")}"' in html
    assert "overdue</strong> by 177 days, due 30 October 2021" in html
    assert "due in 5 days, on 30 April 2022" in html
    # An officer who can't sign off isn't shown the return waiting for sign-off.
    assert [r.period_label for r in banner_context(officer, TODAY)["return_reminders"]] == [
        "2021/22 Q1",
        "2021/22 Q4",
    ]


def test_no_banner_for_councillors_or_when_nothing_is_due(
    derby, councillor, clerk, officer, manager
):
    assert banner_context(councillor, TODAY) == {"return_reminders": []}
    assert banner_context(clerk, TODAY) == {"return_reminders": []}
    for year, quarter in ((2021, 4), (2022, 1), (2022, 2), (2022, 3)):
        make_return(derby, quarter, ReturnStatus.SIGNED_OFF, officer, manager, year=year)
    context = banner_context(officer, dt.date(2022, 2, 15))  # 2021/22 Q4 isn't due yet
    assert context["return_reminders"] == []
    html = render_to_string("returns/_reminders_banner.html", context)
    assert "govuk-notification-banner" not in html
