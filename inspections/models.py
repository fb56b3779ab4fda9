"""Places children live, as Ofsted registers them, and Ofsted's inspections of them.

A `Setting` is one Ofsted registration, keyed by its unique reference number (URN): a
children's home, a secure children's home, a fostering or adoption agency and so on.
Its rows come from Ofsted's published list of social care providers; a council's own
knowledge (which homes it runs, a home temporarily closed) is kept beside them. A
setting's status is how it stands now; `SettingClosure` keeps every period it was
closed, so past dates keep their answers (inspections.closures changes both).

Judgement frameworks change over time (SCCIF, ILACS 2018, ILACS 2023, the 2011
safeguarding and looked after children inspection), so each inspection stores the
framework it was made under, and each judgement an area of that framework and a grade
on that framework's scale.

A council's own oversight of its homes hangs off `Setting`: Regulation 44 visits (with
their recommendations), Regulation 45 reviews and elected members' visits. Inspections
of the council itself (ILACS, focused visits, JTAI, the 2011 framework) hang off
`LocalAuthority` and `Framework`, with their areas for improvement and action plans.

Everything an officer edits carries a `version`, bumped on every save, so two people
editing the same record can't silently overwrite each other (see inspections.editing).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import TruncMonth

from corporate_parenting.models import LocalAuthority

# Ofsted social care URNs are "SC" and six digits (older registrations) or seven digits.
URN_REGEX = r"^(SC[0-9]{6}|[0-9]{7})$"
# A full UK postcode, upper case, one space before the inward code.
POSTCODE_REGEX = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


class SettingType(models.TextChoices):
    CHILDRENS_HOME = "childrens_home", "Children's home"
    SECURE_CHILDRENS_HOME = "secure_childrens_home", "Secure children's home"
    INDEPENDENT_FOSTERING_AGENCY = "independent_fostering_agency", "Independent fostering agency"
    REGISTERED_SUPPORTED_ACCOMMODATION = (
        "registered_supported_accommodation",
        "Registered supported accommodation",
    )
    RESIDENTIAL_FAMILY_CENTRE = "residential_family_centre", "Residential family centre"
    RESIDENTIAL_SPECIAL_SCHOOL = "residential_special_school", "Residential special school"
    VOLUNTARY_ADOPTION_AGENCY = "voluntary_adoption_agency", "Voluntary adoption agency"
    OTHER = "other", "Other"


class SettingStatus(models.TextChoices):
    OPEN = "open", "Open"
    TEMPORARILY_CLOSED = "temporarily_closed", "Temporarily closed"
    CLOSED = "closed", "Closed"


class Setting(models.Model):
    urn = models.CharField("Ofsted URN", max_length=8, unique=True)
    # Ofsted publishes "REDACTED" for a children's home's name and address, so a home
    # can have no name here until its council enters one.
    name = models.CharField(max_length=200, blank=True)
    setting_type = models.CharField("type", max_length=40, choices=SettingType.choices)
    provision_type = models.CharField(
        max_length=100, blank=True, help_text="As Ofsted publishes it, e.g. “Children's home”."
    )
    la = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settings_in_area",
        verbose_name="council area",
        help_text="The council whose area the setting is in (Ofsted's “Local authority”).",
    )
    run_by_council = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settings_run",
        help_text="The council that runs it; empty for a private or voluntary provider.",
    )
    sector = models.CharField(
        max_length=40, blank=True, help_text="As Ofsted publishes it: Local Authority, Private…"
    )
    provider_name = models.CharField(
        max_length=200, blank=True, help_text="The organisation which owns the provider."
    )
    registered_places = models.PositiveSmallIntegerField(null=True, blank=True)
    registration_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=SettingStatus.choices, default=SettingStatus.OPEN
    )
    status_since = models.DateField(null=True, blank=True)
    # A setting's postcode is a public business address, not personal data, so it is
    # kept whole (children's postcodes, in placements, are kept only as districts).
    postcode = models.CharField(max_length=8, blank=True)
    ofsted_url = models.URLField("Ofsted web page", blank=True)
    # As published in Ofsted's list: kept even when no inspection record can be made
    # from the row (a judgement missing, say), so the list's own picture is never lost.
    latest_full_inspection_date = models.DateField(null=True, blank=True)
    latest_overall_judgement = models.CharField(max_length=40, blank=True)
    list_as_at = models.DateField(
        null=True, blank=True, help_text="The date of the Ofsted list this row last came from."
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["urn"]
        indexes = [
            models.Index(fields=["la", "setting_type"]),
            models.Index(fields=["run_by_council", "setting_type"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(urn__regex=URN_REGEX), name="setting_urn_format"),
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=POSTCODE_REGEX),
                name="setting_postcode_format",
            ),
            models.CheckConstraint(
                condition=Q(setting_type__in=SettingType.values), name="setting_type_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SettingStatus.values), name="setting_status_known"
            ),
            # A closure always has a date: committee reports say "closed since ...".
            models.CheckConstraint(
                condition=Q(status=SettingStatus.OPEN) | Q(status_since__isnull=False),
                name="setting_closure_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})" if self.name else self.urn

    @property
    def external(self) -> bool:
        """Run by a private or voluntary provider rather than a council."""
        return self.run_by_council_id is None


class ClosureSource(models.TextChoices):
    COUNCIL = "council", "Recorded by the council"
    OFSTED_LIST = "ofsted_list", "Ofsted's list of providers"
    EARLIER = "earlier", "Recorded before closures were kept as periods"


class SettingClosure(models.Model):
    """A period when a setting was closed or temporarily closed.

    `Setting.status` says only how things stand now; these periods keep the history, so
    "was the home closed on day D?" has the answer that was true then (see
    inspections.closures, the one place that writes them). `end` is the last day
    closed, empty while the setting is still closed. A setting that closed for good after
    a temporary closure keeps one period, from the day it first closed: its status is
    the latest.

    A setting's periods never overlap: inspections.closures checks it when writing, and
    the database refuses it too with the exclusion constraint `closures_do_not_overlap`,
    which migration 0004 adds in SQL (Django declares exclusion constraints only with
    django.contrib.postgres installed).
    """

    Source = ClosureSource

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="closures")
    status = models.CharField(
        max_length=20,
        choices=[(s.value, s.label) for s in SettingStatus if s != SettingStatus.OPEN],
    )
    start = models.DateField(help_text="The first day closed.")
    end = models.DateField(
        null=True, blank=True, help_text="The last day closed; empty while still closed."
    )
    # Who recorded the closure: Ofsted's list never reopens a council's own record of
    # one of its homes.
    source = models.CharField(max_length=12, choices=ClosureSource.choices)

    class Meta:
        ordering = ["setting", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="closure_in_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[SettingStatus.TEMPORARILY_CLOSED, SettingStatus.CLOSED]),
                name="closure_status_closed",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ClosureSource.values), name="closure_source_known"
            ),
            models.UniqueConstraint(
                fields=["setting"], condition=Q(end__isnull=True), name="one_open_closure"
            ),
        ]

    def __str__(self) -> str:
        until = f" to {self.end:%d/%m/%Y}" if self.end else ""
        return f"{self.setting.urn} {self.get_status_display()} from {self.start:%d/%m/%Y}{until}"


class Scale(models.Model):
    """An ordered set of grades, e.g. Outstanding / Good / Requires improvement / Inadequate."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="grades")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(help_text="1 is the best grade on the scale.")
    # "Good or better" is how committees count homes; Adequate (2011) was not.
    good_or_better = models.BooleanField()

    class Meta:
        ordering = ["scale", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="grade_code_once_per_scale"),
            models.UniqueConstraint(fields=["scale", "rank"], name="grade_rank_once_per_scale"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="grade_rank_from_one"),
        ]

    def __str__(self) -> str:
        return self.label


class Framework(models.Model):
    """An inspection framework: what is judged, in which areas, on which scale."""

    class Subject(models.TextChoices):
        SETTING = "setting", "A setting (a home or an agency)"
        COUNCIL = "council", "A council's children's services"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=10, choices=Subject.choices)
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="frameworks")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["subject", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="framework_validity_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def overall_area(self) -> JudgementArea | None:
        return self.areas.filter(is_overall=True).first()


class JudgementArea(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    section = models.CharField(
        max_length=100, blank=True, help_text="A heading the area sits under, where it has one."
    )
    order = models.PositiveSmallIntegerField()
    # A limiting judgement caps others: in the SCCIF, inadequate help and protection
    # makes the home's overall experiences and progress inadequate too.
    is_limiting = models.BooleanField(default=False)
    required = models.BooleanField(
        default=True, help_text="Judged at every full inspection under this framework."
    )
    is_overall = models.BooleanField(
        default=False, help_text="The headline grade reports quote for the inspection."
    )

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="area_code_once"),
            models.UniqueConstraint(fields=["framework", "order"], name="area_order_once"),
            models.UniqueConstraint(
                fields=["framework"], condition=Q(is_overall=True), name="one_overall_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section}: {self.name}" if self.section else self.name


class InspectionType(models.TextChoices):
    FULL = "full", "Full inspection"
    INTERIM = "interim", "Interim inspection"
    MONITORING = "monitoring", "Monitoring inspection"
    ASSURANCE = "assurance", "Assurance visit"


class InterimOutcome(models.TextChoices):
    IMPROVED = "improved", "Improved effectiveness"
    SUSTAINED = "sustained", "Sustained effectiveness"
    DECLINED = "declined", "Declined in effectiveness"


class SettingInspection(models.Model):
    class Source(models.TextChoices):
        OFSTED_LIST = "ofsted_list", "Ofsted's list of providers"
        ENTERED = "entered", "Entered by hand"

    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField(help_text="The inspection's first day, as Ofsted gives it.")
    inspection_type = models.CharField("type", max_length=12, choices=InspectionType.choices)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    # An interim inspection gives no grades, only whether the home has improved,
    # sustained or declined in effectiveness since its last full inspection.
    interim_outcome = models.CharField(max_length=10, choices=InterimOutcome.choices, blank=True)
    requirements = models.PositiveSmallIntegerField(null=True, blank=True)
    recommendations = models.PositiveSmallIntegerField(null=True, blank=True)
    report_url = models.URLField(blank=True)
    published_on = models.DateField(null=True, blank=True)
    ofsted_event_number = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ENTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["setting", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "date", "inspection_type"], name="one_inspection_per_day_type"
            ),
            models.CheckConstraint(
                condition=Q(inspection_type__in=InspectionType.values),
                name="inspection_type_known",
            ),
            models.CheckConstraint(
                condition=(Q(inspection_type=InspectionType.INTERIM) & ~Q(interim_outcome=""))
                | (~Q(inspection_type=InspectionType.INTERIM) & Q(interim_outcome="")),
                name="interim_outcome_iff_interim",
            ),
            models.CheckConstraint(
                condition=Q(interim_outcome="") | Q(interim_outcome__in=InterimOutcome.values),
                name="interim_outcome_known",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_on__gte=models.F("date")),
                name="inspection_published_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.setting.urn} {self.get_inspection_type_display()} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        if self.framework_id and self.framework.subject != Framework.Subject.SETTING:
            raise ValidationError({"framework": f"{self.framework} judges councils, not settings."})

    @property
    def overall_grade(self) -> Grade | None:
        """The grade for the framework's headline area, or None (an interim, say).

        Reads `judgements` through any prefetch, so prefetch
        `judgements__area` and `judgements__grade` when listing many inspections.
        """
        for judgement in self.judgements.all():
            if judgement.area.is_overall:
                return judgement.grade
        return None


class SettingJudgement(models.Model):
    inspection = models.ForeignKey(
        SettingInspection, on_delete=models.CASCADE, related_name="judgements"
    )
    area = models.ForeignKey(JudgementArea, on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["inspection", "area__order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="one_grade_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.area.name}: {self.grade.label}"

    def clean(self) -> None:
        # The area and grade must belong to the inspection's framework and its scale.
        # That spans three tables, which a CHECK can't; services.record_inspection and
        # this method check it wherever judgements are written.
        if not (self.inspection_id and self.area_id and self.grade_id):
            return
        framework = self.inspection.framework
        if self.area.framework_id != framework.pk:
            raise ValidationError({"area": f"{self.area} is not an area of {framework}."})
        if self.grade.scale_id != framework.scale_id:
            raise ValidationError({"grade": f"{self.grade} is not on {framework}'s scale."})
        if self.inspection.inspection_type == InspectionType.INTERIM:
            raise ValidationError("An interim inspection has an outcome, not graded judgements.")


# --- a council's oversight of its homes -------------------------------------------------


class Edited(models.Model):
    """Who last changed a record, when, and its version for conflict checks."""

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


def _completion_dated(prefix: str) -> models.CheckConstraint:
    """A complete item has a completion date; an open one has none."""
    return models.CheckConstraint(
        condition=(Q(status=ActionStatus.COMPLETE) & Q(completed_on__isnull=False))
        | (~Q(status=ActionStatus.COMPLETE) & Q(completed_on__isnull=True)),
        name=f"{prefix}_completion_dated",
    )


def _status_known(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(status__in=ActionStatus.values), name=f"{prefix}_status_known"
    )


class Reg44Visit(Edited):
    """An independent person's monthly visit to a children's home (Regulation 44)."""

    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="reg44_visits")
    month = models.DateField(help_text="The first day of the month the visit covers.")
    visit_date = models.DateField()
    announced = models.BooleanField()
    visitor = models.CharField("independent person", max_length=200)
    children_spoken_to = models.PositiveSmallIntegerField()
    report_received = models.DateField(null=True, blank=True)
    # The two opinions Regulation 44(4) requires; unknown until the report arrives.
    children_safeguarded = models.BooleanField(null=True, blank=True)
    wellbeing_promoted = models.BooleanField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["setting", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "month"], name="one_reg44_visit_a_month"),
            models.CheckConstraint(
                condition=Q(month=TruncMonth("visit_date")), name="reg44_month_of_visit"
            ),
            models.CheckConstraint(
                condition=Q(report_received__isnull=True) | Q(report_received__gte=F("visit_date")),
                name="reg44_report_after_visit",
            ),
            # The opinions come from the report: none without it.
            models.CheckConstraint(
                condition=Q(report_received__isnull=False)
                | (Q(children_safeguarded__isnull=True) & Q(wellbeing_promoted__isnull=True)),
                name="reg44_opinions_from_report",
            ),
        ]

    def __str__(self) -> str:
        return f"Regulation 44 visit to {self.setting}, {self.month:%B %Y}"


class Reg44Recommendation(Edited):
    visit = models.ForeignKey(Reg44Visit, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField("recommendation")
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "due_date", "pk"]
        constraints = [_status_known("reg44_rec"), _completion_dated("reg44_rec")]

    def __str__(self) -> str:
        return self.text[:60]


class Reg45Review(Edited):
    """The registered person's six-monthly review of the home's quality of care."""

    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="reg45_reviews")
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["setting", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "period_start"], name="one_reg45_review_a_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="reg45_period_in_order"
            ),
            _status_known("reg45"),
            _completion_dated("reg45"),
        ]

    def __str__(self) -> str:
        return f"Regulation 45 review of {self.setting}, {self.period_start:%b %Y}"


class MemberVisit(Edited):
    """Elected members' visit to a council children's home."""

    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="member_visits")
    date = models.DateField()
    councillors = models.CharField(max_length=300, help_text="The councillors who visited.")
    findings = models.TextField("what they found")
    actions = models.TextField("actions that followed", blank=True)

    class Meta:
        ordering = ["-date", "setting"]

    def __str__(self) -> str:
        return f"Member visit to {self.setting}, {self.date:%d/%m/%Y}"


# --- inspections of the council itself --------------------------------------------------


class CouncilInspectionType(models.TextChoices):
    ILACS_STANDARD = "ilacs_standard", "ILACS standard inspection"
    ILACS_SHORT = "ilacs_short", "ILACS short inspection"
    FOCUSED_VISIT = "focused_visit", "Focused visit"
    MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
    JTAI = "jtai", "Joint targeted area inspection (JTAI)"
    SLAC = "slac", "Safeguarding and looked after children inspection"
    OTHER = "other", "Other inspection"


class CouncilInspection(Edited):
    la = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="council_inspections"
    )
    inspection_type = models.CharField("type", max_length=20, choices=CouncilInspectionType.choices)
    # Focused visits, monitoring visits and JTAIs give no grades: no framework.
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    published_on = models.DateField(null=True, blank=True)
    report_url = models.URLField(blank=True)
    summary = models.TextField(blank=True)
    action_plan_due = models.DateField(
        "action plan due at Ofsted",
        null=True,
        blank=True,
        help_text="The date by which the action plan must be sent to Ofsted.",
    )
    action_plan_sent = models.DateField("action plan sent to Ofsted", null=True, blank=True)

    class Meta:
        ordering = ["la", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["la", "start_date", "inspection_type"], name="one_council_inspection"
            ),
            models.CheckConstraint(
                condition=Q(inspection_type__in=CouncilInspectionType.values),
                name="council_inspection_type_known",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="council_inspection_in_order"
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_on__gte=F("end_date")),
                name="council_inspection_published_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_inspection_type_display()}, {self.start_date:%B %Y}"


class CouncilJudgement(models.Model):
    inspection = models.ForeignKey(
        CouncilInspection, on_delete=models.CASCADE, related_name="judgements"
    )
    area = models.ForeignKey(JudgementArea, on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["inspection", "area__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "area"], name="one_council_grade_per_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.name}: {self.grade.label}"


class AreaForImprovement(Edited):
    inspection = models.ForeignKey(
        CouncilInspection, on_delete=models.CASCADE, related_name="areas_for_improvement"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField("area for improvement")

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="afi_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ActionItem(Edited):
    """One item of the action plan for an area for improvement."""

    area = models.ForeignKey(AreaForImprovement, on_delete=models.CASCADE, related_name="actions")
    action = models.TextField()
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    rag = models.CharField("RAG rating", max_length=5, choices=RAG.choices)

    class Meta:
        ordering = ["area", "due_date", "pk"]
        constraints = [
            _status_known("action_item"),
            _completion_dated("action_item"),
            models.CheckConstraint(condition=Q(rag__in=RAG.values), name="action_item_rag_known"),
        ]

    def __str__(self) -> str:
        return self.action[:60]
