from __future__ import annotations

from django.db import transaction

from corporate_parenting.models import LocalAuthority, Role, User


@transaction.atomic
def create_council_user(
    *,
    username: str,
    la: LocalAuthority,
    role: Role | str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    can_sign_off_returns: bool = False,
    can_approve_reports: bool = False,
) -> User:
    if Role(role) == Role.SYSTEM_ADMIN:
        raise ValueError("A system admin belongs to no council.")
    user = User(
        username=username,
        la=la,
        role=Role(role),
        email=email,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        can_sign_off_returns=can_sign_off_returns,
        can_approve_reports=can_approve_reports,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user
