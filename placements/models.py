"""The SSDA903 return as a council's one history of children and episodes.

Every row belongs to a council (`la`). Episodes, periods of care and placements form
one history per council that each year's import updates; the per-year tables (OC2,
OC3, reviews and so on) belong to one collection year and are replaced with it.
UPN and MC_DOB are never stored, and postcodes only as their district.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from corporate_parenting.models import LocalAuthority


def collection_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """Collection year 2022 is 1 April 2021 to 31 March 2022."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def collection_year_of(day: dt.date) -> int:
    """The collection year a date falls in: 1 April 2021 is in 2022 (2021/22)."""
    return day.year + (1 if day.month >= 4 else 0)


def collection_year_label(year: int) -> str:
    return f"{year - 1}/{str(year)[-2:]}"


class CodeListEntry(models.Model):
    """One code valid for one field in one collection year, with its plain-English label."""

    year = models.PositiveSmallIntegerField()
    field = models.CharField(max_length=30)
    code = models.CharField(max_length=10)
    label = models.CharField(max_length=200)
    # Rules within a year: P2 is invalid for episodes from 28 October 2023, for example.
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["year", "field", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "field", "code"], name="code_once_per_year"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="code_validity_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.field} {self.code}: {self.label}"


class Child(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="children")
    child_id = models.CharField("CHILD", max_length=20)
    sex = models.CharField(max_length=1)
    dob = models.DateField("date of birth")
    ethnic = models.CharField("ethnicity", max_length=4)
    mother = models.BooleanField(null=True)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["la", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["la", "child_id"], name="one_child_per_council"),
            models.CheckConstraint(condition=~Q(child_id=""), name="child_id_present"),
            models.CheckConstraint(condition=~Q(sex=""), name="child_sex_present"),
        ]

    def __str__(self) -> str:
        return self.child_id


class Episode(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="episodes")
    decom = models.DateField("start")
    rne = models.CharField("reason for new episode", max_length=1)
    ls = models.CharField("legal status", max_length=2)
    cin = models.CharField("category of need", max_length=2)
    place = models.CharField("placement type", max_length=3)
    place_provider = models.CharField("provider", max_length=3, blank=True)
    dec = models.DateField("end", null=True, blank=True)
    rec = models.CharField("reason ended", max_length=3, blank=True)
    reason_place_change = models.CharField(max_length=6, blank=True)
    home_district = models.CharField(max_length=4, blank=True)
    pl_district = models.CharField(max_length=4, blank=True)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    distance_miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    placement_la_ons = models.CharField(max_length=9, blank=True)
    source_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["child", "decom"]
        indexes = [
            models.Index(fields=["la", "decom"]),
            models.Index(fields=["la", "dec"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dec__isnull=True) | Q(dec__gte=F("decom")),
                name="episode_dec_after_decom",
            ),
            models.CheckConstraint(
                condition=~Q(rne="") & ~Q(ls="") & ~Q(place=""), name="episode_codes_present"
            ),
            models.UniqueConstraint(fields=["child", "decom"], name="one_episode_start_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.decom}"


class PeriodOfCare(models.Model):
    """From an RNE=S episode to the first episode whose REC is not X1 (derived at import)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    start_known = models.BooleanField(
        help_text="False when the history doesn't reach the RNE=S episode that began it."
    )
    reason_ended = models.CharField(max_length=3, blank=True)
    short_breaks_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["child", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="period_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"period of care from {self.start}"


class Placement(models.Model):
    """Consecutive episodes with one carer: a new placement starts with RNE P, B, T or U."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    period = models.ForeignKey(PeriodOfCare, on_delete=models.CASCADE, related_name="placements")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=3)
    place_provider = models.CharField(max_length=3, blank=True)
    urn = models.CharField(max_length=8, blank=True)
    pl_district = models.CharField(max_length=4, blank=True)
    distance_miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    placement_la_ons = models.CharField(max_length=9, blank=True)
    out_of_area = models.BooleanField(null=True)
    reason_ended = models.CharField(max_length=6, blank=True)

    class Meta:
        ordering = ["child", "start"]
        indexes = [models.Index(fields=["la", "start"]), models.Index(fields=["la", "urn"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} from {self.start}"


class YearRow(models.Model):
    """A row of a per-year table: replaced whenever its council-year is re-imported."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["la", "year"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.year} child {self.child_id}"


class UASC(YearRow):
    sex = models.CharField(max_length=1)
    dob = models.DateField()
    duc = models.DateField("date UASC status ceases", null=True, blank=True)

    class Meta(YearRow.Meta):
        verbose_name = "UASC"
        indexes = [models.Index(fields=["la", "year"], name="uasc_la_year")]


class Missing(YearRow):
    missing = models.CharField(max_length=1)
    mis_start = models.DateField()
    mis_end = models.DateField(null=True, blank=True)

    class Meta(YearRow.Meta):
        indexes = [models.Index(fields=["la", "year"], name="missing_la_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mis_end__isnull=True) | Q(mis_end__gte=F("mis_start")),
                name="missing_end_after_start",
            )
        ]


class OC2(YearRow):
    sdq_score = models.PositiveSmallIntegerField(null=True, blank=True)
    sdq_reason = models.CharField(max_length=4, blank=True)
    convicted = models.BooleanField(null=True)
    health_check = models.BooleanField(null=True)
    immunisations = models.BooleanField(null=True)
    teeth_check = models.BooleanField(null=True)
    health_assessment = models.BooleanField(null=True)
    substance_misuse = models.BooleanField(null=True)
    intervention_received = models.BooleanField(null=True)
    intervention_offered = models.BooleanField(null=True)

    class Meta(YearRow.Meta):
        verbose_name = "OC2 outcome"
        indexes = [models.Index(fields=["la", "year"], name="oc2_la_year")]


class OC3(YearRow):
    in_touch = models.CharField(max_length=4)
    activ = models.CharField(max_length=2, blank=True)
    accom = models.CharField(max_length=2, blank=True)

    class Meta(YearRow.Meta):
        verbose_name = "OC3 care leaver"
        indexes = [models.Index(fields=["la", "year"], name="oc3_la_year")]


class AD1(YearRow):
    date_int = models.DateField(null=True, blank=True)
    date_match = models.DateField(null=True, blank=True)
    foster_care = models.BooleanField(null=True)
    nb_adoptr = models.PositiveSmallIntegerField(null=True, blank=True)
    sex_adoptr = models.CharField(max_length=2, blank=True)
    ls_adoptr = models.CharField(max_length=3, blank=True)

    class Meta(YearRow.Meta):
        verbose_name = "AD1 adoption"
        indexes = [models.Index(fields=["la", "year"], name="ad1_la_year")]


class PlacedAdoption(YearRow):
    date_placed = models.DateField()
    date_placed_ceased = models.DateField(null=True, blank=True)
    reason_placed_ceased = models.CharField(max_length=3, blank=True)

    class Meta(YearRow.Meta):
        indexes = [models.Index(fields=["la", "year"], name="placedadoption_la_year")]


class PrevPerm(YearRow):
    prev_perm = models.CharField(max_length=3)
    la_perm = models.CharField(max_length=3, blank=True)
    date_perm = models.CharField(
        max_length=10, blank=True, help_text="As given: DfE allows a partial date here."
    )

    class Meta(YearRow.Meta):
        verbose_name = "previous permanence"
        indexes = [models.Index(fields=["la", "year"], name="prevperm_la_year")]


class Review(YearRow):
    review = models.DateField()
    review_code = models.CharField(max_length=3)

    class Meta(YearRow.Meta):
        indexes = [models.Index(fields=["la", "year"], name="review_la_year")]


class SWEpisode(YearRow):
    sw_id = models.CharField(max_length=20)
    sw_decom = models.DateField()
    sw_dec = models.DateField(null=True, blank=True)
    sw_reason = models.CharField(max_length=10, blank=True)

    class Meta(YearRow.Meta):
        verbose_name = "social worker episode"
        indexes = [models.Index(fields=["la", "year"], name="swepisode_la_year")]


class DoLo(YearRow):
    dolo_start = models.DateField()
    dolo_end = models.DateField(null=True, blank=True)

    class Meta(YearRow.Meta):
        verbose_name = "deprivation of liberty order"
        indexes = [models.Index(fields=["la", "year"], name="dolo_la_year")]


class Import(models.Model):
    """One attempt to import a council's return for one collection year."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        IMPORTED_WITH_SKIPS = "imported_with_skips", "Imported, invalid rows skipped"
        REJECTED = "rejected", "Rejected: nothing imported"
        FAILED = "failed", "Failed: nothing imported"

    class Mode(models.TextChoices):
        STRICT = "strict", "Strict: any error rejects the whole return"
        SKIP_INVALID = "skip_invalid", "Skip invalid rows"

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="imports")
    year = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=20, choices=Mode.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    source = models.CharField(max_length=10, default="browser")
    as_at = models.DateField(
        null=True,
        blank=True,
        help_text="For an in-year extract: the date it runs to. Its figures are provisional.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    files = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["la", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.la} {collection_year_label(self.year)} ({self.get_status_display()})"

    @property
    def year_label(self) -> str:
        return collection_year_label(self.year)

    @property
    def finished(self) -> bool:
        return self.status not in {self.Status.QUEUED, self.Status.RUNNING}


class ImportProblem(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="problems")
    severity = models.CharField(max_length=7, choices=Severity.choices)
    file = models.CharField(max_length=255)
    row = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=40, blank=True)
    value = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["import_run", "id"]

    def __str__(self) -> str:
        return f"{self.severity}: {self.file} row {self.row}: {self.message}"


SAVED = (Import.Status.IMPORTED, Import.Status.IMPORTED_WITH_SKIPS)


def imported_years(la_id: int) -> list[int]:
    """The collection years with a saved return for a council, earliest first."""
    return sorted(
        set(Import.objects.filter(la_id=la_id, status__in=SAVED).values_list("year", flat=True))
    )
