from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from corporate_parenting.models import LocalAuthority


class Indicator(models.Model):
    """The catalogue, kept in step with performance.catalogue by `sync_catalogue`."""

    code = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    definition = models.TextField()
    unit = models.CharField(max_length=10)
    polarity = models.CharField(max_length=10)
    period_type = models.CharField(max_length=10)
    section = models.CharField(max_length=60)
    source = models.CharField(max_length=20)
    suppress = models.BooleanField(default=True)
    version = models.PositiveSmallIntegerField(default=1)
    england_benchmark = models.BooleanField(default=True)
    tolerance = models.FloatField(default=5)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__in=["count", "rate", "percent", "days", "score"]),
                name="indicator_unit_known",
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=["higher", "lower", "neutral"]),
                name="indicator_polarity_known",
            ),
            models.CheckConstraint(
                condition=Q(period_type__in=["stock", "flow", "cohort"]),
                name="indicator_period_type_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IndicatorValue(models.Model):
    """One computed figure: a council, an indicator, a year and a quarter (0 = the year)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    version = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=0)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)
    notes = models.JSONField(default=dict, blank=True)
    provisional = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    source_import = models.ForeignKey(
        "placements.Import", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "indicator", "year", "quarter"], name="one_value_per_period"
            ),
            models.CheckConstraint(condition=Q(quarter__lte=4), name="quarter_0_to_4"),
        ]
        indexes = [
            models.Index(fields=["la", "year", "quarter"]),
            # The England and region views read one year of every council's figures.
            models.Index(fields=["year", "quarter"], name="value_year_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} Q{self.quarter}: {self.value}"


class Target(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "indicator", "year"], name="one_target"),
        ]

    def __str__(self) -> str:
        return f"{self.la} {self.indicator_id} {self.year}: {self.value}"


class Benchmark(models.Model):
    """A published figure: England, a DfE region, or a council's statistical neighbours."""

    class Area(models.TextChoices):
        ENGLAND = "england", "England"
        REGION = "region", "Region"
        NEIGHBOURS = "neighbours", "Statistical neighbours"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=12, choices=Area.choices)
    # The region's name, or the council whose neighbours' average this is; blank for England.
    area_code = models.CharField(max_length=40, blank=True)
    value = models.FloatField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "area", "area_code"], name="one_benchmark"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} {self.area} {self.area_code}: {self.value}"


class Commentary(models.Model):
    """An officer's note on why a figure moved, shown under its tile and in reports."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(max_length=2000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "commentaries"
        constraints = [
            models.UniqueConstraint(
                fields=["la", "indicator", "year", "quarter"], name="one_commentary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la} {self.indicator_id} {self.year} Q{self.quarter}"


class Chart(models.Model):
    """A section's trend chart, rendered to SVG when indicators are recomputed."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarterly = models.BooleanField(default=False)
    svg = models.TextField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "indicator", "year", "quarterly"], name="one_chart"
            ),
        ]

    def __str__(self) -> str:
        return f"chart {self.la} {self.indicator_id} {self.year}"
