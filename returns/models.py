"""Quarterly returns: the figures officers type in each quarter that the 903 doesn't hold.

One `QuarterlyReturn` per council and quarter (2021/22 Q4 is year 2022, quarter 4: January
to March 2022). Its sections are saved on their own, each with a `version` so two
officers editing the same section can't overwrite each other: fostering recruitment,
permanence, residential staffing (a row per council home), placement sufficiency and
cost (a row per external placement type), education (the Virtual School) and the
Children in Care Council. "You said, we did" actions belong to the council and run
across quarters; each notes the return it was raised in.

A return moves draft -> submitted -> signed off; sign-off is by a different officer
with permission to sign off returns, and locks the return. Reopening it is recorded
with a reason. Counts are whole numbers, never negative (database CHECKs as well as
the forms); a blank means "not entered", not zero.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from corporate_parenting.models import LocalAuthority
from inspections.models import Setting

QUARTERS = (1, 2, 3, 4)


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SIGNED_OFF = "signed_off", "Signed off"


class QuarterlyReturn(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="returns")
    year = models.PositiveSmallIntegerField(help_text="Collection year: 2022 is 2021/22.")
    quarter = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=ReturnStatus.choices, default="draft")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["la", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["la", "year", "quarter"], name="one_return_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__in=QUARTERS), name="return_quarter_1_to_4"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="return_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="return_status_known"
            ),
            # Signed off means signed off by someone other than the person who submitted.
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.SIGNED_OFF)
                | (
                    Q(signed_off_by__isnull=False)
                    & Q(submitted_by__isnull=False)
                    & ~Q(signed_off_by=F("submitted_by"))
                ),
                name="return_signed_off_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la} {self.period_label}"

    @property
    def period_label(self) -> str:
        """E.g. "2021/22 Q4"."""
        return f"{self.year - 1}/{str(self.year)[-2:]} Q{self.quarter}"

    @property
    def locked(self) -> bool:
        return self.status == ReturnStatus.SIGNED_OFF

    @property
    def editable(self) -> bool:
        """Only a draft can be changed: a submitted return is what the signer checks."""
        return self.status == ReturnStatus.DRAFT


class Reopening(models.Model):
    """A signed-off return opened again for changes, and why."""

    ret = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="reopenings")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["ret", "-at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="reopening_has_reason")]

    def __str__(self) -> str:
        return f"Reopened {self.at:%d/%m/%Y}: {self.reason[:40]}"


class Section(models.Model):
    """One section of a return, saved on its own and conflict-checked by `version`."""

    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        abstract = True


def count(label: str, help_text: str = "") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=help_text)


def percent(label: str, help_text: str = "") -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=4, decimal_places=1, null=True, blank=True, help_text=help_text
    )


def fte(label: str, help_text: str = "") -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=6, decimal_places=1, null=True, blank=True, help_text=help_text
    )


def _percent_range(model: str, *fields: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{f}__isnull": True})
            | (Q(**{f"{f}__gte": 0}) & Q(**{f"{f}__lte": 100})),
            name=f"{model}_{f}_0_to_100",
        )
        for f in fields
    ]


class Fostering(Section):
    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="fostering")
    # The recruitment funnel, in the quarter.
    enquiries = count("Enquiries")
    information_packs = count("Information packs sent")
    initial_visits = count("Initial visits")
    applications = count("Applications")
    assessments_started = count("Assessments started")
    approvals_mainstream = count("Mainstream approvals")
    approvals_family_friends = count("Family and friends approvals")
    withdrawals = count("Withdrawals")
    # Deregistrations in the quarter, by reason.
    dereg_retirement = count("Retirement")
    dereg_circumstances = count("Change of circumstances")
    dereg_transfer_ifa = count("Transfer to an independent fostering agency (IFA)")
    dereg_dissatisfaction = count("Dissatisfaction")
    dereg_other = count("Other reason")
    # Capacity at the quarter's end.
    households_approved = count("Approved households")
    households_filled = count("Households with a child placed")
    households_vacant = count("Households with a vacancy")
    places_approved = count("Approved places")
    places_filled = count("Places filled")
    places_vacant = count("Places vacant")
    internal_placements = count(
        "Children placed with the council's own foster carers", "At the quarter's end."
    )
    # Outreach in the quarter.
    recruitment_events = count("Recruitment events")
    event_attendees = count("Attendees at recruitment events")

    def __str__(self) -> str:
        return f"Fostering, {self.ret}"


class Permanence(Section):
    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="permanence")
    # Exits in the quarter, by route: the permanence team's own counts.
    exits_sgo = count("Special guardianship orders (SGO)")
    exits_cao = count("Child arrangements orders (CAO)")
    exits_reunification = count("Reunifications (planned returns home)")
    adoption_orders = count("Adoption orders")
    # The adoption pipeline, in the quarter.
    placed_for_adoption = count("Children placed for adoption")
    best_interest_decisions = count("Best-interest decisions (should be placed for adoption)")
    placement_orders = count("Placement orders granted")
    matches = count("Matches approved at panel")
    # Caseload at the quarter's end.
    plan_of_adoption = count("Children with a plan of adoption")
    allocated = count("Of those, allocated to a worker")
    tracked_awaiting_placement_order = count("Tracked, awaiting a placement order")
    order_granted_tasks_outstanding = count("Adoption order granted, tasks outstanding")
    # Next quarter.
    projection_next_quarter = count("Placements projected next quarter")
    team_capacity_pct = percent("Team capacity used (%)")

    class Meta:
        constraints = _percent_range("permanence", "team_capacity_pct")

    def __str__(self) -> str:
        return f"Permanence, {self.ret}"


class Education(Section):
    """The Virtual School's figures for the quarter."""

    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="education")
    pep_completion_pct = percent("Personal Education Plans (PEPs) completed (%)")
    attendance_pct = percent("School attendance (%)")
    fixed_term_exclusions = count("Fixed-term exclusions (suspensions)")
    permanent_exclusions = count("Permanent exclusions")
    not_in_full_time_education = count("Children not in full-time education")

    class Meta:
        constraints = _percent_range("education", "pep_completion_pct", "attendance_pct")

    def __str__(self) -> str:
        return f"Education, {self.ret}"


class ChildrenInCareCouncil(Section):
    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="cicc")
    meetings = count("Meetings held")
    attendance = count("Attendance", "Young people at the quarter's meetings, added up.")

    def __str__(self) -> str:
        return f"Children in Care Council, {self.ret}"


class Consultation(models.Model):
    """A Children in Care Council consultation held in the quarter."""

    ret = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="consultations")
    topic = models.CharField(max_length=300)
    young_people = count("Young people who took part")

    class Meta:
        ordering = ["ret", "pk"]

    def __str__(self) -> str:
        return self.topic


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class CiccAction(models.Model):
    """A "you said, we did" action: what children asked for, and what the council did."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="cicc_actions")
    raised_in = models.ForeignKey(
        QuarterlyReturn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    you_said = models.TextField("You said")
    we_did = models.TextField("We did", blank=True)
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["la", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="cicc_action_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.COMPLETE) & Q(completed_on__isnull=False))
                | (~Q(status=ActionStatus.COMPLETE) & Q(completed_on__isnull=True)),
                name="cicc_action_completion_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.you_said[:60]


class StaffingSection(Section):
    """Residential staffing: the section's version; a row per council home."""

    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="staffing")

    def __str__(self) -> str:
        return f"Residential staffing, {self.ret}"


class HomeStaffing(models.Model):
    section = models.ForeignKey(StaffingSection, on_delete=models.CASCADE, related_name="homes")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="+")
    establishment_fte = fte("Staffing establishment (FTE)")
    vacancies_fte = fte("Vacancies (FTE)")
    agency_fte = fte("Agency staff in use (FTE)")
    home_status = models.CharField(
        "status at the quarter's end",
        max_length=20,
        choices=[
            ("open", "Open"),
            ("temporarily_closed", "Temporarily closed"),
            ("closed", "Closed"),
        ],
        default="open",
    )

    class Meta:
        ordering = ["section", "setting__name"]
        constraints = [
            models.UniqueConstraint(fields=["section", "setting"], name="one_staffing_row_a_home"),
            models.CheckConstraint(
                condition=Q(establishment_fte__isnull=True)
                | Q(vacancies_fte__isnull=True)
                | Q(vacancies_fte__lte=F("establishment_fte")),
                name="vacancies_within_establishment",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}),
                    name=f"home_staffing_{f}_not_negative",
                )
                for f in ("establishment_fte", "vacancies_fte", "agency_fte")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.setting} staffing"


class PlacementType(models.TextChoices):
    IFA = "ifa", "Independent fostering agency (IFA)"
    CHILDRENS_HOME = "childrens_home", "External children's home"
    SUPPORTED = "supported", "Semi-independent or supported accommodation"
    SECURE_WELFARE = "secure_welfare", "Secure welfare"
    PARENT_AND_CHILD = "parent_and_child", "Parent and child"
    SUPPORTED_LODGINGS = "supported_lodgings", "Supported lodgings"


class PlacementsSection(Section):
    """Placement sufficiency and cost: the section's version; a row per placement type."""

    ret = models.OneToOneField(QuarterlyReturn, on_delete=models.CASCADE, related_name="placements")

    def __str__(self) -> str:
        return f"Placements, {self.ret}"


class PlacementCost(models.Model):
    section = models.ForeignKey(PlacementsSection, on_delete=models.CASCADE, related_name="rows")
    placement_type = models.CharField(max_length=20, choices=PlacementType.choices)
    placements = count("External placements at the quarter's end")
    average_weekly_cost = models.DecimalField(
        "Average weekly cost (£)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    framework = models.CharField(
        "Framework used",
        max_length=200,
        blank=True,
        help_text="For example, the D2N2 Dynamic Purchasing System (DPS).",
    )
    over_20_miles = count("Placed 20 miles or more from home")
    out_of_area = count("Placed outside the council's area")

    class Meta:
        ordering = ["section", "placement_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "placement_type"], name="one_cost_row_a_type"
            ),
            models.CheckConstraint(
                condition=Q(placement_type__in=PlacementType.values), name="placement_type_known"
            ),
            models.CheckConstraint(
                condition=Q(average_weekly_cost__isnull=True) | Q(average_weekly_cost__gte=0),
                name="weekly_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.get_placement_type_display()
