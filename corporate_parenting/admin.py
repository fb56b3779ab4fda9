from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from corporate_parenting.models import (
    AuditLog,
    ComparisonGroup,
    LocalAuthority,
    Population,
    StatisticalNeighbour,
    User,
)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "la_code", "ons_code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "la_code", "ons_code"]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["la", "year", "population_0_17"]
    list_filter = ["year"]
    search_fields = ["la__name"]
    autocomplete_fields = ["la"]


@admin.register(StatisticalNeighbour)
class StatisticalNeighbourAdmin(admin.ModelAdmin):
    list_display = ["la", "year", "rank", "neighbour"]
    list_filter = ["year"]
    search_fields = ["la__name"]
    autocomplete_fields = ["la", "neighbour"]


@admin.register(ComparisonGroup)
class ComparisonGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "la", "role", "is_active"]
    list_filter = ["role", "is_active", "la__region"]
    search_fields = ["username", "first_name", "last_name", "email", "la__name"]
    autocomplete_fields = ["la"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Council and role",
            {"fields": ("la", "role", "job_title", "can_sign_off_returns", "can_approve_reports")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Council and role", {"fields": ("la", "role")}),
    )


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id"]

    # The log is append-only: nobody edits or deletes it, not even here.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
