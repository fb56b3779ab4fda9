from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q


class Region(models.TextChoices):
    NORTH_EAST = "North East"
    NORTH_WEST = "North West"
    YORKSHIRE = "Yorkshire and The Humber"
    EAST_MIDLANDS = "East Midlands"
    WEST_MIDLANDS = "West Midlands"
    EAST_OF_ENGLAND = "East of England"
    LONDON = "London"
    SOUTH_EAST = "South East"
    SOUTH_WEST = "South West"


class LocalAuthority(models.Model):
    """An English council with children's services duties (reference data)."""

    la_code = models.CharField("DfE LA code", max_length=3, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=30, choices=Region.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = "council"
        verbose_name_plural = "councils"
        constraints = [
            models.CheckConstraint(
                condition=Q(la_code__regex=r"^[0-9]{3}$"), name="la_code_three_digits"
            ),
            models.CheckConstraint(
                condition=Q(ons_code__regex=r"^E[0-9]{8}$"), name="ons_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Population(models.Model):
    """Mid-year population aged 0 to 17, the denominator of rates per 10,000."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(help_text="Mid-year estimate year, e.g. 2021")
    population_0_17 = models.PositiveIntegerField()

    class Meta:
        ordering = ["la", "year"]
        constraints = [
            models.UniqueConstraint(fields=["la", "year"], name="one_population_per_la_year"),
            models.CheckConstraint(condition=Q(population_0_17__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.la} {self.year}: {self.population_0_17:,}"


class StatisticalNeighbour(models.Model):
    """DfE statistical neighbours, which are revised from time to time, so kept per year."""

    la = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="statistical_neighbours"
    )
    year = models.PositiveSmallIntegerField()
    neighbour = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["la", "year", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["la", "year", "neighbour"], name="neighbour_once"),
            models.UniqueConstraint(fields=["la", "year", "rank"], name="neighbour_rank_once"),
            models.CheckConstraint(
                condition=~Q(la=models.F("neighbour")), name="not_own_neighbour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la} {self.year} #{self.rank}: {self.neighbour}"


class ComparisonGroup(models.Model):
    """A configured group of councils (e.g. D2N2) that compare suppressed aggregates."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(LocalAuthority, related_name="comparison_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    COUNCILLOR = "councillor", "Councillor"
    CLERK = "clerk", "Clerk"
    COUNCIL_ADMIN = "council_admin", "Council admin"
    SYSTEM_ADMIN = "system_admin", "System admin"


COUNCIL_ROLES = [Role.OFFICER, Role.COUNCILLOR, Role.CLERK, Role.COUNCIL_ADMIN]


class User(AbstractUser):
    """A person using the product: one council and one role, or a system admin."""

    la = models.ForeignKey(
        LocalAuthority,
        verbose_name="council",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=150, blank=True)
    can_sign_off_returns = models.BooleanField(
        default=False, help_text="May sign off quarterly returns submitted by other officers."
    )
    can_approve_reports = models.BooleanField(
        default=False, help_text="May approve committee reports for publication."
    )

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            # A system admin belongs to no council; everyone else to exactly one.
            models.CheckConstraint(
                condition=(Q(role="system_admin") & Q(la__isnull=True))
                | (~Q(role="system_admin") & Q(la__isnull=False)),
                name="council_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="role_known"
            ),
            # Only system admins may use the Django admin.
            models.CheckConstraint(
                condition=Q(role="system_admin") | (Q(is_staff=False) & Q(is_superuser=False)),
                name="only_system_admins_are_staff",
            ),
        ]

    @property
    def is_system_admin(self) -> bool:
        return self.role == Role.SYSTEM_ADMIN

    @property
    def sees_child_level_data(self) -> bool:
        return self.role == Role.OFFICER

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditLog(models.Model):
    """Append-only record of child-level reads and every change.

    A database trigger refuses UPDATE and DELETE, so not even the application can
    rewrite history. The user is kept by id and name so the row outlives the account.
    """

    class Action(models.TextChoices):
        VIEW = "view"
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        LOGIN = "login"
        EXPORT = "export"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id_at_time = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    la = models.ForeignKey(
        LocalAuthority,
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,  # the (la, at) index below serves every lookup by council
        related_name="+",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    changed_fields = models.JSONField(default=dict, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        # The audit viewer's pages: a council's latest entries, and a person's.
        indexes = [
            models.Index(fields=["la", "at"], name="auditlog_la_at"),
            models.Index(fields=["username", "at"], name="auditlog_username_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"
