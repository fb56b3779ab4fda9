"""Committee meetings and the reports they receive, written here and exported as PDFs.

A council has committees (the Corporate Parenting Committee); a committee has meetings
with numbered agenda items; an item carries a report (or is an item without one). A
report is of a type (the children in care performance update, the fostering annual
report...) pre-filled for a period from the data, with the officers' narrative around
the figures, in the council's own report skeleton (`ReportTemplate`: Derby's and
Nottinghamshire's differ). A report goes draft -> approved -> published; publishing
freezes its figures and stores its PDF byte for byte as a `PublishedVersion`, the
record. Attendance and minutes stay in the council's committee system; this product
records the resolutions and requested actions it needs to track.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from corporate_parenting.models import LocalAuthority


class Committee(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="committees")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["la", "name"]
        constraints = [
            models.UniqueConstraint(fields=["la", "name"], name="committee_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ReportTemplate(models.Model):
    """A council's report skeleton: its headings, sign-off table and implications.

    `skeleton` holds, as JSON: "sections" (the main headings in order, each with a key
    the content fills), "signoff_roles" (the approving officers' table), "implications"
    (Appendix 1's headings), "paragraph_numbers" (true for 1.1, 1.2...), "report_of"
    (how the author line reads), and "heading_case" ("upper" for SUMMARY).
    """

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    skeleton = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["la", "name"]
        constraints = [
            models.UniqueConstraint(fields=["la", "name"], name="report_template_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["committee", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_meeting_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.committee}, {self.date.day} {self.date:%B %Y}"


class ReportType(models.TextChoices):
    CIC_PERFORMANCE = "cic_performance", "Children in Care performance update"
    ANNUAL_PERFORMANCE = "annual_performance", "Annual performance update"
    FOSTERING_ANNUAL = "fostering_annual", "Fostering service annual report"
    PERMANENCE = "permanence", "Permanence team quarterly update"
    CHILDRENS_HOMES = "childrens_homes", "Children's homes: Ofsted, Regulation 44 and member visits"
    PLACEMENTS = "placements", "Placements overview and sufficiency"
    CICC = "cicc", "Children in Care Council update"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class Report(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="reports")
    report_type = models.CharField("type", max_length=30, choices=ReportType.choices)
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    report_of = models.CharField(
        "report of", max_length=300, help_text="The officer's title, e.g. Strategic Director of…"
    )
    # The period the figures are for: collection year, and quarter (0 for the year).
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=0)
    # The officers' narrative, in Markdown (rendered inert: no raw HTML survives).
    summary = models.TextField(blank=True)
    recommendations = models.TextField(
        blank=True, help_text="One recommendation a line, e.g. “To note the report.”"
    )
    reasons = models.TextField("reasons for recommendation", blank=True)
    supporting_information = models.TextField(blank=True)
    other_options = models.TextField("other options considered", blank=True)
    contact = models.TextField("contact details", blank=True)
    background_papers = models.TextField(blank=True)
    appendices = models.TextField("list of appendices", blank=True)
    implications = models.JSONField(default=dict, blank=True)  # heading -> text
    signoff = models.JSONField(default=dict, blank=True)  # role -> name and date
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default="draft")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["la", "-year", "-quarter", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report_type__in=ReportType.values), name="report_type_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_known"
            ),
            models.CheckConstraint(condition=Q(quarter__lte=4), name="report_quarter_0_to_4"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def locked(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    # Part II: exempt from publication; goes in the confidential pack only.
    exempt = models.BooleanField(default=False)
    exempt_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="The paragraph of Schedule 12A to the Local Government Act 1972 that applies.",
    )

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_number_once"),
            models.CheckConstraint(
                condition=Q(exempt=False) | ~Q(exempt_reason=""), name="exempt_item_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class PublishedVersion(models.Model):
    """A published report as it was: its frozen content and its PDF, byte for byte."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="published")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField(help_text="The report's figures, tables and text as published.")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="published_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class Appendix(models.Model):
    """An external PDF (an Ofsted letter, say) appended to an agenda item's report."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="appendices")
    title = models.CharField(max_length=300)
    pdf = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.title


class PackKind(models.TextChoices):
    PUBLIC = "public", "Public pack"
    CONFIDENTIAL = "confidential", "Confidential pack (Part II)"


class MeetingPack(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    kind = models.CharField(max_length=12, choices=PackKind.choices)
    status = models.CharField(
        max_length=10,
        choices=[
            ("queued", "Queued"),
            ("running", "Being made"),
            ("ready", "Ready"),
            ("failed", "Failed"),
        ],
        default="queued",
    )
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.meeting}"


class Resolution(models.Model):
    """What the meeting resolved on an item, e.g. “To note the report”."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="resolutions")
    text = models.TextField()

    class Meta:
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class MeetingAction(models.Model):
    """An action the meeting asked for, tracked until done; open ones go in the next pack."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField("action")
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["item", "due_date", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
