"""Where each role lands, and the navigation each role sees."""

from __future__ import annotations

from django.urls import reverse

from corporate_parenting.models import Role, User

ROLE_HOME = {
    Role.OFFICER: ("Officer home", "officer_home"),
    Role.COUNCILLOR: ("Dashboard", "dashboard"),
    Role.CLERK: ("Committee reports", "clerk_home"),
    Role.COUNCIL_ADMIN: ("Users", "council_users"),
    Role.SYSTEM_ADMIN: ("Administration", "admin:index"),
}


def home_url_for(user: User) -> str:
    return reverse(ROLE_HOME[Role(user.role)][1])


def navigation_for(user: User) -> list[tuple[str, str]]:
    if not user.is_authenticated:
        return []
    label, url_name = ROLE_HOME[Role(user.role)]
    items = [(label, reverse(url_name))]
    if user.role in (Role.OFFICER, Role.CLERK):
        items.append(("Dashboard", reverse("dashboard")))
    if user.role == Role.OFFICER:
        items.append(("Children", reverse("children_list")))
        items.append(("SSDA903 imports", reverse("import_list")))
        items.append(("Quarterly returns", reverse("return_list")))
    if user.role in (Role.OFFICER, Role.COUNCILLOR, Role.CLERK):
        items.append(("Homes and inspections", reverse("inspections_home")))
        items.append(("Committee meetings", reverse("meeting_list")))
    if user.role in (Role.OFFICER, Role.COUNCIL_ADMIN):
        items.append(("Targets", reverse("targets_edit")))
    if user.role == Role.SYSTEM_ADMIN:
        items.append(("England and regions", reverse("england")))
    if user.role in (Role.COUNCIL_ADMIN, Role.SYSTEM_ADMIN):
        items.append(("Audit log", reverse("audit_log")))
    if user.role in (Role.COUNCILLOR, Role.CLERK, Role.OFFICER):
        group = user.la.comparison_groups.order_by("name").first()
        if group:
            items.append((f"Compare: {group.name}", reverse("compare", args=[group.pk])))
        items.append(("Glossary", reverse("glossary")))
    return items
