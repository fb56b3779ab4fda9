from __future__ import annotations

from django.contrib import admin

from inspections.models import (
    Framework,
    Grade,
    JudgementArea,
    Scale,
    Setting,
    SettingInspection,
    SettingJudgement,
)


class GradeInline(admin.TabularInline):
    model = Grade
    extra = 0


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    inlines = [GradeInline]


class JudgementAreaInline(admin.TabularInline):
    model = JudgementArea
    extra = 0
    fields = ["order", "code", "name", "section", "is_overall", "is_limiting", "required"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "subject", "scale", "valid_from", "valid_until"]
    list_filter = ["subject"]
    inlines = [JudgementAreaInline]


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    list_display = [
        "urn",
        "name",
        "setting_type",
        "la",
        "run_by_council",
        "status",
        "latest_overall_judgement",
        "latest_full_inspection_date",
    ]
    list_filter = ["setting_type", "status", "la__region"]
    search_fields = ["urn", "name", "provider_name", "postcode", "la__name"]
    autocomplete_fields = ["la", "run_by_council"]
    # Status changes go through inspections.closures.record_status, which keeps the
    # closure history; the admin can't edit them around it.
    readonly_fields = ["list_as_at", "updated_at", "status", "status_since", "version"]


class SettingJudgementInline(admin.TabularInline):
    model = SettingJudgement
    extra = 0


@admin.register(SettingInspection)
class SettingInspectionAdmin(admin.ModelAdmin):
    list_display = ["setting", "date", "inspection_type", "framework", "interim_outcome", "source"]
    list_filter = ["inspection_type", "framework", "source"]
    search_fields = ["setting__urn", "setting__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["setting"]
    readonly_fields = ["source", "created_at", "updated_at"]
    inlines = [SettingJudgementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("setting", "framework")
