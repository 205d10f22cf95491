"""Cycles, objectives, key results, check-ins, the activity log and reminder records.

Every row carries its organization, even where it could be derived, so every
lookup can filter by the tenant (see ``okr/selectors.py``). The rules that
span rows (progress, permissions, the cascade) live in ``progress.py``,
``permissions.py`` and ``services.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization, Team

# The one declaration of how figures are stored: 20 digits, 6 after the point. Forms,
# serializers and the services' checks read it from here.
DECIMAL = {"max_digits": 20, "decimal_places": 6}
NOTE_MAX_LENGTH = 2000  # a check-in's note


class CycleStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Cycle(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=CycleStatus.choices, default=CycleStatus.PLANNING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lt=models.F("end_date")),
                name="cycle_starts_before_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == CycleStatus.CLOSED


class Level(models.TextChoices):
    COMPANY = "company", "Company"
    TEAM = "team", "Team"
    PERSONAL = "personal", "Personal"


class Visibility(models.TextChoices):
    ORGANIZATION = "organization", "Organization"
    PRIVATE = "private", "Private"


class Objective(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="objectives"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    level = models.CharField(max_length=16, choices=Level.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objectives"
    )
    parent_key_result = models.ForeignKey(
        "KeyResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="child_objectives",
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.ORGANIZATION
    )
    position = models.PositiveIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    # The objective of an earlier cycle this one was copied from by a roll-over.
    rolled_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rolled_over_copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "cycle"]),
            models.Index(fields=["organization", "owner"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level=Level.TEAM, team__isnull=False))
                | (~models.Q(level=Level.TEAM) & models.Q(team__isnull=True)),
                name="objective_team_iff_team_level",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="objective_progress_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE


class Metric(models.TextChoices):
    NUMBER = "number", "Number"
    PERCENT = "percent", "Percent"
    CURRENCY = "currency", "Currency"
    MILESTONE = "milestone", "Milestone"


class ProgressSource(models.TextChoices):
    MEASURED = "measured", "Measured"
    ALIGNED = "aligned", "Aligned"


class Confidence(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class KeyResult(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="key_results"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="key_results"
    )
    metric = models.CharField(max_length=16, choices=Metric.choices, default=Metric.NUMBER)
    unit = models.CharField(max_length=32, blank=True, default="")
    start_value = models.DecimalField(**DECIMAL, default=Decimal(0))
    target_value = models.DecimalField(**DECIMAL)
    current_value = models.DecimalField(**DECIMAL, default=Decimal(0))
    weight = models.DecimalField(**DECIMAL, default=Decimal(1))
    progress_source = models.CharField(
        max_length=16, choices=ProgressSource.choices, default=ProgressSource.MEASURED
    )
    position = models.PositiveIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    confidence = models.CharField(max_length=16, choices=Confidence.choices, null=True, blank=True)
    last_check_in_at = models.DateTimeField(null=True, blank=True)
    # The end-of-cycle grade, 0.00–1.00; null until someone grades it (docs/pace-and-grades.md).
    grade = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    grade_note = models.CharField(max_length=500, blank=True, default="")
    rolled_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rolled_over_copies"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["organization", "owner"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(start_value=models.F("target_value")),
                name="key_result_target_differs_from_start",
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="key_result_weight_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(metric=Metric.MILESTONE)
                | models.Q(start_value=0, target_value=1),
                name="key_result_milestone_is_0_to_1",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="key_result_progress_range",
            ),
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True) | models.Q(grade__gte=0, grade__lte=1),
                name="key_result_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_aligned(self) -> bool:
        return self.progress_source == ProgressSource.ALIGNED

    @property
    def is_milestone(self) -> bool:
        return self.metric == Metric.MILESTONE


class CheckIn(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="check_ins"
    )
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins"
    )
    value = models.DecimalField(**DECIMAL)
    confidence = models.CharField(max_length=16, choices=Confidence.choices)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["key_result", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.value} on {self.key_result_id}"


class Activity(models.Model):
    """One write, recorded: who did what to which row, and what changed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=32)
    target_type = models.CharField(max_length=32)
    target_id = models.BigIntegerField(null=True)
    summary = models.CharField(max_length=500)
    changes = models.JSONField(default=dict, blank=True)
    # The objective the row concerns, when any: for filtering and for hiding the
    # activity of private objectives from those who may not see them.
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    is_private = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return self.summary


class ReminderDelivery(models.Model):
    """The claim that makes reminders exactly-once: one row per membership and local date.

    The row is inserted *before* the e-mail goes out; the unique constraint lets
    only one run win it. ``claim_token`` names the run (or retry) that currently
    holds the row, so a batch can tell the rows it inserted or took over from the
    rows another worker holds. See ``okr/reminders/`` and ``docs/reminders.md``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    local_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    key_result_ids = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    claim_token = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "local_date"], name="one_reminder_per_member_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"reminder {self.membership_id} {self.local_date} {self.status}"
