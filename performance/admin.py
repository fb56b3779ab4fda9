from __future__ import annotations

from django.contrib import admin

from performance.models import Benchmark, Indicator, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The catalogue is defined in code (performance/catalogue.py): read-only here."""

    list_display = ["code", "title", "unit", "polarity", "period_type", "section", "version"]
    list_filter = ["section", "period_type", "unit"]
    search_fields = ["code", "title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "area", "area_code", "value", "source"]
    list_filter = ["area", "year"]
    search_fields = ["indicator__code", "area_code"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["la", "indicator", "year", "value", "updated_by", "updated_at"]
    list_filter = ["year"]
    search_fields = ["la__name", "indicator__code"]
    autocomplete_fields = ["la"]
    raw_id_fields = ["indicator"]
