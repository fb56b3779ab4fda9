"""Synthetic demo data: councils' context, comparison group and one user per role.

Everything here is idempotent: loading it twice leaves one copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from corporate_parenting.models import (
    ComparisonGroup,
    LocalAuthority,
    Population,
    Role,
    StatisticalNeighbour,
    User,
)
from corporate_parenting.reference_data import read_reference_csv
from corporate_parenting.two_factor import REQUIRED_FOR, role_requires_it

DEMO_PASSWORD = "corporate-parenting-demo"
# The demo's officers and admins need two-factor authentication. Their authenticator
# "app" shares this made-up secret (base 32: MNXXE4DPOJQXIZJNOBQXEZLOORUW4ZZB), so
# `manage.py demo_totp USERNAME` can print the current code. Never use it for a real user.
DEMO_TOTP_KEY = b"corporate-parenting!".hex()


@dataclass(frozen=True)
class DemoUser:
    username: str
    la_code: str | None
    role: Role
    first_name: str
    last_name: str
    job_title: str
    can_sign_off_returns: bool = False
    can_approve_reports: bool = False


DEMO_USERS = [
    DemoUser("derby.officer", "831", Role.OFFICER, "Olive", "Oduya", "Performance analyst"),
    DemoUser(
        "derby.manager",
        "831",
        Role.OFFICER,
        "Mani",
        "Mistry",
        "Head of service, children in care",
        can_sign_off_returns=True,
    ),
    DemoUser("derby.councillor", "831", Role.COUNCILLOR, "Cora", "Clarke", "Councillor"),
    DemoUser(
        "derby.clerk",
        "831",
        Role.CLERK,
        "Colin",
        "Kaur",
        "Democratic services officer",
        can_approve_reports=True,
    ),
    DemoUser("derby.admin", "831", Role.COUNCIL_ADMIN, "Ada", "Adeyemi", "Systems manager"),
    DemoUser("notts.officer", "891", Role.OFFICER, "Niall", "Norton", "Performance analyst"),
    DemoUser("sysadmin", None, Role.SYSTEM_ADMIN, "Sam", "Sysop", "System administrator"),
]

D2N2 = ("D2N2", "Derby, Derbyshire, Nottingham and Nottinghamshire", ["831", "830", "892", "891"])


@transaction.atomic
def load_demo_context() -> list[str]:
    """Load populations, neighbours, D2N2 and the demo users. Returns notes to print."""
    notes: list[str] = []
    councils = {la.la_code: la for la in LocalAuthority.objects.all()}

    for row in read_reference_csv("demo_population.csv"):
        Population.objects.update_or_create(
            la=councils[row["la_code"]],
            year=int(row["year"]),
            defaults={"population_0_17": int(row["population_0_17"])},
        )

    for row in read_reference_csv("demo_statistical_neighbours.csv"):
        neighbour = councils.get(row["neighbour_la_code"])
        if neighbour is None:
            # DfE's list can name a council that has since been abolished (Cumbria, 909).
            notes.append(
                f"Statistical neighbour {row['neighbour_la_code']} of {row['la_code']} "
                f"({row['year']}) is not a current council; skipped."
            )
            continue
        StatisticalNeighbour.objects.update_or_create(
            la=councils[row["la_code"]],
            year=int(row["year"]),
            rank=int(row["rank"]),
            defaults={"neighbour": neighbour},
        )

    name, description, codes = D2N2
    group, _ = ComparisonGroup.objects.update_or_create(
        name=name, defaults={"description": description}
    )
    group.members.set([councils[c] for c in codes])

    for demo in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "la": councils[demo.la_code] if demo.la_code else None,
                "role": demo.role,
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "job_title": demo.job_title,
                "email": f"{demo.username}@example.org",
                "can_sign_off_returns": demo.can_sign_off_returns,
                "can_approve_reports": demo.can_approve_reports,
                "is_staff": demo.role == Role.SYSTEM_ADMIN,
                "is_superuser": demo.role == Role.SYSTEM_ADMIN,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if role_requires_it(user):
            TOTPDevice.objects.filter(user=user).exclude(key=DEMO_TOTP_KEY).delete()
            TOTPDevice.objects.update_or_create(
                user=user,
                key=DEMO_TOTP_KEY,
                defaults={"name": "Demo authenticator", "confirmed": True},
            )
    return notes


def demo_totp_code(username: str) -> str:
    """The code a demo user's authenticator app would show now.

    Only for demo users whose device has the demo secret, so this can't reveal a real
    person's codes even on a database where someone reused a demo username.
    """
    demo = next((demo for demo in DEMO_USERS if demo.username == username), None)
    if demo is None:
        raise LookupError(f"{username} is not one of the demo's accounts, the only ones it serves")
    if demo.role not in REQUIRED_FOR:
        raise LookupError(f"{username} is not asked for a code: the password is enough")
    device = TOTPDevice.objects.filter(
        user__username=username, key=DEMO_TOTP_KEY, confirmed=True
    ).first()
    if device is None:
        raise LookupError(f"{username} has no demo authenticator (run manage.py load_demo)")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def demo_logins_text() -> str:
    lines = ["Demo sign-ins (all synthetic; password for each: " + DEMO_PASSWORD + ")"]
    for demo in DEMO_USERS:
        where = f"council {demo.la_code}" if demo.la_code else "all councils"
        lines.append(f"  {demo.username:<18} {Role(demo.role).label:<14} {where}")
    lines.append(
        "Officers and admins are asked for a two-factor code: "
        "scripts/uv-run.sh python manage.py demo_totp USERNAME prints it."
    )
    return "\n".join(lines)
